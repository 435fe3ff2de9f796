/* Several submitting threads and two reapers on one context: every event is
 * delivered exactly once and every byte lands where it was written. */
#include "harness.h"

#define SUBMITTERS 4
#define PER_THREAD 400
#define BLOCK 512
#define TOTAL (SUBMITTERS * PER_THREAD)

static io_context_t ctx;
static int fd;
static int seen[TOTAL];
static int wrong_res;
static volatile int reaped;
static unsigned char blocks[TOTAL][BLOCK];
static struct iocb cbs[TOTAL];

static void *submitter(void *arg)
{
	int t = (int)(intptr_t)arg;
	for (int i = 0; i < PER_THREAD; i++) {
		int k = t * PER_THREAD + i;
		for (int j = 0; j < BLOCK; j++)
			blocks[k][j] = pattern((long long)k * BLOCK + j, 9);
		io_prep_pwrite(&cbs[k], fd, blocks[k], BLOCK, (long long)k * BLOCK);
		cbs[k].data = (void *)(intptr_t)k;
		struct iocb *one[1] = { &cbs[k] };
		int r;
		while ((r = io_submit(ctx, 1, one)) == -EAGAIN)
			sleep_ms(1);
		CHECK(r == 1);
	}
	return NULL;
}

static void *reaper(void *arg)
{
	struct io_event ev[32];
	struct timespec wait = { 0, 20 * 1000 * 1000 };
	(void)arg;
	while (__sync_fetch_and_add(&reaped, 0) < TOTAL) {
		int r = io_getevents(ctx, 1, 32, ev, &wait);
		CHECK(r >= 0);
		for (int i = 0; i < r; i++) {
			__sync_fetch_and_add(&seen[(intptr_t)ev[i].data], 1);
			if (event_res(&ev[i]) != BLOCK)
				__sync_fetch_and_add(&wrong_res, 1);
		}
		__sync_fetch_and_add(&reaped, r);
	}
	return NULL;
}

int main(void)
{
	thread_t sub[SUBMITTERS], rep[2];
	fd = open_file("data", O_RDWR | O_CREAT | O_TRUNC);
	CHECK(fd >= 0);
	CHECK(io_setup(64, &ctx) == 0);
	for (int i = 0; i < 2; i++)
		rep[i] = thread_spawn(reaper, NULL);
	for (int i = 0; i < SUBMITTERS; i++)
		sub[i] = thread_spawn(submitter, (void *)(intptr_t)i);
	for (int i = 0; i < SUBMITTERS; i++)
		thread_join(sub[i]);
	for (int i = 0; i < 2; i++)
		thread_join(rep[i]);
	int once = 1;
	for (int i = 0; i < TOTAL; i++)
		once &= seen[i] == 1;
	printf("%d events, each exactly once: %d, all full writes: %d\n", reaped, once, wrong_res == 0);

	/* Read it all back through the same context. */
	static unsigned char back[TOTAL * BLOCK];
	struct iocb rd, *rds[1] = { &rd };
	struct io_event ev;
	io_prep_pread(&rd, fd, back, sizeof back, 0);
	CHECK(io_submit(ctx, 1, rds) == 1);
	reap(ctx, &ev, 1);
	show("read back", event_res(&ev));
	printf("data verified: %d\n", check_pattern(back, 0, sizeof back, 9));
	CHECK(io_destroy(ctx) == 0);
	return 0;
}
