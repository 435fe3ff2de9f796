/* A blocking write that would take the counter past 0xfffffffffffffffe
 * sleeps until another thread reads, then adds. */
#include "eventfd_common.h"

static int shared_fd;
static volatile int reading;

static void *read_later(void *arg)
{
	(void)arg;
	sleep_ms(100);
	uint64_t v = 0;
	reading = 1;
	CHECK(read(shared_fd, &v, 8) == 8);
	CHECK(v == UINT64_MAX - 1);
	return NULL;
}

int main(void)
{
	shared_fd = efd_open("blocking", 0, 0);
	CHECK(shared_fd >= 0);
	efd_write("fill", shared_fd, UINT64_MAX - 1);
	thread_t t = thread_spawn(read_later, NULL);
	efd_write("woken by a read", shared_fd, 5);
	printf("the reader had come: %d\n", reading);
	thread_join(t);
	efd_read("what the woken write added", shared_fd);

	/* A write that fits does not wait, even on a blocking eventfd. */
	efd_write("fits", shared_fd, UINT64_MAX - 2);
	efd_write("fits exactly", shared_fd, 1);
	efd_read("full", shared_fd);
	efd_close("blocking", shared_fd);
	return 0;
}
