/* Plain read(), write() and close() in a file that includes <sys/eventfd.h>
 * work on an eventfd, and unchanged on a regular file and a pipe beside it;
 * bad fds are EBADF either way. */
#include "eventfd_common.h"

int main(void)
{
	int efd = efd_open("eventfd", 0, EFD_NONBLOCK);
	CHECK(efd >= 0);

	int file = open("plain", O_RDWR | O_CREAT | O_TRUNC | T_O_BINARY, 0644);
	CHECK(file >= 0);
	char text[] = "regular file contents";
	SHOW_IO("write to a file", write(file, text, sizeof text));
	efd_write("eventfd between", efd, 1);
	SHOW_IO("close the file", close(file));
	file = open("plain", O_RDONLY | T_O_BINARY);
	CHECK(file >= 0);
	char back[64] = { 0 };
	SHOW_IO("read the file", read(file, back, sizeof back));
	printf("same contents: %d\n", !memcmp(back, text, sizeof text));
	SHOW_IO("read at its end", read(file, back, sizeof back));
	efd_read("eventfd between", efd);
	SHOW_IO("close the file", close(file));

	int p[2];
	CHECK(make_pipe(p) == 0);
	SHOW_IO("write to a pipe", write(p[1], "pipe", 4));
	efd_write("eventfd between", efd, 3);
	memset(back, 0, sizeof back);
	SHOW_IO("read the pipe", read(p[0], back, sizeof back));
	printf("pipe data: \"%s\"\n", back);
	efd_read("eventfd between", efd);
	SHOW_IO("close the pipe's writer", close(p[1]));
	SHOW_IO("read at the pipe's end", read(p[0], back, sizeof back));
	SHOW_IO("close the pipe's reader", close(p[0]));

	SHOW_IO("read a closed fd", read(p[0], back, 1));
	SHOW_IO("write a closed fd", write(p[1], back, 1));
	SHOW_IO("close a closed fd", close(p[0]));
	SHOW_IO("close -1", close(-1));
	SHOW_IO("read -1", read(-1, back, 8));
	efd_close("eventfd", efd);
	SHOW_IO("read the closed eventfd", read(efd, back, 8));
	t_unlink("plain");
	return 0;
}
