/* Windows only (Linux's libaio itself dereferences these and crashes):
 * garbage, NULL and destroyed contexts and pointers given to every call
 * give -EINVAL or -EFAULT, never a crash. */
#include "harness.h"

int main(void)
{
	io_context_t ctx = 0, dead = 0;
	struct io_event ev[4];
	struct iocb cb, *cbs[1] = { &cb };
	struct timespec zero = { 0, 0 };
	void *bad = unmapped_address();
	io_context_t garbage[] = { NULL, (io_context_t)bad, (io_context_t)(intptr_t)-1, (io_context_t)0x10000,
				   (io_context_t)&cb };

	CHECK(io_setup(4, &dead) == 0);
	CHECK(io_destroy(dead) == 0);
	for (unsigned i = 0; i < sizeof garbage / sizeof garbage[0] + 1; i++) {
		io_context_t c = i < sizeof garbage / sizeof garbage[0] ? garbage[i] : dead;
		CHECK(io_getevents(c, 0, 4, ev, NULL) == -EINVAL);
		CHECK(io_getevents(c, 0, 4, ev, &zero) == -EINVAL);
		CHECK(io_pgetevents(c, 1, 4, ev, &zero, NULL) == -EINVAL);
		CHECK(io_submit(c, 1, cbs) == -EINVAL);
		CHECK(io_destroy(c) == -EINVAL);
		CHECK(io_queue_release(c) == -EINVAL);
		CHECK(io_queue_run(c) == -EINVAL);
		CHECK(io_queue_wait(c, &zero) == -EINVAL);
		memset(&cb, 0, sizeof cb);
		CHECK(io_cancel(c, &cb, ev) == -EINVAL);
	}
	printf("garbage and destroyed contexts: EINVAL everywhere\n");

	CHECK(io_setup(4, &ctx) == 0);
	CHECK(io_getevents(ctx, 1, 4, ev, (struct timespec *)bad) == -EFAULT);
	CHECK(io_getevents(ctx, 0, 4, ev, (struct timespec *)bad) == -EFAULT);
	CHECK(io_cancel(ctx, (struct iocb *)bad, ev) == -EFAULT);
	CHECK(io_cancel(ctx, NULL, ev) == -EFAULT);
	memset(&cb, 0, sizeof cb);
	cb.key = 5;
	CHECK(io_cancel(ctx, &cb, ev) == -EINVAL);
	printf("bad pointers: EFAULT\n");

	/* A file read: not cancellable, as on Linux. */
	static char buf[512];
	make_file("data", 512, 1);
	int fd = open_file("data", O_RDONLY);
	io_prep_pread(&cb, fd, buf, 512, 0);
	CHECK(io_submit(ctx, 1, cbs) == 1);
	CHECK(io_cancel(ctx, &cb, ev) == -EINVAL);
	reap(ctx, ev, 1);
	CHECK(event_res(&ev[0]) == 512);

	/* io_queue_run skips an event whose callback is NULL. */
	io_prep_pread(&cb, fd, buf, 512, 0);
	CHECK(io_submit(ctx, 1, cbs) == 1);
	CHECK(io_queue_run(ctx) == 0);
	CHECK(io_getevents(ctx, 0, 4, ev, &zero) == 0);
	printf("io_cancel and io_queue_run: as Linux, without crashing\n");

	/* fds that are not open, whatever the number. */
	int bad_fds[] = { -5, 12345, 0x7fffffff };
	for (unsigned i = 0; i < 3; i++) {
		io_prep_pread(&cb, bad_fds[i], buf, 512, 0);
		CHECK(io_submit(ctx, 1, cbs) == -EBADF);
	}
	printf("bad fds: EBADF\n");
	CHECK(io_destroy(ctx) == 0);
	return 0;
}
