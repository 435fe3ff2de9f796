/* Issue 9, item 3: closing an fd releases the file. A file read through a
 * context, then closed and deleted, must leave its name free while the
 * context lives: open(name, O_CREAT | O_EXCL) succeeds (as on Linux, and
 * on Windows without the library). */
#include "../reliability/rel.h"

int main(void)
{
	io_context_t ctx = 0;
	static unsigned char buf[4096];
	struct iocb cb, *list[1] = { &cb };
	struct io_event ev;

	CHECK(io_setup(4, &ctx) == 0);
	const char *modes[] = { "read-only", "read-write" };
	for (int m = 0; m < 2; m++) {
		make_file("data", 4096, 41);
		int fd = open_file("data", m ? O_RDWR : O_RDONLY);
		CHECK(fd >= 0);
		io_prep_pread(&cb, fd, buf, 4096, 0);
		CHECK(io_submit(ctx, 1, list) == 1);
		reap(ctx, &ev, 1);
		printf("%s: read res %s, data %d\n", modes[m], result_text(event_res(&ev)), check_pattern(buf, 0, 4096, 41));
		CHECK(t_close(fd) == 0);
		int removed = t_unlink("data");
		printf("%s: unlink after close: %s\n", modes[m], removed == 0 ? "0" : errno_name(errno));
		int again = open_file("data", O_RDWR | O_CREAT | O_EXCL);
		printf("%s: open(O_CREAT | O_EXCL) while the context lives: %s\n", modes[m],
		       again >= 0 ? "ok" : errno_name(errno));
		rel_expect(again >= 0, "%s: the name of a file closed and deleted is still taken (%s) while the context lives",
			   modes[m], errno_name(errno));
		if (again >= 0)
			CHECK(t_close(again) == 0);
		t_unlink("data");
	}
	CHECK(io_destroy(ctx) == 0);
	return rel_exit_status();
}
