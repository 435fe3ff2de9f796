/* Issue 9, item 2: fd numbers closed and reused while another thread is
 * inside io_submit on them. One thread submits writes on fd N in a loop;
 * the main thread closes N and reopens it, alternately as a file opened
 * read-only and as a file opened read-write (the same number comes back),
 * 2,000 times. Linux takes an fd's file atomically (fget): a write goes to
 * the file the fd named, with that file's access, or fails. So not one byte
 * may land in the file only ever opened read-only; and once the race is
 * over, reads and writes through N reach the read-write file it names. */
#include "../reliability/rel.h"

#define SIZE 65536
#define CYCLES 2000

static io_context_t ctx;
static int fd;
static volatile int stop, running;
static long long accepted, refused, landed;

static void *writer(void *arg)
{
	static unsigned char data[4096];
	struct iocb cbs[8], *list[8];
	struct io_event ev[8];
	unsigned k = 0;
	(void)arg;
	memset(data, 'W', sizeof data);
	while (!rel_load(&stop)) {
		for (int i = 0; i < 8; i++) {
			io_prep_pwrite(&cbs[i], fd, data, sizeof data, (long long)(k++ % (SIZE / 4096)) * 4096);
			list[i] = &cbs[i];
		}
		int r = io_submit(ctx, 8, list);
		if (r <= 0) {
			CHECK(r == -EBADF);
			refused++;
			continue;
		}
		accepted += r;
		reap(ctx, ev, r);
		rel_store(&running, 1);
		for (int i = 0; i < r; i++)
			if (event_res(&ev[i]) > 0)
				landed += event_res(&ev[i]);
	}
	return NULL;
}

int main(void)
{
	static unsigned char buf[SIZE], check[SIZE];
	make_file("readonly", SIZE, 31);
	make_file("readwrite", SIZE, 32);
	CHECK(io_setup(64, &ctx) == 0);
	fd = open_file("readwrite", O_RDWR);
	CHECK(fd >= 0);
	int same = 1;

	thread_t t = thread_spawn(writer, NULL);
	while (!rel_load(&running)) /* the writer is under way before the first close */
		sleep_ms(1);
	for (int i = 0; i < CYCLES; i++) {
		CHECK(t_close(fd) == 0);
		int ro = open_file("readonly", O_RDONLY);
		same &= ro == fd;
		CHECK(t_close(ro) == 0);
		int rw = open_file("readwrite", O_RDWR);
		same &= rw == fd;
		CHECK(rw >= 0);
	}
	rel_store(&stop, 1);
	thread_join(t);
	printf("the same fd number came back every time: %d\n", same);
	rel_figures("%d close/reopen cycles; writes accepted %lld, batches refused %lld, bytes written %lld", CYCLES,
		    accepted, refused, landed);

	long long size = rel_read_file("readonly", check, SIZE + 1);
	long long changed = 0;
	for (long long i = 0; i < size && i < SIZE; i++)
		changed += check[i] != pattern(i, 31);
	printf("read-only file: size %lld, bytes changed %lld\n", size, changed);
	rel_expect(size == SIZE && changed == 0,
		   "%lld bytes of the writes landed in the file only ever opened read-only (size %lld)", changed, size);

	/* No race any more: fd names the read-write file. */
	struct iocb cb, *list[1] = { &cb };
	struct io_event ev;
	memset(buf, 0, sizeof buf);
	io_prep_pread(&cb, fd, buf, SIZE, 0);
	CHECK(io_submit(ctx, 1, list) == 1);
	reap(ctx, &ev, 1);
	CHECK(rel_read_file("readwrite", check, SIZE) == SIZE);
	int same_data = event_res(&ev) == SIZE && memcmp(buf, check, SIZE) == 0;
	int ro_data = check_pattern(buf, 0, SIZE, 31);
	printf("read through the fd afterwards: res %s, the read-write file's data %d\n", result_text(event_res(&ev)),
	       same_data);
	rel_expect(same_data, "after the race, a read through the fd that names the read-write file returned %s",
		   ro_data ? "the read-only file's data" : "data of neither file");

	io_prep_pwrite(&cb, fd, "after", 5, 0);
	CHECK(io_submit(ctx, 1, list) == 1);
	reap(ctx, &ev, 1);
	CHECK(rel_read_file("readwrite", check, SIZE) == SIZE);
	size = rel_read_file("readonly", buf, SIZE + 1);
	int rw_got = memcmp(check, "after", 5) == 0, ro_got = memcmp(buf, "after", 5) == 0;
	printf("write through the fd afterwards: res %s, in the read-write file %d, in the read-only file %d\n",
	       result_text(event_res(&ev)), rw_got, ro_got);
	rel_expect(rw_got && !ro_got, "after the race, a write through the fd went %s",
		   ro_got ? "into the read-only file" : "nowhere visible");
	CHECK(io_destroy(ctx) == 0);
	CHECK(t_close(fd) == 0);
	return rel_exit_status();
}
