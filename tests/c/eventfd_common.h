/*
 * Helpers for the eventfd tests (tests/c/eventfd_*.c): each is built
 * natively with Linux's <sys/eventfd.h> and for Windows with
 * libaio-win32's, and uses plain read(), write() and close() on the
 * eventfd, as a Linux program does.
 */
#ifndef EVENTFD_COMMON_H
#define EVENTFD_COMMON_H

#include "harness.h"

#include <inttypes.h>
#include <sys/eventfd.h>
#ifndef _WIN32
#include <unistd.h>
#endif

/* A read()/write() result: the byte count, or -1 and the errno's name. */
static inline const char *io_text(long long r, int err)
{
	static char text[4][64];
	static int next;
	char *out = text[next++ % 4];
	if (r >= 0)
		snprintf(out, 64, "%lld", r);
	else
		snprintf(out, 64, "%lld %s", r, errno_name(err));
	return out;
}

/* Prints `what: <call's result>`, errno read right after the call. */
#define SHOW_IO(what, call)                                                                        \
	do {                                                                                       \
		errno = 0;                                                                         \
		long long show_io_r = (call);                                                      \
		int show_io_err = errno;                                                           \
		printf("%s: %s\n", (what), io_text(show_io_r, show_io_err));                      \
	} while (0)

/* read() of `size` bytes (at most 16) from `fd`, printed with the value. */
static inline long long efd_read_sized(const char *what, int fd, unsigned size)
{
	uint64_t buf[2] = { 0, 0 };
	errno = 0;
	long long r = read(fd, buf, size);
	int err = errno;
	if (r == 8)
		printf("%s: read(%u) = 8, value 0x%" PRIx64 "\n", what, size, buf[0]);
	else
		printf("%s: read(%u) = %s\n", what, size, io_text(r, err));
	return r;
}

static inline long long efd_read(const char *what, int fd)
{
	return efd_read_sized(what, fd, 8);
}

/* write() of `value` as `size` bytes (at most 16: the rest zeros). */
static inline long long efd_write_sized(const char *what, int fd, uint64_t value, unsigned size)
{
	uint64_t buf[2] = { value, 0 };
	errno = 0;
	long long r = write(fd, buf, size);
	int err = errno;
	printf("%s: write(0x%" PRIx64 ", %u) = %s\n", what, value, size, io_text(r, err));
	return r;
}

static inline long long efd_write(const char *what, int fd, uint64_t value)
{
	return efd_write_sized(what, fd, value, 8);
}

/* eventfd() with its result printed as "ok" or the errno's name (fd
 * numbers differ between the systems). */
static inline int efd_open(const char *what, unsigned initval, int flags)
{
	errno = 0;
	int fd = eventfd(initval, flags);
	int err = errno;
	printf("%s: eventfd(%u, 0x%x) = %s\n", what, initval, flags, fd >= 0 ? "fd" : io_text(fd, err));
	return fd;
}

static inline void efd_close(const char *what, int fd)
{
	errno = 0;
	int r = close(fd);
	int err = errno;
	printf("%s: close = %s\n", what, io_text(r, err));
}

#endif
