/* io_destroy against submitters and reapers: two threads submit batches of
 * reads, two threads wait in io_getevents, and the main thread destroys the
 * context a few milliseconds in. As on Linux: io_destroy returns 0; the
 * waiting reapers wake with -EINVAL; the submitters' next io_submit is
 * -EINVAL; no buffer is written after io_destroy returns; every event reaped
 * is for an iocb that was submitted, and comes once; threads and handles
 * come back to the baseline (taken after one warm-up round).
 *
 * Usage: race_destroy [ROUNDS=40] */
#include "rel.h"
#ifndef _WIN32
#include <sys/syscall.h>
#endif

#define SUBMITTERS 2
#define REAPERS 2
#define POOL 4096
#define LEN 64

static io_context_t ctx;
static int fd, running;
static struct iocb cbs[SUBMITTERS][POOL];
static int seen[SUBMITTERS][POOL];
static unsigned char bufs[SUBMITTERS][POOL][LEN], snapshot[SUBMITTERS][POOL][LEN];
static int submit_end[SUBMITTERS], reap_end[REAPERS];
static long long submitted, reaped;

/* Linux's libaio reads the ring before its system call, and the ring of a
 * destroyed context is unmapped: call the kernel directly there. */
static int getevents(io_context_t c, long min, long nr, struct io_event *ev)
{
#ifdef _WIN32
	return io_getevents(c, min, nr, ev, NULL);
#else
	long r = syscall(SYS_io_getevents, c, min, nr, ev, NULL);
	return r < 0 ? -errno : (int)r;
#endif
}

static void *submitter(void *arg)
{
	int t = (int)(intptr_t)arg, next = 0, r = 0;
	struct iocb *list[16];
	while (next + 16 <= POOL) {
		for (int i = 0; i < 16; i++) {
			io_prep_pread(&cbs[t][next + i], fd, bufs[t][next + i], LEN, (long long)(next + i) * LEN);
			list[i] = &cbs[t][next + i];
		}
		r = io_submit(ctx, 16, list);
		if (r == -EAGAIN) { /* the ring is full until the reapers catch up */
			rel_yield();
			continue;
		}
		if (r < 0)
			break;
		rel_add(&submitted, r);
		rel_store(&running, 1);
		next += r;
	}
	submit_end[t] = r;
	return NULL;
}

static void *reaper(void *arg)
{
	int t = (int)(intptr_t)arg, r;
	struct io_event ev[16];
	while ((r = getevents(ctx, 1, 16, ev)) > 0) {
		for (int i = 0; i < r; i++) {
			char *obj = (char *)ev[i].obj, *lo = (char *)cbs;
			REL_CHECK(obj >= lo && obj < lo + sizeof cbs && (obj - lo) % sizeof(struct iocb) == 0,
				  "an event for an iocb never submitted (%p)", (void *)obj);
			long k = (obj - lo) / (long)sizeof(struct iocb);
			REL_CHECK(rel_cas(&seen[k / POOL][k % POOL], 0, 1), "two events for one iocb (%ld)", k);
			REL_CHECK(event_res(&ev[i]) == LEN, "a read gave %s", result_text(event_res(&ev[i])));
		}
		rel_add(&reaped, r);
	}
	reap_end[t] = r;
	return NULL;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 40;
	make_file("data", (long long)POOL * LEN, 90);
	fd = open_file("data", O_RDONLY);
	CHECK(fd >= 0);
	struct rel_usage base = { 0, 0, 0 };
	long long total_submitted = 0, total_reaped = 0;
	for (int round = -1; round < rounds; round++) { /* round -1: the warm-up */
		ctx = 0;
		CHECK(io_setup(1024, &ctx) == 0);
		memset(bufs, 0xEE, sizeof bufs);
		memset(seen, 0, sizeof seen);
		submitted = reaped = 0;
		running = 0;
		thread_t s[SUBMITTERS], r[REAPERS];
		for (int i = 0; i < REAPERS; i++)
			r[i] = thread_spawn(reaper, (void *)(intptr_t)i);
		for (int i = 0; i < SUBMITTERS; i++)
			s[i] = thread_spawn(submitter, (void *)(intptr_t)i);
		while (!rel_load(&running)) /* the submitters are under way (thread start is slow under Wine) */
			rel_yield();
		sleep_ms(round < 0 ? 1 : round % 4);
		int d = io_destroy(ctx);
		memcpy(snapshot, bufs, sizeof bufs);
		REL_CHECK(d == 0, "round %d: io_destroy gave %s", round, result_text(d));
		double deadline = now_seconds() + 10;
		for (int i = 0; i < SUBMITTERS; i++)
			thread_join(s[i]);
		for (int i = 0; i < REAPERS; i++)
			thread_join(r[i]);
		REL_CHECK(now_seconds() < deadline, "round %d: threads took over 10 s to end after io_destroy", round);
		sleep_ms(20);
		long changed = 0;
		for (int t = 0; t < SUBMITTERS; t++)
			for (int k = 0; k < POOL; k++)
				changed += memcmp(snapshot[t][k], bufs[t][k], LEN) != 0;
		rel_expect(changed == 0, "round %d: %ld buffers were written after io_destroy returned", round, changed);
		for (int i = 0; i < REAPERS; i++)
			rel_expect(reap_end[i] == -EINVAL, "round %d: a reaper waiting in io_getevents ended with %s, not -EINVAL",
				   round, result_text(reap_end[i]));
		for (int i = 0; i < SUBMITTERS; i++)
			rel_expect(submit_end[i] == -EINVAL || submit_end[i] >= 0,
				   "round %d: a submitter's io_submit after io_destroy gave %s", round,
				   result_text(submit_end[i]));
		if (round < 0) {
			base = rel_usage_now();
		} else {
			struct rel_usage now = rel_usage_settled(base, 1000);
			rel_expect(now.threads == base.threads && now.handles == base.handles,
				   "round %d: threads %ld -> %ld, handles %ld -> %ld", round, base.threads, now.threads,
				   base.handles, now.handles);
			total_submitted += submitted;
			total_reaped += reaped;
		}
		if (rel_failures)
			return 1;
	}
	printf("io_destroy against 2 submitters and 2 reapers: as Linux in every round\n");
	rel_figures("%d rounds; %lld requests accepted, %lld events reaped before io_destroy", rounds, total_submitted,
		    total_reaped);
	CHECK(t_close(fd) == 0);
	return 0;
}
