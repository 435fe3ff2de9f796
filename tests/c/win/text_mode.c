/* Windows only: the header's open() is binary unless the program asks for
 * text mode, and then it gets the C runtime's text mode as before: _O_TEXT
 * reads stop at 0x1A and turn CR LF into LF, writes turn LF into CR LF. The
 * aio requests on such an fd still move the raw bytes (Linux's only mode). */
#include "harness.h"

int main(void)
{
	static const char raw[] = "a\r\nb\x1a" "c";
	char back[64];
	int fd, got;

	fd = open("text", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, raw, 6) == 6 && t_close(fd) == 0);

	fd = open("text", O_RDONLY | _O_TEXT);
	CHECK(fd >= 0);
	got = read(fd, back, sizeof back);
	printf("text-mode read: %d bytes\n", got);
	CHECK(got == 3 && memcmp(back, "a\nb", 3) == 0);
	CHECK(t_close(fd) == 0);

	fd = aio_open("text", O_RDONLY | _O_TEXT);
	CHECK(fd >= 0);
	io_context_t ctx = 0;
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	CHECK(io_setup(1, &ctx) == 0);
	io_prep_pread(&cb, fd, back, sizeof back, 0);
	CHECK(io_submit(ctx, 1, cbs) == 1);
	reap(ctx, &ev, 1);
	printf("aio read on a text-mode fd: %lld bytes\n", event_res(&ev));
	CHECK(event_res(&ev) == 6 && memcmp(back, raw, 6) == 0);
	CHECK(io_destroy(ctx) == 0 && t_close(fd) == 0);

	fd = open("text", O_WRONLY | O_TRUNC | _O_TEXT);
	CHECK(fd >= 0 && write(fd, "x\ny", 3) == 3 && t_close(fd) == 0);
	fd = open("text", O_RDONLY);
	got = read(fd, back, sizeof back);
	printf("text-mode write, binary read: %d bytes\n", got);
	CHECK(got == 4 && memcmp(back, "x\r\ny", 4) == 0);
	CHECK(t_close(fd) == 0 && t_unlink("text") == 0);
	return 0;
}
