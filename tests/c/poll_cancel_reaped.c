/* io_cancel of a request whose event is already in the ring (reaped, even)
 * is -EINVAL, as on Linux, where the request leaves the context's active
 * list before its event is added: two pipe polls woken by a write and
 * reaped, one of their iocbs submitted again, cancelled (-EINPROGRESS, res
 * 0) and cancelled once more (-EINVAL), many times over. Under load
 * tests/c/poll_pipe's "io_cancel again" was -EINPROGRESS now and then: the
 * woken polls' slots, freed by the completion thread after their events
 * went out, were still in the engine's iocb index. */
#include "harness.h"
static io_context_t ctx;
int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 500;
	int p[2];
	struct iocb cbs[2], *list[2] = { &cbs[0], &cbs[1] };
	struct io_event ev[4];
	CHECK(io_setup(16, &ctx) == 0);
	CHECK(make_pipe(p) == 0);
	int bad = 0;
	for (int r = 0; r < rounds; r++) {
		io_prep_poll(&cbs[0], p[0], 0x001);
		io_prep_poll(&cbs[1], p[0], 0x001);
		CHECK(io_submit(ctx, 2, list) == 2);
		CHECK(write(p[1], "x", 1) == 1);
		reap(ctx, ev, 2);
		/* Both events are out: neither request can be cancelled now. */
		int c1 = io_cancel(ctx, &cbs[1], &ev[3]);
		io_prep_poll(&cbs[0], p[0], 0x002);
		CHECK(io_submit(ctx, 1, list) == 1);
		int c0 = io_cancel(ctx, &cbs[0], &ev[3]);
		reap(ctx, ev, 1);
		int again = io_cancel(ctx, &cbs[0], &ev[3]);
		if (c1 != -EINVAL || c0 != -EINPROGRESS || again != -EINVAL || ev[0].res != 0) {
			if (bad++ < 5)
				printf("round %d: io_cancel of a reaped poll %d, of the armed one %d (res %lld), again %d\n", r, c1,
				       c0, (long long)ev[0].res, again);
		}
		char c;
		CHECK(read(p[0], &c, 1) == 1);
	}
	printf("%d bad rounds of %d\n", bad, rounds);
	return bad != 0;
}
