/* Linux has no text mode: a file written and read through plain open(),
 * write() and read() comes back byte for byte, 0x1A and CR LF included, and
 * is as long as what was written. (A Windows C runtime's default is text
 * mode: a read stops at the first 0x1A and turns CR LF into LF, a write
 * turns LF into CR LF; the header's open() asks for binary mode unless the
 * program passes _O_TEXT, see tests/c/win/text_mode.c.) */
#include "harness.h"

static const char bytes[] = "line one\r\nline two\n\x1a"
			    "after the first 0x1a\r\r\n\x1a\x1a\n"
			    "end";

static long long file_size(const char *path)
{
	struct stat st;
	CHECK(stat(path, &st) == 0);
	return (long long)st.st_size;
}

int main(void)
{
	const int size = (int)sizeof bytes - 1;
	char back[256];
	int got = 0, r;

	int fd = open("bytes", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	printf("write: %d of %d\n", (int)write(fd, bytes, size), size);
	CHECK(t_close(fd) == 0);
	printf("file size: %lld\n", file_size("bytes"));

	fd = open("bytes", O_RDONLY);
	CHECK(fd >= 0);
	while ((r = (int)read(fd, back + got, (unsigned)(sizeof back - got))) > 0)
		got += r;
	printf("read: %d, same bytes: %d\n", got, got == size && memcmp(back, bytes, size) == 0);
	CHECK(t_close(fd) == 0);

	/* The same file through aio: the library reads the raw bytes either way. */
	io_context_t ctx = 0;
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	CHECK(io_setup(1, &ctx) == 0);
	fd = open("bytes", O_RDWR);
	CHECK(fd >= 0);
	memset(back, 0, sizeof back);
	io_prep_pread(&cb, fd, back, sizeof back, 0);
	CHECK(io_submit(ctx, 1, cbs) == 1);
	reap(ctx, &ev, 1);
	printf("aio read: %s, same bytes: %d\n", result_text(event_res(&ev)), memcmp(back, bytes, size) == 0);

	/* A plain write() after a plain read() on the same fd: no translation. */
	CHECK(lseek(fd, 0, SEEK_END) == size);
	printf("append: %d\n", (int)write(fd, "\n\x1a\n", 3));
	CHECK(t_close(fd) == 0);
	printf("file size: %lld\n", file_size("bytes"));

	CHECK(io_destroy(ctx) == 0);
	CHECK(t_unlink("bytes") == 0);
	return 0;
}
