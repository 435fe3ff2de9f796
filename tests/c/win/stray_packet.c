/* Windows only. RUN: trap '' XFSZ; ulimit -f 256
 * A write past the process's file-size limit fails at once under Wine and
 * Wine still queues a completion packet for it (Windows would not). Each
 * request must still give exactly one event, and the stray packet must
 * never complete a later request that reuses the slot: failing and
 * succeeding writes alternate, and every event is checked against its own
 * request. (Run in both engine modes: inline, and through the port.)
 *
 * The second part is the dangerous case: right behind each failing write, a
 * read on a named pipe that truly pends. Were the failed write's slot freed
 * at once, the pipe read would take it, and the stray packet would complete
 * the read before its data exists. */
#include "harness.h"

static HANDLE open_pipe_pair(const char *name, int *fd)
{
	HANDLE server = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 65536, 65536, 0, NULL);
	CHECK(server != INVALID_HANDLE_VALUE);
	HANDLE client = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
	CHECK(client != INVALID_HANDLE_VALUE);
	*fd = _open_osfhandle((intptr_t)client, O_RDWR | O_BINARY);
	CHECK(*fd >= 0);
	return server;
}

int main(void)
{
	io_context_t ctx = 0;
	static char buf[512];
	struct iocb cb[2], *cbs[2] = { &cb[0], &cb[1] };
	struct io_event ev[4];
	struct timespec zero = { 0, 0 };
	int fd = open_file("data", O_RDWR | O_CREAT | O_TRUNC);
	CHECK(fd >= 0);
	CHECK(io_setup(4, &ctx) == 0);
	memset(buf, 'z', sizeof buf);
	for (int round = 0; round < 100; round++) {
		io_prep_pwrite(&cb[0], fd, buf, sizeof buf, 1 << 20); /* past 256 KiB: fails */
		cb[0].data = (void *)1;
		io_prep_pwrite(&cb[1], fd, buf, sizeof buf, (round % 64) * 512); /* within: succeeds */
		cb[1].data = (void *)2;
		CHECK(io_submit(ctx, 2, cbs) == 2);
		reap(ctx, ev, 2);
		for (int i = 0; i < 2; i++) {
			if (ev[i].data == (void *)1)
				CHECK(event_res(&ev[i]) < 0 && ev[i].obj == &cb[0]);
			else
				CHECK(ev[i].data == (void *)2 && event_res(&ev[i]) == 512 && ev[i].obj == &cb[1]);
		}
		CHECK(ev[0].data != ev[1].data);
		CHECK(io_getevents(ctx, 0, 4, ev, &zero) == 0);
	}
	printf("100 failing and 100 good writes: one event each, none extra\n");

	int pfd;
	char name[64];
	snprintf(name, sizeof name, "\\\\.\\pipe\\libaio-win32-stray-%lu", GetCurrentProcessId());
	HANDLE server = open_pipe_pair(name, &pfd);
	char got[4];
	for (int round = 0; round < 50; round++) {
		io_prep_pwrite(&cb[0], fd, buf, sizeof buf, 1 << 20); /* fails, stray packet */
		cb[0].data = (void *)1;
		memset(got, 0, sizeof got);
		io_prep_pread(&cb[1], pfd, got, sizeof got, 0); /* pends until written */
		cb[1].data = (void *)2;
		CHECK(io_submit(ctx, 2, cbs) == 2);
		reap(ctx, ev, 1);
		CHECK(ev[0].data == (void *)1 && event_res(&ev[0]) < 0);
		sleep_ms(2);
		CHECK(io_getevents(ctx, 0, 4, ev, &zero) == 0); /* the read is still waiting */
		DWORD n;
		CHECK(WriteFile(server, "data", 4, &n, NULL) && n == 4);
		reap(ctx, ev, 1);
		CHECK(ev[0].data == (void *)2 && event_res(&ev[0]) == 4 && memcmp(got, "data", 4) == 0);
	}
	printf("50 pending pipe reads behind failing writes: each completed by its own data\n");
	CHECK(io_destroy(ctx) == 0);
	return 0;
}
