/* eventfd's counter rules, nonblocking: reads return the sum and reset it,
 * an empty read is EAGAIN, writes add up to 0xfffffffffffffffe (EAGAIN
 * beyond), 0xffffffffffffffff is EINVAL, a read needs 8 bytes or more (and
 * moves 8), a write exactly 8 (Linux 6.18), and the initial value is the
 * counter's. */
#include "eventfd_common.h"

int main(void)
{
	int fd = efd_open("nonblocking", 0, EFD_NONBLOCK);
	CHECK(fd >= 0);
	efd_read("empty", fd);
	efd_write("add", fd, 1);
	efd_write("add", fd, 2);
	efd_write("add", fd, 0x30);
	efd_read("the sum", fd);
	efd_read("reset", fd);

	/* Buffer sizes: a write of anything but 8 bytes is EINVAL; a read
	 * under 8 is EINVAL (even on an empty counter), 16 moves 8. */
	efd_write_sized("small", fd, 5, 4);
	efd_write_sized("small", fd, 5, 7);
	efd_write_sized("none", fd, 5, 0);
	efd_write_sized("big", fd, 9, 16);
	efd_write_sized("nine", fd, 9, 9);
	efd_write("exact", fd, 9);
	efd_read_sized("small", fd, 4);
	efd_read_sized("small", fd, 7);
	efd_read_sized("none", fd, 0);
	efd_read_sized("big", fd, 16);
	efd_read_sized("small on empty", fd, 4);

	/* The limit: the counter holds at most 0xfffffffffffffffe. */
	efd_write("all ones", fd, UINT64_MAX);
	efd_write("the maximum", fd, UINT64_MAX - 1);
	efd_write("one more", fd, 1);
	efd_write("zero at the maximum", fd, 0);
	efd_read("full", fd);
	efd_write("near the maximum", fd, UINT64_MAX - 2);
	efd_write("up to it", fd, 1);
	efd_write("past it", fd, 1);
	efd_write("far past it", fd, UINT64_MAX - 1);
	efd_read("full again", fd);
	efd_write("after the read", fd, UINT64_MAX - 1);
	efd_read("and back", fd);

	/* Bad buffers: a read takes the value before its copy fails, as Linux's
	 * does; a write copies first and changes nothing. */
	void *bad = unmapped_address();
	efd_write("to be lost", fd, 7);
	SHOW_IO("read into unmapped memory", read(fd, bad, 8));
	efd_read("after it", fd);
	SHOW_IO("write from unmapped memory", write(fd, bad, 8));
	efd_read("after it", fd);
	efd_close("nonblocking", fd);

	/* The initial value is the counter's. */
	fd = efd_open("initial 7", 7, EFD_NONBLOCK);
	efd_read("initial 7", fd);
	efd_close("initial 7", fd);
	fd = efd_open("initial max", 0xffffffffu, EFD_NONBLOCK | EFD_CLOEXEC);
	efd_write("initial max plus", fd, 1);
	efd_read("initial max", fd);
	efd_close("initial max", fd);

	/* eventfd_read and eventfd_write: 0, or -1 with errno. */
	fd = efd_open("helpers", 0, EFD_NONBLOCK);
	eventfd_t value = 0;
	errno = 0;
	int h = eventfd_read(fd, &value);
	printf("eventfd_read on empty: %d %s\n", h, errno_name(errno));
	errno = 0;
	h = eventfd_write(fd, 40);
	printf("eventfd_write 40: %d\n", h);
	h = eventfd_write(fd, 2);
	printf("eventfd_write 2: %d\n", h);
	errno = 0;
	h = eventfd_write(fd, UINT64_MAX);
	printf("eventfd_write all ones: %d %s\n", h, errno_name(errno));
	h = eventfd_read(fd, &value);
	printf("eventfd_read: %d, value %" PRIu64 "\n", h, value);
	efd_close("helpers", fd);
	return 0;
}
