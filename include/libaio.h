/*
 * libaio.h: the Linux libaio 0.3.113 API, for Windows (libaio-win32).
 * LIBAIO_WIN32_LIBAIO_API names that libaio release; LIBAIO_WIN32_VERSION
 * (and _MAJOR, _MINOR, _PATCH) is this package's version.
 *
 * A drop-in for upstream's header: the same names, opcode values and
 * structures, with struct iocb (64 bytes) and struct io_event (32 bytes) at
 * the Linux x86_64 offsets. Link with -laio (mingw: libaio.dll.a) or aio.lib
 * (MSVC); run with aio.dll.
 *
 * Differences a Windows build needs, all guarded:
 *  - `long` is 32 bits on Windows, so the 64-bit slots (nbytes, res, res2)
 *    are `unsigned long long`; a negative errno in res reads back negative
 *    through (long), (ssize_t) and (long long).
 *  - Errors are the negated errno values of the Windows C runtime's
 *    <errno.h> (EAGAIN 11, EINVAL 22, ECANCELED 105, EOPNOTSUPP 130, ...).
 *  - struct iovec (when no <sys/uio.h> is available) and RWF_* are
 *    supplied when the platform lacks them; io_pgetevents takes any
 *    sigset_t the program defines (see LIBAIO_SIGSET_T).
 *  - io_setup() and io_queue_init() pass the caller's _get_osfhandle, so
 *    that fds resolve in the program's own C runtime (msvcrt or ucrt, static
 *    or dynamic). Define LIBAIO_WIN32_NO_CRT_BINDING to call the plain
 *    exports instead.
 *  - Open flags: the C runtimes keep O_APPEND to themselves and have no
 *    O_DIRECT, O_DSYNC or O_SYNC. This header defines the latter, and
 *    aio_open() opens through the caller's runtime (in binary mode unless
 *    _O_TEXT is asked for: Linux has no text mode) and tells the library the
 *    flags; aio_fd_set_flags() does so for an fd opened otherwise. The
 *    global open() is aio_open() in every file that includes this header: a
 *    macro in C, an assembler name on the runtime's declaration in C++ (GCC,
 *    clang), so that members called open are untouched. Define
 *    LIBAIO_WIN32_NO_OPEN_WRAPPER to keep the runtime's own open() (in C,
 *    e.g. where a struct member is called open).
 */
#ifndef __LIBAIO_H
#define __LIBAIO_H

/* The libaio release whose API (names, values, layouts) this header gives. */
#define LIBAIO_WIN32_LIBAIO_API "0.3.113"
/* This package's version: the crate's (Cargo.toml), checked by tests/header/check.sh. */
#define LIBAIO_WIN32_VERSION_MAJOR 0
#define LIBAIO_WIN32_VERSION_MINOR 1
#define LIBAIO_WIN32_VERSION_PATCH 0
#define LIBAIO_WIN32_VERSION "0.1.0"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#ifdef _WIN32
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdarg.h>
#include <stdlib.h>
/* read(), write() and close() that know eventfds and tell the library when
 * an fd is closed, and _get_osfhandle guarded for a bad fd. */
#include "libaio-win32/fdio.h"
#endif

#if defined(__has_include)
#if __has_include(<sys/uio.h>)
#include <sys/uio.h>
#define LIBAIO_WIN32_HAVE_SYS_UIO 1
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && !defined(LIBAIO_WIN32_STATIC)
#define LIBAIO_API __declspec(dllimport)
#else
#define LIBAIO_API
#endif

/* MSVC compiling C before /std:c11 knows only __inline. */
#if defined(_MSC_VER) && !defined(__cplusplus)
#define LIBAIO_INLINE static __inline
#else
#define LIBAIO_INLINE static inline
#endif

struct timespec;
struct sockaddr;
struct iovec;

/* Windows has no <sys/uio.h>: supply struct iovec unless the program's
 * include path has one (fio's Windows build ships its own). */
#if defined(_WIN32) && !defined(LIBAIO_WIN32_HAVE_SYS_UIO) && !defined(LIBAIO_WIN32_NO_IOVEC) && \
    !defined(LIBAIO_WIN32_IOVEC_DEFINED)
#define LIBAIO_WIN32_IOVEC_DEFINED 1
struct iovec {
	void *iov_base;
	size_t iov_len;
};
#endif

/* io_pgetevents' signal mask. Windows has no signals (the mask is accepted
 * and ignored) and no sigset_t but mingw-w64's under _POSIX. Ported programs
 * bring their own (fio: typedef int sigset_t), included before this header
 * in some files and after it in others, and any typedef here would clash
 * with theirs; so on Windows the parameter takes a pointer to whatever
 * sigset_t the program has, or NULL. */
#ifdef _WIN32
#define LIBAIO_SIGSET_T void
#else
#define LIBAIO_SIGSET_T sigset_t
#endif

typedef struct io_context *io_context_t;

typedef enum io_iocb_cmd {
	IO_CMD_PREAD = 0,
	IO_CMD_PWRITE = 1,

	IO_CMD_FSYNC = 2,
	IO_CMD_FDSYNC = 3,

	IO_CMD_POLL = 5,
	IO_CMD_NOOP = 6,
	IO_CMD_PREADV = 7,
	IO_CMD_PWRITEV = 8,
} io_iocb_cmd_t;

/* Flags in iocb->u.c.flags. */
#ifndef IOCB_FLAG_RESFD
#define IOCB_FLAG_RESFD (1 << 0)
#endif
#ifndef IOCB_FLAG_IOPRIO
#define IOCB_FLAG_IOPRIO (1 << 1)
#endif

/* Flags in iocb->aio_rw_flags (io_prep_preadv2/pwritev2). */
#ifndef RWF_HIPRI
#define RWF_HIPRI 0x00000001
#endif
#ifndef RWF_DSYNC
#define RWF_DSYNC 0x00000002
#endif
#ifndef RWF_SYNC
#define RWF_SYNC 0x00000004
#endif
#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008
#endif
#ifndef RWF_APPEND
#define RWF_APPEND 0x00000010
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
#ifndef RWF_NOSIGNAL
#define RWF_NOSIGNAL 0x00000100
#endif

struct io_iocb_poll {
	int events, __pad1;
}; /* result code is the set of result flags or -'ve errno */

struct io_iocb_sockaddr {
	struct sockaddr *addr;
	int len;
}; /* result code is the length of the sockaddr, or -'ve errno */

struct io_iocb_common {
	void *buf;
	unsigned long long nbytes;
	long long offset;
	long long __pad3;
	unsigned flags;
	unsigned resfd;
}; /* result code is the amount read or -'ve errno */

/* nr is 64 bits, as upstream's `unsigned long nr` on Linux x86_64: the
 * kernel reads the whole slot (aio_nbytes), so an int here would leave 4
 * bytes of whatever the iocb held before. */
struct io_iocb_vector {
	const struct iovec *vec;
	unsigned long long nr;
	long long offset;
}; /* result code is the amount read or -'ve errno */

struct iocb {
	void *data; /* Return in the io completion event */
	/* key: For use in identifying io requests */
	/* aio_rw_flags: RWF_* flags (such as RWF_NOWAIT) */
	unsigned key, aio_rw_flags;

	short aio_lio_opcode;
	short aio_reqprio;
	int aio_fildes;

	union {
		struct io_iocb_common c;
		struct io_iocb_vector v;
		struct io_iocb_poll poll;
		struct io_iocb_sockaddr saddr;
	} u;
};

struct io_event {
	void *data;
	struct iocb *obj;
	unsigned long long res;
	unsigned long long res2;
};

/* The layout is the ABI: checked at compile time. */
typedef char libaio_win32_check_iocb_size[sizeof(struct iocb) == 64 ? 1 : -1];
typedef char libaio_win32_check_event_size[sizeof(struct io_event) == 32 ? 1 : -1];
typedef char libaio_win32_check_opcode[offsetof(struct iocb, aio_lio_opcode) == 16 ? 1 : -1];
typedef char libaio_win32_check_fildes[offsetof(struct iocb, aio_fildes) == 20 ? 1 : -1];
typedef char libaio_win32_check_buf[offsetof(struct iocb, u.c.buf) == 24 ? 1 : -1];
typedef char libaio_win32_check_nbytes[offsetof(struct iocb, u.c.nbytes) == 32 ? 1 : -1];
typedef char libaio_win32_check_offset[offsetof(struct iocb, u.c.offset) == 40 ? 1 : -1];
typedef char libaio_win32_check_flags[offsetof(struct iocb, u.c.flags) == 56 ? 1 : -1];
typedef char libaio_win32_check_resfd[offsetof(struct iocb, u.c.resfd) == 60 ? 1 : -1];
typedef char libaio_win32_check_vnr[offsetof(struct iocb, u.v.nr) == 32 ? 1 : -1];
typedef char libaio_win32_check_vnr_size[sizeof(((struct iocb *)0)->u.v.nr) == 8 ? 1 : -1];
typedef char libaio_win32_check_voffset[offsetof(struct iocb, u.v.offset) == 40 ? 1 : -1];
typedef char libaio_win32_check_res[offsetof(struct io_event, res) == 16 ? 1 : -1];
typedef char libaio_win32_check_res2[offsetof(struct io_event, res2) == 24 ? 1 : -1];

typedef void (*io_callback_t)(io_context_t ctx, struct iocb *iocb, long res, long res2);

/* library interfaces */
LIBAIO_API int io_queue_init(int maxevents, io_context_t *ctxp);
LIBAIO_API int io_queue_release(io_context_t ctx);
LIBAIO_API int io_queue_run(io_context_t ctx);
LIBAIO_API int io_queue_wait(io_context_t ctx, struct timespec *timeout);

/* the system call interfaces */
LIBAIO_API int io_setup(int maxevents, io_context_t *ctxp);
LIBAIO_API int io_destroy(io_context_t ctx);
LIBAIO_API int io_submit(io_context_t ctx, long nr, struct iocb *ios[]);
LIBAIO_API int io_cancel(io_context_t ctx, struct iocb *iocb, struct io_event *evt);
LIBAIO_API int io_getevents(io_context_t ctx_id, long min_nr, long nr, struct io_event *events,
			    struct timespec *timeout);
LIBAIO_API int io_pgetevents(io_context_t ctx_id, long min_nr, long nr, struct io_event *events,
			     struct timespec *timeout, LIBAIO_SIGSET_T *sigmask);

LIBAIO_INLINE void io_set_callback(struct iocb *iocb, io_callback_t cb)
{
	iocb->data = (void *)cb;
}

LIBAIO_INLINE void io_prep_pread(struct iocb *iocb, int fd, void *buf, size_t count, long long offset)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_PREAD;
	iocb->aio_reqprio = 0;
	iocb->u.c.buf = buf;
	iocb->u.c.nbytes = count;
	iocb->u.c.offset = offset;
}

LIBAIO_INLINE void io_prep_pwrite(struct iocb *iocb, int fd, void *buf, size_t count, long long offset)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_PWRITE;
	iocb->aio_reqprio = 0;
	iocb->u.c.buf = buf;
	iocb->u.c.nbytes = count;
	iocb->u.c.offset = offset;
}

LIBAIO_INLINE void io_prep_preadv(struct iocb *iocb, int fd, const struct iovec *iov, int iovcnt, long long offset)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_PREADV;
	iocb->aio_reqprio = 0;
	iocb->u.c.buf = (void *)iov;
	iocb->u.c.nbytes = iovcnt;
	iocb->u.c.offset = offset;
}

LIBAIO_INLINE void io_prep_pwritev(struct iocb *iocb, int fd, const struct iovec *iov, int iovcnt, long long offset)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_PWRITEV;
	iocb->aio_reqprio = 0;
	iocb->u.c.buf = (void *)iov;
	iocb->u.c.nbytes = iovcnt;
	iocb->u.c.offset = offset;
}

LIBAIO_INLINE void io_prep_preadv2(struct iocb *iocb, int fd, const struct iovec *iov, int iovcnt, long long offset,
				   int flags)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_PREADV;
	iocb->aio_reqprio = 0;
	iocb->aio_rw_flags = flags;
	iocb->u.c.buf = (void *)iov;
	iocb->u.c.nbytes = iovcnt;
	iocb->u.c.offset = offset;
}

LIBAIO_INLINE void io_prep_pwritev2(struct iocb *iocb, int fd, const struct iovec *iov, int iovcnt, long long offset,
				    int flags)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_PWRITEV;
	iocb->aio_reqprio = 0;
	iocb->aio_rw_flags = flags;
	iocb->u.c.buf = (void *)iov;
	iocb->u.c.nbytes = iovcnt;
	iocb->u.c.offset = offset;
}

/* IO_CMD_POLL takes and reports Linux's POLL* bits: that is the ABI.
 * Winsock's <winsock2.h> defines POLLIN, POLLOUT... for WSAPoll with other
 * values (POLLIN 0x300, POLLOUT 0x10, POLLERR 0x1, POLLHUP 0x2), so a
 * Windows program that includes it writes the LIBAIO_POLL* names below
 * (or the numbers) in u.poll.events and in its checks of res. On Windows,
 * fd may be a C runtime fd (a file, a pipe), an eventfd, or a Winsock
 * SOCKET cast to int: a value that names an open C runtime fd is that fd,
 * any other is taken as a SOCKET if Winsock knows it. */
#define LIBAIO_POLLIN 0x001
#define LIBAIO_POLLPRI 0x002
#define LIBAIO_POLLOUT 0x004
#define LIBAIO_POLLERR 0x008
#define LIBAIO_POLLHUP 0x010
#define LIBAIO_POLLRDNORM 0x040
#define LIBAIO_POLLRDBAND 0x080
#define LIBAIO_POLLWRNORM 0x100
#define LIBAIO_POLLWRBAND 0x200
#define LIBAIO_POLLRDHUP 0x2000

LIBAIO_INLINE void io_prep_poll(struct iocb *iocb, int fd, int events)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_POLL;
	iocb->aio_reqprio = 0;
	iocb->u.poll.events = events;
}

LIBAIO_INLINE int io_poll(io_context_t ctx, struct iocb *iocb, io_callback_t cb, int fd, int events)
{
	io_prep_poll(iocb, fd, events);
	io_set_callback(iocb, cb);
	return io_submit(ctx, 1, &iocb);
}

LIBAIO_INLINE void io_prep_fsync(struct iocb *iocb, int fd)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_FSYNC;
	iocb->aio_reqprio = 0;
}

LIBAIO_INLINE int io_fsync(io_context_t ctx, struct iocb *iocb, io_callback_t cb, int fd)
{
	io_prep_fsync(iocb, fd);
	io_set_callback(iocb, cb);
	return io_submit(ctx, 1, &iocb);
}

LIBAIO_INLINE void io_prep_fdsync(struct iocb *iocb, int fd)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_FDSYNC;
	iocb->aio_reqprio = 0;
}

LIBAIO_INLINE int io_fdsync(io_context_t ctx, struct iocb *iocb, io_callback_t cb, int fd)
{
	io_prep_fdsync(iocb, fd);
	io_set_callback(iocb, cb);
	return io_submit(ctx, 1, &iocb);
}

LIBAIO_INLINE void io_set_eventfd(struct iocb *iocb, int eventfd)
{
	iocb->u.c.flags |= IOCB_FLAG_RESFD;
	iocb->u.c.resfd = eventfd;
}

#ifdef _WIN32
/*
 * Windows additions. A C runtime fd means something only to the runtime
 * that issued it, and a process may hold several; a context therefore
 * resolves fds with the function given here (the caller's _get_osfhandle,
 * or anything with its contract: -1 for an fd that is not open). NULL
 * means the process's default runtime.
 */
typedef intptr_t(__cdecl *io_win32_fd_resolver)(int fd);
LIBAIO_API int io_win32_setup(int maxevents, io_context_t *ctxp, io_win32_fd_resolver resolver);
LIBAIO_API int io_win32_queue_init(int maxevents, io_context_t *ctxp, io_win32_fd_resolver resolver);

/* _get_osfhandle in this module's own C runtime, with the ucrt's
 * process-ending invalid-parameter handler silenced (libaio-win32/fdio.h). */
#define io_win32__osfhandle io_win32__fdio_osfhandle

#ifndef LIBAIO_WIN32_NO_CRT_BINDING
#define io_setup(maxevents, ctxp) io_win32_setup((maxevents), (ctxp), io_win32__osfhandle)
#define io_queue_init(maxevents, ctxp) io_win32_queue_init((maxevents), (ctxp), io_win32__osfhandle)
#endif

/* Open flags Windows lacks, in bits its C runtimes do not use. O_DIRECT and
 * O_SYNC are spelled exactly as fio's os/os-windows.h spells them, so that a
 * program which defines them the same way compiles with either first. */
#ifndef O_DIRECT
#define O_DIRECT 0x1000000
#endif
#ifndef O_SYNC
#define O_SYNC 0x2000000
#endif
#ifndef O_DSYNC
#define O_DSYNC 0x4000000
#endif
#define LIBAIO_WIN32_OPEN_EXTRA (O_DIRECT | O_DSYNC | O_SYNC)

/* Records a handle's open flags (O_APPEND, O_DIRECT, O_DSYNC, O_SYNC) for
 * the requests on it; 0, or -EBADF. */
LIBAIO_API int io_win32_set_handle_flags(void *handle, int flags);

/* An fd the API accepts for a HANDLE the program opened itself with
 * CreateFile (with or without FILE_FLAG_OVERLAPPED or FILE_FLAG_NO_BUFFERING,
 * bound to a completion port of the program's own or not), with its open
 * flags (O_DIRECT, O_DSYNC, O_SYNC, O_APPEND; the access mode comes from the
 * handle). The program keeps the handle open until it releases the fd with
 * io_win32_handle_release(). Returns the fd, or -EBADF. */
LIBAIO_API int io_win32_handle_fd(void *handle, int flags);
LIBAIO_API int io_win32_handle_release(int fd);

/* Tells the library the open flags of an fd the program already has. */
LIBAIO_INLINE int aio_fd_set_flags(int fd, int flags)
{
	intptr_t handle = io_win32__osfhandle(fd);
	if (handle == -1 || handle == -2)
		return -EBADF;
	return io_win32_set_handle_flags((void *)handle, flags);
}

/* The C runtimes' text modes. Linux has none: a file opened without one of
 * them is opened in binary mode (no CRLF translation, no end at a 0x1A byte),
 * whatever the runtime's default (_fmode). */
#ifdef _O_WTEXT
#define LIBAIO_WIN32__TEXT_MODES (_O_TEXT | _O_WTEXT | _O_U16TEXT | _O_U8TEXT)
#else
#define LIBAIO_WIN32__TEXT_MODES _O_TEXT
#endif

/* Opens through this module's own C runtime, then records the flags the
 * runtime cannot hold. If they cannot be recorded the fd is closed and the
 * open fails, rather than give a buffered fd that looks direct. */
LIBAIO_INLINE int io_win32__open(const char *path, int flags, int mode)
{
	int crt_flags = flags & ~LIBAIO_WIN32_OPEN_EXTRA;
	int fd, r;
	if ((crt_flags & LIBAIO_WIN32__TEXT_MODES) == 0)
		crt_flags |= _O_BINARY;
	fd = _open(path, crt_flags, mode);
	if (fd < 0)
		return fd;
	r = aio_fd_set_flags(fd, flags);
	if (r < 0) {
		_close(fd);
		errno = -r;
		return -1;
	}
	return fd;
}

/* open() as on Linux: understands O_DIRECT, O_DSYNC and O_SYNC, remembers
 * O_APPEND for the requests this library runs on the fd, and opens in
 * binary mode unless the program asks for _O_TEXT. The fd itself comes from
 * the caller's C runtime, and its own read()/write() are the runtime's as
 * ever. The mode is read only with O_CREAT, as on Linux. */
LIBAIO_INLINE int aio_open(const char *path, int flags, ...)
{
	int mode = 0;
	if (flags & _O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	return io_win32__open(path, flags, mode);
}

#ifndef LIBAIO_WIN32_NO_OPEN_WRAPPER
/* Some runtimes' <io.h> (Wine's) make open a macro for _open: the program's
 * open() is this header's, not that. */
#ifdef open
#undef open
#endif
#ifndef __cplusplus
/* In C, open() is aio_open() in every file that includes this header. */
#define open(...) aio_open(__VA_ARGS__)
#elif defined(__GNUC__) || defined(__clang__)
/*
 * In C++ a macro would also rename members called open (std::fstream::open),
 * and an overload does not help: a two-argument open(path, flags) is
 * ambiguous between open(const char *, int) and the runtime's
 * open(const char *, int, ...). So the runtime's own declaration is given an
 * assembler name instead: every call of the global open() in a file that
 * includes this header, with any number of arguments, goes to
 * libaio_win32_open below, which is aio_open(); members are untouched.
 * (The runtime may declare open dllimport; this declaration drops that.)
 */
#define LIBAIO_WIN32__STR2(x) #x
#define LIBAIO_WIN32__STR(x) LIBAIO_WIN32__STR2(x)
#ifdef __clang__
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Winconsistent-dllimport"
#endif
int __cdecl open(const char *path, int flags, ...) __asm__(LIBAIO_WIN32__STR(__USER_LABEL_PREFIX__) "libaio_win32_open");
#ifdef __clang__
#pragma clang diagnostic pop
#endif
/* Emitted (once per program, as any inline function) even though no call
 * names it. */
__attribute__((used)) inline int __cdecl libaio_win32_open(const char *path, int flags, ...)
{
	int mode = 0;
	if (flags & _O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	return io_win32__open(path, flags, mode);
}
#else
/* C++ compilers without assembler names (cl.exe): an overload that beats the
 * runtime's open(const char *, int, ...) for open(path, flags, mode). A
 * two-argument open() cannot be overloaded unambiguously: call aio_open(). */
} /* extern "C" */
extern "C++" inline int open(const char *path, int flags, int mode)
{
	return io_win32__open(path, flags, mode);
}
extern "C" {
#endif
#endif /* LIBAIO_WIN32_NO_OPEN_WRAPPER */
#endif /* _WIN32 */

#ifdef __cplusplus
}
#endif

#endif /* __LIBAIO_H */
