/* Windows only (Linux moves at most 2 GiB - 4 KiB per request and would
 * return short): one read of 4 GiB + 4 KiB comes back as one event with the
 * whole count, and offsets beyond 4 GiB work. The file is marked sparse (NTFS
 * would otherwise fill the hole with zeros on disk) and removed at the end, so
 * only memory is really spent. */
#include "harness.h"
#include <winioctl.h>

#define GIB (1LL << 30)

int main(void)
{
	io_context_t ctx = 0;
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	unsigned char tail[4096];
	int fd = open_file("sparse", O_RDWR | O_CREAT | O_TRUNC);
	CHECK(fd >= 0);
	DWORD returned;
	CHECK(DeviceIoControl((HANDLE)_get_osfhandle(fd), FSCTL_SET_SPARSE, NULL, 0, NULL, 0, &returned, NULL));
	CHECK(io_setup(4, &ctx) == 0);

	/* 4 KiB of data at 5 GiB; the rest of the file is a hole. */
	for (int i = 0; i < 4096; i++)
		tail[i] = pattern(i, 16);
	io_prep_pwrite(&cb, fd, tail, 4096, 5 * GIB);
	CHECK(io_submit(ctx, 1, cbs) == 1);
	reap(ctx, &ev, 1);
	CHECK(event_res(&ev) == 4096);
	printf("write at 5 GiB: 4096\n");

	size_t size = (size_t)(4 * GIB + 4096);
	unsigned char *big = VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
	CHECK(big != NULL);
	big[0] = 1;
	big[size - 4096] = 0;
	io_prep_pread(&cb, fd, big, size, GIB);
	CHECK(io_submit(ctx, 1, cbs) == 1);
	reap_within(ctx, &ev, 1, 120); /* 4 GiB of zeros to fill: slow on a loaded machine */
	printf("one read of 4 GiB + 4 KiB: whole count %d\n", event_res(&ev) == (long long)size);
	CHECK(event_res(&ev) == (long long)size);
	CHECK(big[0] == 0 && big[2 * GIB] == 0 && check_pattern(big + size - 4096, 0, 4096, 16));
	printf("hole reads as zeros, the data at 5 GiB where it belongs\n");

	/* Short at the end of the file: 4 GiB asked from 2 GiB below the end. */
	io_prep_pread(&cb, fd, big, 4 * GIB, 3 * GIB + 4096);
	CHECK(io_submit(ctx, 1, cbs) == 1);
	reap_within(ctx, &ev, 1, 120);
	CHECK(event_res(&ev) == 2 * GIB);
	printf("a 4 GiB read ending past the end of the file is short: 2 GiB\n");
	VirtualFree(big, 0, MEM_RELEASE);
	CHECK(io_destroy(ctx) == 0);
	CHECK(t_close(fd) == 0);
	CHECK(t_unlink("sparse") == 0);
	return 0;
}
