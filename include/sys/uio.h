/*
 * <sys/uio.h> for Windows, shipped with libaio-win32: struct iovec, so that
 * programs written for Linux that include it compile unchanged. A program
 * whose include path has its own <sys/uio.h> earlier uses that one instead.
 */
#ifndef LIBAIO_WIN32_SYS_UIO_H
#define LIBAIO_WIN32_SYS_UIO_H
#include <stddef.h>
#if !defined(LIBAIO_WIN32_IOVEC_DEFINED) && !defined(LIBAIO_WIN32_NO_IOVEC)
#define LIBAIO_WIN32_IOVEC_DEFINED 1
struct iovec {
	void *iov_base;
	size_t iov_len;
};
#endif
#endif
