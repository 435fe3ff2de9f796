/* io_destroy from another thread wakes a thread blocked in io_getevents,
 * which returns -EINVAL (MariaDB relies on it). */
#include "harness.h"

static io_context_t ctx;
static long long result = 1;

static void *waiter(void *arg)
{
	struct io_event ev[4];
	(void)arg;
	result = io_getevents(ctx, 1, 4, ev, NULL);
	return NULL;
}

int main(void)
{
	CHECK(io_setup(4, &ctx) == 0);
	thread_t t = thread_spawn(waiter, NULL);
	sleep_ms(200);
	show("io_destroy", io_destroy(ctx));
	thread_join(t);
	show("blocked io_getevents", result);

	/* The same with two waiters. */
	ctx = 0;
	CHECK(io_setup(4, &ctx) == 0);
	thread_t a = thread_spawn(waiter, NULL);
	thread_t b = thread_spawn(waiter, NULL);
	sleep_ms(200);
	show("io_destroy with two waiters", io_destroy(ctx));
	thread_join(a);
	thread_join(b);
	show("the waiters", result);
	return 0;
}
