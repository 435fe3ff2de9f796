/* The fuzzer's open part: every field random, including what Linux leaves
 * undefined or answers differently by design (huge lengths on good buffers
 * with a guard page behind, huge offsets, RWF_NOWAIT, RWF_ATOMIC,
 * RWF_DONTCACHE, IOCB_FLAG_RESFD, an O_DIRECT file), NULL, unmapped and
 * read-only iocbs, arrays and event buffers, bad timeouts, io_cancel on
 * anything, and on Windows garbage contexts and unmapped timeouts (Linux's
 * libaio itself reads those in user space and crashes). Checked: no crash
 * (check.sh looks for one), no hang (every wait is bounded), every call
 * returns a count within its bounds or a negative errno, and exactly one
 * event arrives for each accepted iocb, none for anything else.
 *
 * Usage: fuzz_chaos [SEED=2] [BATCHES=3000] */
#include "fuzz.h"

/* The watchdog: a call that has not returned after 20 s is a hang, said
 * with the call and its batch. */
static const char *volatile current_call = "setup";
static volatile int current_batch;
static volatile double call_started;

static void enter(const char *call, int b)
{
	current_call = call;
	current_batch = b;
	call_started = now_seconds();
}

static void *watchdog(void *arg)
{
	(void)arg;
	for (;;) {
		sleep_ms(100);
		double started = call_started;
		if (started > 0 && now_seconds() - started > 20) {
			printf("FAILED: b%d: %s has not returned after 20 s (a hang)\n", current_batch, current_call);
			fflush(stdout);
			_exit(1);
		}
	}
	return NULL;
}

static void check_count(const char *call, long long r, long long max, int b)
{
	REL_CHECK((r >= 0 && r <= max) || (r < 0 && r >= -4095),
		  "b%d: %s returned %lld: neither a count within 0..%lld nor a negative errno", b, call, r, max);
}

int main(int argc, char **argv)
{
	unsigned long long seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 2;
	int batches = argc > 2 ? atoi(argv[2]) : 3000;
	io_context_t ctx = 0;
	static struct iocb cbs[FZ_MAX];
	struct iocb *array[FZ_MAX + 1];
	struct io_event ev[64];
	long long accepted_total = 0, events_total = 0, calls = 0;

	fz_chaos = 1;
	fz_rng.s = seed;
	fz_setup();
	CHECK(io_setup(64, &ctx) == 0);
	thread_spawn(watchdog, NULL);
	for (int b = 0; b < batches; b++) {
		int k = 1 + (int)rel_below(&fz_rng, FZ_MAX);
		for (int i = 0; i < k; i++) {
			fz_iocb(&cbs[i], i, (int)rel_below(&fz_rng, FZ_FILES));
			array[i] = &cbs[i];
			if (fz_percent(3))
				array[i] = rel_below(&fz_rng, 3) == 0 ? NULL
					   : rel_below(&fz_rng, 2) ? (struct iocb *)fz_unmapped
								   : (struct iocb *)(fz_ro_page + 3072);
		}
		array[k] = NULL;
		struct iocb **list = fz_percent(3) ? (rel_below(&fz_rng, 2) ? NULL : (struct iocb **)fz_unmapped) : array;
		long nr = fz_percent(90) ? k : (long)rel_below(&fz_rng, (unsigned long long)k + 2) - (fz_percent(50) ? 0 : 3);
		enter("io_submit", b);
		int r = io_submit(ctx, nr, list);
		calls++;
		check_count("io_submit", r, nr < 0 ? 0 : nr, b);
		int accepted = r > 0 ? r : 0;
		accepted_total += accepted;

		/* Odd calls in between: bad event buffers, bad timeouts, io_cancel. */
		for (int probe = (int)rel_below(&fz_rng, 3); probe > 0; probe--) {
			struct timespec zero = { 0, 0 }, odd;
			static const struct timespec odds[] = { { INT64_MIN, 0 }, { 0, 1000000 }, { 0, 0 } };
			odd = odds[rel_below(&fz_rng, 3)];
			struct timespec *ts = &odd;
#ifdef _WIN32
			if (fz_percent(20))
				ts = (struct timespec *)fz_unmapped;
#endif
			void *events = fz_percent(50) ? fz_bad_pointer(1) : (void *)ev;
			long min = (long)rel_below(&fz_rng, 4) - 1, max = (long)rel_below(&fz_rng, 6) - 1;
			enter(ts == &odd ? (odd.tv_sec == INT64_MIN ? "io_getevents (tv_sec INT64_MIN)" : "io_getevents (short timeout)")
					 : "io_getevents (unmapped timeout)", b);
			int g = io_getevents(ctx, min, max, (struct io_event *)events, ts);
			calls++;
			check_count("io_getevents", g, max < 0 ? 0 : max, b);
			if (g > 0) { /* taken into good memory (a bad buffer must not have taken any) */
				REL_CHECK(events == (void *)ev, "b%d: io_getevents put %d events into a bad buffer", b, g);
				for (int i = 0; i < g; i++) {
					int pos = -1;
					for (int j = 0; j < accepted; j++)
						if (ev[i].obj == array[j])
							pos = j;
					REL_CHECK(pos >= 0 && array[pos] != NULL, "b%d: an event for an iocb not accepted", b);
					array[pos] = NULL; /* seen */
				}
				events_total += g;
			}
			if (fz_percent(30)) {
				struct iocb *target = fz_percent(50) && k ? &cbs[rel_below(&fz_rng, (unsigned long long)k)]
									 : (struct iocb *)fz_bad_pointer(1);
				enter("io_cancel", b);
				int c = io_cancel(ctx, target, fz_percent(80) ? ev : (struct io_event *)fz_bad_pointer(1));
				calls++;
				REL_CHECK(c == 0 || c == -EINPROGRESS || (c < 0 && c >= -4095),
					  "b%d: io_cancel returned %d", b, c);
				REL_CHECK(c != 0, "b%d: io_cancel of a file request or a bad pointer returned 0", b);
			}
			(void)zero;
		}
#ifdef _WIN32
		if (fz_percent(5)) { /* garbage contexts */
			enter("a call on a garbage context", b);
			io_context_t garbage = (io_context_t)fz_bad_pointer(1);
			struct timespec zero = { 0, 0 };
			REL_CHECK(io_submit(garbage, 1, array) == -EINVAL, "b%d: io_submit on a garbage context", b);
			REL_CHECK(io_getevents(garbage, 0, 1, ev, &zero) == -EINVAL, "b%d: io_getevents on a garbage context", b);
			REL_CHECK(io_destroy(garbage) == -EINVAL, "b%d: io_destroy of a garbage context", b);
			calls += 3;
		}
#endif
		/* Every accepted iocb not yet seen has exactly one event, soon. */
		int waiting = 0;
		for (int j = 0; j < accepted; j++)
			waiting += array[j] != NULL;
		double deadline = now_seconds() + 10;
		while (waiting > 0) {
			struct timespec wait = { 0, 10 * 1000 * 1000 };
			enter("io_getevents (reaping, 10 ms timeout)", b);
			int g = io_getevents(ctx, 1, 64, ev, &wait);
			calls++;
			check_count("io_getevents", g, 64, b);
			REL_CHECK(g >= 0, "b%d: io_getevents into good memory gave %s", b, result_text(g));
			for (int i = 0; i < g; i++) {
				int pos = -1;
				for (int j = 0; j < accepted; j++)
					if (array[j] != NULL && ev[i].obj == array[j])
						pos = j;
				REL_CHECK(pos >= 0, "b%d: an event for an iocb that was not accepted or came twice (obj %p, res %lld)",
					  b, (void *)ev[i].obj, (long long)ev[i].res);
				REL_CHECK(ev[i].data == array[pos]->data, "b%d: event data is not its iocb's", b);
				array[pos] = NULL;
				waiting--;
				events_total++;
			}
			REL_CHECK(now_seconds() < deadline, "b%d: %d accepted iocbs still without an event after 10 s", b,
				  waiting);
		}
		struct timespec zero = { 0, 0 };
		enter("io_getevents (zero timeout)", b);
		int extra = io_getevents(ctx, 0, 64, ev, &zero);
		REL_CHECK(extra == 0, "b%d: %d events more than accepted iocbs", b, extra);
		if (b % 500 == 499) { /* a fresh context now and then */
			enter("io_destroy and io_setup", b);
			CHECK(io_destroy(ctx) == 0);
			ctx = 0;
			CHECK(io_setup(64, &ctx) == 0);
		}
	}
	enter("io_destroy", batches);
	CHECK(io_destroy(ctx) == 0);
	call_started = 0;
	printf("fuzz chaos: no crash, no hang, every call a count or an errno, one event per accepted iocb\n");
	rel_figures("seed %llu: %d batches, %lld calls, %lld iocbs accepted, %lld events", seed, batches, calls,
		    accepted_total, events_total);
	return 0;
}
