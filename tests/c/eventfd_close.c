/* close() releases an eventfd: read, write and close on the number are then
 * EBADF, and a new eventfd may take the number again. A read blocked in
 * another thread when the fd is closed keeps sleeping, as on Linux (the
 * blocked read holds the file). */
#include "eventfd_common.h"

static int shared_fd;
static volatile int reader_started, reader_returned;

static void *read_forever(void *arg)
{
	(void)arg;
	uint64_t v;
	reader_started = 1;
	(void)!read(shared_fd, &v, 8);
	reader_returned = 1;
	return NULL;
}

int main(void)
{
	int fd = efd_open("closed", 5, EFD_NONBLOCK);
	CHECK(fd >= 0);
	efd_close("closed", fd);
	efd_read("after close", fd);
	efd_write("after close", fd, 1);
	efd_close("again", fd);
	eventfd_t value;
	errno = 0;
	int h = eventfd_read(fd, &value);
	printf("eventfd_read after close: %d %s\n", h, errno_name(errno));
	errno = 0;
	h = eventfd_write(fd, 1);
	printf("eventfd_write after close: %d %s\n", h, errno_name(errno));

	int again = efd_open("next", 0, EFD_NONBLOCK);
	printf("the next eventfd takes the number again: %d\n", again == fd);
	efd_read("the new one is empty", again);
	efd_close("next", again);

	/* A sleeping reader outlives close(). */
	shared_fd = efd_open("blocking", 0, 0);
	CHECK(shared_fd >= 0);
	thread_t t = thread_spawn(read_forever, NULL);
	for (int waited = 0; !reader_started; waited++) {
		CHECK(waited < 10000);
		sleep_ms(1);
	}
	sleep_ms(200);
	efd_close("with a reader asleep", shared_fd);
	efd_write("through the closed number", shared_fd, 1);
	sleep_ms(200);
	printf("the reader still sleeps: %d\n", !reader_returned);
	(void)t; /* left asleep; exit ends it */
	fflush(stdout);
	exit(0);
}
