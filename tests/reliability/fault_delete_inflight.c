/* A file deleted while I/O on it is in flight: reads and writes are
 * submitted, the file is deleted after the first batch, more are submitted
 * after the delete. As on Linux: the delete succeeds, every request
 * completes in full with the right data, the data written reads back
 * through the fd afterwards, and once the fd is closed the name is free
 * (open O_CREAT | O_EXCL succeeds) while the context still lives.
 * On Windows the file is opened with FILE_SHARE_DELETE (the C runtime's
 * open() shares no delete, so no program could delete it at all).
 *
 * Usage: fault_delete_inflight [ROUNDS=20] */
#include "rel.h"

#define SIZE (1 << 20)
#define BS 8192
#define REQS 128 /* 64 reads of the first half, 64 writes of the second */

static int open_deletable(const char *name)
{
#ifdef _WIN32
	HANDLE h = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			       NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	CHECK(h != INVALID_HANDLE_VALUE);
	return _open_osfhandle((intptr_t)h, _O_RDWR | _O_BINARY);
#else
	return open(name, O_RDWR);
#endif
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 20;
	io_context_t ctx = 0;
	static unsigned char bufs[REQS][BS];
	static struct iocb cbs[REQS];
	struct iocb *list[REQS];
	struct io_event ev[REQS];
	CHECK(io_setup(REQS, &ctx) == 0);
	for (int round = 0; round < rounds; round++) {
		make_file("doomed", SIZE, 82);
		int fd = open_deletable("doomed");
		CHECK(fd >= 0);
		for (int i = 0; i < REQS; i++) {
			if (i % 2 == 0) {
				io_prep_pread(&cbs[i], fd, bufs[i], BS, (long long)(i / 2) * BS);
			} else {
				long long off = SIZE / 2 + (long long)(i / 2) * BS;
				for (int j = 0; j < BS; j++)
					bufs[i][j] = pattern(off + j, 83 + round);
				io_prep_pwrite(&cbs[i], fd, bufs[i], BS, off);
			}
			list[i] = &cbs[i];
		}
		int deleted = 1;
		for (int at = 0; at < REQS; at += 16) {
			int r = io_submit(ctx, 16, list + at);
			REL_CHECK(r == 16, "round %d: io_submit of 16 %s the delete gave %s", round, at ? "after" : "before",
				  result_text(r));
			if (at == 0)
				deleted = t_unlink("doomed") == 0;
		}
		REL_CHECK(deleted, "round %d: deleting the file with I/O in flight failed: %s", round, errno_name(errno));
		reap(ctx, ev, REQS);
		for (int i = 0; i < REQS; i++) {
			int k = (int)(ev[i].obj - cbs);
			REL_CHECK(event_res(&ev[i]) == BS, "round %d: %s %d of the deleted file gave %s", round,
				  k % 2 ? "write" : "read", k / 2, result_text(event_res(&ev[i])));
			if (k % 2 == 0)
				REL_CHECK(check_pattern(bufs[k], (long long)(k / 2) * BS, BS, 82),
					  "round %d: read %d of the deleted file returned wrong data", round, k / 2);
		}
		/* The writes are there, read through the fd of the deleted file. */
		for (int i = 1; i < REQS; i += 2) {
			memset(bufs[i], 0, BS);
			io_prep_pread(&cbs[i], fd, bufs[i], BS, SIZE / 2 + (long long)(i / 2) * BS);
			CHECK(io_submit(ctx, 1, &list[i]) == 1);
			reap(ctx, ev, 1);
			REL_CHECK(event_res(&ev[0]) == BS && check_pattern(bufs[i], SIZE / 2 + (long long)(i / 2) * BS, BS, 83 + round),
				  "round %d: write %d to the deleted file did not read back (%s)", round, i / 2,
				  result_text(event_res(&ev[0])));
		}
		CHECK(t_close(fd) == 0);
		int again = open_file("doomed", O_RDWR | O_CREAT | O_EXCL);
		REL_CHECK(again >= 0, "round %d: after closing the deleted file's fd, its name is still taken (%s) while the "
			  "context lives", round, errno_name(errno));
		CHECK(t_close(again) == 0);
		CHECK(t_unlink("doomed") == 0);
	}
	CHECK(io_destroy(ctx) == 0);
	printf("files deleted with I/O in flight: every request completed with its data, the name freed on close\n");
	rel_figures("%d rounds of %d requests, the delete after the first 16", rounds, REQS);
	return 0;
}
