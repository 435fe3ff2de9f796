/*
 * <stdlib.h> plus posix_memalign, for DeepSpeed's aio sources on Windows
 * (the test's own shim). Windows has no aligned allocation that free()
 * accepts: memory from this posix_memalign is released with _aligned_free.
 */
#ifndef DEEPSPEED_SHIM_STDLIB_H
#define DEEPSPEED_SHIM_STDLIB_H
#include_next <stdlib.h>
#ifdef __cplusplus
extern "C" {
#endif
int posix_memalign(void **out, size_t alignment, size_t size);
#ifdef __cplusplus
}
#endif
#endif
