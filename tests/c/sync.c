/* FSYNC and FDSYNC: asynchronous, 0 in the event, on any regular fd
 * (read-only included), -EINVAL on a pipe. */
#include "harness.h"

int main(void)
{
	io_context_t ctx = 0;
	static char buf[4096];
	struct iocb cb[3], *cbs[3] = { &cb[0], &cb[1], &cb[2] };
	struct io_event ev[3];
	int fd, ro, p[2];

	make_file("data", 4096, 7);
	fd = open_file("data", O_RDWR);
	ro = open_file("data", O_RDONLY);
	CHECK(fd >= 0 && ro >= 0);
	CHECK(io_setup(8, &ctx) == 0);

	memset(buf, 'x', sizeof buf);
	io_prep_pwrite(&cb[0], fd, buf, sizeof buf, 4096);
	io_prep_fsync(&cb[1], fd);
	io_prep_fdsync(&cb[2], fd);
	for (int i = 0; i < 3; i++)
		cb[i].data = (void *)(intptr_t)(i + 1);
	show("submit write, fsync, fdsync", io_submit(ctx, 3, cbs));
	reap(ctx, ev, 3);
	long long res[4] = { 0 };
	for (int i = 0; i < 3; i++)
		res[(intptr_t)ev[i].data] = event_res(&ev[i]);
	printf("write %s, fsync %s, fdsync %s\n", result_text(res[1]), result_text(res[2]), result_text(res[3]));

	io_prep_fsync(&cb[0], ro);
	io_prep_fdsync(&cb[1], ro);
	show("submit syncs on a read-only fd", io_submit(ctx, 2, cbs));
	reap(ctx, ev, 2);
	printf("results %s %s\n", result_text(event_res(&ev[0])), result_text(event_res(&ev[1])));

	CHECK(make_pipe(p) == 0);
	io_prep_fsync(&cb[0], p[1]);
	show("fsync on a pipe", io_submit(ctx, 1, cbs));
	io_prep_fdsync(&cb[0], p[0]);
	show("fdsync on a pipe", io_submit(ctx, 1, cbs));

	/* io_fsync submits in one call, with a callback in data. */
	show("io_fsync", io_fsync(ctx, &cb[0], NULL, fd));
	reap(ctx, ev, 1);
	show("io_fsync res", event_res(&ev[0]));

	/* Many syncs in flight at once all complete. */
	int total = 0;
	for (int round = 0; round < 20; round++) {
		io_prep_fsync(&cb[0], fd);
		io_prep_fdsync(&cb[1], fd);
		io_prep_fsync(&cb[2], ro);
		CHECK(io_submit(ctx, 3, cbs) == 3);
		reap(ctx, ev, 3);
		for (int i = 0; i < 3; i++)
			total += event_res(&ev[i]) == 0;
	}
	printf("60 syncs completed with 0: %d\n", total == 60);
	CHECK(io_destroy(ctx) == 0);
	return 0;
}
