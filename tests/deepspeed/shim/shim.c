/*
 * The POSIX calls DeepSpeed's aio code (and this test's driver) need that
 * Windows lacks, for the test's own shim headers: posix_memalign, sysconf,
 * mlock, munlock. Compiled as C with the program's own compiler and runtime.
 */
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <windows.h>

#include <stdlib.h> /* the shim's, through -I */
#include <sys/mman.h>
#include <unistd.h>

int posix_memalign(void **out, size_t alignment, size_t size)
{
	void *p;
	/* POSIX: a power of two and a multiple of sizeof(void *), else EINVAL. */
	if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0)
		return EINVAL;
	p = _aligned_malloc(size ? size : 1, alignment);
	if (p == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

long deepspeed_shim_sysconf(int name)
{
	SYSTEM_INFO info;
	if (name != _SC_PAGESIZE) {
		errno = EINVAL;
		return -1;
	}
	GetSystemInfo(&info);
	return (long)info.dwPageSize;
}

int mlock(const void *addr, size_t len)
{
	if (!VirtualLock((void *)addr, len)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int munlock(const void *addr, size_t len)
{
	if (!VirtualUnlock((void *)addr, len)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}
