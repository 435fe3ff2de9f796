/* Seastar's reactor loop: one context carries file reads and an
 * IO_CMD_POLL armed on an eventfd; another thread wakes the reactor by
 * writing to the eventfd now and then. The loop reaps with io_getevents,
 * re-arms the poll each time it fires (one-shot) and drains the eventfd,
 * and keeps the reads going. Every wake-up is seen (the drained total is
 * the sum written), each poll event says POLLIN, and every read's data is
 * right. */
#include "eventfd_common.h"

#define WAKES 200
#define READS 16
#define BS 4096

static int efd;

static void *waker(void *arg)
{
	(void)arg;
	for (int i = 1; i <= WAKES; i++) {
		uint64_t v = (uint64_t)i;
		CHECK(write(efd, &v, 8) == 8);
		if (i % 10 == 0)
			sleep_ms(1);
	}
	return NULL;
}

int main(void)
{
	io_context_t ctx = 0;
	static unsigned char bufs[READS][BS];
	struct iocb reads[READS], poll_cb, *one[1];
	struct io_event ev[READS + 1];
	make_file("data", READS * BS, 44);
	int fd = open_file("data", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(io_setup(READS + 1, &ctx) == 0);
	efd = eventfd(0, EFD_NONBLOCK);
	CHECK(efd >= 0);

	io_prep_poll(&poll_cb, efd, 0x1 /* POLLIN */);
	one[0] = &poll_cb;
	CHECK(io_submit(ctx, 1, one) == 1);
	for (int i = 0; i < READS; i++) {
		io_prep_pread(&reads[i], fd, bufs[i], BS, (long long)i * BS);
		one[0] = &reads[i];
		CHECK(io_submit(ctx, 1, one) == 1);
	}
	thread_t t = thread_spawn(waker, NULL);

	const uint64_t expected = (uint64_t)WAKES * (WAKES + 1) / 2;
	uint64_t drained = 0;
	long long poll_events = 0, bad_mask = 0, reads_done = 0, bad_data = 0;
	while (drained < expected) {
		int n = io_getevents(ctx, 1, READS + 1, ev, NULL);
		CHECK(n > 0);
		for (int i = 0; i < n; i++) {
			struct iocb *cb = ev[i].obj;
			if (cb == &poll_cb) {
				poll_events++;
				bad_mask += (event_res(&ev[i]) & 0x1) == 0;
				uint64_t v = 0;
				if (read(efd, &v, 8) == 8)
					drained += v;
				one[0] = &poll_cb; /* one-shot: arm it again */
				io_prep_poll(&poll_cb, efd, 0x1);
				CHECK(io_submit(ctx, 1, one) == 1);
			} else {
				int k = (int)(cb - reads);
				CHECK(k >= 0 && k < READS);
				reads_done++;
				bad_data += event_res(&ev[i]) != BS || !check_pattern(bufs[k], (long long)k * BS, BS, 44);
				if (drained < expected) {
					memset(bufs[k], 0, BS);
					one[0] = cb;
					io_prep_pread(cb, fd, bufs[k], BS, (long long)k * BS);
					CHECK(io_submit(ctx, 1, one) == 1);
				}
			}
		}
	}
	thread_join(t);
	printf("drained the sum written: %d\n", drained == expected);
	printf("poll events without POLLIN: %lld, some poll events: %d, reads kept going: %d, bad reads: %lld\n",
	       bad_mask, poll_events > 0, reads_done >= READS, bad_data);
	show("io_destroy with the poll armed", io_destroy(ctx));
	CHECK(close(efd) == 0);
	CHECK(t_close(fd) == 0);
	return 0;
}
