/* The fuzzer's differential part: seeded random batches of iocbs (every
 * field random within what Linux defines: fds good, bad and of the wrong
 * direction, NULL, unmapped, read-only and kernel-range buffers and iovec
 * arrays, segment counts, lengths, offsets, RWF flags, priorities, undefined
 * flag bits, reserved fields; NULL, unmapped and read-only iocbs and iocb
 * arrays; io_getevents with NULL, unmapped and read-only event buffers, and
 * with odd timeouts and min/max). Everything the run does is printed; the
 * Linux and Windows outputs must be identical (check.sh compares them).
 *
 * Kept out (Linux's own answer is not defined, or differs by design and is
 * documented): pointers that are partly valid (a fault in the middle of a
 * buffer: how much moves before it depends on the memory behind), huge
 * lengths on good buffers, RWF_NOWAIT (depends on the page cache),
 * RWF_ATOMIC and RWF_DONTCACHE (depend on the filesystem), IOCB_FLAG_RESFD
 * (eventfds are not supported yet: README), O_DIRECT (depends on the
 * filesystem), garbage contexts and unmapped timeouts (Linux's libaio reads
 * them in user space and crashes); fuzz_chaos covers those.
 *
 * Usage: fuzz_diff [SEED=1] [BATCHES=3000] */
#include "fuzz.h"

int main(int argc, char **argv)
{
	unsigned long long seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	int batches = argc > 2 ? atoi(argv[2]) : 3000;
	io_context_t ctx = 0;
	static struct iocb cbs[FZ_MAX];
	struct iocb *array[FZ_MAX + 1];
	struct io_event ev[64];
	long long accepted_total = 0, refused_total = 0;

	fz_rng.s = seed;
	fz_setup();
	CHECK(io_setup(64, &ctx) == 0);
	printf("seed %llu, %d batches\n", seed, batches);
	for (int b = 0; b < batches; b++) {
		int k = 1 + (int)rel_below(&fz_rng, FZ_MAX);
		int slots[4] = { 0, 1, 2, 3 };
		for (int i = 3; i > 0; i--) { /* distinct files in a batch: results never depend on order */
			int j = (int)rel_below(&fz_rng, (unsigned long long)i + 1), t = slots[i];
			slots[i] = slots[j];
			slots[j] = t;
		}
		for (int i = 0; i < FZ_MAX; i++)
			memset(fz_bufs[i], 0, FZ_BUF);
		for (int i = 0; i < k; i++) {
			fz_iocb(&cbs[i], i, slots[i]);
			array[i] = &cbs[i];
		}
		array[k] = NULL;
		/* Bad iocb pointers in the array. */
		for (int i = 0; i < k; i++)
			if (fz_percent(3))
				array[i] = rel_below(&fz_rng, 3) == 0 ? NULL
					   : rel_below(&fz_rng, 2) ? (struct iocb *)fz_unmapped
								   : (struct iocb *)(fz_ro_page + 3072);
		struct iocb **list = array;
		if (fz_percent(3))
			list = rel_below(&fz_rng, 2) ? NULL : (struct iocb **)fz_unmapped;
		long nr = k;
		if (fz_percent(5)) {
			static const long nrs[] = { 0, -1, -100 };
			nr = fz_percent(50) ? k + 1 : nrs[rel_below(&fz_rng, 3)];
		}
		/* Every later random draw is made here, whatever happens: the two
		 * systems' runs stay on the same sequence even after a difference. */
		int probe_bad = fz_percent(15), probe_order = fz_percent(5), order = (int)rel_below(&fz_rng, 3);
		void *bad_events = fz_bad_pointer(1);
		int t = (int)rel_below(&fz_rng, 7);
		unsigned long long min_roll = rel_next(&fz_rng), max_roll = rel_below(&fz_rng, 3);
		for (int i = 0; i < k; i++) {
			const struct iocb *c = &cbs[i];
			const char *ptr = fz_pointer_name(c->u.c.buf);
			printf("b%d.%d: op %d fd %s ptr %s nbytes %llx offset %llx rw_flags %x flags %x prio %x pad3 %s\n", b, i,
			       c->aio_lio_opcode, c->aio_fildes == fz_fds[slots[i]] ? fz_file_names[slots[i]] : "bad", ptr,
			       (unsigned long long)c->u.c.nbytes, (unsigned long long)c->u.c.offset, (unsigned)c->aio_rw_flags,
			       c->u.c.flags, (unsigned)(unsigned short)c->aio_reqprio, c->u.c.__pad3 ? "set" : "0");
			if (c->aio_lio_opcode == IO_CMD_PREADV || c->aio_lio_opcode == IO_CMD_PWRITEV) {
				const struct iovec *iov = fz_iov_pages[i];
				if ((void *)c->u.c.buf == iov)
					for (unsigned j = 0; j < 4 && j < (unsigned)c->u.c.nbytes; j++)
						printf("b%d.%d:   iov %u: %s %zu\n", b, i, j, fz_pointer_name(iov[j].iov_base),
						       iov[j].iov_len);
			}
		}
		int r = io_submit(ctx, nr, list);
		printf("b%d: %d iocbs, nr %ld: submit %s;", b, k, nr, result_text(r));
		int accepted = r > 0 ? r : 0;
		accepted_total += accepted;
		refused_total += k - accepted;
		for (int i = 0; i < k; i++)
			printf(" key%d %s", i, cbs[i].key == 0 ? "0" : "kept");
		printf("\n");

		/* Everything accepted is in the ring before any reaping (fsyncs run on
		 * a worker on both systems). */
		double deadline = now_seconds() + 10;
		while ((int)rel_ring_waiting(ctx) < accepted && now_seconds() < deadline)
			sleep_ms(1);
		REL_CHECK((int)rel_ring_waiting(ctx) == accepted, "b%d: %u events in the ring after 10 s, %d accepted", b,
			  rel_ring_waiting(ctx), accepted);

		if (accepted && probe_bad) { /* event buffers that cannot be written */
			struct timespec zero = { 0, 0 };
			int g = io_getevents(ctx, 1, accepted, (struct io_event *)bad_events, &zero);
			printf("  getevents into a bad buffer: %s\n", result_text(g));
			REL_CHECK(g < 0, "b%d: io_getevents wrote %d events into a bad buffer", b, g);
		}
		if (probe_order) { /* min and max out of order or negative */
			static const long mins[] = { -1, 5, 0 }, maxs[] = { 4, 4, -1 };
			int w = order;
			struct timespec zero = { 0, 0 };
			printf("  getevents min %ld max %ld: %s\n", mins[w], maxs[w],
			       result_text(io_getevents(ctx, mins[w], maxs[w], ev, &zero)));
		}
		/* Reap with a random min (never more than what is there), a random
		 * max and a timeout Linux answers at once when min is met. */
		static const struct timespec timeouts[] = { { 0, 0 }, { 5, 0 }, { INT64_MIN, 0 }, { -1, 0 },
							    { 0, 2000000000 }, { 0, -1 } };
		struct timespec ts = t < 6 ? timeouts[t] : (struct timespec){ 0, 0 };
		long min = (long)(min_roll % ((unsigned long long)accepted + 1));
		long max = accepted + (long)max_roll;
		if (max == 0)
			max = 1;
		int g = io_getevents(ctx, min, max, ev, t < 6 ? &ts : NULL);
		printf("  reap min %ld max %ld timeout %d: %s\n", min, max, t, result_text(g));
		REL_CHECK(g == accepted, "b%d: io_getevents gave %s with %d events in the ring", b, result_text(g),
			  accepted);
		int seen[FZ_MAX] = { 0 };
		long long results[FZ_MAX];
		for (int i = 0; i < g; i++) {
			int pos = -1;
			for (int j = 0; j < k; j++)
				if (ev[i].obj == array[j] && array[j] == &cbs[j])
					pos = j;
			if (ev[i].obj == (struct iocb *)(fz_ro_page + 3072)) /* the read-only iocb, if Linux took it */
				pos = FZ_MAX;
			REL_CHECK(pos >= 0 && pos < FZ_MAX && pos < accepted,
				  "b%d: an event for an iocb that was not accepted (obj %p)", b, (void *)ev[i].obj);
			REL_CHECK(!seen[pos]++, "b%d: two events for iocb %d", b, pos);
			REL_CHECK(ev[i].data == cbs[pos].data, "b%d: event data is not its iocb's", b);
			results[pos] = event_res(&ev[i]);
		}
		for (int i = 0; i < accepted; i++)
			printf("  [%d] op %d fd %s res %s\n", i, cbs[i].aio_lio_opcode,
			       cbs[i].aio_fildes == fz_fds[slots[i]] ? fz_file_names[slots[i]] : "bad", result_text(results[i]));
		unsigned long long h = 0;
		for (int i = 0; i < FZ_MAX; i++)
			h = rel_hash(fz_bufs[i], FZ_BUF, h);
		printf("  buffers %016llx\n", h);
		if (b % 50 == 49 || b == batches - 1) {
			static unsigned char file[1 << 22];
			for (int f = 0; f < 4; f++) {
				long long n = rel_read_file(fz_file_names[f], file, sizeof file);
				printf("  %s: %lld bytes, %016llx\n", fz_file_names[f], n, rel_hash(file, (size_t)n, 0));
			}
		}
	}
	struct timespec zero = { 0, 0 };
	REL_CHECK(io_getevents(ctx, 0, 64, ev, &zero) == 0, "events left after every accepted iocb had its own");
	CHECK(io_destroy(ctx) == 0);
	rel_figures("seed %llu: %d batches, %lld iocbs accepted, %lld refused or not reached", seed, batches,
		    accepted_total, refused_total);
	return 0;
}
