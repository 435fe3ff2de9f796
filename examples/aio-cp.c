/*
 * aio-cp: copies a file with Linux AIO at a chosen queue depth, then checks
 * the copy. Plain libaio code, as a Linux program would have it: the same
 * source builds against Linux libaio and, on Windows, against aio.dll.
 *
 *   aio-cp [-d depth] [-b block_size] SOURCE DEST
 *
 * Up to `depth` blocks are in flight: each finished read is written at the
 * same offset, each finished write frees its buffer for the next read; an
 * FDSYNC makes the copy durable; then both files are read back through the
 * same context and compared.
 */
#define _GNU_SOURCE
#include <libaio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif
#ifndef O_BINARY
#define O_BINARY 0
#endif

struct block {
	struct iocb cb;
	char *buf;
	long long offset;
	size_t len;
	int writing;
};

static void die(const char *what, long long err)
{
	fprintf(stderr, "aio-cp: %s: %s\n", what, err < 0 ? strerror((int)-err) : "short transfer");
	exit(1);
}

static void submit(io_context_t ctx, struct iocb *cb);

/* Starts reading the next block of the source into `b`. */
static void start_read(io_context_t ctx, struct block *b, int in, long long *next, long long size, size_t bs)
{
	b->offset = *next;
	b->len = size - *next < (long long)bs ? (size_t)(size - *next) : bs;
	b->writing = 0;
	io_prep_pread(&b->cb, in, b->buf, b->len, b->offset);
	b->cb.data = b;
	submit(ctx, &b->cb);
	*next += b->len;
}

static void submit(io_context_t ctx, struct iocb *cb)
{
	struct iocb *cbs[1] = { cb };
	int r;
	while ((r = io_submit(ctx, 1, cbs)) == -EAGAIN)
		;
	if (r != 1)
		die("io_submit", r);
}

/* Reads both files back in blocks and compares them. */
static int verify(io_context_t ctx, int a, int b, long long size, size_t bs, char *x, char *y)
{
	struct iocb ca, cb, *cbs[2] = { &ca, &cb };
	struct io_event ev[2];
	for (long long off = 0; off < size; off += bs) {
		size_t len = size - off < (long long)bs ? (size_t)(size - off) : bs;
		io_prep_pread(&ca, a, x, len, off);
		io_prep_pread(&cb, b, y, len, off);
		if (io_submit(ctx, 2, cbs) != 2)
			die("io_submit (verify)", -EIO);
		int got = 0;
		while (got < 2) {
			int r = io_getevents(ctx, 2 - got, 2, ev + got, NULL);
			if (r < 0)
				die("io_getevents (verify)", r);
			got += r;
		}
		for (int i = 0; i < 2; i++)
			if ((long long)ev[i].res != (long long)len)
				die("pread (verify)", (long long)ev[i].res);
		if (memcmp(x, y, len) != 0) {
			fprintf(stderr, "aio-cp: copy differs in block at %lld\n", off);
			return 0;
		}
	}
	return 1;
}

int main(int argc, char **argv)
{
	int depth = 32;
	size_t bs = 128 * 1024;
	int i = 1;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "-d") == 0)
			depth = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-b") == 0)
			bs = (size_t)atol(argv[i + 1]);
		else
			break;
	}
	if (argc - i != 2 || depth < 1 || bs < 1) {
		fprintf(stderr, "usage: aio-cp [-d depth] [-b block_size] SOURCE DEST\n");
		return 2;
	}
	int in = open(argv[i], O_RDONLY | O_BINARY);
	int out = open(argv[i + 1], O_RDWR | O_CREAT | O_TRUNC | O_BINARY, 0644);
	if (in < 0 || out < 0) {
		perror("aio-cp: open");
		return 1;
	}
	struct stat st;
	if (fstat(in, &st) != 0) {
		perror("aio-cp: fstat");
		return 1;
	}
	long long size = st.st_size;

	io_context_t ctx = 0;
	int r = io_queue_init(depth, &ctx);
	if (r < 0)
		die("io_queue_init", r);
	struct block *blocks = calloc(depth, sizeof *blocks);
	struct io_event *events = calloc(depth, sizeof *events);
	for (int k = 0; k < depth; k++)
		blocks[k].buf = malloc(bs);

	long long next = 0, done = 0;
	int in_flight = 0;
	for (int k = 0; k < depth && next < size; k++) {
		start_read(ctx, &blocks[k], in, &next, size, bs);
		in_flight++;
	}
	while (in_flight > 0) {
		int n = io_getevents(ctx, 1, depth, events, NULL);
		if (n < 0)
			die("io_getevents", n);
		for (int e = 0; e < n; e++) {
			struct block *b = events[e].data;
			long long res = (long long)events[e].res;
			if (res != (long long)b->len)
				die(b->writing ? "pwrite" : "pread", res);
			if (!b->writing) {
				b->writing = 1;
				io_prep_pwrite(&b->cb, out, b->buf, b->len, b->offset);
				b->cb.data = b;
				submit(ctx, &b->cb);
				continue;
			}
			done += b->len;
			in_flight--;
			if (next < size) {
				start_read(ctx, b, in, &next, size, bs);
				in_flight++;
			}
		}
	}
	struct iocb sync;
	io_prep_fdsync(&sync, out);
	submit(ctx, &sync);
	if ((r = io_getevents(ctx, 1, 1, events, NULL)) != 1 || (long long)events[0].res != 0)
		die("fdsync", r < 0 ? r : (long long)events[0].res);

	int same = verify(ctx, in, out, size, bs, blocks[0].buf, depth > 1 ? blocks[1].buf : malloc(bs));
	printf("copied %lld bytes at depth %d in %zu-byte blocks; copy %s\n", done, depth, bs,
	       same ? "verified" : "DIFFERS");
	io_queue_release(ctx);
	return same ? 0 : 1;
}
