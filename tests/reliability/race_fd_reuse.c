/* Close and reuse of fd numbers against submitters: two threads write and
 * one reads through fd N, in batches, while the main thread closes N and
 * reopens it, alternately on a file opened read-only and on a file opened
 * read-write (the same number comes back each time). As on Linux (fget
 * takes the fd's file once): nothing lands in the read-only file; every
 * 4 KiB read returns the data of one file the fd named (the read-only
 * file's pattern, or the read-write file's pattern or the writers' 'W'
 * blocks), never a mix; accepted requests each get one event.
 *
 * Usage: race_fd_reuse [CYCLES=2000] */
#include "rel.h"

#define SIZE 65536
#define BS 4096

static io_context_t own[3]; /* a context per worker, so each reaps its own */
static int fd, stop, running;
static long long accepted[3], refused[3], from_ro, from_rw;

static int block_kind(const unsigned char *p, long long off)
{
	if (check_pattern(p, off, BS, 31))
		return 1;
	for (int i = 0; i < BS; i++)
		if (p[i] != 'W' && p[i] != pattern(off + i, 32))
			return 0;
	return 2;
}

static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg, reading = t == 2;
	unsigned char *bufs = aligned_buffer(8 * BS);
	struct iocb cbs[8], *list[8];
	struct io_event ev[8];
	unsigned k = (unsigned)t * 3;
	if (!reading)
		memset(bufs, 'W', 8 * BS);
	while (!rel_load(&stop)) {
		for (int i = 0; i < 8; i++) {
			long long off = (long long)(k++ % (SIZE / BS)) * BS;
			if (reading)
				io_prep_pread(&cbs[i], fd, bufs + i * BS, BS, off);
			else
				io_prep_pwrite(&cbs[i], fd, bufs + i * BS, BS, off);
			cbs[i].data = (void *)(intptr_t)i;
			list[i] = &cbs[i];
		}
		int r = io_submit(own[t], 8, list);
		if (r <= 0) {
			REL_CHECK(r == -EBADF || r == -EAGAIN, "io_submit on a reused fd gave %s", result_text(r));
			refused[t]++;
			continue;
		}
		accepted[t] += r;
		int got = 0, seen[8] = { 0 };
		struct timespec wait = { 10, 0 };
		while (got < r) {
			int n = io_getevents(own[t], 1, r - got, ev, &wait);
			REL_CHECK(n > 0, "waiting for %d events: %s", r - got, result_text(n));
			for (int i = 0; i < n; i++) {
				REL_CHECK(ev[i].obj >= cbs && ev[i].obj < cbs + r, "an event for an iocb not in this batch");
				int j = (int)(ev[i].obj - cbs);
				REL_CHECK(!seen[j]++, "two events for one iocb");
				long long res = event_res(&ev[i]);
				if (reading && res == BS) {
					int kind = block_kind(bufs + j * BS, (long long)cbs[j].u.c.offset);
					REL_CHECK(kind, "a read through the reused fd returned data of neither file, or a mix");
					if (kind == 1)
						from_ro++;
					else
						from_rw++;
				}
			}
			got += n;
		}
		rel_store(&running, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int cycles = argc > 1 ? atoi(argv[1]) : 2000;
	static unsigned char check[SIZE + 1];
	make_file("readonly", SIZE, 31);
	make_file("readwrite", SIZE, 32);
	fd = open_file("readwrite", O_RDWR);
	CHECK(fd >= 0);
	int same = 1;
	thread_t t[3];
	for (int i = 0; i < 3; i++)
		CHECK(io_setup(64, &own[i]) == 0);
	for (int i = 0; i < 3; i++)
		t[i] = thread_spawn(worker, (void *)(intptr_t)i);
	while (!rel_load(&running))
		sleep_ms(1);
	for (int i = 0; i < cycles; i++) {
		CHECK(t_close(fd) == 0);
		int ro = open_file("readonly", O_RDONLY);
		same &= ro == fd;
		CHECK(t_close(ro) == 0);
		int rw = open_file("readwrite", O_RDWR);
		same &= rw == fd;
	}
	rel_store(&stop, 1);
	for (int i = 0; i < 3; i++)
		thread_join(t[i]);
	for (int i = 0; i < 3; i++)
		CHECK(io_destroy(own[i]) == 0);
	REL_CHECK(same, "the fd number did not come back each time");
	long long size = rel_read_file("readonly", check, SIZE + 1), changed = 0;
	for (long long i = 0; i < size && i < SIZE; i++)
		changed += check[i] != pattern(i, 31);
	REL_CHECK(size == SIZE && changed == 0, "%lld bytes landed in the file only ever opened read-only (size %lld)",
		  changed, size);
	printf("fd reuse against 2 writers and a reader: nothing in the read-only file, no read of a stale file\n");
	rel_figures("%d cycles; writes accepted %lld + %lld, reads accepted %lld (%lld of the read-only file, %lld of "
		    "the read-write file); refused batches %lld",
		    cycles, accepted[0], accepted[1], accepted[2], from_ro, from_rw, refused[0] + refused[1] + refused[2]);
	return 0;
}
