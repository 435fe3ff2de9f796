/*
 * Shared helpers for the C (and C++) behaviour tests. Each test is one small
 * program built three times from the same source: natively against Linux
 * libaio, and for Windows against aio.dll with mingw-w64 and as an MSVC-ABI
 * program (run under Wine). Every build must exit 0, and their standard
 * outputs must be identical: Linux is the oracle.
 *
 * So print only what Linux and Windows must agree on: errno *names* (the
 * numbers differ between the C runtimes), byte counts, data checks. Never
 * print addresses, timings or sizes that depend on the machine.
 */
#ifndef HARNESS_H
#define HARNESS_H

#if !defined(_WIN32) && !defined(_GNU_SOURCE) /* g++ predefines it */
#define _GNU_SOURCE /* RWF_* in glibc's <sys/uio.h> */
#endif
#include <libaio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#ifdef _WIN32
#include <io.h>
#include <windows.h>
/* <rpcndr.h> defines `small` as char, and the <windows.h> of the Windows SDK
 * and of Wine include it (mingw-w64's does not reach it): a variable called
 * small would not compile in the MSVC-ABI build. */
#ifdef small
#undef small
#endif
#define T_O_BINARY O_BINARY
/* A C runtime other than this program's own: mingw-w64 programs run on
 * msvcrt, MSVC-ABI (ucrt) programs on ucrtbase. */
#ifdef _UCRT
#define T_OTHER_RUNTIME_DLL "msvcrt.dll"
#else
#define T_OTHER_RUNTIME_DLL "ucrtbase.dll"
#endif
/* close() is the header's (libaio-win32/fdio.h): it knows eventfds and tells
 * the library that the fd's file is being let go, as a ported program's
 * close() does. */
#define t_close close
#define t_unlink _unlink
/* Windows has no signals: a ported program brings its own sigset_t, as this
 * one does for io_pgetevents' mask. */
typedef unsigned long long sigset_t;
#else
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#define T_O_BINARY 0
#define t_close close
#define t_unlink unlink
#endif

/* Linux's newer RWF_* flags, where the C library predates them. */
#ifndef IOCB_FLAG_IOPRIO
#define IOCB_FLAG_IOPRIO (1 << 1)
#endif
#ifndef RWF_NOAPPEND
#define RWF_NOAPPEND 0x00000020
#endif
#ifndef RWF_ATOMIC
#define RWF_ATOMIC 0x00000040
#endif
#ifndef RWF_DONTCACHE
#define RWF_DONTCACHE 0x00000080
#endif

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond);                   \
			fflush(stdout);                                                            \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

/* Unbuffered output: a test that hangs or crashes still shows how far it got. */
__attribute__((constructor)) static void unbuffered_stdout(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
}

/* The name of an errno value, from the platform's own <errno.h>. */
static inline const char *errno_name(long e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ESPIPE: return "ESPIPE";
	case EROFS: return "EROFS";
	case EPIPE: return "EPIPE";
	case ENOSYS: return "ENOSYS";
	case ECANCELED: return "ECANCELED";
	case EINPROGRESS: return "EINPROGRESS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EOVERFLOW: return "EOVERFLOW";
	default: return "E?";
	}
}

/* A call's result as text: the number when >= 0, else the errno's name. */
static inline const char *result_text(long long r)
{
	static char text[4][64];
	static int next;
	char *out = text[next++ % 4];
	if (r >= 0)
		snprintf(out, 64, "%lld", r);
	else
		snprintf(out, 64, "-%s", errno_name((long)-r));
	return out;
}

static inline void show(const char *what, long long r)
{
	printf("%s: %s\n", what, result_text(r));
}

/* An event's result: res read back as a signed 64-bit value. */
static inline long long event_res(const struct io_event *ev)
{
	return (long long)ev->res;
}

static inline int open_file(const char *path, int flags)
{
	return open(path, flags | T_O_BINARY, 0644);
}

/* A file of `size` bytes whose byte i is pattern(i, seed). */
static inline unsigned char pattern(long long i, unsigned seed)
{
	return (unsigned char)((i * 131 + seed * 7 + (i >> 9)) & 0xff);
}

static inline void make_file(const char *path, long long size, unsigned seed)
{
	int fd = open_file(path, O_WRONLY | O_CREAT | O_TRUNC);
	char buf[4096];
	long long done = 0;
	CHECK(fd >= 0);
	while (done < size) {
		int n = size - done < (long long)sizeof buf ? (int)(size - done) : (int)sizeof buf;
		for (int i = 0; i < n; i++)
			buf[i] = (char)pattern(done + i, seed);
		CHECK(write(fd, buf, n) == n);
		done += n;
	}
	CHECK(t_close(fd) == 0);
}

static inline int check_pattern(const unsigned char *buf, long long offset, long long len, unsigned seed)
{
	for (long long i = 0; i < len; i++)
		if (buf[i] != pattern(offset + i, seed))
			return 0;
	return 1;
}

/* Memory aligned for direct I/O. */
static inline void *aligned_buffer(size_t size)
{
#ifdef _WIN32
	void *p = _aligned_malloc(size, 4096);
#else
	void *p = NULL;
	if (posix_memalign(&p, 4096, size) != 0)
		p = NULL;
#endif
	CHECK(p != NULL);
	return p;
}

/* An address that is certainly not mapped: reserved then released. */
static inline void *unmapped_address(void)
{
#ifdef _WIN32
	void *p = VirtualAlloc(NULL, 1 << 16, MEM_RESERVE, PAGE_NOACCESS);
	VirtualFree(p, 0, MEM_RELEASE);
	return p;
#else
	void *p = mmap(NULL, 1 << 16, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p, 1 << 16);
	return p;
#endif
}

static inline void sleep_ms(int ms)
{
#ifdef _WIN32
	Sleep(ms);
#else
	usleep(ms * 1000);
#endif
}

static inline double now_seconds(void)
{
#ifdef _WIN32
	LARGE_INTEGER f, c;
	QueryPerformanceFrequency(&f);
	QueryPerformanceCounter(&c);
	return (double)c.QuadPart / (double)f.QuadPart;
#else
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
#endif
}

/* Minimal threads. */
typedef void *(*thread_fn)(void *);
#ifdef _WIN32
typedef HANDLE thread_t;
struct thread_start {
	thread_fn fn;
	void *arg;
};
static DWORD WINAPI thread_trampoline(LPVOID p)
{
	struct thread_start s = *(struct thread_start *)p;
	free(p);
	s.fn(s.arg);
	return 0;
}
static inline thread_t thread_spawn(thread_fn fn, void *arg)
{
	struct thread_start *s = (struct thread_start *)malloc(sizeof *s);
	s->fn = fn;
	s->arg = arg;
	HANDLE h = CreateThread(NULL, 0, thread_trampoline, s, 0, NULL);
	CHECK(h != NULL);
	return h;
}
static inline void thread_join(thread_t t)
{
	WaitForSingleObject(t, INFINITE);
	CloseHandle(t);
}
#else
typedef pthread_t thread_t;
static inline thread_t thread_spawn(thread_fn fn, void *arg)
{
	pthread_t t;
	CHECK(pthread_create(&t, NULL, fn, arg) == 0);
	return t;
}
static inline void thread_join(thread_t t)
{
	pthread_join(t, NULL);
}
#endif

/* Pipes: Linux's pipe(), and on Windows the header's (the C runtime's _pipe() in
 * binary mode), called by name so that C++ tests get it too. */
static inline int make_pipe(int fds[2])
{
#ifdef _WIN32
	return io_win32_pipe(fds); /* the header's pipe(): binary, 64 KiB */
#else
	return pipe(fds);
#endif
}

/* Waits for exactly `n` events (failing the test after `seconds`). */
static inline void reap_within(io_context_t ctx, struct io_event *events, int n, int seconds)
{
	int got = 0;
	struct timespec ts = { seconds, 0 };
	while (got < n) {
		int r = io_getevents(ctx, n - got, n - got, events + got, &ts);
		CHECK(r > 0);
		got += r;
	}
}

/* Waits for exactly `n` events (failing the test after 10 s). */
static inline void reap(io_context_t ctx, struct io_event *events, int n)
{
	reap_within(ctx, events, n, 10);
}

/* Submits `cb` alone: io_submit's result if the iocb was not taken, else
 * its event's res once it comes. */
static inline long long submit_and_reap(io_context_t ctx, struct iocb *cb)
{
	struct iocb *list[1] = { cb };
	struct io_event ev;
	long long r = io_submit(ctx, 1, list);
	if (r != 1)
		return r;
	reap(ctx, &ev, 1);
	CHECK(ev.obj == cb);
	return event_res(&ev);
}

#endif
