/* Windows only: HANDLEs the program opened itself, given to the API with
 * io_win32_handle_fd: synchronous, overlapped, unbuffered, already bound to
 * the program's own completion port, and opened without sharing (so the
 * library cannot reopen them). Each keeps every completion semantic, and
 * the program's own port never sees the library's completions. */
#include "harness.h"

static io_context_t ctx;


static HANDLE create(const char *path, DWORD share, DWORD flags)
{
	HANDLE h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, share, NULL, CREATE_ALWAYS, flags, NULL);
	CHECK(h != INVALID_HANDLE_VALUE);
	return h;
}

/* Writes a pattern through the fd, reads it back, checks it. */
static void exercise(const char *what, int fd, unsigned seed)
{
	unsigned char *buf = aligned_buffer(65536);
	struct iocb cb;
	for (int i = 0; i < 65536; i++)
		buf[i] = pattern(i, seed);
	io_prep_pwrite(&cb, fd, buf, 65536, 4096);
	CHECK(submit_and_reap(ctx, &cb) == 65536);
	memset(buf, 0, 65536);
	io_prep_pread(&cb, fd, buf, 65536, 4096);
	CHECK(submit_and_reap(ctx, &cb) == 65536);
	CHECK(check_pattern(buf, 0, 65536, seed));
	struct iovec iov[2] = { { buf, 4096 }, { buf + 8192, 4096 } };
	io_prep_preadv(&cb, fd, iov, 2, 4096);
	CHECK(submit_and_reap(ctx, &cb) == 8192);
	io_prep_pread(&cb, fd, buf, 4096, 1 << 20);
	CHECK(submit_and_reap(ctx, &cb) == 0);
	io_prep_fsync(&cb, fd);
	CHECK(submit_and_reap(ctx, &cb) == 0);
	printf("%s: writes, reads, vectored reads, end of file and fsync as expected\n", what);
	_aligned_free(buf);
}

int main(void)
{
	DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE;
	CHECK(io_setup(16, &ctx) == 0);

	HANDLE sync = create("sync", share, 0);
	int fd = io_win32_handle_fd(sync, 0);
	CHECK(fd >= 0);
	exercise("synchronous handle", fd, 1);
	CHECK(io_win32_handle_release(fd) == 0);

	HANDLE ov = create("overlapped", share, FILE_FLAG_OVERLAPPED);
	fd = io_win32_handle_fd(ov, 0);
	exercise("overlapped handle", fd, 2);
	CHECK(io_win32_handle_release(fd) == 0);

	HANDLE nb = create("unbuffered", share, FILE_FLAG_OVERLAPPED | FILE_FLAG_NO_BUFFERING);
	fd = io_win32_handle_fd(nb, O_DIRECT);
	exercise("unbuffered handle with O_DIRECT", fd, 3);
	struct iocb cb;
	static char odd[100];
	io_prep_pread(&cb, fd, odd, 100, 0);
	CHECK(submit_and_reap(ctx, &cb) == -EINVAL);
	printf("unbuffered handle with O_DIRECT: misaligned read -EINVAL\n");
	CHECK(io_win32_handle_release(fd) == 0);

	/* Bound to the program's own port: our completions never reach it. */
	HANDLE bound = create("bound", share, FILE_FLAG_OVERLAPPED);
	HANDLE port = CreateIoCompletionPort(bound, NULL, 42, 0);
	CHECK(port != NULL);
	fd = io_win32_handle_fd(bound, 0);
	exercise("handle bound to the program's port", fd, 4);
	DWORD n;
	ULONG_PTR key;
	OVERLAPPED *o;
	CHECK(!GetQueuedCompletionStatus(port, &n, &key, &o, 0) && o == NULL);
	printf("the program's port saw none of the library's completions\n");
	/* And the program's own overlapped I/O on it still reaches its port. */
	OVERLAPPED mine;
	char b4[16];
	memset(&mine, 0, sizeof mine);
	if (!ReadFile(bound, b4, 16, &n, &mine))
		CHECK(GetLastError() == ERROR_IO_PENDING);
	CHECK(GetQueuedCompletionStatus(port, &n, &key, &o, 5000) && o == &mine && key == 42);
	printf("the program's own request still completes on its port\n");
	CHECK(io_win32_handle_release(fd) == 0);

	/* No sharing: the library cannot reopen it, and uses it as it is. */
	HANDLE exclusive = create("exclusive", 0, 0);
	fd = io_win32_handle_fd(exclusive, 0);
	exercise("handle opened without sharing", fd, 5);
	CHECK(io_win32_handle_release(fd) == 0);
	HANDLE both = create("exclusive-bound", 0, FILE_FLAG_OVERLAPPED);
	HANDLE port2 = CreateIoCompletionPort(both, NULL, 7, 0);
	CHECK(port2 != NULL);
	fd = io_win32_handle_fd(both, 0);
	exercise("unshared handle bound to the program's port", fd, 6);
	CHECK(!GetQueuedCompletionStatus(port2, &n, &key, &o, 0) && o == NULL);
	printf("its port saw none of the library's completions\n");
	CHECK(io_win32_handle_release(fd) == 0);

	/* Released or never given: EBADF. */
	io_prep_pread(&cb, fd, odd, 100, 0);
	CHECK(submit_and_reap(ctx, &cb) == -EBADF);
	CHECK(io_win32_handle_release(fd) == -EBADF);
	CHECK(io_win32_handle_release(12345) == -EBADF);
	CHECK(io_win32_handle_fd(NULL, 0) == -EBADF);
	CHECK(io_win32_handle_fd(INVALID_HANDLE_VALUE, 0) == -EBADF);
	printf("released and bad handles: EBADF\n");
	CHECK(io_destroy(ctx) == 0);
	return 0;
}
