/* Reaping from the ring in user space, as fio's userspace_reap, SPDK and
 * Seastar do: the events are in the ring without io_getevents, and both
 * kinds of reaping see one consistent ring. */
#include "harness.h"

struct aio_ring {
	unsigned id, nr, head, tail, magic, compat_features, incompat_features, header_length;
	struct io_event events[];
};

/* fio's user_io_getevents. */
static int user_reap(io_context_t ctx, struct io_event *events, int max)
{
	struct aio_ring *ring = (struct aio_ring *)ctx;
	int i = 0;
	while (i < max) {
		unsigned head = ring->head;
		if (head == ring->tail)
			break;
		events[i++] = ring->events[head];
		__sync_synchronize();
		ring->head = (head + 1) % ring->nr;
	}
	return i;
}

int main(void)
{
	io_context_t ctx = 0;
	static char buf[64][512];
	static struct iocb cb[64];
	struct iocb *cbs[64];
	struct io_event ev[64];
	struct timespec zero = { 0, 0 };
	int fd;

	make_file("data", 64 * 512, 6);
	fd = open_file("data", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(io_setup(64, &ctx) == 0);
	struct aio_ring *ring = (struct aio_ring *)ctx;
	printf("ring usable: magic ok %d incompat %u\n", ring->magic == 0xa10a10a1, ring->incompat_features);

	int seen[64] = { 0 }, data_ok = 1;
	for (int round = 0; round < 40; round++) {
		for (int i = 0; i < 64; i++) {
			io_prep_pread(&cb[i], fd, buf[i], 512, i * 512);
			cb[i].data = (void *)(intptr_t)i;
			cbs[i] = &cb[i];
		}
		CHECK(io_submit(ctx, 64, cbs) == 64);
		/* Half in user space, the rest through io_getevents, alternating. */
		int got = 0;
		double deadline = now_seconds() + 10;
		while (got < 64) {
			int r = (got / 8) % 2 ? user_reap(ctx, ev, 8) : io_getevents(ctx, 0, 8, ev, &zero);
			CHECK(r >= 0);
			for (int i = 0; i < r; i++) {
				int k = (int)(intptr_t)ev[i].data;
				seen[k]++;
				data_ok &= event_res(&ev[i]) == 512 && ev[i].obj == &cb[k] &&
					   check_pattern((unsigned char *)buf[k], k * 512, 512, 6);
			}
			got += r;
			CHECK(now_seconds() < deadline);
		}
	}
	int once = 1;
	for (int i = 0; i < 64; i++)
		once &= seen[i] == 40;
	printf("each event reaped exactly once per round: %d, data %d\n", once, data_ok);
	printf("ring empty at the end: %d\n", ring->head == ring->tail);
	show("io_getevents finds nothing more", io_getevents(ctx, 0, 64, ev, &zero));

	/* A ring reaped only in user space keeps taking requests past its size. */
	int total = 0;
	for (int round = 0; round < 10 * (int)ring->nr / 64 + 1; round++) {
		CHECK(io_submit(ctx, 64, cbs) == 64);
		int got = 0;
		while (got < 64)
			got += user_reap(ctx, ev, 64 - got);
		total += got;
	}
	printf("user-space reaping alone keeps the context going: %d\n", total > 10 * (int)ring->nr);
	CHECK(io_destroy(ctx) == 0);
	t_close(fd);
	return 0;
}
