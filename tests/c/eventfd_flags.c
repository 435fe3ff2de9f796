/* eventfd's flags: EFD_NONBLOCK, EFD_CLOEXEC and EFD_SEMAPHORE are
 * accepted, alone or together; any other bit is EINVAL. */
#include "eventfd_common.h"

int main(void)
{
	const int known = EFD_NONBLOCK | EFD_CLOEXEC | EFD_SEMAPHORE;
	int fd;
	for (int flags = 0; flags <= known; flags++) {
		if (flags & ~known)
			continue;
		fd = efd_open("known", 3, flags);
		CHECK(fd >= 0);
		efd_close("known", fd);
	}
	int refused = 0, accepted = 0;
	for (int bit = 0; bit < 32; bit++) {
		int flag = (int)(1u << bit);
		if (flag & known)
			continue;
		errno = 0;
		fd = eventfd(0, flag);
		if (fd < 0 && errno == EINVAL) {
			refused++;
		} else {
			accepted++;
			printf("flag bit %d: %s\n", bit, fd >= 0 ? "accepted" : errno_name(errno));
			if (fd >= 0)
				close(fd);
		}
	}
	printf("unknown flag bits: %d refused with EINVAL, %d not\n", refused, accepted);
	fd = efd_open("known with an unknown", 0, EFD_NONBLOCK | 0x4);
	CHECK(fd < 0);
	return 0;
}
