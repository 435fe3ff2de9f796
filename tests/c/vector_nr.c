/* u.v.nr is a 64-bit slot, as on Linux (libaio's `unsigned long nr`): the
 * kernel reads all 8 bytes. A vectored iocb filled in field by field over
 * old contents (here: every byte 0xff, as after a huge u.c.nbytes) works once
 * nr is assigned; a negative int count reads back as the same negative
 * number through (long long) and is refused (-EINVAL). */
#include "harness.h"

#include <stddef.h>

int main(void)
{
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	io_context_t ctx = 0;
	static unsigned char a[1000], b[3000];
	struct iovec iov[2] = { { a, sizeof a }, { b, sizeof b } };

	printf("sizeof u.v.nr: %d, at %d\n", (int)sizeof cb.u.v.nr, (int)offsetof(struct iocb, u.v.nr));
	make_file("data", 8192, 50);
	int fd = open_file("data", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(io_setup(4, &ctx) == 0);

	memset(&cb, 0xff, sizeof cb);
	cb.data = NULL;
	cb.key = 0;
	cb.aio_rw_flags = 0;
	cb.aio_lio_opcode = IO_CMD_PREADV;
	cb.aio_reqprio = 0;
	cb.aio_fildes = fd;
	cb.u.c.__pad3 = 0;
	cb.u.c.flags = 0;
	cb.u.c.resfd = 0;
	cb.u.v.vec = iov;
	int count = 2;
	cb.u.v.nr = count;
	cb.u.v.offset = 100;
	printf("nr read back: %lld\n", (long long)cb.u.v.nr);
	show("submit over old contents", io_submit(ctx, 1, cbs));
	reap(ctx, &ev, 1);
	printf("event: %s, data: %d %d\n", result_text(event_res(&ev)), check_pattern(a, 100, sizeof a, 50),
	       check_pattern(b, 100 + sizeof a, sizeof b, 50));

	count = -1;
	cb.u.v.nr = count;
	printf("nr = -1 read back: %lld\n", (long long)cb.u.v.nr);
	show("submit nr -1", io_submit(ctx, 1, cbs));

	CHECK(io_destroy(ctx) == 0);
	CHECK(t_close(fd) == 0 && t_unlink("data") == 0);
	return 0;
}
