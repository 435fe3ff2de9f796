/* QEMU's linux-aio loop: one thread submits every iocb with
 * io_set_eventfd, another sleeps in read() on a blocking eventfd and, each
 * time it wakes, reaps the ring in user space (head, tail, nr, events, as
 * QEMU's qemu_laio_process_completions does), never calling io_getevents.
 * Every event arrives exactly once, each read's data is right, and the
 * eventfd counts exactly the completions. Reads and writes to a file and
 * an fdsync now and then, 20,000 requests at depth up to 64. */
#include "eventfd_common.h"

#define TOTAL 20000
#define DEPTH 64
#define BS 512
#define BLOCKS 256

struct aio_ring {
	unsigned id, nr, head, tail, magic, compat_features, incompat_features, header_length;
	struct io_event events[];
};

static io_context_t ctx;
static int efd, fd;
static struct iocb cbs[TOTAL];
static unsigned char bufs[DEPTH][BS];
static volatile int in_flight; /* requests submitted and not yet reaped */
static int seen[TOTAL];
static long long counted, reaped, bad_data, bad_res;

static void *reaper(void *arg)
{
	struct aio_ring *ring = (struct aio_ring *)ctx;
	(void)arg;
	while (__atomic_load_n(&reaped, __ATOMIC_SEQ_CST) < TOTAL) {
		uint64_t v = 0;
		CHECK(read(efd, &v, 8) == 8); /* blocking: sleeps until completions */
		counted += (long long)v;
		for (;;) {
			unsigned head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
			unsigned tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
			if (head == tail)
				break;
			struct io_event ev = ring->events[head % ring->nr];
			__atomic_store_n(&ring->head, (head + 1) % ring->nr, __ATOMIC_RELEASE);
			int k = (int)(ev.obj - cbs);
			CHECK(k >= 0 && k < TOTAL);
			__atomic_add_fetch(&seen[k], 1, __ATOMIC_SEQ_CST);
			struct iocb *cb = &cbs[k];
			if (cb->aio_lio_opcode == IO_CMD_FDSYNC) {
				bad_res += event_res(&ev) != 0;
			} else {
				bad_res += event_res(&ev) != BS;
				if (cb->aio_lio_opcode == IO_CMD_PREAD) {
					long long block = cb->u.c.offset / BS;
					bad_data += !check_pattern(cb->u.c.buf, block * BS, BS, 21);
				}
			}
			__atomic_add_fetch(&reaped, 1, __ATOMIC_SEQ_CST);
			__atomic_sub_fetch(&in_flight, 1, __ATOMIC_SEQ_CST);
		}
	}
	return NULL;
}

int main(void)
{
	make_file("data", BLOCKS * BS, 21);
	fd = open_file("data", O_RDWR);
	CHECK(fd >= 0);
	CHECK(io_setup(DEPTH, &ctx) == 0);
	efd = eventfd(0, 0);
	CHECK(efd >= 0);
	thread_t t = thread_spawn(reaper, NULL);

	/* Each request gets its own buffer slot, taken when the request before
	 * in that slot was reaped: in flight never exceeds DEPTH. */
	for (int i = 0; i < TOTAL; i++) {
		while (__atomic_load_n(&in_flight, __ATOMIC_SEQ_CST) >= DEPTH)
			sleep_ms(0);
		struct iocb *cb = &cbs[i];
		unsigned char *buf = bufs[i % DEPTH];
		long long block = (i * 37) % BLOCKS;
		while (i >= DEPTH && !__atomic_load_n(&seen[i - DEPTH], __ATOMIC_SEQ_CST))
			sleep_ms(0); /* the slot's previous request is not reaped yet */
		if (i % 97 == 96) {
			io_prep_fdsync(cb, fd);
		} else if (i % 3 == 2) {
			/* Writes put back the same pattern: reads stay checkable. */
			for (int j = 0; j < BS; j++)
				buf[j] = pattern(block * BS + j, 21);
			io_prep_pwrite(cb, fd, buf, BS, block * BS);
		} else {
			memset(buf, 0, BS);
			io_prep_pread(cb, fd, buf, BS, block * BS);
		}
		io_set_eventfd(cb, efd);
		__atomic_add_fetch(&in_flight, 1, __ATOMIC_SEQ_CST);
		int r;
		while ((r = io_submit(ctx, 1, &cb)) == -EAGAIN)
			sleep_ms(0);
		CHECK(r == 1);
	}
	thread_join(t);
	/* The last completions' increments may have come after the reaper
	 * found their events: they are in the counter now. */
	if (counted < TOTAL) {
		uint64_t v = 0;
		CHECK(read(efd, &v, 8) == 8);
		counted += (long long)v;
	}

	long long once = 0, twice = 0, never = 0;
	for (int i = 0; i < TOTAL; i++) {
		once += seen[i] == 1;
		twice += seen[i] > 1;
		never += seen[i] == 0;
	}
	printf("%d requests: reaped once %lld, more than once %lld, never %lld\n", TOTAL, once, twice, never);
	printf("eventfd counted %lld completions\n", counted);
	printf("bad results %lld, bad data %lld\n", bad_res, bad_data);
	struct timespec zero = { 0, 0 };
	struct io_event ev;
	show("events left for io_getevents", io_getevents(ctx, 0, 1, &ev, &zero));
	CHECK(io_destroy(ctx) == 0);
	CHECK(close(efd) == 0);
	CHECK(t_close(fd) == 0);
	return 0;
}
