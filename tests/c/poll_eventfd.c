/* IO_CMD_POLL on an eventfd, one-shot: readiness already there fires at
 * once (the ready bits among those asked for), a poll armed on an empty
 * eventfd fires when another party writes (res: the waker's mask), several
 * polls on one eventfd all fire, a poll shares its context and ring with
 * file I/O (Seastar's loop: woken from another thread), io_cancel of an
 * armed poll is -EINPROGRESS with its event (res 0, data and obj intact) in
 * the ring, and io_destroy with polls armed returns at once. */
#include "eventfd_common.h"

#ifndef POLLIN
#define POLLIN 0x001
#define POLLOUT 0x004
#endif

#include "poll_common.h"

static void *write_later(void *arg)
{
	int efd = *(int *)arg;
	uint64_t one = 1;
	sleep_ms(50);
	CHECK(write(efd, &one, 8) == 8);
	return NULL;
}

int main(void)
{
	struct iocb cbs[4], *list[4];
	struct io_event ev[4];
	uint64_t v;
	for (int i = 0; i < 4; i++)
		list[i] = &cbs[i];
	CHECK(io_setup(16, &ctx) == 0);
	int efd = eventfd(0, EFD_NONBLOCK);
	CHECK(efd >= 0);

	/* Armed on an empty eventfd: nothing until a write. */
	io_prep_poll(&cbs[0], efd, POLLIN);
	cbs[0].data = (void *)0x1234;
	show("poll POLLIN, empty", io_submit(ctx, 1, list));
	show("events before the write", waiting(ev, 4));
	v = 5;
	CHECK(write(efd, &v, 8) == 8);
	/* Linux may finish a woken poll from a work queue: wait for it. */
	reap(ctx, ev, 1);
	printf("event after the write: res 0x%llx, data %d, obj %d\n", (unsigned long long)ev[0].res, ev[0].data == (void *)0x1234,
	       ev[0].obj == &cbs[0]);

	/* Ready already: at once, the ready bits among those asked for. */
	io_prep_poll(&cbs[0], efd, POLLIN | POLLOUT);
	show("poll POLLIN|POLLOUT, counter 5", io_submit(ctx, 1, list));
	reap(ctx, ev, 1);
	printf("  res 0x%llx\n", (unsigned long long)ev[0].res);
	CHECK(read(efd, &v, 8) == 8);
	io_prep_poll(&cbs[0], efd, POLLOUT);
	show("poll POLLOUT, counter 0", io_submit(ctx, 1, list));
	reap(ctx, ev, 1);
	printf("  res 0x%llx\n", (unsigned long long)ev[0].res);
	io_prep_poll(&cbs[0], efd, 0);
	show("poll with no events asked, counter 0", io_submit(ctx, 1, list));
	v = 1;
	CHECK(write(efd, &v, 8) == 8);
	show("  events after a write (none: nothing asked)", waiting(ev, 4));
	show("  io_cancel of it", io_cancel(ctx, &cbs[0], &ev[0]));
	reap(ctx, ev, 1);
	printf("  cancelled event: res %lld, obj %d\n", event_res(&ev[0]), ev[0].obj == &cbs[0]);
	CHECK(read(efd, &v, 8) == 8);

	/* Several polls on one eventfd all fire. */
	io_prep_poll(&cbs[0], efd, POLLIN);
	io_prep_poll(&cbs[1], efd, POLLIN);
	show("two polls POLLIN, empty", io_submit(ctx, 2, list));
	v = 1;
	CHECK(write(efd, &v, 8) == 8);
	reap(ctx, ev, 2);
	printf("events after one write: res 0x%llx 0x%llx\n", (unsigned long long)ev[0].res,
	       (unsigned long long)ev[1].res);
	show("  and no more", waiting(ev, 4));
	CHECK(read(efd, &v, 8) == 8);

	/* Seastar's loop: a poll beside file I/O, woken from another thread. */
	static unsigned char buf[4096];
	make_file("data", 4096, 9);
	int fd = open_file("data", O_RDONLY);
	CHECK(fd >= 0);
	io_prep_poll(&cbs[0], efd, POLLIN);
	io_prep_pread(&cbs[1], fd, buf, 4096, 0);
	show("poll and a read in one batch", io_submit(ctx, 2, list));
	thread_t t = thread_spawn(write_later, &efd);
	reap(ctx, ev, 2);
	thread_join(t);
	for (int i = 0; i < 2; i++)
		printf("  %s: res 0x%llx\n", ev[i].obj == &cbs[0] ? "poll" : "read", (unsigned long long)ev[i].res);
	CHECK(check_pattern(buf, 0, 4096, 9));
	CHECK(read(efd, &v, 8) == 8);

	/* io_cancel. */
	io_prep_poll(&cbs[0], efd, POLLIN);
	cancel_armed_poll(&cbs[0]);
	io_prep_pread(&cbs[1], fd, buf, 4096, 0);
	CHECK(io_submit(ctx, 1, &list[1]) == 1);
	reap(ctx, ev, 1);
	show("io_cancel of a finished read", io_cancel(ctx, &cbs[1], &ev[3]));
	memset(&cbs[2], 0, sizeof cbs[2]);
	show("io_cancel of an iocb never submitted", io_cancel(ctx, &cbs[2], &ev[3]));
	v = 1;
	CHECK(write(efd, &v, 8) == 8);
	show("events after a write (the cancelled poll is gone)", waiting(ev, 4));
	CHECK(read(efd, &v, 8) == 8);

	/* io_destroy with polls armed returns at once. */
	io_prep_poll(&cbs[0], efd, POLLIN);
	io_prep_poll(&cbs[1], efd, POLLIN);
	show("two polls armed before io_destroy", io_submit(ctx, 2, list));
	double start = now_seconds();
	show("io_destroy", io_destroy(ctx));
	printf("io_destroy within a second: %d\n", now_seconds() - start < 1.0);
	CHECK(close(efd) == 0);
	CHECK(t_close(fd) == 0);
	return 0;
}
