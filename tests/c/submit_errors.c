/* io_submit: every argument error Linux reports at submission, in Linux's
 * order of checks, and partial batches. */
#include "harness.h"

static io_context_t ctx;
static struct io_event ev[16];

static long long submit1(struct iocb *cb)
{
	struct iocb *cbs[1] = { cb };
	return io_submit(ctx, 1, cbs);
}

/* Submits, and reaps the event when accepted; returns the submit result. */
static void try_submit(const char *what, struct iocb *cb)
{
	long long r = submit1(cb);
	if (r == 1) {
		reap(ctx, ev, 1);
		printf("%s: accepted, res %s\n", what, result_text(event_res(&ev[0])));
	} else {
		show(what, r);
	}
}

int main(void)
{
	static char buf[8192];
	struct iocb cb, cb2;
	struct iocb *cbs[4];
	int rw, ro, wo;

	make_file("data", 8192, 2);
	rw = open_file("data", O_RDWR);
	ro = open_file("data", O_RDONLY);
	wo = open_file("data", O_WRONLY);
	CHECK(rw >= 0 && ro >= 0 && wo >= 0);
	CHECK(io_setup(16, &ctx) == 0);

	io_prep_pread(&cb, rw, buf, 512, 0);
	cbs[0] = &cb;
	show("nr -1", io_submit(ctx, -1, cbs));
	show("nr 0", io_submit(ctx, 0, cbs));
	show("nr 0, NULL array", io_submit(ctx, 0, NULL));
	show("NULL ctx", io_submit(NULL, 1, cbs));
	show("garbage ctx", io_submit((io_context_t)unmapped_address(), 1, cbs));
	show("garbage ctx, nr -1", io_submit((io_context_t)unmapped_address(), -1, cbs));
	show("NULL array", io_submit(ctx, 1, NULL));
	show("unmapped array", io_submit(ctx, 1, (struct iocb **)unmapped_address()));
	cbs[0] = (struct iocb *)unmapped_address();
	show("unmapped iocb", io_submit(ctx, 1, cbs));
	cbs[0] = NULL;
	show("NULL iocb", io_submit(ctx, 1, cbs));

	io_prep_pread(&cb, 999, buf, 512, 0);
	try_submit("bad fd", &cb);
	io_prep_pread(&cb, -1, buf, 512, 0);
	try_submit("fd -1", &cb);
	io_prep_pread(&cb, rw, buf, 512, 0);
	cb.aio_lio_opcode = 4;
	try_submit("opcode 4", &cb);
	cb.aio_lio_opcode = 99;
	try_submit("opcode 99", &cb);
	cb.aio_lio_opcode = -1;
	try_submit("opcode -1", &cb);
	cb.aio_lio_opcode = IO_CMD_NOOP;
	try_submit("IO_CMD_NOOP", &cb);
	cb.aio_lio_opcode = 99;
	cb.aio_fildes = 999;
	try_submit("bad opcode and bad fd", &cb);

	io_prep_pread(&cb, rw, buf, 512, 0);
	cb.u.c.__pad3 = 1;
	try_submit("reserved field set", &cb);
	cb.aio_fildes = 999;
	try_submit("reserved field set and bad fd", &cb);

	io_prep_pread(&cb, rw, buf, 512, -1);
	try_submit("negative offset", &cb);
	io_prep_pread(&cb, rw, buf, 512, 0x7fffffffffffff00LL);
	try_submit("offset + count overflows", &cb);
	io_prep_pread(&cb, rw, buf, 0, 0);
	cb.u.c.nbytes = (unsigned long long)-1;
	try_submit("negative nbytes", &cb);

	io_prep_pread(&cb, wo, buf, 512, 0);
	try_submit("read on O_WRONLY", &cb);
	io_prep_pwrite(&cb, ro, buf, 512, 0);
	try_submit("write on O_RDONLY", &cb);
	io_prep_pread(&cb, ro, buf, 512, 0);
	try_submit("read on O_RDONLY", &cb);
	io_prep_pwrite(&cb, wo, buf, 512, 8192);
	try_submit("write on O_WRONLY", &cb);

	/* RWF_* flags. */
	struct iovec iov = { buf, 512 };
	io_prep_preadv2(&cb, rw, &iov, 1, 0, 0x4000000);
	try_submit("unknown RWF bit", &cb);
	io_prep_preadv2(&cb, rw, &iov, 1, 0, 0x80000000);
	try_submit("high RWF bit", &cb);
	io_prep_pwritev2(&cb, rw, &iov, 1, 0, RWF_APPEND | RWF_NOAPPEND);
	try_submit("RWF_APPEND|RWF_NOAPPEND", &cb);
	io_prep_pwritev2(&cb, rw, &iov, 1, 0, RWF_ATOMIC);
	try_submit("RWF_ATOMIC on a buffered file", &cb);
	io_prep_preadv2(&cb, rw, &iov, 1, 0, RWF_ATOMIC);
	try_submit("RWF_ATOMIC on a read", &cb);
	io_prep_preadv2(&cb, wo, &iov, 1, 0, 0x4000000);
	try_submit("unknown RWF bit on O_WRONLY read", &cb);
	io_prep_preadv2(&cb, rw, &iov, 1, 0, RWF_HIPRI);
	try_submit("RWF_HIPRI read", &cb);
	io_prep_pwritev2(&cb, rw, &iov, 1, 0, RWF_DSYNC);
	try_submit("RWF_DSYNC write", &cb);
	io_prep_pwritev2(&cb, rw, &iov, 1, 0, RWF_SYNC);
	try_submit("RWF_SYNC write", &cb);

	/* I/O priorities. */
	io_prep_pread(&cb, rw, buf, 512, 0);
	cb.u.c.flags |= IOCB_FLAG_IOPRIO;
	cb.aio_reqprio = (short)(2 << 13 | 4);
	try_submit("IOPRIO best-effort 4", &cb);
	cb.aio_reqprio = (short)(3 << 13);
	try_submit("IOPRIO idle", &cb);
	cb.aio_reqprio = (short)(5 << 13);
	try_submit("IOPRIO class 5", &cb);
	cb.aio_reqprio = 3;
	try_submit("IOPRIO class none with a level", &cb);

	/* Vectored argument errors. */
	io_prep_preadv(&cb, rw, &iov, 1025, 0);
	try_submit("1025 iovecs", &cb);
	io_prep_preadv(&cb, rw, (struct iovec *)unmapped_address(), 2, 0);
	try_submit("unmapped iovec array", &cb);
	struct iovec bad_len[2] = { { buf, 512 }, { buf, (size_t)-1 } };
	io_prep_preadv(&cb, rw, bad_len, 2, 0);
	try_submit("negative iov_len", &cb);
	io_prep_preadv(&cb, rw, NULL, 0, 0);
	try_submit("0 iovecs", &cb);

	/* Sync with arguments it does not take, and eventfd flags. */
	io_prep_fsync(&cb, rw);
	cb.u.c.offset = 1;
	try_submit("fsync with an offset", &cb);
	io_prep_fsync(&cb, rw);
	cb.u.c.buf = buf;
	try_submit("fsync with a buffer", &cb);
	io_prep_fdsync(&cb, rw);
	cb.aio_rw_flags = RWF_DSYNC;
	try_submit("fdsync with rw flags", &cb);
	io_prep_fsync(&cb, 999);
	try_submit("fsync bad fd", &cb);
	io_prep_pread(&cb, rw, buf, 512, 0);
	io_set_eventfd(&cb, 999);
	try_submit("resfd not open", &cb);
	io_prep_pread(&cb, rw, buf, 512, 0);
	io_set_eventfd(&cb, ro);
	try_submit("resfd not an eventfd", &cb);

	/* Poll on a regular file: always ready for reading and writing. */
	io_prep_poll(&cb, rw, 0x1 /* POLLIN */);
	try_submit("poll POLLIN", &cb);
	io_prep_poll(&cb, rw, 0x4 | 0x1);
	try_submit("poll POLLIN|POLLOUT", &cb);
	io_prep_poll(&cb, rw, 0x10000);
	try_submit("poll events above 16 bits", &cb);
	/* A regular file is ready for reading and writing, never for POLLPRI
	 * or POLLRDHUP: a poll for only those is refused (no poll method). */
	io_prep_poll(&cb, rw, 0x2 /* POLLPRI */);
	try_submit("poll POLLPRI on a file", &cb);
	io_prep_poll(&cb, rw, 0x2000 | 0x8 /* POLLRDHUP|POLLERR */);
	try_submit("poll POLLRDHUP|POLLERR on a file", &cb);
	io_prep_poll(&cb, rw, 0x1);
	cb.u.c.offset = 1;
	try_submit("poll with an offset", &cb);

	/* The key is written back as 0. */
	io_prep_pread(&cb, rw, buf, 512, 0);
	cb.key = 77;
	try_submit("key preset", &cb);
	printf("key after submit %u\n", cb.key);

	/* Batches: stop at the first failure; a failure first is the answer. */
	io_prep_pread(&cb, rw, buf, 512, 0);
	io_prep_pread(&cb2, 999, buf, 512, 0);
	cbs[0] = &cb;
	cbs[1] = &cb2;
	cbs[2] = &cb;
	show("batch good, bad, good", io_submit(ctx, 3, cbs));
	reap(ctx, ev, 1);
	cbs[0] = &cb2;
	cbs[1] = &cb;
	show("batch bad, good", io_submit(ctx, 2, cbs));
	cbs[0] = &cb;
	cbs[1] = (struct iocb *)unmapped_address();
	show("batch good, unmapped", io_submit(ctx, 2, cbs));
	reap(ctx, ev, 1);

	struct timespec zero = { 0, 0 };
	show("nothing left over", io_getevents(ctx, 0, 16, ev, &zero));

	CHECK(io_destroy(ctx) == 0);
	io_prep_pread(&cb, rw, buf, 512, 0);
	cbs[0] = &cb;
	show("destroyed ctx", io_submit(ctx, 1, cbs));
	return 0;
}
