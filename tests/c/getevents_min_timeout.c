/* Issue 9, item 5: io_getevents with tv_sec = INT64_MIN returns at once with
 * 0 events, as on Linux (the kernel's seconds-to-nanoseconds product wraps to
 * the nanoseconds field alone, so it just looks). The call runs on a helper
 * thread, so that a hang is reported, not waited out. */
#include "../reliability/rel.h"

static io_context_t ctx;
static struct timespec timeout;
static volatile int done;
static int result;

static void *call(void *arg)
{
	struct io_event ev[4];
	(void)arg;
	result = io_getevents(ctx, 1, 4, ev, &timeout);
	rel_store(&done, 1);
	return NULL;
}

int main(void)
{
	long nsecs[] = { 0, 1 };
	CHECK(io_setup(4, &ctx) == 0);
	for (int i = 0; i < 2; i++) {
		timeout.tv_sec = INT64_MIN;
		timeout.tv_nsec = nsecs[i];
		done = 0;
		thread_t t = thread_spawn(call, NULL);
		double deadline = now_seconds() + 5;
		while (!rel_load(&done) && now_seconds() < deadline)
			sleep_ms(5);
		if (!rel_load(&done))
			rel_fail("io_getevents(min 1) with tv_sec INT64_MIN, tv_nsec %ld, no events: still waiting after "
				 "5 s; Linux returns 0 at once",
				 nsecs[i]);
		thread_join(t);
		printf("io_getevents with tv_sec INT64_MIN, tv_nsec %ld: %s\n", nsecs[i], result_text(result));
		rel_expect(result == 0, "io_getevents with tv_sec INT64_MIN gave %s, Linux 0", result_text(result));
	}
	CHECK(io_destroy(ctx) == 0);
	return rel_exit_status();
}
