/* Windows only (issue 9, item 1): io_destroy while another thread is inside
 * io_submit of an 8,000-read batch. Linux's io_destroy waits for every
 * io_submit still running on the context and for the requests it started
 * (fs/aio.c), so once io_destroy has returned 0:
 *  - the racing io_submit returns -EINVAL, or a count of requests that had
 *    all completed (their buffers filled) when io_destroy returned;
 *  - no buffer of the destroyed context is written any more;
 *  - the process's threads and handles are back where they were before
 *    io_setup (baseline taken after one warm-up setup/destroy cycle, so a
 *    process-wide resource the library creates once, on first use, is not
 *    counted as a leak; none is allowed after that).
 * The Linux counterpart of the data part is tests/reliability/race_destroy. */
#include "../../reliability/rel.h"

#define BATCH 8000
#define LEN 64
#define ROUNDS 24

static unsigned char bufs[BATCH][LEN];
static unsigned char snapshot[BATCH][LEN];
static unsigned char expected[BATCH][LEN];
static struct iocb cbs[BATCH];
static struct iocb *list[BATCH];
static io_context_t ctx;
static volatile int started, finished;
static int submit_result;

static void *submitter(void *arg)
{
	(void)arg;
	rel_store(&started, 1);
	submit_result = io_submit(ctx, BATCH, list);
	rel_store(&finished, 1);
	return NULL;
}

static int filled(int i, const unsigned char (*b)[LEN])
{
	return memcmp(b[i], expected[i], LEN) == 0;
}

int main(void)
{
	make_file("data", (long long)BATCH * LEN, 21);
	int fd = open_file("data", O_RDONLY);
	CHECK(fd >= 0);
	for (int i = 0; i < BATCH; i++)
		for (int j = 0; j < LEN; j++)
			expected[i][j] = pattern((long long)i * LEN + j, 21);

	/* Warm-up: one full cycle, so that what the library keeps for the
	 * process's life (if anything) exists before the baseline. */
	struct io_event ev;
	CHECK(io_setup(16, &ctx) == 0);
	io_prep_pread(&cbs[0], fd, bufs[0], LEN, 0);
	list[0] = &cbs[0];
	CHECK(io_submit(ctx, 1, list) == 1);
	reap(ctx, &ev, 1);
	CHECK(io_destroy(ctx) == 0);
	struct rel_usage base = rel_usage_settled(rel_usage_now(), 0);

	int overlapped = 0;
	for (int round = 0; round < ROUNDS; round++) {
		ctx = 0;
		CHECK(io_setup(BATCH + 1, &ctx) == 0);
		memset(bufs, 0xEE, sizeof bufs);
		for (int i = 0; i < BATCH; i++) {
			io_prep_pread(&cbs[i], fd, bufs[i], LEN, (long long)i * LEN);
			list[i] = &cbs[i];
		}
		started = finished = 0;
		thread_t t = thread_spawn(submitter, NULL);
		while (!rel_load(&started))
			;
		sleep_ms(round % 3); /* 0 to 2 ms into the batch */
		int inside = !rel_load(&finished);
		int destroyed = io_destroy(ctx);
		memcpy(snapshot, bufs, sizeof bufs);
		int still_running = !rel_load(&finished);
		REL_CHECK(destroyed == 0, "round %d: io_destroy returned %s", round, result_text(destroyed));
		thread_join(t);
		sleep_ms(50);
		overlapped += inside;

		int r = submit_result;
		int completed_at_destroy = 0, changed_after = 0, first_changed = -1;
		for (int i = 0; i < BATCH; i++) {
			completed_at_destroy += filled(i, snapshot);
			if (memcmp(snapshot[i], bufs[i], LEN) != 0) {
				changed_after++;
				if (first_changed < 0)
					first_changed = i;
			}
		}
		printf("round %d: io_destroy called %s the io_submit, which %s after io_destroy returned and "
		       "returned %s; %d of %d reads had completed when io_destroy returned\n",
		       round, inside ? "during" : "after", still_running ? "was still running" : "had ended",
		       result_text(r), completed_at_destroy, BATCH);
		rel_expect(changed_after == 0,
			  "round %d: %d buffers of the destroyed context were written after io_destroy returned "
			  "(first: read %d)",
			  round, changed_after, first_changed);
		rel_expect(r == -EINVAL || (r >= 0 && r <= BATCH),
			  "round %d: the racing io_submit of %d iocbs returned %s: neither -EINVAL nor a count of "
			  "requests in the batch",
			  round, BATCH, result_text(r));
		if (r > 0) {
			int missing = 0;
			for (int i = 0; i < r; i++)
				missing += !filled(i, snapshot);
			rel_expect(missing == 0,
				  "round %d: io_submit returned %d, but %d of those requests had not completed when "
				  "io_destroy returned",
				  round, r, missing);
		}
		struct rel_usage now = rel_usage_settled(base, 1000);
		rel_expect(now.threads == base.threads && now.handles == base.handles,
			  "round %d: after io_destroy and the join, threads %ld -> %ld, handles %ld -> %ld "
			  "(baseline before io_setup)",
			  round, base.threads, now.threads, base.handles, now.handles);
		if (rel_failures)
			return 1; /* the first round that goes wrong says it all */
	}
	REL_CHECK(overlapped > 0, "io_destroy was never called while the io_submit ran: the race was not tested");
	printf("io_destroy against a running io_submit: %d of %d rounds raced, all as Linux\n", overlapped, ROUNDS);
	CHECK(t_close(fd) == 0);
	return 0;
}
