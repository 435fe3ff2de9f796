/* Appending writes: an O_APPEND fd's writes go to the end of the file
 * whatever their offset, RWF_NOAPPEND writes at the offset, RWF_APPEND
 * appends on any fd; O_DSYNC writes behave as writes. */
#include "harness.h"

static long long file_size(const char *path)
{
	struct stat st;
	CHECK(stat(path, &st) == 0);
	return st.st_size;
}

int main(void)
{
	io_context_t ctx = 0;
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	struct iovec iov;
	static unsigned char back[8192];

	make_file("data", 1000, 13);
	int fd = open_file("data", O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	CHECK(io_setup(4, &ctx) == 0);

	io_prep_pwrite(&cb, fd, "AAAA", 4, 0);
	show("pwrite at 0 on O_APPEND", io_submit(ctx, 1, cbs));
	reap(ctx, &ev, 1);
	show("res", event_res(&ev));
	show("size", file_size("data"));

	iov.iov_base = "BBBB";
	iov.iov_len = 4;
	io_prep_pwritev(&cb, fd, &iov, 1, 10);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("pwritev at 10 on O_APPEND", event_res(&ev));
	show("size", file_size("data"));

	io_prep_pwritev2(&cb, fd, &iov, 1, 20, RWF_NOAPPEND);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("RWF_NOAPPEND at 20 on O_APPEND", event_res(&ev));
	show("size", file_size("data"));

	int rd = open_file("data", O_RDONLY);
	memset(back, 0, sizeof back);
	struct iocb r, *rs[1] = { &r };
	io_prep_pread(&r, rd, back, sizeof back, 0);
	io_submit(ctx, 1, rs);
	reap(ctx, &ev, 1);
	show("read back", event_res(&ev));
	printf("start intact %d, BBBB at 20 %d, AAAA at 1000 %d, BBBB at 1004 %d\n", check_pattern(back, 0, 20, 13),
	       memcmp(back + 20, "BBBB", 4) == 0, memcmp(back + 1000, "AAAA", 4) == 0,
	       memcmp(back + 1004, "BBBB", 4) == 0);

	/* RWF_APPEND on an fd opened without O_APPEND. */
	int plain = open_file("data", O_RDWR);
	iov.iov_base = "CCCC";
	io_prep_pwritev2(&cb, plain, &iov, 1, 0, RWF_APPEND);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("RWF_APPEND on a plain fd", event_res(&ev));
	show("size", file_size("data"));

	/* O_DSYNC and O_SYNC fds: ordinary results. */
	int dsync = open_file("data", O_RDWR | O_DSYNC);
	int sync = open_file("data", O_RDWR | O_SYNC);
	CHECK(dsync >= 0 && sync >= 0);
	io_prep_pwrite(&cb, dsync, "DDDD", 4, 100);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("O_DSYNC pwrite", event_res(&ev));
	io_prep_pwrite(&cb, sync, "EEEE", 4, 200);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("O_SYNC pwrite", event_res(&ev));
	io_prep_pread(&r, sync, back, 4, 100);
	io_submit(ctx, 1, rs);
	reap(ctx, &ev, 1);
	printf("read through O_SYNC fd: %s %d\n", result_text(event_res(&ev)), memcmp(back, "DDDD", 4) == 0);
	show("size", file_size("data"));
	CHECK(io_destroy(ctx) == 0);
	return 0;
}
