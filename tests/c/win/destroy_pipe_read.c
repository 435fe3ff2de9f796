/* Windows only (issue 9, item 1): a read on a named pipe started by an
 * io_submit that races io_destroy. The batch is 8,000 file reads with pipe
 * reads at its end; io_destroy is called while the io_submit runs, and a
 * new context is created at once. Then data is written into the pipe.
 * As on Linux (io_destroy waits for the io_submit and the requests it
 * started, cancelling what can wait for ever), nothing of the destroyed
 * context may happen after io_destroy returns: no pipe read of it may
 * consume the data into its buffer, and no event of it may arrive in the
 * new context as if it were that context's own. */
#include "../../reliability/rel.h"

#define FILE_READS 8000
#define PIPE_READS 8
#define BATCH (FILE_READS + PIPE_READS)
#define ROUNDS 16

static unsigned char filebufs[FILE_READS][64];
static unsigned char pipebufs[PIPE_READS][16];
static struct iocb cbs[BATCH];
static struct iocb *list[BATCH];
static io_context_t ctx;
static volatile int started;
static int submit_result;

static void *submitter(void *arg)
{
	(void)arg;
	rel_store(&started, 1);
	submit_result = io_submit(ctx, BATCH, list);
	return NULL;
}

int main(void)
{
	char name[64];
	make_file("data", FILE_READS * 64, 22);
	int fd = open_file("data", O_RDONLY);
	CHECK(fd >= 0);

	for (int round = 0; round < ROUNDS; round++) {
		snprintf(name, sizeof name, "\\\\.\\pipe\\libaio-destroy-%lu-%d", GetCurrentProcessId(), round);
		HANDLE server = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 65536, 65536,
						 0, NULL);
		CHECK(server != INVALID_HANDLE_VALUE);
		HANDLE client = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
					    FILE_FLAG_OVERLAPPED, NULL);
		CHECK(client != INVALID_HANDLE_VALUE);
		int pfd = _open_osfhandle((intptr_t)client, O_RDWR | O_BINARY);
		CHECK(pfd >= 0);

		ctx = 0;
		CHECK(io_setup(BATCH + 1, &ctx) == 0);
		memset(pipebufs, 0xEE, sizeof pipebufs);
		for (int i = 0; i < FILE_READS; i++) {
			io_prep_pread(&cbs[i], fd, filebufs[i], 64, (long long)i * 64);
			list[i] = &cbs[i];
		}
		for (int i = 0; i < PIPE_READS; i++) {
			io_prep_pread(&cbs[FILE_READS + i], pfd, pipebufs[i], 16, 0);
			list[FILE_READS + i] = &cbs[FILE_READS + i];
		}
		started = 0;
		thread_t t = thread_spawn(submitter, NULL);
		while (!rel_load(&started))
			;
		sleep_ms(round % 3);
		CHECK(io_destroy(ctx) == 0);
		unsigned char before[PIPE_READS][16];
		memcpy(before, pipebufs, sizeof before);

		/* A new context, created while the old one's io_submit may still run. */
		io_context_t fresh = 0;
		CHECK(io_setup(BATCH + 1, &fresh) == 0);
		thread_join(t);
		static unsigned char own[64];
		struct iocb own_cb, *own_list[1] = { &own_cb };
		io_prep_pread(&own_cb, fd, own, 64, 0);
		CHECK(io_submit(fresh, 1, own_list) == 1);

		/* Data for every pipe read the destroyed context might still have. */
		char data[16 * PIPE_READS];
		memset(data, 'P', sizeof data);
		DWORD wrote;
		CHECK(WriteFile(server, data, sizeof data, &wrote, NULL) && wrote == sizeof data);

		struct io_event ev[BATCH];
		struct timespec wait = { 0, 300 * 1000 * 1000 };
		int got = 0;
		double deadline = now_seconds() + 0.5;
		while (now_seconds() < deadline) {
			int r = io_getevents(fresh, 0, BATCH - got, ev + got, &wait);
			CHECK(r >= 0);
			got += r;
		}
		int own_events = 0, foreign = 0, first_foreign = -1;
		for (int i = 0; i < got; i++) {
			if (ev[i].obj == &own_cb)
				own_events++;
			else {
				if (!foreign)
					first_foreign = (int)(ev[i].obj - cbs);
				foreign++;
			}
		}
		int written_after = memcmp(before, pipebufs, sizeof before) != 0;
		printf("round %d: racing io_submit returned %s; the new context got %d events of its own and %d "
		       "of the destroyed context\n",
		       round, result_text(submit_result), own_events, foreign);
		rel_expect(foreign == 0,
			   "round %d: %d events of the destroyed context's iocbs arrived in a context created after "
			   "io_destroy returned (first: iocb %d, a %s read)",
			   round, foreign, first_foreign, first_foreign >= FILE_READS ? "pipe" : "file");
		rel_expect(own_events == 1, "round %d: the new context's own read gave %d events, not 1", round,
			   own_events);
		rel_expect(!written_after,
			   "round %d: a pipe read of the destroyed context wrote its buffer after io_destroy returned",
			   round);
		CHECK(io_destroy(fresh) == 0);
		CHECK(t_close(pfd) == 0);
		CloseHandle(server);
		if (rel_failures)
			return 1;
	}
	printf("pipe reads of a context destroyed under a running io_submit: none reached a later context\n");
	CHECK(t_close(fd) == 0);
	return 0;
}
