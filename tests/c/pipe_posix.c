/* pipe(), as a Linux program calls it (the header gives Windows one): a
 * binary pipe (bytes a text-mode runtime would change go through as they
 * are), the read end polled POLLIN armed and woken by a write, the write
 * end POLLOUT at once, and an AIO read of the pipe. */
#include "harness.h"

#ifndef _WIN32
#include <unistd.h>
#endif

int main(void)
{
	io_context_t ctx = 0;
	int fds[2];
	struct iocb cb, *list[1] = { &cb };
	struct io_event ev;
	char buf[16];
	CHECK(pipe(fds) == 0);
	CHECK(io_setup(4, &ctx) == 0);

	CHECK(write(fds[1], "a\r\n\x1a" "b\n", 6) == 6);
	memset(buf, 0, sizeof buf);
	CHECK(read(fds[0], buf, sizeof buf) == 6);
	printf("binary: %d\n", memcmp(buf, "a\r\n\x1a" "b\n", 6) == 0);

	io_prep_poll(&cb, fds[0], 0x1 /* POLLIN */);
	show("poll POLLIN, empty", io_submit(ctx, 1, list));
	struct timespec zero = { 0, 0 };
	show("events at once", io_getevents(ctx, 0, 1, &ev, &zero));
	CHECK(write(fds[1], "x", 1) == 1);
	reap(ctx, &ev, 1);
	printf("woken: res 0x%llx\n", (unsigned long long)ev.res);

	io_prep_poll(&cb, fds[1], 0x4 /* POLLOUT */);
	show("poll POLLOUT, write end", io_submit(ctx, 1, list));
	reap(ctx, &ev, 1);
	printf("  res 0x%llx\n", (unsigned long long)ev.res);

	io_prep_pread(&cb, fds[0], buf, sizeof buf, 0);
	show("pread", io_submit(ctx, 1, list));
	reap(ctx, &ev, 1);
	show("  res", event_res(&ev));
	CHECK(close(fds[0]) == 0 && close(fds[1]) == 0);
	CHECK(io_destroy(ctx) == 0);
	return 0;
}
