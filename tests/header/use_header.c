/* Uses every declaration of include/libaio.h; compiled as C and as C++,
 * with -Wall -Wextra -Werror, in several configurations (tests/header/check.sh).
 * Linked against aio.dll so that every declared function exists. */
#ifdef OWN_OS_LAYER_FIRST
#include "fio_style_os.h"
#endif
#include <libaio.h>
#ifdef OWN_OS_LAYER_AFTER
#include "fio_style_os.h"
#endif
#include <stdio.h>

/* A sigset_t exists when the program brings one, or with mingw's _POSIX. */
#if defined(OWN_OS_LAYER_FIRST) || defined(OWN_OS_LAYER_AFTER) || defined(_POSIX)
#define HAVE_SIGSET_T 1
#endif

static void callback(io_context_t ctx, struct iocb *iocb, long res, long res2)
{
	(void)ctx;
	(void)iocb;
	(void)res;
	(void)res2;
}

#ifdef CHECK_OPEN_MEMBER
/* Code with a member called open: fine in C++ (no open() wrapper there)
 * and in C with LIBAIO_WIN32_NO_OPEN_WRAPPER. */
struct ops {
	int (*open)(const char *path, int flags);
};
static int open_nothing(const char *path, int flags)
{
	(void)path;
	return flags;
}
#endif

int main(void)
{
	io_context_t ctx = 0;
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev = { 0, 0, 0, 0 };
	struct iovec iov[1];
	struct timespec ts = { 0, 0 };
#ifdef HAVE_SIGSET_T
	sigset_t set;
	memset(&set, 0, sizeof set);
#endif
	char buf[16];

	iov[0].iov_base = buf;
	iov[0].iov_len = sizeof buf;
	io_prep_pread(&cb, 0, buf, sizeof buf, 0);
	io_prep_pwrite(&cb, 0, buf, sizeof buf, 0);
	io_prep_preadv(&cb, 0, iov, 1, 0);
	io_prep_pwritev(&cb, 0, iov, 1, 0);
	io_prep_preadv2(&cb, 0, iov, 1, 0, RWF_HIPRI | RWF_NOWAIT);
	io_prep_pwritev2(&cb, 0, iov, 1, 0, RWF_DSYNC | RWF_SYNC | RWF_APPEND | RWF_NOAPPEND | RWF_ATOMIC | RWF_DONTCACHE);
	io_prep_fsync(&cb, 0);
	io_prep_fdsync(&cb, 0);
	io_prep_poll(&cb, 0, 1);
	io_set_callback(&cb, callback);
	io_set_eventfd(&cb, 3);
	cb.u.c.flags |= IOCB_FLAG_IOPRIO;
	int opcodes = IO_CMD_PREAD + IO_CMD_PWRITE + IO_CMD_FSYNC + IO_CMD_FDSYNC + IO_CMD_POLL + IO_CMD_NOOP +
		      IO_CMD_PREADV + IO_CMD_PWRITEV;
	if (io_queue_init(4, &ctx) == 0) {
		io_queue_run(ctx);
		io_queue_wait(ctx, &ts);
		io_fsync(ctx, &cb, callback, -1);
		io_fdsync(ctx, &cb, callback, -1);
		io_poll(ctx, &cb, callback, -1, 1);
		io_submit(ctx, 1, cbs);
		io_cancel(ctx, &cb, &ev);
		io_getevents(ctx, 0, 1, &ev, &ts);
		io_pgetevents(ctx, 0, 1, &ev, &ts, NULL);
#ifdef HAVE_SIGSET_T
		io_pgetevents(ctx, 0, 1, &ev, &ts, &set);
#endif
		io_queue_release(ctx);
	}
	ctx = 0;
	if (io_setup(4, &ctx) == 0)
		io_destroy(ctx);
	int fd = aio_open("use_header.tmp", O_RDWR | O_CREAT | O_DIRECT | O_DSYNC | O_SYNC, 0644);
	if (fd >= 0)
		aio_fd_set_flags(fd, O_APPEND);
	int hfd = io_win32_handle_fd((void *)_get_osfhandle(fd), O_DIRECT);
	io_win32_handle_release(hfd);
#ifdef CHECK_OPEN_MEMBER
	struct ops ops = { open_nothing };
	opcodes += ops.open("x", 0);
#endif
	long res = (long)ev.res;
	long long res64 = (long long)ev.res;
	printf("%d %ld %lld %d %d\n", opcodes, res, res64, (int)sizeof(struct iocb), (int)sizeof(struct io_event));
	return 0;
}
