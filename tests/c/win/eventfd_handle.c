/* Windows only: io_win32_eventfd_handle(fd) gives an event that is
 * signalled exactly while the eventfd's counter is non-zero; a wait on it
 * wakes when another thread writes, RegisterWaitForSingleObject's callback
 * fires (and can feed a program's own completion port); it can be waited on
 * but not set; a number that is not an open eventfd gives NULL and EBADF. */
#include "harness.h"

#include <sys/eventfd.h>

static int signalled(HANDLE h)
{
	return WaitForSingleObject(h, 0) == WAIT_OBJECT_0;
}

static void not_an_eventfd(const char *what, int fd)
{
	errno = 0;
	void *h = io_win32_eventfd_handle(fd);
	printf("%s: %s, errno %s\n", what, h ? "a handle" : "NULL", errno_name(errno));
	CHECK(h == NULL && errno == EBADF);
}

static int shared_fd;

static void *write_later(void *arg)
{
	(void)arg;
	sleep_ms(100);
	CHECK(eventfd_write(shared_fd, 3) == 0);
	return NULL;
}

static HANDLE program_port;

static VOID CALLBACK on_signalled(PVOID context, BOOLEAN timed_out)
{
	CHECK(!timed_out);
	CHECK(PostQueuedCompletionStatus(program_port, 0, (ULONG_PTR)context, NULL));
}

int main(void)
{
	not_an_eventfd("-1", -1);
	not_an_eventfd("stdin", 0);
	not_an_eventfd("a number in the range, never opened", 0x4fffffff);
	int file = open_file("plain", O_RDWR | O_CREAT | O_TRUNC);
	CHECK(file >= 0);
	not_an_eventfd("a regular file", file);
	CHECK(t_close(file) == 0);

	int fd = eventfd(2, EFD_NONBLOCK | EFD_SEMAPHORE);
	CHECK(fd >= 0);
	HANDLE h = io_win32_eventfd_handle(fd);
	CHECK(h != NULL);
	CHECK(io_win32_eventfd_handle(fd) == h);
	printf("at 2: %d\n", signalled(h));
	CHECK(signalled(h));
	eventfd_t v;
	CHECK(eventfd_read(fd, &v) == 0 && v == 1);
	printf("at 1: %d\n", signalled(h));
	CHECK(signalled(h));
	CHECK(eventfd_read(fd, &v) == 0 && v == 1);
	printf("at 0: %d\n", signalled(h));
	CHECK(!signalled(h));
	CHECK(eventfd_read(fd, &v) == -1 && errno == EAGAIN);
	CHECK(eventfd_write(fd, 0) == 0);
	printf("after writing 0: %d\n", signalled(h));
	CHECK(!signalled(h));
	CHECK(eventfd_write(fd, 5) == 0);
	printf("at 5: %d\n", signalled(h));
	CHECK(signalled(h));

	/* Wait-only: the program cannot change its state. */
	SetLastError(0);
	BOOL set = ResetEvent(h);
	printf("ResetEvent refused: %d (error %lu)\n", !set, GetLastError());
	CHECK(!set && GetLastError() == ERROR_ACCESS_DENIED);
	CHECK(signalled(h));
	for (int i = 0; i < 5; i++)
		CHECK(eventfd_read(fd, &v) == 0);
	printf("emptied: %d\n", signalled(h));
	CHECK(!signalled(h));
	CHECK(close(fd) == 0);
	not_an_eventfd("a closed eventfd", fd);

	/* A thread sleeping in WaitForSingleObject wakes on another's write. */
	shared_fd = eventfd(0, 0);
	CHECK(shared_fd >= 0);
	h = io_win32_eventfd_handle(shared_fd);
	CHECK(h != NULL && !signalled(h));
	thread_t t = thread_spawn(write_later, NULL);
	DWORD w = WaitForSingleObject(h, 10000);
	printf("WaitForSingleObject woken by a write: %d\n", w == WAIT_OBJECT_0);
	CHECK(w == WAIT_OBJECT_0);
	CHECK(eventfd_read(shared_fd, &v) == 0 && v == 3);
	thread_join(t);
	printf("read after the wait: %llu, then signalled: %d\n", (unsigned long long)v, signalled(h));
	CHECK(!signalled(h));

	/* RegisterWaitForSingleObject: the callback fires when the counter
	 * becomes non-zero and, here, posts to the program's own port. */
	program_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
	CHECK(program_port != NULL);
	HANDLE wait = NULL;
	CHECK(RegisterWaitForSingleObject(&wait, h, on_signalled, (PVOID)(ULONG_PTR)77, INFINITE,
					  WT_EXECUTEONLYONCE));
	DWORD bytes;
	ULONG_PTR key = 0;
	OVERLAPPED *ov;
	BOOL early = GetQueuedCompletionStatus(program_port, &bytes, &key, &ov, 100);
	printf("nothing before the write: %d\n", !early);
	CHECK(!early);
	t = thread_spawn(write_later, NULL);
	BOOL got = GetQueuedCompletionStatus(program_port, &bytes, &key, &ov, 10000);
	printf("the port got the callback's packet: %d, key %lu\n", got, (unsigned long)key);
	CHECK(got && key == 77);
	thread_join(t);
	CHECK(UnregisterWaitEx(wait, INVALID_HANDLE_VALUE));
	CHECK(eventfd_read(shared_fd, &v) == 0 && v == 3);
	CHECK(!signalled(h));
	CHECK(CloseHandle(program_port));
	CHECK(close(shared_fd) == 0);
	t_unlink("plain");
	return 0;
}
