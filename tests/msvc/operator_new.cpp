// The global operator new and delete for MSVC-ABI C++ programs here. With
// Visual Studio they come from its static runtime library (msvcrt.lib),
// which lld-link does not have, not from vcruntime140.dll or ucrtbase. As
// there: new takes memory from malloc; where MSVC's would throw
// std::bad_alloc, this one (no C++ library to take the type from) says so
// and aborts.
#include <stdio.h>
#include <stdlib.h>

static void *allocate(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p) {
		fputs("operator new: out of memory (std::bad_alloc)\n", stderr);
		abort();
	}
	return p;
}

void *operator new(size_t size) { return allocate(size); }
void *operator new[](size_t size) { return allocate(size); }
void operator delete(void *p) noexcept { free(p); }
void operator delete[](void *p) noexcept { free(p); }
void operator delete(void *p, size_t) noexcept { free(p); }
void operator delete[](void *p, size_t) noexcept { free(p); }
