/*
 * Wine's UCRT-style <time.h> (libwine-dev) lacks struct timespec, which the
 * Windows SDK's ucrt <time.h> has had since Visual Studio 2015 (C11): a
 * 64-bit time_t and a long. The MSVC-ABI builds here (msvc_cc in
 * scripts/env.sh) put this folder before Wine's so that programs see what
 * the SDK gives them. Nothing else is added.
 */
#ifndef AIO_MSVC_COMPAT_TIME_H
#define AIO_MSVC_COMPAT_TIME_H
#include_next <time.h>
#ifndef _CRT_NO_TIME_T
#ifndef _TIMESPEC_DEFINED
#define _TIMESPEC_DEFINED
struct timespec {
	time_t tv_sec;
	long tv_nsec;
};
#endif
#endif
#endif
