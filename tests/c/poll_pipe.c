/* IO_CMD_POLL on pipe ends (the C runtime's pipes: _pipe on Windows). A read
 * end is POLLIN while data is buffered and POLLHUP once no writer is left
 * (both, with data left); a write end is POLLOUT while the pipe has room,
 * and POLLERR (with POLLOUT) once no reader is left. A poll armed on an
 * empty read end fires when another thread writes, or when the writer
 * closes; two polls on one read end both fire; io_cancel of an armed pipe
 * poll is -EINPROGRESS with its event (res 0, data and obj intact) in the
 * ring; io_destroy with a pipe poll armed returns. Polls never consume the
 * data.
 *
 * Linux's two results: a poll ready when submitted (or woken without a
 * mask, as a pipe's last close wakes it) gets the pipe's mask & (events |
 * POLLERR | POLLHUP); one woken by a write gets the wake-up's own mask,
 * POLLIN|POLLRDNORM (0x41), whatever it asked for. */
#include "harness.h"

#ifndef POLLIN
#define POLLIN 0x001
#define POLLOUT 0x004
#endif

#include "poll_common.h"

struct later {
	int fd;
	int close_it; /* close the fd rather than write to it */
};

static void *act_later(void *arg)
{
	struct later *l = (struct later *)arg;
	sleep_ms(50);
	if (l->close_it)
		CHECK(t_close(l->fd) == 0);
	else
		CHECK(write(l->fd, "ping", 4) == 4);
	return NULL;
}

/* Submits one poll of `events` on `fd` and prints its event (waited for). */
static void poll_once(const char *what, struct iocb *cb, int fd, int events)
{
	struct iocb *list[1] = { cb };
	struct io_event ev;
	io_prep_poll(cb, fd, events);
	cb->data = (void *)0x77;
	printf("%s: submit %s", what, result_text(io_submit(ctx, 1, list)));
	reap(ctx, &ev, 1);
	printf(", res 0x%llx, data %d, obj %d\n", (unsigned long long)ev.res, ev.data == (void *)0x77,
	       ev.obj == cb);
}

/* Reads what is buffered, as a check that polls left it there. */
static void read_back(int fd, int n)
{
	char buf[16];
	CHECK(n <= (int)sizeof buf);
	CHECK(read(fd, buf, n) == n);
	printf("  read back %d bytes: %.*s\n", n, n, buf);
}

int main(void)
{
	struct iocb cbs[4], *list[4];
	struct io_event ev[4];
	int p[2];
	for (int i = 0; i < 4; i++)
		list[i] = &cbs[i];
	CHECK(io_setup(16, &ctx) == 0);

	/* An empty read end: nothing, until another thread writes. */
	CHECK(make_pipe(p) == 0);
	io_prep_poll(&cbs[0], p[0], POLLIN);
	cbs[0].data = (void *)0x1234;
	show("poll POLLIN, empty read end", io_submit(ctx, 1, list));
	show("events at once", waiting(ev, 4));
	struct later l = { p[1], 0 };
	thread_t t = thread_spawn(act_later, &l);
	/* Linux may finish a woken poll from a work queue: wait for it. */
	reap(ctx, ev, 1);
	thread_join(t);
	printf("event after a write from another thread: res 0x%llx, data %d, obj %d\n",
	       (unsigned long long)ev[0].res, ev[0].data == (void *)0x1234, ev[0].obj == &cbs[0]);

	/* Data buffered: at once, and the data stays. */
	poll_once("poll POLLIN, 4 bytes buffered", &cbs[0], p[0], POLLIN);
	poll_once("poll POLLIN|POLLOUT on the read end", &cbs[0], p[0], POLLIN | POLLOUT);
	read_back(p[0], 4);

	/* A write end with room. */
	poll_once("poll POLLOUT, write end", &cbs[0], p[1], POLLOUT);
	poll_once("poll POLLIN|POLLOUT on the write end", &cbs[0], p[1], POLLIN | POLLOUT);

	/* Writer gone, data left: POLLIN and POLLHUP; once drained, POLLHUP. */
	CHECK(write(p[1], "last", 4) == 4);
	CHECK(t_close(p[1]) == 0);
	poll_once("poll POLLIN, writer closed, 4 bytes left", &cbs[0], p[0], POLLIN);
	poll_once("poll POLLOUT on that read end", &cbs[0], p[0], POLLOUT);
	read_back(p[0], 4);
	poll_once("poll POLLIN, writer closed, empty", &cbs[0], p[0], POLLIN);
	poll_once("poll POLLOUT on that read end", &cbs[0], p[0], POLLOUT);
	CHECK(t_close(p[0]) == 0);

	/* Armed on an empty read end: the writer closing wakes it. */
	CHECK(make_pipe(p) == 0);
	io_prep_poll(&cbs[0], p[0], POLLIN);
	show("poll POLLIN, empty read end, then the writer closes", io_submit(ctx, 1, list));
	l.fd = p[1];
	l.close_it = 1;
	t = thread_spawn(act_later, &l);
	reap(ctx, ev, 1);
	thread_join(t);
	printf("  res 0x%llx\n", (unsigned long long)ev[0].res);
	CHECK(t_close(p[0]) == 0);

	/* Reader gone: POLLERR, with POLLOUT (the pipe has room). */
	CHECK(make_pipe(p) == 0);
	CHECK(t_close(p[0]) == 0);
	poll_once("poll POLLOUT, reader closed", &cbs[0], p[1], POLLOUT);
	poll_once("poll POLLIN, reader closed", &cbs[0], p[1], POLLIN);
	CHECK(t_close(p[1]) == 0);

	/* Two polls on one read end both fire, and the data stays. */
	CHECK(make_pipe(p) == 0);
	io_prep_poll(&cbs[0], p[0], POLLIN);
	io_prep_poll(&cbs[1], p[0], POLLIN);
	show("two polls POLLIN, empty read end", io_submit(ctx, 2, list));
	show("events at once", waiting(ev, 4));
	l.fd = p[1];
	l.close_it = 0;
	t = thread_spawn(act_later, &l);
	reap(ctx, ev, 2);
	thread_join(t);
	/* In poll order: which of two woken polls completes first is not part
	 * of the contract (Linux wakes the last armed first). */
	for (int want = 0; want < 2; want++)
		for (int i = 0; i < 2; i++)
			if (ev[i].obj == &cbs[want])
				printf("  poll %d: res 0x%llx\n", want, (unsigned long long)ev[i].res);
	CHECK((ev[0].obj == &cbs[0] && ev[1].obj == &cbs[1]) || (ev[0].obj == &cbs[1] && ev[1].obj == &cbs[0]));
	show("  and no more", waiting(ev, 4));
	read_back(p[0], 4);

	/* io_cancel of an armed pipe poll. */
	io_prep_poll(&cbs[0], p[0], POLLIN);
	cancel_armed_poll(&cbs[0]);
	CHECK(write(p[1], "pong", 4) == 4);
	sleep_ms(100);
	show("events after a write (the cancelled poll is gone)", waiting(ev, 4));
	read_back(p[0], 4);

	/* io_destroy with a pipe poll armed returns. */
	io_prep_poll(&cbs[0], p[0], POLLIN);
	show("poll armed before io_destroy", io_submit(ctx, 1, list));
	double start = now_seconds();
	show("io_destroy", io_destroy(ctx));
	printf("io_destroy within a second: %d\n", now_seconds() - start < 1.0);
	CHECK(t_close(p[0]) == 0);
	CHECK(t_close(p[1]) == 0);
	return 0;
}
