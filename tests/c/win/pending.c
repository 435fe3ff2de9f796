/* Windows only: requests that truly pend (Wine finishes file I/O inside the
 * call, so a named pipe stands in for a slow device). Reads wait in the
 * completion port while io_submit returns at once; they complete when the
 * data comes; io_destroy cancels what never completes. */
#include "harness.h"

static HANDLE server;

static void *late_writer(void *arg)
{
	DWORD n;
	(void)arg;
	sleep_ms(150);
	CHECK(WriteFile(server, "pending!", 8, &n, NULL) && n == 8);
	return NULL;
}

static HANDLE overlapped_write_event;

static int open_pair(const char *name, HANDLE *client)
{
	server = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 65536,
				  65536, 0, NULL);
	CHECK(server != INVALID_HANDLE_VALUE);
	*client = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
	CHECK(*client != INVALID_HANDLE_VALUE);
	int fd = _open_osfhandle((intptr_t)*client, O_RDWR | O_BINARY);
	CHECK(fd >= 0);
	return fd;
}

int main(void)
{
	io_context_t ctx = 0;
	char buf[64];
	struct iocb cb[4], *cbs[4] = { &cb[0], &cb[1], &cb[2], &cb[3] };
	struct io_event ev[4];
	struct timespec zero = { 0, 0 };
	HANDLE client;
	char name[64];
	snprintf(name, sizeof name, "\\\\.\\pipe\\libaio-win32-pending-%lu", GetCurrentProcessId());
	int fd = open_pair(name, &client);

	CHECK(io_setup(8, &ctx) == 0);

	/* A read on an empty pipe: accepted without waiting (the writer starts
	 * only afterwards: a blocking io_submit would hang here), nothing yet. */
	memset(buf, 0, sizeof buf);
	io_prep_pread(&cb[0], fd, buf, sizeof buf, 0);
	CHECK(io_submit(ctx, 1, cbs) == 1);
	CHECK(io_getevents(ctx, 0, 4, ev, &zero) == 0);
	printf("read pends: io_submit returned at once, no event yet\n");
	thread_t t = thread_spawn(late_writer, NULL);
	reap(ctx, ev, 1);
	thread_join(t);
	CHECK(event_res(&ev[0]) == 8 && memcmp(buf, "pending!", 8) == 0 && ev[0].obj == &cb[0]);
	printf("the pending read completed through the port with its data\n");

	/* Several pending reads, completed one write at a time, in order. */
	char bufs[3][4];
	for (int i = 0; i < 3; i++) {
		io_prep_pread(&cb[i], fd, bufs[i], 4, 0);
		cb[i].data = (void *)(intptr_t)i;
	}
	CHECK(io_submit(ctx, 3, cbs) == 3);
	CHECK(io_getevents(ctx, 0, 4, ev, &zero) == 0);
	DWORD n;
	OVERLAPPED ov;
	memset(&ov, 0, sizeof ov);
	overlapped_write_event = CreateEventA(NULL, TRUE, FALSE, NULL);
	ov.hEvent = overlapped_write_event;
	if (!WriteFile(server, "aaaabbbbcccc", 12, &n, &ov))
		CHECK(GetLastError() == ERROR_IO_PENDING && GetOverlappedResult(server, &ov, &n, TRUE));
	reap(ctx, ev, 3);
	int all = 1;
	for (int i = 0; i < 3; i++)
		all &= event_res(&ev[i]) == 4;
	CHECK(all);
	printf("three pending reads completed\n");

	/* A pending write's event, then io_destroy with a read that never
	 * completes: it is cancelled and io_destroy returns. */
	io_prep_pwrite(&cb[0], fd, "to server", 9, 0);
	CHECK(io_submit(ctx, 1, cbs) == 1);
	reap(ctx, ev, 1);
	CHECK(event_res(&ev[0]) == 9);
	io_prep_pread(&cb[0], fd, buf, sizeof buf, 0);
	CHECK(io_submit(ctx, 1, cbs) == 1);
	CHECK(io_getevents(ctx, 0, 4, ev, &zero) == 0);
	CHECK(io_destroy(ctx) == 0);
	printf("io_destroy cancelled the read that never completes\n");

	/* The server going away ends a pending read with 0 (end of file). */
	ctx = 0;
	CHECK(io_setup(8, &ctx) == 0);
	io_prep_pread(&cb[0], fd, buf, sizeof buf, 0);
	CHECK(io_submit(ctx, 1, cbs) == 1);
	sleep_ms(50);
	CHECK(DisconnectNamedPipe(server));
	reap(ctx, ev, 1);
	CHECK(event_res(&ev[0]) == 0);
	printf("server gone: the pending read ends with 0 bytes (end of file)\n");
	CHECK(io_destroy(ctx) == 0);
	return 0;
}
