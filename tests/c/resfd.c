/* IOCB_FLAG_RESFD (io_set_eventfd): each completion of an accepted iocb adds
 * 1 to the eventfd after its event is in the ring, whether or not the
 * program calls io_getevents; iocbs refused in a partial batch add nothing;
 * a resfd that is not an eventfd is -EINVAL, -1 or a closed eventfd
 * -EBADF. */
#include "eventfd_common.h"

/* Blocks on the eventfd until `want` completions were counted in all. */
static void wait_count(int efd, uint64_t want)
{
	uint64_t seen = 0;
	while (seen < want) {
		uint64_t v = 0;
		CHECK(read(efd, &v, 8) == 8);
		seen += v;
	}
	printf("eventfd counted %llu\n", (unsigned long long)seen);
}

int main(void)
{
	static unsigned char buf[4][512];
	struct iocb cbs[4], *list[4];
	struct io_event ev[4];
	io_context_t ctx = 0;
	uint64_t v;

	make_file("data", 4096, 3);
	int fd = open_file("data", O_RDWR);
	CHECK(fd >= 0);
	CHECK(io_setup(16, &ctx) == 0);
	int efd = eventfd(0, 0);
	CHECK(efd >= 0);

	/* Reads, a write and an fsync, each signalling the eventfd. */
	for (int i = 0; i < 3; i++)
		io_prep_pread(&cbs[i], fd, buf[i], 512, i * 512);
	io_prep_fsync(&cbs[3], fd);
	for (int i = 0; i < 4; i++) {
		io_set_eventfd(&cbs[i], efd);
		list[i] = &cbs[i];
	}
	show("submit 4 with resfd", io_submit(ctx, 4, list));
	/* A blocking read of the eventfd, no io_getevents first. */
	wait_count(efd, 4);
	int got = io_getevents(ctx, 0, 4, ev, NULL);
	printf("events already in the ring: %d\n", got);
	for (int i = 0; i < got; i++)
		show("  res", event_res(&ev[i]));

	/* A partial batch: the refused iocb adds nothing. */
	int nb = eventfd(0, EFD_NONBLOCK);
	CHECK(nb >= 0);
	io_prep_pwrite(&cbs[0], fd, buf[0], 512, 0);
	io_prep_pread(&cbs[1], -1, buf[1], 512, 0);
	io_prep_pread(&cbs[2], fd, buf[2], 512, 0);
	for (int i = 0; i < 3; i++)
		io_set_eventfd(&cbs[i], nb);
	show("partial batch", io_submit(ctx, 3, list));
	reap(ctx, ev, 1);
	show("  its event", event_res(&ev[0]));
	v = 0;
	show("eventfd after the partial batch", read(nb, &v, 8));
	printf("  value %llu\n", (unsigned long long)v);
	SHOW_IO("eventfd read again", read(nb, &v, 8));

	/* Refusals at io_submit. */
	int fds[2];
	CHECK(make_pipe(fds) == 0);
	struct {
		const char *what;
		int resfd;
	} bad[] = {
		{ "resfd a regular file", fd },
		{ "resfd a pipe", fds[0] },
		{ "resfd -1", -1 },
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		io_prep_pread(&cbs[0], fd, buf[0], 512, 0);
		io_set_eventfd(&cbs[0], bad[i].resfd);
		show(bad[i].what, io_submit(ctx, 1, list));
	}
	CHECK(close(nb) == 0);
	io_prep_pread(&cbs[0], fd, buf[0], 512, 0);
	io_set_eventfd(&cbs[0], nb);
	show("resfd a closed eventfd", io_submit(ctx, 1, list));

	CHECK(io_destroy(ctx) == 0);
	CHECK(close(efd) == 0);
	CHECK(t_close(fds[0]) == 0);
	CHECK(t_close(fds[1]) == 0);
	CHECK(t_close(fd) == 0);
	return 0;
}
