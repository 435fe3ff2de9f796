/* Built against the alloc-count test build of aio.dll: after a warm-up,
 * thousands of I/Os on every engine path make no heap allocation at all.
 * Exits non-zero (and says which path) if any does. */
#include "harness.h"

#include <sys/eventfd.h>

unsigned long long io_win32_debug_allocations(void);

static io_context_t ctx;

/* Runs `rounds` rounds of `n` requests built by `prep`, reaping each round. */
static void rounds(struct iocb *cbs, int n, int rounds_n)
{
	struct iocb *ptrs[16];
	struct io_event ev[16];
	for (int r = 0; r < rounds_n; r++) {
		for (int i = 0; i < n; i++)
			ptrs[i] = &cbs[i];
		int submitted = io_submit(ctx, n, ptrs);
		if (submitted != n) {
			printf("io_submit: %s of %d (round %d)\n", result_text(submitted), n, r);
			sleep_ms(100);
			int more = io_submit(ctx, n - (submitted > 0 ? submitted : 0), ptrs + (submitted > 0 ? submitted : 0));
			printf("after 100 ms: %s\n", result_text(more));
			struct timespec z = { 0, 0 };
			printf("events waiting: %d\n", io_getevents(ctx, 0, 0, ev, &z));
		}
		CHECK(submitted == n);
		reap(ctx, ev, n);
		for (int i = 0; i < n; i++)
			CHECK(event_res(&ev[i]) >= 0);
	}
}

static void check(const char *path, struct iocb *cbs, int n)
{
	rounds(cbs, n, 50); /* warm-up: caches, slots, threads */
	unsigned long long before = io_win32_debug_allocations();
	rounds(cbs, n, 500);
	unsigned long long after = io_win32_debug_allocations();
	printf("%s: %d I/Os, %llu heap allocations\n", path, 500 * n, after - before);
	CHECK(after == before);
}

int main(void)
{
	unsigned char *buf = aligned_buffer(16 * 4096);
	struct iocb cbs[16];
	struct iovec iov[8];
	make_file("data", 1 << 20, 1);
	int fd = open_file("data", O_RDWR);
	int dfd = open_file("data", O_RDWR | O_DIRECT);
	CHECK(fd >= 0 && dfd >= 0);
	CHECK(io_setup(64, &ctx) == 0);

	for (int i = 0; i < 16; i++)
		io_prep_pread(&cbs[i], fd, buf + i * 4096, 4096, (i * 7 % 256) * 4096);
	check("buffered reads, batches of 16", cbs, 16);
	check("buffered reads, one at a time", cbs, 1);
	for (int i = 0; i < 16; i++)
		io_prep_pwrite(&cbs[i], fd, buf + i * 4096, 4096, i * 4096);
	check("buffered writes", cbs, 16);
	for (int i = 0; i < 8; i++) {
		iov[i].iov_base = buf + i * 4096;
		iov[i].iov_len = 512;
	}
	io_prep_preadv(&cbs[0], fd, iov, 8, 0);
	check("vectored reads of 8 segments", cbs, 1);
	for (int i = 0; i < 16; i++)
		io_prep_pread(&cbs[i], dfd, buf + i * 4096, 4096, (i * 5 % 256) * 4096);
	check("O_DIRECT reads through the port", cbs, 16);
	for (int i = 0; i < 8; i++)
		iov[i].iov_len = 4096;
	io_prep_preadv(&cbs[0], dfd, iov, 8, 0);
	check("O_DIRECT scatter reads", cbs, 1);
	io_prep_fsync(&cbs[0], fd);
	check("fsync", cbs, 1);
	/* IOCB_FLAG_RESFD: each completion signals an eventfd, on the inline
	 * path and through the port. */
	int efd = eventfd(0, EFD_NONBLOCK);
	CHECK(efd >= 0);
	for (int i = 0; i < 16; i++) {
		io_prep_pread(&cbs[i], i % 2 ? fd : dfd, buf + i * 4096, 4096, (i * 3 % 256) * 4096);
		io_set_eventfd(&cbs[i], efd);
	}
	check("reads signalling an eventfd", cbs, 16);
	uint64_t count = 0;
	CHECK(read(efd, &count, 8) == 8);
	printf("eventfd counted %llu completions\n", (unsigned long long)count);
	CHECK(count == 550 * 16);
	CHECK(close(efd) == 0);

	/* IO_CMD_POLL on an eventfd: armed on an empty counter, woken by a
	 * write; and one cancelled. */
	int pfd = eventfd(0, EFD_NONBLOCK);
	CHECK(pfd >= 0);
	unsigned long long before = 0;
	for (int r = 0; r < 550; r++) {
		if (r == 50)
			before = io_win32_debug_allocations();
		struct iocb *one[1] = { &cbs[0] };
		struct io_event ev[1];
		uint64_t v = 1;
		io_prep_poll(&cbs[0], pfd, 0x1);
		CHECK(io_submit(ctx, 1, one) == 1);
		CHECK(write(pfd, &v, 8) == 8);
		reap(ctx, ev, 1);
		CHECK(event_res(&ev[0]) == 0x1);
		CHECK(read(pfd, &v, 8) == 8);
		io_prep_poll(&cbs[0], pfd, 0x1);
		CHECK(io_submit(ctx, 1, one) == 1);
		CHECK(io_cancel(ctx, &cbs[0], &ev[0]) == -EINPROGRESS);
		reap(ctx, ev, 1);
		CHECK(event_res(&ev[0]) == 0);
	}
	unsigned long long after = io_win32_debug_allocations();
	printf("polls on an eventfd, woken and cancelled: 1000 polls, %llu heap allocations\n", after - before);
	CHECK(after == before);
	CHECK(close(pfd) == 0);

	/* IO_CMD_POLL on a pipe: armed on an empty read end and found by the
	 * completion thread's recheck after a write; and one cancelled. */
	int p[2];
	CHECK(make_pipe(p) == 0);
	for (int r = 0; r < 150; r++) {
		if (r == 50)
			before = io_win32_debug_allocations();
		struct iocb *one[1] = { &cbs[0] };
		struct io_event ev[1];
		char c = 'x';
		io_prep_poll(&cbs[0], p[0], 0x1);
		CHECK(io_submit(ctx, 1, one) == 1);
		CHECK(write(p[1], &c, 1) == 1);
		reap(ctx, ev, 1);
		CHECK(event_res(&ev[0]) == 0x41);
		CHECK(read(p[0], &c, 1) == 1);
		io_prep_poll(&cbs[0], p[0], 0x1);
		CHECK(io_submit(ctx, 1, one) == 1);
		CHECK(io_cancel(ctx, &cbs[0], &ev[0]) == -EINPROGRESS);
		reap(ctx, ev, 1);
		CHECK(event_res(&ev[0]) == 0);
	}
	after = io_win32_debug_allocations();
	printf("polls on a pipe, woken and cancelled: 200 polls, %llu heap allocations\n", after - before);
	CHECK(after == before);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(io_destroy(ctx) == 0);
	return 0;
}
