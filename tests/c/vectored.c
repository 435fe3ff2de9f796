/* PREADV/PWRITEV: segments in order, empty segments, short transfers at the
 * end of the file, and a segment count of zero. */
#include "harness.h"

int main(void)
{
	io_context_t ctx = 0;
	static unsigned char a[1000], b[3000], c[5000];
	struct iovec iov[4];
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	int fd;

	make_file("data", 6000, 5);
	fd = open_file("data", O_RDWR);
	CHECK(fd >= 0);
	CHECK(io_setup(4, &ctx) == 0);

	iov[0].iov_base = a; iov[0].iov_len = sizeof a;
	iov[1].iov_base = b; iov[1].iov_len = 0;
	iov[2].iov_base = b; iov[2].iov_len = sizeof b;
	iov[3].iov_base = c; iov[3].iov_len = 1500;
	io_prep_preadv(&cb, fd, iov, 4, 100);
	show("submit preadv", io_submit(ctx, 1, cbs));
	reap(ctx, &ev, 1);
	show("preadv res", event_res(&ev));
	printf("segments in order: %d %d %d\n", check_pattern(a, 100, 1000, 5), check_pattern(b, 1100, 3000, 5),
	       check_pattern(c, 4100, 1500, 5));

	/* Crossing the end of the file: short, filling the segments in order. */
	memset(c, 0, sizeof c);
	iov[3].iov_len = sizeof c;
	io_prep_preadv(&cb, fd, iov, 4, 1000);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("short preadv res", event_res(&ev));
	printf("short data ok: %d\n", check_pattern(c, 5000, 1000, 5));

	/* Writes: each segment lands after the previous one. */
	for (int i = 0; i < 1000; i++) a[i] = 'A';
	for (int i = 0; i < 3000; i++) b[i] = 'B';
	for (int i = 0; i < 5000; i++) c[i] = 'C';
	io_prep_pwritev(&cb, fd, iov, 4, 5500);
	show("submit pwritev", io_submit(ctx, 1, cbs));
	reap(ctx, &ev, 1);
	show("pwritev res", event_res(&ev));
	static unsigned char back[9000];
	struct iocb rd, *rds[1] = { &rd };
	io_prep_pread(&rd, fd, back, sizeof back, 5500);
	io_submit(ctx, 1, rds);
	reap(ctx, &ev, 1);
	show("read back", event_res(&ev));
	int ok = 1;
	for (int i = 0; i < 9000; i++)
		ok &= back[i] == (i < 1000 ? 'A' : i < 4000 ? 'B' : 'C');
	printf("pwritev layout ok: %d\n", ok);

	/* preadv2/pwritev2 without flags behave as preadv/pwritev. */
	io_prep_preadv2(&cb, fd, iov, 1, 0, 0);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("preadv2 res", event_res(&ev));
	io_prep_pwritev2(&cb, fd, iov, 2, 20000, RWF_HIPRI);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("pwritev2 res", event_res(&ev));

	/* Zero segments, and segments all empty. */
	io_prep_preadv(&cb, fd, iov, 0, 0);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("0 segments", event_res(&ev));
	iov[0].iov_len = 0;
	io_prep_preadv(&cb, fd, iov, 2, 0);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("empty segments", event_res(&ev));

	/* Many segments (more than the library keeps inline). */
	static unsigned char many[64][100];
	struct iovec miov[64];
	for (int i = 0; i < 64; i++) {
		miov[i].iov_base = many[i];
		miov[i].iov_len = 100;
	}
	io_prep_preadv(&cb, fd, miov, 64, 0);
	io_submit(ctx, 1, cbs);
	reap(ctx, &ev, 1);
	show("64 segments", event_res(&ev));
	ok = 1;
	for (int i = 0; i < 55; i++)
		ok &= check_pattern(many[i], i * 100, 100, 5);
	printf("64 segments data ok: %d\n", ok);

	CHECK(io_destroy(ctx) == 0);
	t_close(fd);
	return 0;
}
