/* libaio's queue helpers: io_queue_init, io_set_callback + io_queue_run,
 * io_queue_wait, io_queue_release. */
#include "harness.h"

#ifndef _WIN32
/* Exported by libaio but not declared in its header. */
extern int io_queue_wait(io_context_t ctx, struct timespec *timeout);
#endif

static int calls;
static long long total;
static struct iocb *last_iocb;

static void done(io_context_t ctx, struct iocb *iocb, long res, long res2)
{
	(void)ctx;
	calls++;
	total += res;
	last_iocb = iocb;
	CHECK(res2 == 0);
}

int main(void)
{
	io_context_t ctx = 0;
	static char buf[8][1024];
	struct iocb cb[8], *cbs[8];
	struct timespec zero = { 0, 0 };
	int fd;

	make_file("data", 8192, 8);
	fd = open_file("data", O_RDONLY);
	CHECK(fd >= 0);
	show("io_queue_init", io_queue_init(8, &ctx));
	show("io_queue_run on an empty queue", io_queue_run(ctx));
	for (int i = 0; i < 8; i++) {
		io_prep_pread(&cb[i], fd, buf[i], 1024, i * 1024);
		io_set_callback(&cb[i], done);
		cbs[i] = &cb[i];
	}
	show("submit 8", io_submit(ctx, 8, cbs));
	show("io_queue_wait", io_queue_wait(ctx, &zero));
	show("io_queue_wait NULL", io_queue_wait(ctx, NULL));
	int r = io_queue_run(ctx);
	while (calls < 8 && r == 0)
		r = io_queue_run(ctx);
	show("io_queue_run", r);
	printf("callbacks %d, bytes %lld, last iocb is one of ours %d\n", calls, total,
	       last_iocb >= &cb[0] && last_iocb <= &cb[7]);
	show("io_queue_run bad ctx", io_queue_run(NULL));
	show("io_queue_release", io_queue_release(ctx));
	show("io_queue_release again", io_queue_release(ctx));
	return 0;
}
