/* A blocking read on an empty eventfd sleeps until another thread writes,
 * and then returns the sum; two blocked readers are both woken by writes
 * from a third thread. */
#include "eventfd_common.h"

static int shared_fd;
static volatile int written;
static volatile uint64_t got[2];

static void *write_later(void *arg)
{
	uint64_t value = (uint64_t)(uintptr_t)arg;
	sleep_ms(100);
	written = 1;
	CHECK(write(shared_fd, &value, 8) == 8);
	return NULL;
}

static void *read_one(void *arg)
{
	volatile uint64_t *out = (volatile uint64_t *)arg;
	uint64_t v = 0;
	CHECK(read(shared_fd, &v, 8) == 8);
	*out = v;
	return NULL;
}

int main(void)
{
	shared_fd = efd_open("blocking", 0, 0);
	CHECK(shared_fd >= 0);
	thread_t t = thread_spawn(write_later, (void *)(uintptr_t)42);
	efd_read("woken by a write", shared_fd);
	printf("the write came first: %d\n", written);
	thread_join(t);

	/* Several sleepers: each write wakes them; a read of the whole sum
	 * leaves the other asleep until the next write. */
	thread_t readers[2] = { thread_spawn(read_one, (void *)&got[0]), thread_spawn(read_one, (void *)&got[1]) };
	sleep_ms(100);
	uint64_t one = 1;
	CHECK(write(shared_fd, &one, 8) == 8);
	/* One of them takes the 1; the other sleeps on (or has not come yet). */
	for (int waited = 0; got[0] + got[1] == 0; waited++) {
		CHECK(waited < 10000);
		sleep_ms(1);
	}
	uint64_t two = 2;
	CHECK(write(shared_fd, &two, 8) == 8);
	thread_join(readers[0]);
	thread_join(readers[1]);
	printf("two sleepers got %" PRIu64 " in all, one each: %d\n", got[0] + got[1],
	       (got[0] == 1 && got[1] == 2) || (got[0] == 2 && got[1] == 1));
	efd_close("blocking", shared_fd);
	return 0;
}
