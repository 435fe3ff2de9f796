/*
 * <sys/eventfd.h> for Windows, shipped with libaio-win32: Linux's eventfd,
 * as glibc declares it (eventfd_t, EFD_SEMAPHORE, EFD_CLOEXEC, EFD_NONBLOCK,
 * eventfd(), eventfd_read(), eventfd_write()), with Linux's rules: an 8-byte
 * read returns the counter and resets it (EFD_SEMAPHORE: 1, and decrements
 * it), an empty one is -1/EAGAIN when nonblocking and sleeps otherwise; a
 * read needs at least 8 bytes of buffer (it moves 8), a write exactly 8,
 * else EINVAL; writing 0xffffffffffffffff is EINVAL; a
 * write that would take the counter past 0xfffffffffffffffe is EAGAIN when
 * nonblocking and sleeps otherwise; EFD_CLOEXEC is accepted; other flag bits
 * are EINVAL. Errors set errno in the including module's own C runtime.
 * Link with -laio (aio.lib for MSVC). On any other system this header passes
 * the include on to the system's own (GCC and clang).
 *
 * How it works: an eventfd is a number from libaio-win32's own range
 * (0x48000000 to 0x4fffffff), not a C runtime fd. In C, read(), write() and
 * close() in every file that includes this header or <libaio.h> check for
 * that range and otherwise call the runtime's _read(), _write(), _close()
 * unchanged (see libaio-win32/fdio.h; LIBAIO_WIN32_NO_FDIO_WRAPPERS turns
 * the wrappers off). C++ files get no wrappers: use eventfd_read(),
 * eventfd_write() and io_win32_close(), or io_win32_read() and
 * io_win32_write().
 *
 * Limits: an eventfd is not a C runtime fd, so other C runtime functions do
 * not know it: _read/_write/_close (underscored), _get_osfhandle, dup, dup2,
 * fstat, lseek, fdopen, select, and read()/write()/close() in files compiled
 * without this header or libaio.h, all fail on it (EBADF) or misbehave.
 * There is no fcntl(): the nonblocking mode is fixed at eventfd(). There is
 * no fork or exec, so EFD_CLOEXEC has nothing to do.
 *
 * Beyond Linux: io_win32_eventfd_handle(fd) gives an event HANDLE that is
 * signalled exactly while the counter is non-zero, for
 * WaitForSingleObject/WaitForMultipleObjects, RegisterWaitForSingleObject
 * or (through such a wait) a program's own completion port. It can only be
 * waited on; it belongs to the eventfd (do not close it) and stays valid
 * until the eventfd is closed. Waiting on it does not read the counter:
 * read the eventfd after the wait. With several threads reading, the event
 * can be briefly signalled just after another thread emptied the counter,
 * so read nonblocking and expect EAGAIN. NULL (errno EBADF) for a number
 * that is not an open eventfd.
 */
#ifndef LIBAIO_WIN32_SYS_EVENTFD_H
#define LIBAIO_WIN32_SYS_EVENTFD_H

#ifndef _WIN32
#if defined(__has_include_next)
#include_next <sys/eventfd.h>
#else
#error "this <sys/eventfd.h> is libaio-win32's, for Windows only"
#endif
#else

#include <stdint.h>

#include "../libaio-win32/fdio.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t eventfd_t;

/* Linux's values. */
enum {
	EFD_SEMAPHORE = 00000001,
#define EFD_SEMAPHORE EFD_SEMAPHORE
	EFD_CLOEXEC = 02000000,
#define EFD_CLOEXEC EFD_CLOEXEC
	EFD_NONBLOCK = 00004000
#define EFD_NONBLOCK EFD_NONBLOCK
};

/* A new eventfd with the counter at `count`; -1 and errno EINVAL for
 * unknown flags, EMFILE when the library's range is full. */
LIBAIO_WIN32_FDIO_INLINE int eventfd(unsigned int count, int flags)
{
	return io_win32__posix(io_win32_eventfd(count, flags));
}

/* As glibc's: one 8-byte read() or write() of `fd` (any fd), 0 or -1. */
LIBAIO_WIN32_FDIO_INLINE int eventfd_read(int fd, eventfd_t *value)
{
	return io_win32_read(fd, value, sizeof(eventfd_t)) != (int)sizeof(eventfd_t) ? -1 : 0;
}

LIBAIO_WIN32_FDIO_INLINE int eventfd_write(int fd, eventfd_t value)
{
	return io_win32_write(fd, &value, sizeof(eventfd_t)) != (int)sizeof(eventfd_t) ? -1 : 0;
}

/* The event signalled while the counter of eventfd `fd` is non-zero (see
 * above), or NULL and errno EBADF. */
LIBAIO_WIN32_FDIO_INLINE void *io_win32_eventfd_handle(int fd)
{
	void *handle = 0;
	int r = io_win32_eventfd_get_handle(fd, &handle);
	if (r < 0) {
		errno = -r;
		return 0;
	}
	return handle;
}

#ifdef __cplusplus
}
#endif

#endif /* _WIN32 */
#endif /* LIBAIO_WIN32_SYS_EVENTFD_H */
