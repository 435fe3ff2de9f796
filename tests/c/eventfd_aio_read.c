/* PREAD and PREADV on an eventfd through AIO, as Linux's eventfd_read: the
 * counter as 8 bytes (across iovecs too), the offset ignored; an empty
 * nonblocking counter (or RWF_NOWAIT) and fewer than 8 bytes of room come
 * back in the event (-EAGAIN, -EINVAL), the value taken before a bad buffer
 * faults (-EFAULT, the counter left empty); a blocking eventfd makes
 * io_submit wait for a write from another thread. PWRITE and FSYNC have no
 * AIO form for an eventfd on Linux: -EINVAL at io_submit, as is a negative
 * offset. */
#include "eventfd_common.h"

#include <sys/uio.h>

static io_context_t ctx;


static void *write_later(void *arg)
{
	int efd = *(int *)arg;
	uint64_t v = 42;
	sleep_ms(100);
	CHECK(write(efd, &v, 8) == 8);
	return NULL;
}

int main(void)
{
	struct iocb cb, *list[1] = { &cb };
	uint64_t v = 0;
	char small[4];
	CHECK(io_setup(8, &ctx) == 0);
	int efd = eventfd(5, EFD_NONBLOCK);
	CHECK(efd >= 0);

	io_prep_pread(&cb, efd, &v, 8, 0);
	show("pread 8 bytes, counter 5", submit_and_reap(ctx, &cb));
	printf("  value %llu\n", (unsigned long long)v);
	io_prep_pread(&cb, efd, &v, 8, 0);
	show("pread, empty nonblocking counter", submit_and_reap(ctx, &cb));
	io_prep_pread(&cb, efd, small, 4, 0);
	show("pread 4 bytes", submit_and_reap(ctx, &cb));

	uint64_t w = 3;
	io_prep_pwrite(&cb, efd, &w, 8, 0);
	show("pwrite", io_submit(ctx, 1, list));
	io_prep_fsync(&cb, efd);
	show("fsync", io_submit(ctx, 1, list));

	w = 0x0102030405060708ull;
	CHECK(write(efd, &w, 8) == 8);
	unsigned char a[3], b[16];
	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	struct iovec iov[2] = { { a, 3 }, { b, 16 } };
	io_prep_preadv(&cb, efd, iov, 2, 0);
	show("preadv 3 + 16 bytes", submit_and_reap(ctx, &cb));
	uint64_t got;
	memcpy(&got, a, 3);
	memcpy((char *)&got + 3, b, 5);
	printf("  value 0x%llx, byte 8 untouched %d\n", (unsigned long long)got, b[5] == 0);

	w = 9;
	CHECK(write(efd, &w, 8) == 8);
	io_prep_pread(&cb, efd, &v, 16, -1);
	show("pread at offset -1", io_submit(ctx, 1, list));
	io_prep_pread(&cb, efd, &v, 16, 100);
	show("pread 16 bytes at offset 100", submit_and_reap(ctx, &cb));
	printf("  value %llu\n", (unsigned long long)v);

	w = 9;
	CHECK(write(efd, &w, 8) == 8);
	io_prep_pread(&cb, efd, (void *)8, 8, 0);
	show("pread into a bad buffer", submit_and_reap(ctx, &cb));
	SHOW_IO("read after it (the value was taken)", read(efd, &v, 8));

	CHECK(close(efd) == 0);
	efd = eventfd(0, 0);
	CHECK(efd >= 0);
	io_prep_pread(&cb, efd, &v, 8, 0);
	cb.aio_rw_flags = RWF_NOWAIT;
	show("pread RWF_NOWAIT, empty blocking counter", submit_and_reap(ctx, &cb));
	thread_t t = thread_spawn(write_later, &efd);
	io_prep_pread(&cb, efd, &v, 8, 0);
	show("pread, empty blocking counter, written later", submit_and_reap(ctx, &cb));
	thread_join(t);
	printf("  value %llu\n", (unsigned long long)v);
	CHECK(close(efd) == 0);
	CHECK(io_destroy(ctx) == 0);
	return 0;
}
