/* Stands in for fio's os/windows sys/uio.h: its own struct iovec, no guard
 * macro of ours. The header must use it rather than define a second one. */
#ifndef FIO_SYS_UIO_H
#define FIO_SYS_UIO_H
#include <stddef.h>
struct iovec {
	void *iov_base;
	size_t iov_len;
};
#endif
