/* C++: a plain open() with O_DIRECT, O_DSYNC or O_SYNC behaves as on Linux
 * (through the header's aio_open on Windows, with two arguments or three),
 * never as a buffered fd that looks direct: a misaligned O_DIRECT read fails
 * in its event with -EINVAL, an aligned one moves the data. And a plain
 * open() reads a file back byte for byte: no text mode on Linux. */
#include "harness.h"

static io_context_t ctx;

static void run(const char *what, struct iocb *cb)
{
	struct iocb *cbs[1] = { cb };
	struct io_event ev;
	long long r = io_submit(ctx, 1, cbs);
	if (r != 1) {
		show(what, r);
		return;
	}
	reap(ctx, &ev, 1);
	printf("%s: event %s\n", what, result_text(event_res(&ev)));
}

/* A struct with a member called open: untouched by the header. */
struct opener {
	int (*open)(const char *path, int flags);
};
static int open_read_only(const char *path, int flags)
{
	return ::open(path, flags | O_RDONLY);
}

int main()
{
	struct iocb cb;
	unsigned char *buf = static_cast<unsigned char *>(aligned_buffer(1 << 16));
	CHECK(io_setup(8, &ctx) == 0);

	make_file("data", 65536, 31);

	/* Two arguments, as the DeepSpeed trial did. */
	int fd = open("data", O_RDONLY | O_DIRECT);
	CHECK(fd >= 0);
	io_prep_pread(&cb, fd, buf, 4096, 0);
	run("two-argument open, aligned read", &cb);
	printf("data: %d\n", check_pattern(buf, 0, 4096, 31));
	io_prep_pread(&cb, fd, buf + 1, 4096, 0);
	run("two-argument open, buffer + 1", &cb);
	io_prep_pread(&cb, fd, buf, 4096, 100);
	run("two-argument open, offset 100", &cb);
	io_prep_pread(&cb, fd, buf, 100, 0);
	run("two-argument open, length 100", &cb);
	CHECK(t_close(fd) == 0);

	/* Three arguments, as DeepSpeed's open_file() does (const int flags). */
	const int flags = O_RDWR | O_CREAT | O_DIRECT;
	const int mode = 0600;
	fd = open("data", flags, mode);
	CHECK(fd >= 0);
	io_prep_pread(&cb, fd, buf + 512, 4096, 512);
	run("three-argument open, aligned read", &cb);
	printf("data: %d\n", check_pattern(buf + 512, 512, 4096, 31));
	io_prep_pwrite(&cb, fd, buf + 3, 4096, 0);
	run("three-argument open, write buffer + 3", &cb);
	CHECK(t_close(fd) == 0);

	/* O_DSYNC and O_SYNC: opened, and the data goes through. */
	const int sync_flags[2] = { O_WRONLY | O_DSYNC, O_WRONLY | O_SYNC };
	for (int i = 0; i < 2; i++) {
		fd = open("data", sync_flags[i]);
		CHECK(fd >= 0);
		for (int j = 0; j < 4096; j++)
			buf[j] = pattern(j, 40 + i);
		io_prep_pwrite(&cb, fd, buf, 4096, 8192);
		run(i == 0 ? "O_DSYNC write" : "O_SYNC write", &cb);
		CHECK(t_close(fd) == 0);
		fd = open("data", O_RDONLY);
		memset(buf, 0, 4096);
		io_prep_pread(&cb, fd, buf, 4096, 8192);
		run("read back", &cb);
		printf("data: %d\n", check_pattern(buf, 0, 4096, 40 + i));
		CHECK(t_close(fd) == 0);
	}

	/* Binary: bytes a text-mode runtime would change or stop at. */
	static const char bytes[] = "a\r\nb\nc\x1a" "d\r\r\n\x1a\x1a" "e";
	const int size = (int)sizeof bytes - 1;
	fd = open("text", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	printf("write: %d\n", (int)write(fd, bytes, size));
	CHECK(t_close(fd) == 0);
	char back[64];
	fd = open("text", O_RDONLY);
	CHECK(fd >= 0);
	int got = 0, r;
	while ((r = (int)read(fd, back + got, sizeof back - got)) > 0)
		got += r;
	printf("read: %d of %d, same bytes: %d\n", got, size, got == size && memcmp(back, bytes, size) == 0);
	CHECK(t_close(fd) == 0);

	struct opener o = { open_read_only };
	fd = o.open("text", 0);
	printf("member open: %d\n", fd >= 0);
	CHECK(fd >= 0 && t_close(fd) == 0);

	CHECK(io_destroy(ctx) == 0);
	t_unlink("data");
	t_unlink("text");
	return 0;
}
