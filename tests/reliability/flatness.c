/* Flatness: threads, handles and private memory before and after 10,000
 * io_setup/io_destroy cycles with I/O between, and 1,000 open/submit/close
 * cycles on one living context.
 *
 * Warm-up: the measurements start after 100 setup cycles and 100 open
 * cycles done the same way, so that what is made once and kept for the
 * process's life (the C runtime's fd table and heap arenas, a library's
 * lazily created process-wide state, Wine's per-thread structures for the
 * first threads) exists before the baseline. After that no thread and no
 * handle may be added: the tolerance for those is zero. Private memory
 * (Windows: PrivateUsage; Linux: RssAnon) may move by at most 1 MiB, heap
 * noise; a leak of 100 bytes a cycle would pass that after 10,000.
 *
 * Windows: handles by GetProcessHandleCount, private memory by PrivateUsage
 * (under Wine, which answers 0 to both, rel.h counts open handle values and
 * committed private regions); Linux: fds in /proc/self/fd, RssAnon.
 *
 * Usage: flatness [SETUP_CYCLES=10000] [OPEN_CYCLES=1000] */
#include "rel.h"

#define MEMORY_TOLERANCE (1LL << 20)

static unsigned char bufs[4][4096];

static void io_on(io_context_t ctx, int fd)
{
	struct iocb cbs[4], *list[4];
	struct io_event ev[4];
	for (int i = 0; i < 3; i++)
		io_prep_pread(&cbs[i], fd, bufs[i], 4096, i * 4096);
	io_prep_pwrite(&cbs[3], fd, bufs[3], 4096, 3 * 4096);
	for (int i = 0; i < 4; i++)
		list[i] = &cbs[i];
	int r = io_submit(ctx, 4, list);
	REL_CHECK(r == 4, "io_submit of 4 gave %s", result_text(r));
	reap(ctx, ev, 4);
	for (int i = 0; i < 4; i++)
		REL_CHECK(event_res(&ev[i]) == 4096, "a 4 KiB request gave %s", result_text(event_res(&ev[i])));
}

static void setup_cycles(int n, int fd)
{
	for (int i = 0; i < n; i++) {
		io_context_t ctx = 0;
		int r = io_setup(32, &ctx);
		REL_CHECK(r == 0, "cycle %d: io_setup gave %s", i, result_text(r));
		io_on(ctx, fd);
		r = io_destroy(ctx);
		REL_CHECK(r == 0, "cycle %d: io_destroy gave %s", i, result_text(r));
	}
}

static void open_cycles(int n, io_context_t ctx)
{
	char name[16];
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, "file%d", i % 4);
		int fd = open_file(name, O_RDWR);
		REL_CHECK(fd >= 0, "cycle %d: open %s: %s", i, name, errno_name(errno));
		io_on(ctx, fd);
		REL_CHECK(t_close(fd) == 0, "cycle %d: close: %s", i, errno_name(errno));
	}
}

static int compare(const char *what, struct rel_usage base, int cycles, double seconds)
{
	struct rel_usage now = rel_usage_settled(base, 1000);
	long long grown = now.private_bytes - base.private_bytes;
	rel_figures("%s: %d cycles in %.1f s; threads %ld -> %ld, handles %ld -> %ld, private bytes %lld -> %lld "
		    "(%+lld)",
		    what, cycles, seconds, base.threads, now.threads, base.handles, now.handles, base.private_bytes,
		    now.private_bytes, grown);
	int ok = rel_expect(now.threads == base.threads, "%s: threads went from %ld to %ld", what, base.threads,
			    now.threads);
	ok &= rel_expect(now.handles == base.handles, "%s: handles went from %ld to %ld", what, base.handles,
			 now.handles);
	ok &= rel_expect(grown <= MEMORY_TOLERANCE, "%s: private memory grew by %lld bytes (%.0f a cycle), more than %lld",
			 what, grown, (double)grown / cycles, MEMORY_TOLERANCE);
	return ok;
}

int main(int argc, char **argv)
{
	int setups = argc > 1 ? atoi(argv[1]) : 10000, opens = argc > 2 ? atoi(argv[2]) : 1000;
#ifndef _WIN32
	/* Linux's io_destroy waits for an RCU grace period (about 30 ms here):
	 * the native run, a check of this program, does fewer setup cycles. */
	if (setups > 300)
		setups = 300;
#endif
	char name[16];
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof name, "file%d", i);
		make_file(name, 16384, 80 + i);
	}
	int fd = open_file("file0", O_RDWR);
	CHECK(fd >= 0);
	io_context_t ctx = 0;

	/* Warm-up (see above), then the baseline. */
	setup_cycles(100, fd);
	CHECK(io_setup(32, &ctx) == 0);
	open_cycles(100, ctx);
	CHECK(io_destroy(ctx) == 0);
	struct rel_usage base = rel_usage_now();
	double t = now_seconds();
	setup_cycles(setups, fd);
	int ok = compare("io_setup/io_destroy with I/O between", base, setups, now_seconds() - t);

	ctx = 0;
	CHECK(io_setup(32, &ctx) == 0);
	open_cycles(100, ctx); /* the living context's own warm-up */
	base = rel_usage_now();
	t = now_seconds();
	open_cycles(opens, ctx);
	ok &= compare("open/submit/close on one context", base, opens, now_seconds() - t);
	CHECK(io_destroy(ctx) == 0);
	CHECK(t_close(fd) == 0);
	printf("flatness: threads, handles and memory %s\n", ok ? "flat" : "NOT flat");
	return rel_exit_status();
}
