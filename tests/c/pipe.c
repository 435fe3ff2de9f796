/* Pipes: a read waits for data written later, a write goes through, a read
 * after the writer closed returns 0, a write to a pipe nobody reads gives
 * -EPIPE, and the offset is ignored. */
#include "harness.h"
#include <signal.h>

static int pipe_fds[2];

static void *late_writer(void *arg)
{
	(void)arg;
	sleep_ms(100);
	CHECK(write(pipe_fds[1], "hello", 5) == 5);
	return NULL;
}

int main(void)
{
	io_context_t ctx = 0;
	char buf[64];
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;

#ifndef _WIN32
	signal(SIGPIPE, SIG_IGN);
#endif
	CHECK(make_pipe(pipe_fds) == 0);
	CHECK(io_setup(4, &ctx) == 0);

	thread_t t = thread_spawn(late_writer, NULL);
	memset(buf, 0, sizeof buf);
	io_prep_pread(&cb, pipe_fds[0], buf, sizeof buf, 12345);
	show("submit read on an empty pipe", io_submit(ctx, 1, cbs));
	reap(ctx, &ev, 1);
	thread_join(t);
	show("read res", event_res(&ev));
	printf("data: %s\n", buf);

	io_prep_pwrite(&cb, pipe_fds[1], "world!", 6, 999);
	show("submit write", io_submit(ctx, 1, cbs));
	reap(ctx, &ev, 1);
	show("write res", event_res(&ev));
	memset(buf, 0, sizeof buf);
	CHECK(read(pipe_fds[0], buf, 6) == 6);
	printf("read back: %s\n", buf);

	/* Writer gone: end of file. */
	CHECK(t_close(pipe_fds[1]) == 0);
	io_prep_pread(&cb, pipe_fds[0], buf, sizeof buf, 0);
	show("submit read after writer closed", io_submit(ctx, 1, cbs));
	reap(ctx, &ev, 1);
	show("read res", event_res(&ev));
	CHECK(t_close(pipe_fds[0]) == 0);

	/* Reader gone: -EPIPE. */
	CHECK(make_pipe(pipe_fds) == 0);
	CHECK(t_close(pipe_fds[0]) == 0);
	io_prep_pwrite(&cb, pipe_fds[1], "x", 1, 0);
	show("submit write without reader", io_submit(ctx, 1, cbs));
	reap(ctx, &ev, 1);
	show("write res", event_res(&ev));
	CHECK(t_close(pipe_fds[1]) == 0);

	/* Several writes queued back to back arrive in order. */
	CHECK(make_pipe(pipe_fds) == 0);
	struct iocb w[3], *ws[3] = { &w[0], &w[1], &w[2] };
	io_prep_pwrite(&w[0], pipe_fds[1], "one ", 4, 0);
	io_prep_pwrite(&w[1], pipe_fds[1], "two ", 4, 0);
	io_prep_pwrite(&w[2], pipe_fds[1], "three", 5, 0);
	show("submit 3 writes", io_submit(ctx, 3, ws));
	struct io_event evs[3];
	reap(ctx, evs, 3);
	memset(buf, 0, sizeof buf);
	CHECK(read(pipe_fds[0], buf, 13) == 13);
	printf("in order: %s\n", buf);
	CHECK(io_destroy(ctx) == 0);
	return 0;
}
