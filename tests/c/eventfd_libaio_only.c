/* A file that includes <libaio.h> but not <sys/eventfd.h>, given an eventfd
 * made elsewhere (here by eventfd() under its plain name, as a program
 * without the header, or another of its files, calls it): read(), write()
 * and close() on it behave as Linux's. */
#include "harness.h"

int eventfd(unsigned int count, int flags);
#define LINUX_EFD_NONBLOCK 04000

static void result(const char *what, long long r, int err)
{
	if (r < 0)
		printf("%s: %lld %s\n", what, r, errno_name(err));
	else
		printf("%s: %lld\n", what, r);
}

int main(void)
{
	errno = 0;
	int fd = eventfd(0, 0x4);
	result("eventfd with an unknown flag", fd, errno);
	fd = eventfd(0, LINUX_EFD_NONBLOCK);
	CHECK(fd >= 0);
	uint64_t value = 5;
	errno = 0;
	long long r = write(fd, &value, 8);
	result("write 5", r, errno);
	value = 0;
	r = read(fd, &value, 8);
	result("read", r, errno);
	printf("value: %llu\n", (unsigned long long)value);
	errno = 0;
	r = read(fd, &value, 8);
	result("read empty", r, errno);
	errno = 0;
	r = read(fd, &value, 4);
	result("read 4 bytes", r, errno);
	errno = 0;
	r = close(fd);
	result("close", r, errno);
	errno = 0;
	r = read(fd, &value, 8);
	result("read after close", r, errno);
	return 0;
}
