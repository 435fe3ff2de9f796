/*
 * <sys/uio.h> for Windows, shipped with libaio-win32: struct iovec, so that
 * programs written for Linux that include it compile unchanged. A program
 * that has a <sys/uio.h> of its own (fio's Windows port has one, with readv
 * and writev) gets that one, wherever it sits on the include path: earlier,
 * it is found first; later, this one passes the include on (GCC and clang).
 */
#ifndef LIBAIO_WIN32_SYS_UIO_H
#define LIBAIO_WIN32_SYS_UIO_H
#if defined(__has_include_next)
#if __has_include_next(<sys/uio.h>)
#include_next <sys/uio.h>
#define LIBAIO_WIN32_NEXT_SYS_UIO 1
#endif
#endif
#include <stddef.h>
#if !defined(LIBAIO_WIN32_NEXT_SYS_UIO) && !defined(LIBAIO_WIN32_IOVEC_DEFINED) && !defined(LIBAIO_WIN32_NO_IOVEC)
#define LIBAIO_WIN32_IOVEC_DEFINED 1
struct iovec {
	void *iov_base;
	size_t iov_len;
};
#endif
#endif
