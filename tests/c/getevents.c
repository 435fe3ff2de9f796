/* io_getevents and io_pgetevents: argument errors, timeouts, min_nr/nr,
 * and events already in the ring when io_submit returns. */
#include "harness.h"

int main(void)
{
	io_context_t ctx = 0;
	static char buf[4][4096];
	struct iocb cb[4], *cbs[4];
	struct io_event ev[8];
	struct timespec zero = { 0, 0 }, short_wait = { 0, 50 * 1000 * 1000 };
	int fd;

	make_file("data", 16384, 3);
	fd = open_file("data", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(io_setup(8, &ctx) == 0);

	show("min_nr > nr", io_getevents(ctx, 2, 1, ev, NULL));
	show("min_nr < 0", io_getevents(ctx, -1, 1, ev, NULL));
	show("min_nr > nr, zero timeout, empty ring", io_getevents(ctx, 2, 1, ev, &zero));
	show("NULL ctx", io_getevents(NULL, 0, 1, ev, &zero));
	show("nr 0", io_getevents(ctx, 0, 0, ev, NULL));
	show("min 0, zero timeout", io_getevents(ctx, 0, 8, ev, &zero));

	double t0 = now_seconds();
	show("min 1, 50 ms timeout, nothing in flight", io_getevents(ctx, 1, 8, ev, &short_wait));
	printf("waited at least the timeout: %d\n", now_seconds() - t0 >= 0.045);

	/* Buffered reads complete inside io_submit: their events are already
	 * there for a zero-timeout look right after it. */
	for (int i = 0; i < 4; i++) {
		io_prep_pread(&cb[i], fd, buf[i], 4096, i * 4096);
		cb[i].data = (void *)(intptr_t)(i + 1);
		cbs[i] = &cb[i];
	}
	show("submit 4", io_submit(ctx, 4, cbs));
	show("min 0, nr 2, zero timeout", io_getevents(ctx, 0, 2, ev, &zero));
	printf("in submission order: %d %d\n", ev[0].data == (void *)1, ev[1].data == (void *)2);
	show("unmapped events, events waiting", io_getevents(ctx, 1, 2, (struct io_event *)unmapped_address(), &zero));
	show("pgetevents min 1, NULL mask", io_pgetevents(ctx, 1, 8, ev, NULL, NULL));
	int order = 1, data_ok = 1;
	for (int i = 0; i < 2; i++) {
		order &= ev[i].data == (void *)(intptr_t)(i + 3);
		data_ok &= event_res(&ev[i]) == 4096 && check_pattern((unsigned char *)buf[i + 2], (i + 2) * 4096, 4096, 3);
	}
	printf("order %d data %d\n", order, data_ok);

	/* io_pgetevents with a signal mask. */
	sigset_t mask;
	memset(&mask, 0, sizeof mask);
	io_submit(ctx, 1, cbs);
	show("pgetevents with a mask", io_pgetevents(ctx, 1, 1, ev, &short_wait, &mask));

	/* min_nr waits for that many; nr bounds what is returned. */
	show("submit 3", io_submit(ctx, 3, cbs));
	show("min 3, nr 2", io_getevents(ctx, 2, 2, ev, NULL));
	show("min 1, nr 8", io_getevents(ctx, 1, 8, ev, NULL));
	show("submit 2", io_submit(ctx, 2, cbs));
	t0 = now_seconds();
	show("min 3 with 2 available, 50 ms", io_getevents(ctx, 3, 8, ev, &short_wait));
	printf("waited at least the timeout: %d\n", now_seconds() - t0 >= 0.045);

	CHECK(io_destroy(ctx) == 0);
	t_close(fd);
	return 0;
}
