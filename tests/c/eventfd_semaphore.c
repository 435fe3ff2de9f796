/* EFD_SEMAPHORE: each read returns 1 and takes 1 off the counter. A
 * blocking semaphore read sleeps at 0 and wakes on a write. */
#include "eventfd_common.h"

static int shared_fd;

static void *write_two_later(void *arg)
{
	(void)arg;
	sleep_ms(100);
	uint64_t two = 2;
	CHECK(write(shared_fd, &two, 8) == 8);
	return NULL;
}

int main(void)
{
	int fd = efd_open("semaphore", 3, EFD_SEMAPHORE | EFD_NONBLOCK);
	CHECK(fd >= 0);
	for (int i = 0; i < 4; i++)
		efd_read("take one", fd);
	efd_write("give five", fd, 5);
	efd_read_sized("take one with 16 bytes", fd, 16);
	efd_read_sized("take one with 4 bytes", fd, 4);
	for (int i = 0; i < 5; i++)
		efd_read("take one", fd);
	efd_write("give the maximum", fd, UINT64_MAX - 1);
	efd_write("give more", fd, 1);
	efd_read("take one at the maximum", fd);
	efd_write("give one back", fd, 1);
	efd_close("semaphore", fd);

	/* Blocking: two reads in a row, the first sleeps until the write of 2,
	 * the second finds the other 1. */
	shared_fd = efd_open("blocking semaphore", 0, EFD_SEMAPHORE);
	CHECK(shared_fd >= 0);
	thread_t t = thread_spawn(write_two_later, NULL);
	efd_read("woken", shared_fd);
	efd_read("the rest", shared_fd);
	thread_join(t);
	efd_close("blocking semaphore", shared_fd);
	return 0;
}
