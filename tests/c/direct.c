/* O_DIRECT: aligned I/O works, plain and vectored; a buffer, offset or
 * length that is not a multiple of the logical sector size (512 here) is
 * accepted by io_submit and fails in the event with -EINVAL, as on Linux;
 * reads end short at the end of the file; sync works. (Linux runs this on
 * the ext4 disk the tests run on; tmpfs refuses O_DIRECT.) */
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

int main(void)
{
	struct iocb cb;
	unsigned char *buf = aligned_buffer(1 << 20);
	int fd = open_file("data", O_RDWR | O_CREAT | O_TRUNC | O_DIRECT);
	CHECK(fd >= 0);
	CHECK(io_setup(8, &ctx) == 0);
	for (int i = 0; i < 65536; i++)
		buf[i] = pattern(i, 14);

	io_prep_pwrite(&cb, fd, buf, 65536, 0);
	run("aligned write 64 KiB", &cb);
	memset(buf, 0, 65536);
	io_prep_pread(&cb, fd, buf, 65536, 0);
	run("aligned read 64 KiB", &cb);
	printf("data read back: %d\n", check_pattern(buf, 0, 65536, 14));

	io_prep_pread(&cb, fd, buf + 1, 4096, 0);
	run("buffer + 1", &cb);
	io_prep_pread(&cb, fd, buf + 512, 4096, 0);
	run("buffer + 512", &cb);
	io_prep_pread(&cb, fd, buf, 4096, 1);
	run("offset 1", &cb);
	io_prep_pread(&cb, fd, buf, 4096, 512);
	run("offset 512", &cb);
	io_prep_pread(&cb, fd, buf, 100, 0);
	run("length 100", &cb);
	io_prep_pread(&cb, fd, buf, 512, 0);
	run("length 512", &cb);
	io_prep_pread(&cb, fd, buf, 8192, 65536 - 4096);
	run("read crossing the end", &cb);
	io_prep_pread(&cb, fd, buf, 4096, 65536);
	run("read at the end", &cb);
	io_prep_pwrite(&cb, fd, buf + 1, 4096, 0);
	run("write buffer + 1", &cb);
	io_prep_pwrite(&cb, fd, buf, 4096, 3);
	run("write offset 3", &cb);
	io_prep_pwrite(&cb, fd, buf, 1000, 0);
	run("write length 1000", &cb);
	io_prep_pread(&cb, fd, buf + 1, 0, 0);
	run("length 0, buffer + 1", &cb);

	struct iovec ok[2] = { { buf, 4096 }, { buf + 8192, 4096 } };
	io_prep_preadv(&cb, fd, ok, 2, 0);
	run("preadv aligned", &cb);
	printf("segments: %d %d\n", check_pattern(buf, 0, 4096, 14), check_pattern(buf + 8192, 4096, 4096, 14));
	struct iovec small[2] = { { buf, 512 }, { buf + 8192 + 512, 512 } };
	io_prep_preadv(&cb, fd, small, 2, 512);
	run("preadv 512-byte segments", &cb);
	struct iovec bad_base[2] = { { buf, 4096 }, { buf + 8193, 4096 } };
	io_prep_preadv(&cb, fd, bad_base, 2, 0);
	run("preadv second segment misaligned", &cb);
	struct iovec bad_len[2] = { { buf, 1000 }, { buf + 8192, 3096 } };
	io_prep_preadv(&cb, fd, bad_len, 2, 0);
	run("preadv segment length 1000", &cb);
	struct iovec pages[4] = { { buf, 4096 }, { buf + 4096, 4096 }, { buf + 8192, 4096 }, { buf + 12288, 4096 } };
	for (int i = 0; i < 16384; i++)
		buf[i] = pattern(i, 15);
	io_prep_pwritev(&cb, fd, pages, 4, 131072);
	run("pwritev of whole pages", &cb);
	memset(buf, 0, 16384);
	io_prep_preadv(&cb, fd, pages, 4, 131072);
	run("preadv of whole pages", &cb);
	printf("pages read back: %d\n", check_pattern(buf, 0, 16384, 15));

	io_prep_fsync(&cb, fd);
	run("fsync", &cb);
	io_prep_fdsync(&cb, fd);
	run("fdsync", &cb);

	/* Many direct requests in flight at once. */
	struct iocb many[32], *cbs[32];
	for (int i = 0; i < 32; i++) {
		io_prep_pread(&many[i], fd, buf + i * 4096, 4096, (i % 16) * 4096);
		cbs[i] = &many[i];
	}
	show("32 reads at once", io_submit(ctx, 32, cbs));
	struct io_event ev[32];
	reap(ctx, ev, 32);
	int all = 1;
	for (int i = 0; i < 32; i++)
		all &= event_res(&ev[i]) == 4096;
	printf("all 32 full: %d\n", all);
	CHECK(io_destroy(ctx) == 0);
	return 0;
}
