/*
 * The seeded iocb fuzzer shared by fuzz_diff.c (the differential part:
 * Linux defines every answer, outputs compared) and fuzz_chaos.c (every
 * field random, checked for no crash, no hang, a count or a negative errno
 * from every call and exactly one event per accepted iocb).
 *
 * Memory: each iocb position has its own 16 KiB data buffer followed by an
 * inaccessible guard page (so even a huge length stops there, the same way
 * on both systems); a read-only page holds an iocb and an iovec array; an
 * unmapped range and an address above the user range stand for the bad
 * pointers.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include "rel.h"

#define FZ_MAX 4 /* iocbs a batch */
#define FZ_BUF 16384
#define FZ_FILES 5 /* rw, read-only, write-only, rw, O_DIRECT (chaos only) */

static int fz_chaos;
static struct rel_rng fz_rng;
static int fz_fds[FZ_FILES];
static unsigned char *fz_bufs[FZ_MAX];
static unsigned char *fz_ro_page;
static void *fz_unmapped;
static struct iovec *fz_iov_pages[FZ_MAX];

static const char *fz_file_names[FZ_FILES] = { "fz-rw", "fz-ro", "fz-wo", "fz-rw2", "fz-direct" };

static inline unsigned long long fz_pick(const unsigned long long *v, int n)
{
	return v[rel_below(&fz_rng, (unsigned long long)n)];
}
#define FZ_PICK(arr) fz_pick(arr, (int)(sizeof arr / sizeof arr[0]))

static inline int fz_percent(int p)
{
	return (int)rel_below(&fz_rng, 100) < p;
}

static inline void fz_setup(void)
{
	for (int f = 0; f < FZ_FILES; f++)
		make_file(fz_file_names[f], 12288, 100 + f);
	fz_fds[0] = open_file("fz-rw", O_RDWR);
	fz_fds[1] = open_file("fz-ro", O_RDONLY);
	fz_fds[2] = open_file("fz-wo", O_WRONLY);
	fz_fds[3] = open_file("fz-rw2", O_RDWR);
	fz_fds[4] = fz_chaos ? open_file("fz-direct", O_RDWR | O_DIRECT) : -1;
	for (int f = 0; f < (fz_chaos ? FZ_FILES : FZ_FILES - 1); f++)
		REL_CHECK(fz_fds[f] >= 0, "open %s: %s", fz_file_names[f], errno_name(errno));
	for (int i = 0; i < FZ_MAX; i++) {
		unsigned char *p = rel_pages(FZ_BUF / 4096 + 1);
		rel_protect(p + FZ_BUF, 1, 0, 0);
		fz_bufs[i] = p;
		fz_iov_pages[i] = rel_pages(1);
	}
	/* The read-only page: an iovec array pointing into the page itself
	 * (readable, not writable), then a plain read iocb. */
	fz_ro_page = rel_pages(1);
	struct iovec *iov = (struct iovec *)fz_ro_page;
	for (int i = 0; i < 4; i++) {
		iov[i].iov_base = fz_ro_page + 1024 + i * 512;
		iov[i].iov_len = 512;
	}
	memset(fz_ro_page + 1024, 'R', 2048);
	io_prep_pread((struct iocb *)(fz_ro_page + 3072), fz_fds[0], fz_ro_page + 1024, 512, 0);
	rel_protect(fz_ro_page, 1, 0, 1);
	fz_unmapped = rel_inaccessible();
}

/* A bad pointer: NULL, unmapped, read-only, or above the user range. */
static inline void *fz_bad_pointer(int allow_readonly)
{
	switch (rel_below(&fz_rng, allow_readonly ? 4 : 3)) {
	case 0: return NULL;
	case 1: return fz_unmapped;
	case 2: return REL_KERNEL_ADDRESS;
	default: return fz_ro_page + 1024;
	}
}

/* What a pointer the fuzzer made is, in words (for the printed record). */
static inline const char *fz_pointer_name(const void *p)
{
	if (p == NULL)
		return "null";
	if (p == fz_unmapped)
		return "unmapped";
	if (p == REL_KERNEL_ADDRESS)
		return "kernel";
	if ((const unsigned char *)p == fz_ro_page)
		return "readonly-iovecs";
	if ((const unsigned char *)p >= fz_ro_page && (const unsigned char *)p < fz_ro_page + 4096)
		return "readonly";
	for (int i = 0; i < FZ_MAX; i++)
		if ((const void *)fz_iov_pages[i] == p)
			return "iovecs";
	return "ok";
}

/* One random iocb for position `pos`, on file slot `slot`. */
static inline void fz_iocb(struct iocb *cb, int pos, int slot)
{
	static const unsigned long long opcodes[] = { IO_CMD_PREAD, IO_CMD_PREAD, IO_CMD_PREAD, IO_CMD_PWRITE,
						      IO_CMD_PWRITE, IO_CMD_PREADV, IO_CMD_PREADV, IO_CMD_PWRITEV,
						      IO_CMD_PWRITEV, IO_CMD_FSYNC, IO_CMD_FDSYNC, IO_CMD_POLL,
						      IO_CMD_NOOP, 4, 9, 0x7fff };
	static const unsigned long long small_lengths[] = { 0, 1, 511, 512, 4096, 4097, 8192, FZ_BUF };
	static const unsigned long long huge_lengths[] = { 1ULL << 31, 0x7ffff000, 1ULL << 40, (1ULL << 63) + 512,
							   ~0ULL };
	static const unsigned long long read_offsets[] = { 0, 512, 4095, 4096, 8192, 12288, 1 << 20,
							   (unsigned long long)-1LL, (unsigned long long)-4096LL,
							   0x7fffffffffffffffULL, 1ULL << 62 };
	static const unsigned long long write_offsets[] = { 0, 100, 512, 4096, 8192, 12288 };
	static const unsigned long long chaos_write_offsets[] = { 0, 4096, 1 << 20, 1ULL << 40,
								  (unsigned long long)-1LL, 1ULL << 62,
								  0x7fffffffffffffffULL };
	static const unsigned long long rw_flags[] = { RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_APPEND, RWF_NOAPPEND,
						       0x100, 0x80000000ULL };
	static const unsigned long long chaos_rw_flags[] = { RWF_NOWAIT, RWF_ATOMIC, RWF_DONTCACHE, 0xffffffff };
	static const unsigned long long prios[] = { (2 << 13) | 4, 3 << 13, (1 << 13) | 0, 4 << 13, (2 << 13) | 8,
						    0xffff };
	static const unsigned long long bad_fds[] = { (unsigned long long)-1, 12345, 0x7fffffff, 1000 };
	static const unsigned long long bad_nrs[] = { 0, 1025, (1ULL << 32) + 1, 1ULL << 32, (1ULL << 63) + 1,
						      0xffffffff };

	memset(cb, 0, sizeof *cb);
	cb->data = (void *)(uintptr_t)rel_next(&fz_rng);
	cb->key = (unsigned)rel_next(&fz_rng);
	cb->aio_lio_opcode = (short)FZ_PICK(opcodes);
	cb->aio_fildes = fz_percent(85) ? fz_fds[slot] : (int)FZ_PICK(bad_fds);
	int op = cb->aio_lio_opcode, writing = op == IO_CMD_PWRITE || op == IO_CMD_PWRITEV;
	unsigned char *buf = fz_bufs[pos];

	if (op == IO_CMD_PREADV || op == IO_CMD_PWRITEV) {
		struct iovec *iov = fz_iov_pages[pos];
		int nsegs = 1 + (int)rel_below(&fz_rng, 4);
		for (int i = 0; i < nsegs; i++) {
			iov[i].iov_base = fz_percent(85) ? (void *)(buf + i * 4096) : fz_bad_pointer(!writing || fz_chaos);
			iov[i].iov_len = (size_t)rel_below(&fz_rng, 4097);
			if (fz_chaos && fz_percent(5))
				iov[i].iov_len = (size_t)rel_next(&fz_rng);
		}
		void *vec = iov;
		if (fz_percent(12))
			vec = fz_percent(50) ? (void *)fz_ro_page : fz_bad_pointer(0);
		unsigned long long nr = fz_percent(80) ? (unsigned long long)nsegs : FZ_PICK(bad_nrs);
		if (writing)
			io_prep_pwritev(cb, cb->aio_fildes, (struct iovec *)vec, 1, 0);
		else
			io_prep_preadv(cb, cb->aio_fildes, (struct iovec *)vec, 1, 0);
		cb->u.c.nbytes = nr;
	} else if (op == IO_CMD_POLL) {
		cb->u.poll.events = (int)rel_below(&fz_rng, 0x10000);
		if (fz_percent(30))
			cb->u.c.nbytes = rel_below(&fz_rng, 4);
	} else {
		void *p = buf;
		unsigned long long len;
		if (fz_percent(80)) {
			len = FZ_PICK(small_lengths);
			if (fz_chaos && fz_percent(15))
				len = FZ_PICK(huge_lengths);
		} else {
			p = fz_bad_pointer(!writing || fz_chaos);
			len = FZ_PICK(small_lengths);
			if (fz_chaos && fz_percent(30))
				len = FZ_PICK(huge_lengths);
		}
		if (!fz_chaos && fz_percent(5))
			len = (1ULL << 63) + 4096; /* negative as ssize_t: -EINVAL at submit */
		if (op != IO_CMD_FSYNC && op != IO_CMD_FDSYNC) {
			cb->u.c.buf = p;
			cb->u.c.nbytes = len;
		} else if (fz_percent(20)) { /* a sync with fields that must be 0 */
			cb->u.c.nbytes = len;
		}
	}
	if (op != IO_CMD_POLL && op != IO_CMD_FSYNC && op != IO_CMD_FDSYNC) {
		if (writing)
			cb->u.c.offset = (long long)(fz_chaos ? FZ_PICK(chaos_write_offsets) : FZ_PICK(write_offsets));
		else
			cb->u.c.offset = (long long)FZ_PICK(read_offsets);
	}
	if (fz_percent(15))
		cb->aio_rw_flags = (int)(fz_chaos && fz_percent(40) ? FZ_PICK(chaos_rw_flags) : FZ_PICK(rw_flags));
	if (fz_percent(10)) {
		cb->u.c.flags |= IOCB_FLAG_IOPRIO;
		cb->aio_reqprio = (short)FZ_PICK(prios);
	} else if (fz_percent(5)) {
		cb->aio_reqprio = (short)rel_next(&fz_rng); /* ignored without IOCB_FLAG_IOPRIO */
	}
	if (fz_percent(4))
		cb->u.c.flags |= 1u << (2 + rel_below(&fz_rng, 10)); /* undefined flag bits */
	if (fz_chaos && fz_percent(3)) {
		cb->u.c.flags |= 1; /* IOCB_FLAG_RESFD */
		cb->u.c.resfd = (int)rel_below(&fz_rng, 20) - 2;
	}
	if (fz_percent(4))
		cb->u.c.__pad3 = (long long)rel_next(&fz_rng) | 1; /* reserved: -EINVAL */
}

#endif
