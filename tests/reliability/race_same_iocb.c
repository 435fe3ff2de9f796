/* The same iocb twice in one batch (Linux takes each array entry as its
 * own request: two requests, two events with the same obj). */
#include "rel.h"

int main(void)
{
	io_context_t ctx = 0;
	static unsigned char a[4096], b[4096];
	struct iocb ra, wb, *list[3];
	struct io_event ev[3];
	make_file("data", 8192, 92);
	int fd = open_file("data", O_RDWR);
	CHECK(fd >= 0);
	CHECK(io_setup(8, &ctx) == 0);

	io_prep_pread(&ra, fd, a, 4096, 0);
	ra.data = (void *)1;
	list[0] = list[1] = &ra;
	show("the same read twice: io_submit", io_submit(ctx, 2, list));
	reap(ctx, ev, 2);
	for (int i = 0; i < 2; i++)
		printf("event %d: obj is the iocb %d, data %ld, res %s\n", i, ev[i].obj == &ra, (long)(intptr_t)ev[i].data,
		       result_text(event_res(&ev[i])));
	printf("data %d\n", check_pattern(a, 0, 4096, 92));

	memset(b, 'x', sizeof b);
	io_prep_pwrite(&wb, fd, b, 4096, 4096);
	list[0] = &wb;
	list[1] = &ra;
	list[2] = &wb;
	show("write, read, the same write again: io_submit", io_submit(ctx, 3, list));
	reap(ctx, ev, 3);
	int writes = 0, reads = 0;
	for (int i = 0; i < 3; i++) {
		writes += ev[i].obj == &wb && event_res(&ev[i]) == 4096;
		reads += ev[i].obj == &ra && event_res(&ev[i]) == 4096;
	}
	printf("events: %d for the write, %d for the read\n", writes, reads);
	struct timespec zero = { 0, 0 };
	show("events left", io_getevents(ctx, 0, 3, ev, &zero));
	CHECK(io_destroy(ctx) == 0);
	CHECK(t_close(fd) == 0);
	return 0;
}
