/* Plain reads and writes: bytes moved, event fields, short reads at the end
 * of the file, reads past it, and the file position left untouched. */
#include "harness.h"

int main(void)
{
	io_context_t ctx = 0;
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	static unsigned char buf[65536];
	int fd;

	make_file("data", 10000, 1);
	fd = open_file("data", O_RDWR);
	CHECK(fd >= 0);
	CHECK(io_setup(8, &ctx) == 0);

	/* A read in the middle. */
	io_prep_pread(&cb, fd, buf, 4096, 1000);
	cb.data = (void *)0x1234;
	show("submit pread", io_submit(ctx, 1, cbs));
	reap(ctx, &ev, 1);
	show("pread res", event_res(&ev));
	printf("res2 %lld, data matches %d, obj matches %d, key %u\n", (long long)ev.res2,
	       ev.data == (void *)0x1234, ev.obj == &cb, cb.key);
	printf("content ok %d\n", check_pattern(buf, 1000, 4096, 1));

	/* A read crossing the end of the file is short. */
	io_prep_pread(&cb, fd, buf, 4096, 8000);
	show("submit short pread", io_submit(ctx, 1, cbs));
	reap(ctx, &ev, 1);
	show("short pread res", event_res(&ev));
	printf("content ok %d\n", check_pattern(buf, 8000, 2000, 1));

	/* At and past the end: 0 bytes. */
	io_prep_pread(&cb, fd, buf, 4096, 10000);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("pread at eof", event_res(&ev));
	io_prep_pread(&cb, fd, buf, 4096, 1 << 30);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("pread past eof", event_res(&ev));

	/* A zero-length read. */
	io_prep_pread(&cb, fd, buf, 0, 0);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("pread of 0 bytes", event_res(&ev));

	/* A write that extends the file, read back. */
	for (int i = 0; i < 5000; i++)
		buf[i] = (unsigned char)(i * 7);
	io_prep_pwrite(&cb, fd, buf, 5000, 9000);
	show("submit pwrite", io_submit(ctx, 1, cbs));
	reap(ctx, &ev, 1);
	show("pwrite res", event_res(&ev));
	memset(buf, 0, sizeof buf);
	io_prep_pread(&cb, fd, buf, sizeof buf, 9000);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("read back", event_res(&ev));
	int same = 1;
	for (int i = 0; i < 5000; i++)
		same &= buf[i] == (unsigned char)(i * 7);
	printf("written bytes read back %d\n", same);

	/* The fd's own position never moved. */
	show("lseek cur", (long long)lseek(fd, 0, SEEK_CUR));

	struct stat st;
	CHECK(fstat(fd, &st) == 0);
	show("file size", (long long)st.st_size);

	CHECK(io_destroy(ctx) == 0);
	t_close(fd);
	return 0;
}
