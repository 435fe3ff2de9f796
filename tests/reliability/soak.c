/* Soak: mixed reads, writes, vectored reads and writes, fsyncs and fdsyncs
 * on four files (one O_DIRECT), two contexts, four submitting threads (two
 * per context) and two reaping threads: one reaps its context with
 * io_getevents, the other reads the ring in user space as fio's
 * userspace_reap does. Every completion is counted exactly once by iocb
 * identity (an event for an iocb not in flight is a failure), every 4 KiB
 * block carries a stamp (file, block, generation) checked on every read
 * and, at the end, on every block of every file.
 *
 * Usage: soak [IOS=100000] */
#include "rel.h"

#define FILES 4
#define BLOCKS 1024 /* 4 MiB a file */
#define BS 4096
#define CONTEXTS 2
#define SUBMITTERS 4
#define DEPTH 16
#define MAXV 4
#define OWN (BLOCKS / SUBMITTERS) /* each submitter owns a quarter of each file */

enum { OP_READ, OP_WRITE, OP_READV, OP_WRITEV, OP_FSYNC, OP_FDSYNC, OP_KINDS };
static const char *op_names[OP_KINDS] = { "read", "write", "readv", "writev", "fsync", "fdsync" };

struct slot {
	struct iocb cb; /* first: an event's obj is the slot */
	int state;      /* 0 free, 1 in flight, 2 completed */
	long long res;
	int op, file, block, nblocks;
	unsigned char *buf;
	struct iovec iov[MAXV];
};

static struct slot slots[SUBMITTERS][DEPTH];
static io_context_t ctxs[CONTEXTS];
static int fds[FILES];
static unsigned gens[FILES][BLOCKS];
static long long target, issued, done_ops[OP_KINDS], events_by_ctx[CONTEXTS], eagain;
static int stop_reapers;

static unsigned long long mix(unsigned long long x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void stamp(unsigned char *p, int f, int b, unsigned gen)
{
	unsigned long long *w = (unsigned long long *)p;
	unsigned long long seed = mix(((unsigned long long)f << 40) ^ ((unsigned long long)b << 20) ^ gen);
	w[0] = 0x5EED000000000000ULL | (unsigned)f;
	w[1] = ((unsigned long long)b << 32) | gen;
	for (int i = 2; i < BS / 8; i++)
		w[i] = seed + (unsigned long long)i;
}

/* Checks a block against its expected stamp; on a mismatch, says what it holds. */
static void verify_block(const char *when, const unsigned char *p, int f, int b, unsigned gen)
{
	static __thread unsigned char want[BS];
	stamp(want, f, b, gen);
	if (memcmp(p, want, BS) == 0)
		return;
	const unsigned long long *w = (const unsigned long long *)p;
	if ((w[0] >> 48) == 0x5EED)
		rel_fail("%s: file %d block %d should hold generation %u, holds the stamp of file %llu block %llu "
			 "generation %llu%s",
			 when, f, b, gen, w[0] & 0xffff, w[1] >> 32, w[1] & 0xffffffff,
			 memcmp(p + 16, want + 16, BS - 16) ? " (and its body differs)" : "");
	rel_fail("%s: file %d block %d should hold generation %u, holds no stamp (first bytes %016llx %016llx)",
		 when, f, b, gen, w[0], w[1]);
}

/* An event arrives: its iocb must be one of ours, in flight, seen once. */
static void complete(int c, const struct io_event *ev)
{
	char *obj = (char *)ev->obj, *lo = (char *)slots, *hi = (char *)slots + sizeof slots;
	REL_CHECK(obj >= lo && obj < hi && (obj - lo) % sizeof(struct slot) == 0,
		  "context %d: an event for iocb %p, which is none of ours (data %p, res %lld)", c, (void *)obj,
		  ev->data, (long long)ev->res);
	struct slot *s = (struct slot *)obj;
	REL_CHECK(ev->data == (void *)s, "context %d: event data %p is not its iocb's (%p)", c, ev->data, (void *)s);
	s->res = (long long)ev->res;
	int from = rel_load(&s->state);
	REL_CHECK(rel_cas(&s->state, 1, 2),
		  "context %d: an event for iocb %p (%s, file %d block %d) which was not in flight (state %d): "
		  "a completion counted twice or never submitted",
		  c, (void *)s, op_names[s->op], s->file, s->block, from);
	rel_add(&events_by_ctx[c], 1);
}

static void *getevents_reaper(void *arg)
{
	int c = (int)(intptr_t)arg;
	struct io_event ev[64];
	struct timespec wait = { 0, 50 * 1000 * 1000 };
	while (!rel_load(&stop_reapers)) {
		int r = io_getevents(ctxs[c], 1, 64, ev, &wait);
		REL_CHECK(r >= 0, "io_getevents on context %d: %s", c, result_text(r));
		for (int i = 0; i < r; i++)
			complete(c, &ev[i]);
	}
	return NULL;
}

static void *ring_reaper(void *arg)
{
	int c = (int)(intptr_t)arg;
	struct io_event ev[64];
	while (!rel_load(&stop_reapers)) {
		int r = rel_user_reap(ctxs[c], ev, 64);
		for (int i = 0; i < r; i++)
			complete(c, &ev[i]);
		if (r == 0)
			rel_yield();
	}
	return NULL;
}

/* A completed request: check it, and make its writes the blocks' truth. */
static void finish(int t, struct slot *s, char *busy)
{
	long long want = (s->op == OP_FSYNC || s->op == OP_FDSYNC) ? 0 : (long long)s->nblocks * BS;
	REL_CHECK(s->res == want, "submitter %d: %s of file %d blocks %d+%d gave %s, expected %lld", t,
		  op_names[s->op], s->file, s->block, s->nblocks, result_text(s->res), want);
	for (int i = 0; i < s->nblocks; i++) {
		int b = s->block + i;
		if (s->op == OP_READ || s->op == OP_READV)
			verify_block("a read", s->buf + (s->op == OP_READV ? s->nblocks - 1 - i : 0) * BS, s->file, b,
				     gens[s->file][b]);
		else
			gens[s->file][b]++; /* the write stamped gens + 1; the block was busy since */
		busy[s->file * BLOCKS + b] = 0;
	}
	rel_add(&done_ops[s->op], 1);
	rel_store(&s->state, 0);
}

static void *submitter(void *arg)
{
	int t = (int)(intptr_t)arg, c = t % CONTEXTS;
	struct rel_rng rng = { 1000 + (unsigned long long)t };
	static char busy_all[SUBMITTERS][FILES * BLOCKS];
	char *busy = busy_all[t];
	struct iocb *list[DEPTH];
	struct slot *prepared[DEPTH];
	int in_flight = 0, more = 1;

	for (int i = 0; i < DEPTH; i++)
		slots[t][i].buf = aligned_buffer(MAXV * BS);
	while (more || in_flight) {
		/* Take what has completed. */
		for (int i = 0; i < DEPTH; i++)
			if (rel_load(&slots[t][i].state) == 2) {
				finish(t, &slots[t][i], busy);
				in_flight--;
			}
		/* Prepare a batch of 1 to 8 from the free slots. */
		int n = 0, want = 1 + (int)rel_below(&rng, 8);
		for (int i = 0; i < DEPTH && n < want && more; i++) {
			struct slot *s = &slots[t][i];
			if (rel_load(&s->state) != 0)
				continue;
			if (rel_add(&issued, 1) > target) {
				more = 0;
				break;
			}
			unsigned roll = (unsigned)rel_below(&rng, 1000);
			int op = roll < 350 ? OP_READ : roll < 650 ? OP_WRITE : roll < 820 ? OP_READV
				: roll < 996 ? OP_WRITEV : roll < 998 ? OP_FSYNC : OP_FDSYNC;
			int f = (int)rel_below(&rng, FILES), nb = (op == OP_READV || op == OP_WRITEV) ? 2 + (int)rel_below(&rng, MAXV - 1) : 1;
			int b = t * OWN + (int)rel_below(&rng, OWN - nb + 1), free_run = 1;
			if (op != OP_FSYNC && op != OP_FDSYNC) {
				for (int k = 0; k < nb; k++)
					free_run &= !busy[f * BLOCKS + b + k];
				if (!free_run) { /* a block of it is in flight: do a plain read elsewhere later */
					rel_add(&issued, -1);
					continue;
				}
				for (int k = 0; k < nb; k++)
					busy[f * BLOCKS + b + k] = 1;
			} else {
				nb = 0;
			}
			s->op = op;
			s->file = f;
			s->block = b;
			s->nblocks = nb;
			switch (op) {
			case OP_READ:
				io_prep_pread(&s->cb, fds[f], s->buf, BS, (long long)b * BS);
				break;
			case OP_WRITE:
				stamp(s->buf, f, b, gens[f][b] + 1);
				io_prep_pwrite(&s->cb, fds[f], s->buf, BS, (long long)b * BS);
				break;
			case OP_READV:
			case OP_WRITEV:
				/* Segments in reverse buffer order: the vector, not the buffer, orders them. */
				for (int k = 0; k < nb; k++) {
					s->iov[k].iov_base = s->buf + (nb - 1 - k) * BS;
					s->iov[k].iov_len = BS;
					if (op == OP_WRITEV)
						stamp(s->buf + (nb - 1 - k) * BS, f, b + k, gens[f][b + k] + 1);
				}
				if (op == OP_READV)
					io_prep_preadv(&s->cb, fds[f], s->iov, nb, (long long)b * BS);
				else
					io_prep_pwritev(&s->cb, fds[f], s->iov, nb, (long long)b * BS);
				break;
			case OP_FSYNC:
				io_prep_fsync(&s->cb, fds[f]);
				break;
			default:
				io_prep_fdsync(&s->cb, fds[f]);
				break;
			}
			s->cb.data = s;
			rel_store(&s->state, 1);
			prepared[n] = s;
			list[n++] = &s->cb;
		}
		if (n == 0) {
			if (in_flight)
				rel_yield();
			continue;
		}
		int r = io_submit(ctxs[c], n, list);
		REL_CHECK(r == -EAGAIN || (r >= 1 && r <= n), "submitter %d: io_submit of %d gave %s", t, n,
			  result_text(r));
		if (r < 0) {
			rel_add(&eagain, 1);
			r = 0;
		}
		in_flight += r;
		for (int i = r; i < n; i++) { /* not accepted: never in flight, and no event may come */
			struct slot *s = prepared[i];
			REL_CHECK(rel_cas(&s->state, 1, 0), "submitter %d: an event came for an iocb io_submit did not accept",
				  t);
			for (int k = 0; k < s->nblocks; k++)
				busy[s->file * BLOCKS + s->block + k] = 0;
			rel_add(&issued, -1);
			more = 1;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	target = argc > 1 ? atoll(argv[1]) : 100000;
	static unsigned char block[BS];
	static unsigned char whole[BLOCKS * BS];
	char name[32];

	for (int f = 0; f < FILES; f++) {
		snprintf(name, sizeof name, "soak%d", f);
		int fd = open_file(name, O_WRONLY | O_CREAT | O_TRUNC);
		CHECK(fd >= 0);
		for (int b = 0; b < BLOCKS; b++) {
			stamp(block, f, b, 0);
			CHECK(write(fd, block, BS) == BS);
		}
		CHECK(t_close(fd) == 0);
		fds[f] = open_file(name, O_RDWR | (f == 0 ? O_DIRECT : 0));
		REL_CHECK(fds[f] >= 0, "open %s%s: %s", name, f == 0 ? " with O_DIRECT" : "", errno_name(errno));
	}
	for (int c = 0; c < CONTEXTS; c++)
		CHECK(io_setup(256, &ctxs[c]) == 0);
	struct rel_aio_ring *ring = (struct rel_aio_ring *)ctxs[1];
	REL_CHECK(ring->magic == REL_RING_MAGIC && ring->incompat_features == 0,
		  "context 1's ring cannot be reaped in user space (magic %x, incompat %u)", ring->magic,
		  ring->incompat_features);

	double start = now_seconds();
	thread_t reapers[CONTEXTS], subs[SUBMITTERS];
	reapers[0] = thread_spawn(getevents_reaper, (void *)(intptr_t)0);
	reapers[1] = thread_spawn(ring_reaper, (void *)(intptr_t)1);
	for (int t = 0; t < SUBMITTERS; t++)
		subs[t] = thread_spawn(submitter, (void *)(intptr_t)t);
	for (int t = 0; t < SUBMITTERS; t++)
		thread_join(subs[t]);
	double seconds = now_seconds() - start;
	rel_store(&stop_reapers, 1);
	for (int c = 0; c < CONTEXTS; c++)
		thread_join(reapers[c]);

	/* Nothing more may come: every request had its one event. */
	struct io_event ev[8];
	struct timespec zero = { 0, 0 };
	int extra0 = io_getevents(ctxs[0], 0, 8, ev, &zero), extra1 = rel_user_reap(ctxs[1], ev, 8);
	REL_CHECK(extra0 == 0 && extra1 == 0, "events after every request had its own: %d on context 0, %d on context 1",
		  extra0, extra1);

	long long total = 0;
	for (int k = 0; k < OP_KINDS; k++)
		total += done_ops[k];
	REL_CHECK(total == events_by_ctx[0] + events_by_ctx[1] && total == target,
		  "%lld requests finished, %lld + %lld events, %lld asked", total, events_by_ctx[0], events_by_ctx[1],
		  target);

	/* Every block of every file holds its last write, read through a fresh fd. */
	for (int f = 0; f < FILES; f++) {
		snprintf(name, sizeof name, "soak%d", f);
		REL_CHECK(rel_read_file(name, whole, sizeof whole) == (long long)sizeof whole, "%s changed size", name);
		for (int b = 0; b < BLOCKS; b++)
			verify_block("at the end", whole + (long long)b * BS, f, b, gens[f][b]);
	}
	for (int c = 0; c < CONTEXTS; c++)
		CHECK(io_destroy(ctxs[c]) == 0);
	for (int f = 0; f < FILES; f++) {
		CHECK(t_close(fds[f]) == 0);
		snprintf(name, sizeof name, "soak%d", f);
		CHECK(t_unlink(name) == 0);
	}
	printf("soak: %lld I/Os, every completion once, every block intact\n", total);
	rel_figures("%lld I/Os in %.1f s (%.0f/s): %lld reads, %lld writes, %lld readv, %lld writev, %lld fsync, "
		    "%lld fdsync; events %lld by io_getevents, %lld from the ring in user space; %lld -EAGAIN; "
		    "0 lost, 0 doubled, %d blocks verified",
		    total, seconds, total / seconds, done_ops[OP_READ], done_ops[OP_WRITE], done_ops[OP_READV],
		    done_ops[OP_WRITEV], done_ops[OP_FSYNC], done_ops[OP_FDSYNC], events_by_ctx[0], events_by_ctx[1],
		    eagain, FILES * BLOCKS);
	return 0;
}
