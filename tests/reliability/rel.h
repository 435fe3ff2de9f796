/*
 * Helpers for the reliability suite (tests/reliability) and for the defect
 * reproducers of issue 9 (tests/c, tests/c/win). Built on the behaviour
 * tests' harness.h, natively against Linux libaio and with mingw for
 * aio.dll alike.
 *
 * Conventions: a failure prints one line starting "FAILED" that says what
 * went wrong, with the figures that show it, and exits 1. Figures that are
 * not part of an output compared with Linux go to stderr, on lines starting
 * "figures:" (tests/reliability/check.sh shows them).
 */
#ifndef REL_H
#define REL_H

#include "../c/harness.h"

#include <stdarg.h>

#ifdef _WIN32
#include <tlhelp32.h>
#else
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#endif

/* A failure, said in words, then exit 1. */
__attribute__((format(printf, 1, 2), noreturn)) static inline void rel_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("FAILED: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	exit(1);
}

#define REL_CHECK(cond, ...)                                                                       \
	do {                                                                                       \
		if (!(cond))                                                                       \
			rel_fail(__VA_ARGS__);                                                     \
	} while (0)

/* A failure that does not end the program (so that every broken property
 * of one run is said): counted, and rel_exit_status() says whether any. */
static int rel_failures;
__attribute__((format(printf, 2, 3))) static inline int rel_expect(int ok, const char *fmt, ...)
{
	va_list ap;
	if (ok)
		return 1;
	va_start(ap, fmt);
	printf("FAILED: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	rel_failures++;
	return 0;
}
static inline int rel_exit_status(void)
{
	return rel_failures ? 1 : 0;
}

__attribute__((format(printf, 1, 2))) static inline void rel_figures(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "figures: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	fflush(stderr);
}

/* A small, seeded random generator (splitmix64): the same seed gives the
 * same sequence on both platforms. */
struct rel_rng {
	unsigned long long s;
};
static inline unsigned long long rel_next(struct rel_rng *r)
{
	unsigned long long z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
/* Uniform in [0, n). */
static inline unsigned long long rel_below(struct rel_rng *r, unsigned long long n)
{
	return n ? rel_next(r) % n : 0;
}

/* FNV-1a over a byte range. */
static inline unsigned long long rel_hash(const void *p, size_t n, unsigned long long h)
{
	const unsigned char *b = (const unsigned char *)p;
	if (!h)
		h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

/* An address above the user address range of both systems (the start of
 * x86_64 Linux's kernel half; Windows' user range ends far below it). */
#define REL_KERNEL_ADDRESS ((void *)0xffff800000000000ULL)

/* Pages of memory: `n` pages, readable and writable. */
static inline void *rel_pages(size_t n)
{
#ifdef _WIN32
	void *p = VirtualAlloc(NULL, n * 4096, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
	CHECK(p != NULL);
#else
	void *p = mmap(NULL, n * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
#endif
	return p;
}
static inline void rel_protect(void *p, size_t n, int writable, int readable)
{
#ifdef _WIN32
	DWORD old, prot = writable ? PAGE_READWRITE : readable ? PAGE_READONLY : PAGE_NOACCESS;
	CHECK(VirtualProtect(p, n * 4096, prot, &old));
#else
	CHECK(mprotect(p, n * 4096, (readable ? PROT_READ : 0) | (writable ? PROT_WRITE : 0)) == 0);
#endif
}

/* An address range no access may touch, kept reserved for the process's
 * life (a released range, like harness.h's unmapped_address(), can be
 * mapped again by a later allocation: a thread's stack, a ring). */
static inline void *rel_inaccessible(void)
{
#ifdef _WIN32
	void *p = VirtualAlloc(NULL, 1 << 16, MEM_RESERVE, PAGE_NOACCESS);
	CHECK(p != NULL);
#else
	void *p = mmap(NULL, 1 << 16, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
#endif
	return p;
}

/* The completion ring an io_context_t points to (Linux's layout). */
struct rel_aio_ring {
	unsigned id, nr, head, tail, magic, compat_features, incompat_features, header_length;
	struct io_event events[];
};
#define REL_RING_MAGIC 0xa10a10a1u

/* fio's userspace_reap: takes up to `max` events from the ring without a
 * system call. Only one thread may reap a ring this way at a time (as in
 * fio), and no io_getevents on that context meanwhile. */
static inline int rel_user_reap(io_context_t ctx, struct io_event *events, int max)
{
	struct rel_aio_ring *ring = (struct rel_aio_ring *)ctx;
	int i = 0;
	while (i < max) {
		unsigned head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
		unsigned tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
		if (head == tail)
			break;
		events[i++] = ring->events[head];
		__atomic_store_n(&ring->head, (head + 1) % ring->nr, __ATOMIC_RELEASE);
	}
	return i;
}

/* Events waiting in the ring, read from user space. */
static inline unsigned rel_ring_waiting(io_context_t ctx)
{
	struct rel_aio_ring *ring = (struct rel_aio_ring *)ctx;
	unsigned head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
	unsigned tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
	return (tail + ring->nr - head) % ring->nr;
}

/* What the process holds: threads, handles (fds on Linux) and private
 * memory (Windows: PrivateUsage, the commit charge; Linux: RssAnon). */
struct rel_usage {
	long threads;
	long handles;
	long long private_bytes;
};

static inline struct rel_usage rel_usage_now(void)
{
	struct rel_usage u = { 0, 0, 0 };
#ifdef _WIN32
	DWORD pid = GetCurrentProcessId();
	HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
	CHECK(snap != INVALID_HANDLE_VALUE);
	THREADENTRY32 te;
	te.dwSize = sizeof te;
	if (Thread32First(snap, &te)) {
		do {
			if (te.th32OwnerProcessID == pid)
				u.threads++;
			te.dwSize = sizeof te;
		} while (Thread32Next(snap, &te));
	}
	CloseHandle(snap);
	/* Handles: the handle values that name something (a table index times
	 * 4, lowest free first, so a small process's handles are all far below
	 * 65536). Wine answers 0 to GetProcessHandleCount, and the MSVC-ABI
	 * build's headers (Wine's) lack it: one way of counting for all. */
	DWORD info;
	for (ULONG_PTR h = 4; h < 65536; h += 4)
		u.handles += GetHandleInformation((HANDLE)h, &info) != 0;
	{
		/* Private memory: the committed private regions (heaps, thread
		 * stacks, VirtualAlloc), which is what PrivateUsage counts on
		 * Windows; Wine answers 0 there, and its headers lack
		 * PROCESS_MEMORY_COUNTERS_EX. */
		SYSTEM_INFO si;
		MEMORY_BASIC_INFORMATION mbi;
		GetSystemInfo(&si);
		char *a = (char *)si.lpMinimumApplicationAddress;
		while (a < (char *)si.lpMaximumApplicationAddress) {
			if (!VirtualQuery(a, &mbi, sizeof mbi)) {
				a += 65536;
				continue;
			}
			if (mbi.State == MEM_COMMIT && mbi.Type == MEM_PRIVATE)
				u.private_bytes += (long long)mbi.RegionSize;
			a = (char *)mbi.BaseAddress + mbi.RegionSize;
		}
	}
#else
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	CHECK(d != NULL);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			u.threads++;
	closedir(d);
	d = opendir("/proc/self/fd");
	CHECK(d != NULL);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			u.handles++;
	closedir(d);
	u.handles--; /* the directory's own fd */
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	CHECK(f != NULL);
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "RssAnon:", 8) == 0)
			u.private_bytes = atoll(line + 8) * 1024;
	fclose(f);
#endif
	return u;
}

/* Waits up to `ms` for threads and handles to come back to `base` (a
 * thread that has returned can take a moment to leave the process's list;
 * a leak never does), and returns what it last saw. */
static inline struct rel_usage rel_usage_settled(struct rel_usage base, int ms)
{
	struct rel_usage u = rel_usage_now();
	for (int waited = 0; waited < ms && (u.threads > base.threads || u.handles > base.handles); waited += 10) {
		sleep_ms(10);
		u = rel_usage_now();
	}
	return u;
}

static inline void rel_yield(void)
{
#ifdef _WIN32
	SwitchToThread();
#else
	sched_yield();
#endif
}

/* Atomics on plain ints and longs, the same on both compilers. */
#define rel_load(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define rel_store(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define rel_add(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
static inline int rel_cas(int *p, int from, int to)
{
	return __atomic_compare_exchange_n(p, &from, to, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* A whole-file read through the C runtime (a fresh fd, not the one under
 * test): returns the bytes read, up to `max`. */
static inline long long rel_read_file(const char *path, void *buf, long long max)
{
	int fd = open(path, O_RDONLY | T_O_BINARY);
	long long got = 0;
	CHECK(fd >= 0);
	for (;;) {
		int n = (int)read(fd, (char *)buf + got, (unsigned)(max - got > 65536 ? 65536 : max - got));
		CHECK(n >= 0);
		if (n == 0)
			break;
		got += n;
		if (got == max)
			break;
	}
	CHECK(t_close(fd) == 0);
	return got;
}

#endif
