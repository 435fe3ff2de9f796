/*
 * <unistd.h> for DeepSpeed's aio sources on Windows (the test's own shim).
 * mingw-w64 has one (taken as it is); the ucrt has none: read, write,
 * close and lseek come from <io.h>, and sysconf(_SC_PAGESIZE) is here.
 */
#ifndef DEEPSPEED_SHIM_UNISTD_H
#define DEEPSPEED_SHIM_UNISTD_H
#if defined(__has_include_next) && __has_include_next(<unistd.h>)
#include_next <unistd.h>
#else
#include <io.h>
#endif
#ifndef _SC_PAGESIZE
#define _SC_PAGESIZE 30
#endif
#ifdef __cplusplus
extern "C" {
#endif
long deepspeed_shim_sysconf(int name);
#define sysconf deepspeed_shim_sysconf
#ifdef __cplusplus
}
#endif
#endif
