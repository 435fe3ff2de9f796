/*
 * libaio-win32/fdio.h: read(), write() and close() that know this library's
 * fds (libaio-win32; Windows only, included by <sys/eventfd.h> and
 * <libaio.h>, not meant to be included alone).
 *
 * An eventfd is a number from the library's own range, 0x48000000 to
 * 0x4fffffff, which no C runtime hands out. io_win32_read(),
 * io_win32_write() and io_win32_close() send those numbers to the library
 * (Linux's eventfd rules, errno set in this module's own C runtime) and
 * every other fd, unchanged, to the caller's C runtime: _read, _write,
 * _close. The range test is inline, so other fds never enter the library.
 *
 * In C, read, write and close are those functions in every file that
 * includes this header (macros, as libaio.h makes open() aio_open()); the
 * runtime's own <io.h> and <unistd.h> are included first so their
 * declarations are not renamed. Being object-like macros, they rename every
 * read/write/close token, struct members too, consistently within the file.
 * Define LIBAIO_WIN32_NO_FDIO_WRAPPERS to keep the runtime's own; a program
 * that defines read, write or close as macros itself keeps its own. C++ gets
 * no macros: call io_win32_read(), io_win32_write(), io_win32_close() (or
 * eventfd_read() and eventfd_write()) on eventfds.
 *
 * _read(), _write() and _close() (underscored) remain the runtime's: they do
 * not know eventfds.
 *
 * pipe() likewise (io_win32_pipe()): Linux's, which Windows lacks, as the
 * runtime's _pipe() in binary mode (Linux has no text mode) with Linux's
 * default capacity, 64 KiB. IO_CMD_POLL works on both ends.
 */
#ifndef LIBAIO_WIN32_FDIO_H
#define LIBAIO_WIN32_FDIO_H
#ifdef _WIN32

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdint.h>
#include <stdlib.h>
#if defined(__has_include)
#if __has_include(<unistd.h>)
#include <unistd.h>
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if !defined(LIBAIO_WIN32_STATIC)
#define LIBAIO_WIN32_FDIO_API __declspec(dllimport)
#else
#define LIBAIO_WIN32_FDIO_API
#endif

#if defined(_MSC_VER) && !defined(__cplusplus)
#define LIBAIO_WIN32_FDIO_INLINE static __inline
#else
#define LIBAIO_WIN32_FDIO_INLINE static inline
#endif

/* The eventfd range: part of the ABI (the test below is compiled into
 * programs). */
#define LIBAIO_WIN32_EVENTFD_FIRST 0x48000000
#define LIBAIO_WIN32_EVENTFD_END 0x50000000

/* The library's side: each returns its result, or a negative errno. */
LIBAIO_WIN32_FDIO_API int io_win32_eventfd(unsigned int initval, int flags);
LIBAIO_WIN32_FDIO_API int io_win32_eventfd_read(int fd, void *buf, unsigned int count);
LIBAIO_WIN32_FDIO_API int io_win32_eventfd_write(int fd, const void *buf, unsigned int count);
LIBAIO_WIN32_FDIO_API int io_win32_eventfd_close(int fd);
LIBAIO_WIN32_FDIO_API int io_win32_eventfd_get_handle(int fd, void **handle);
/* The program is about to close this handle: the library lets go of the
 * file behind it (a file closed and deleted can then be created again at
 * once, as on Linux). */
LIBAIO_WIN32_FDIO_API void io_win32_handle_closing(void *handle);

LIBAIO_WIN32_FDIO_INLINE int io_win32__is_eventfd(int fd)
{
	return fd >= LIBAIO_WIN32_EVENTFD_FIRST && fd < LIBAIO_WIN32_EVENTFD_END;
}

/* A library result as the C functions give it: -1 with errno set here. */
LIBAIO_WIN32_FDIO_INLINE int io_win32__posix(int result)
{
	if (result < 0) {
		errno = -result;
		return -1;
	}
	return result;
}


#if defined(_MSC_VER) || defined(_UCRT)
LIBAIO_WIN32_FDIO_INLINE void __cdecl io_win32__fdio_ignore_invalid_parameter(const wchar_t *expression,
									     const wchar_t *function,
									     const wchar_t *file, unsigned int line,
									     uintptr_t reserved)
{
	(void)expression;
	(void)function;
	(void)file;
	(void)line;
	(void)reserved;
}
#endif

/* _get_osfhandle in this module's own C runtime, which on ucrt ends the
 * process for a bad fd unless this thread's handler is silenced. */
LIBAIO_WIN32_FDIO_INLINE intptr_t __cdecl io_win32__fdio_osfhandle(int fd)
{
#if defined(_MSC_VER) || defined(_UCRT)
	_invalid_parameter_handler previous =
		_set_thread_local_invalid_parameter_handler(io_win32__fdio_ignore_invalid_parameter);
	intptr_t handle = _get_osfhandle(fd);
	_set_thread_local_invalid_parameter_handler(previous);
	return handle;
#else
	return _get_osfhandle(fd);
#endif
}

/* The runtime's _read, _write and _close, with Linux's answer for a bad fd
 * (-1, EBADF): the ucrt would otherwise end the process through its
 * invalid-parameter handler, silenced here for this thread around the call. */
#if defined(_MSC_VER) || defined(_UCRT)
#define LIBAIO_WIN32_FDIO_GUARDED(type, call)                                                        \
	do {                                                                                       \
		_invalid_parameter_handler previous =                                              \
			_set_thread_local_invalid_parameter_handler(io_win32__fdio_ignore_invalid_parameter); \
		type result = (call);                                                              \
		_set_thread_local_invalid_parameter_handler(previous);                             \
		return result;                                                                     \
	} while (0)
#else
#define LIBAIO_WIN32_FDIO_GUARDED(type, call) return (call)
#endif

LIBAIO_WIN32_FDIO_INLINE int __cdecl io_win32_read(int fd, void *buf, unsigned int count)
{
	if (io_win32__is_eventfd(fd))
		return io_win32__posix(io_win32_eventfd_read(fd, buf, count));
	LIBAIO_WIN32_FDIO_GUARDED(int, _read(fd, buf, count));
}

LIBAIO_WIN32_FDIO_INLINE int __cdecl io_win32_write(int fd, const void *buf, unsigned int count)
{
	if (io_win32__is_eventfd(fd))
		return io_win32__posix(io_win32_eventfd_write(fd, buf, count));
	LIBAIO_WIN32_FDIO_GUARDED(int, _write(fd, buf, count));
}

LIBAIO_WIN32_FDIO_INLINE int __cdecl io_win32_close(int fd)
{
	intptr_t handle;
	if (io_win32__is_eventfd(fd))
		return io_win32__posix(io_win32_eventfd_close(fd));
	handle = io_win32__fdio_osfhandle(fd);
	if (handle != -1 && handle != -2)
		io_win32_handle_closing((void *)handle);
	LIBAIO_WIN32_FDIO_GUARDED(int, _close(fd));
}

LIBAIO_WIN32_FDIO_INLINE int __cdecl io_win32_pipe(int fds[2])
{
	return _pipe(fds, 65536, _O_BINARY);
}

#ifdef __cplusplus
}
#endif

#if !defined(__cplusplus) && !defined(LIBAIO_WIN32_NO_FDIO_WRAPPERS)
#ifndef pipe
#define pipe io_win32_pipe
#endif
#ifndef read
#define read io_win32_read
#endif
#ifndef write
#define write io_win32_write
#endif
#ifndef close
#define close io_win32_close
#endif
#endif

#endif /* _WIN32 */
#endif /* LIBAIO_WIN32_FDIO_H */
