/* A closed fd whose number is reused for another file reaches the new file,
 * never a stale handle; one fd serves several contexts at once. */
#include "harness.h"

int main(void)
{
	io_context_t a = 0, b = 0;
	static unsigned char buf[4096];
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;

	make_file("first", 4096, 10);
	make_file("second", 2048, 11);
	CHECK(io_setup(4, &a) == 0);
	CHECK(io_setup(4, &b) == 0);

	int fd = open_file("first", O_RDWR);
	CHECK(fd >= 0);
	io_prep_pread(&cb, fd, buf, 4096, 0);
	CHECK(io_submit(a, 1, cbs) == 1);
	reap(a, &ev, 1);
	printf("first file: res %s, data %d\n", result_text(event_res(&ev)), check_pattern(buf, 0, 4096, 10));

	/* The same fd in a second context, at the same time. */
	CHECK(io_submit(a, 1, cbs) == 1);
	CHECK(io_submit(b, 1, cbs) == 1);
	reap(a, &ev, 1);
	show("context a", event_res(&ev));
	reap(b, &ev, 1);
	show("context b", event_res(&ev));

	/* Close it and open another file: the same fd number comes back. */
	CHECK(t_close(fd) == 0);
	show("closed fd", io_submit(a, 1, cbs));
	int again = open_file("second", O_RDONLY);
	printf("same fd number: %d\n", again == fd);
	memset(buf, 0, sizeof buf);
	io_prep_pread(&cb, again, buf, 4096, 0);
	CHECK(io_submit(a, 1, cbs) == 1);
	reap(a, &ev, 1);
	printf("second file: res %s, data %d\n", result_text(event_res(&ev)), check_pattern(buf, 0, 2048, 11));
	CHECK(io_submit(b, 1, cbs) == 1);
	reap(b, &ev, 1);
	printf("second file in b: res %s\n", result_text(event_res(&ev)));
	io_prep_pwrite(&cb, again, buf, 10, 0);
	show("write on the new read-only fd", io_submit(a, 1, cbs));

	/* Destroying one context leaves the other's use of the fd intact. */
	CHECK(io_destroy(b) == 0);
	io_prep_pread(&cb, again, buf, 100, 0);
	CHECK(io_submit(a, 1, cbs) == 1);
	reap(a, &ev, 1);
	show("after the other context is gone", event_res(&ev));
	CHECK(io_destroy(a) == 0);
	return 0;
}
