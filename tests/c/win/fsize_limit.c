/* RUN: trap '' XFSZ; ulimit -f 256
 * Issue 9, item 5: a write past the process's file-size limit (ulimit -f,
 * RLIMIT_FSIZE; 256 KiB here). Linux's answer is -EFBIG. Under Wine the
 * library's answer is -EIO, and that is Wine's, not the library's: Wine
 * answers a plain NtWriteFile past the limit with STATUS_UNSUCCESSFUL
 * (ERROR_GEN_FAILURE), which has no better errno. A Windows-only test
 * because the two answers differ; the same source, built natively, checks
 * Linux's -EFBIG (tests/reliability/check.sh runs it). Either way nothing
 * written before the limit is lost, and writes below it still work. */
#include "../../reliability/rel.h"

#ifdef _WIN32
#define LIMIT_ERRNO EIO /* Wine: STATUS_UNSUCCESSFUL for a write past RLIMIT_FSIZE */
#else
#define LIMIT_ERRNO EFBIG
#endif

#define BLOCK 4096
#define LIMIT (256 * 1024)

int main(void)
{
	io_context_t ctx = 0;
	static unsigned char block[BLOCK], back[LIMIT + BLOCK];
	struct iocb cb, *list[1] = { &cb };
	struct io_event ev;
#ifndef _WIN32
	signal(SIGXFSZ, SIG_IGN); /* the kernel signals as well as failing the write */
#endif
	int fd = open_file("data", O_RDWR | O_CREAT | O_TRUNC);
	CHECK(fd >= 0);
	CHECK(io_setup(4, &ctx) == 0);
	long long first_failure = 0, failed_at = -1;
	for (long long off = 0; off < LIMIT + 4 * BLOCK; off += BLOCK) {
		for (int i = 0; i < BLOCK; i++)
			block[i] = pattern(off + i, 71);
		io_prep_pwrite(&cb, fd, block, BLOCK, off);
		CHECK(io_submit(ctx, 1, list) == 1);
		reap(ctx, &ev, 1);
		long long r = event_res(&ev);
		if (off < LIMIT)
			rel_expect(r == BLOCK, "write at %lld, below the limit, gave %s", off, result_text(r));
		else if (failed_at < 0) {
			failed_at = off;
			first_failure = r;
		}
	}
	printf("first write past the limit (at %lld): %s\n", failed_at, result_text(first_failure));
	rel_expect(first_failure == -LIMIT_ERRNO, "a write past the file-size limit gave %s, expected -%s",
		   result_text(first_failure), errno_name(LIMIT_ERRNO));
	long long size = rel_read_file("data", back, sizeof back);
	printf("size %lld, everything written below the limit intact %d\n", size, check_pattern(back, 0, LIMIT, 71));
	rel_expect(size == LIMIT && check_pattern(back, 0, LIMIT, 71),
		   "after the failed write the file is %lld bytes and %s", size,
		   check_pattern(back, 0, size < LIMIT ? size : LIMIT, 71) ? "its data intact" : "its data damaged");
	/* Below the limit, writes still work. */
	io_prep_pwrite(&cb, fd, "again", 5, 0);
	CHECK(io_submit(ctx, 1, list) == 1);
	reap(ctx, &ev, 1);
	printf("a write below the limit afterwards: %s\n", result_text(event_res(&ev)));
	rel_expect(event_res(&ev) == 5, "a write below the limit after the failure gave %s",
		   result_text(event_res(&ev)));
	CHECK(io_destroy(ctx) == 0);
	CHECK(t_close(fd) == 0);
	return rel_exit_status();
}
