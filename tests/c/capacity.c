/* A context holds at least the requests io_setup asked for; past its ring,
 * io_submit says EAGAIN (or accepts part of a batch) until events are
 * reaped, and no completion is ever lost. */
#include "harness.h"

#define ASKED 16

int main(void)
{
	io_context_t ctx = 0;
	static char buf[4096];
	static struct iocb cb[1024];
	struct iocb *cbs[1024];
	static struct io_event ev[1024];
	struct timespec zero = { 0, 0 };
	int fd, accepted = 0, r;

	make_file("data", 4096, 4);
	fd = open_file("data", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(io_setup(ASKED, &ctx) == 0);
	for (int i = 0; i < 1024; i++) {
		io_prep_pread(&cb[i], fd, buf, 512, 0);
		cb[i].data = (void *)(intptr_t)i;
		cbs[i] = &cb[i];
	}
	/* One at a time until the context is full. */
	while ((r = io_submit(ctx, 1, &cbs[accepted])) == 1)
		accepted++;
	show("when full", r);
	printf("accepted at least %d: %d\n", ASKED, accepted >= ASKED);
	show("again when full", io_submit(ctx, 1, &cbs[accepted]));

	/* Reap a few: exactly that many submissions fit again. */
	r = io_getevents(ctx, 5, 5, ev, NULL);
	show("reaped", r);
	show("batch of 8 after reaping 5", io_submit(ctx, 8, &cbs[accepted]));
	accepted += 5;

	/* Everything accepted comes back exactly once. */
	int seen[1024] = { 0 }, total = 5;
	for (int i = 0; i < 5; i++)
		seen[(intptr_t)ev[i].data]++;
	while ((r = io_getevents(ctx, 0, 1024, ev, &zero)) > 0) {
		for (int i = 0; i < r; i++) {
			CHECK(event_res(&ev[i]) == 512);
			seen[(intptr_t)ev[i].data]++;
		}
		total += r;
	}
	int once = 1;
	for (int i = 0; i < accepted; i++)
		once &= seen[i] == 1;
	printf("every accepted request completed once: %d (total matches %d)\n", once, total == accepted);

	/* An empty context takes a batch larger than its ring: clamped. */
	r = io_submit(ctx, 1024, cbs);
	printf("huge batch accepted partly: %d\n", r >= ASKED && r < 1024);
	reap(ctx, ev, r);
	CHECK(io_destroy(ctx) == 0);
	t_close(fd);
	return 0;
}
