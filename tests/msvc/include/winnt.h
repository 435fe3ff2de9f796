/*
 * Wine's <winnt.h>, for clang in MSVC mode. Under clang, Wine's header
 * defines InterlockedCompareExchange128 as an inline function whose name a
 * macro turns into _InterlockedCompareExchange128, which clang (like MSVC)
 * has as a builtin: C accepts the redefinition, C++ rejects it. The
 * Windows SDK only declares the intrinsic. Here Wine's inline function gets
 * a name of its own; afterwards the name is clang's builtin again.
 */
#define _InterlockedCompareExchange128 aio_msvc_compat_wine_InterlockedCompareExchange128
#include_next <winnt.h>
#undef _InterlockedCompareExchange128
