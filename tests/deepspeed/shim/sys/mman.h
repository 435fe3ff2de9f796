/*
 * <sys/mman.h> for DeepSpeed's aio sources on Windows (the test's own shim):
 * mlock/munlock (VirtualLock/VirtualUnlock). DeepSpeed's common code
 * includes the header; its Python binding locks pinned buffers with them.
 */
#ifndef DEEPSPEED_SHIM_SYS_MMAN_H
#define DEEPSPEED_SHIM_SYS_MMAN_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif
int mlock(const void *addr, size_t len);
int munlock(const void *addr, size_t len);
#ifdef __cplusplus
}
#endif
#endif
