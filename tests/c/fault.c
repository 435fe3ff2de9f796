/* Buffers the process cannot access: the event carries -EFAULT (or the
 * bytes moved before the fault), and nothing crashes. */
#include "harness.h"

int main(void)
{
	io_context_t ctx = 0;
	static unsigned char buf[4096];
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	void *bad = unmapped_address();
	int fd;

	make_file("data", 8192, 12);
	fd = open_file("data", O_RDWR);
	CHECK(fd >= 0);
	CHECK(io_setup(4, &ctx) == 0);

	io_prep_pread(&cb, fd, bad, 4096, 0);
	show("submit read into unmapped memory", io_submit(ctx, 1, cbs));
	reap(ctx, &ev, 1);
	show("res", event_res(&ev));

	io_prep_pwrite(&cb, fd, bad, 4096, 0);
	show("submit write from unmapped memory", io_submit(ctx, 1, cbs));
	reap(ctx, &ev, 1);
	show("res", event_res(&ev));

	struct iovec iov[2] = { { buf, 512 }, { bad, 512 } };
	io_prep_preadv(&cb, fd, iov, 2, 0);
	show("submit preadv, second segment unmapped", io_submit(ctx, 1, cbs));
	reap(ctx, &ev, 1);
	show("res", event_res(&ev));
	printf("first segment data %d\n", check_pattern(buf, 0, 512, 12));

	/* The context is intact afterwards. */
	for (int i = 0; i < 50; i++) {
		io_prep_pread(&cb, fd, i % 2 ? bad : (void *)buf, 4096, 0);
		CHECK(io_submit(ctx, 1, cbs) == 1);
		reap(ctx, &ev, 1);
		CHECK(event_res(&ev) == (i % 2 ? -EFAULT : 4096));
	}
	printf("50 alternating good and faulting reads ok\n");
	CHECK(io_destroy(ctx) == 0);
	return 0;
}
