/* A program built against the unpacked release archive (tests/package/check.sh
 * builds it with mingw-w64 dynamically, through CMake, through pkg-config,
 * -static, and as an MSVC-ABI program). It writes 8 blocks with io_submit,
 * reads the file back through the C runtime, then reads it again with
 * vectored io_submit reads in reverse order, and checks every event and every
 * byte against the pattern. Exit status 0 only if all of it is right.
 *
 * It takes no arguments and does nothing before main: the MSVC-ABI build
 * links with /entry:main, without the C runtime's startup code. */
#include <libaio.h>
#include <fcntl.h>
#include <io.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define BLOCKS 8
#define BLOCK 4096
#define FILE_NAME "package-consumer.dat"

static unsigned char written[BLOCKS][BLOCK];
static unsigned char read_back[BLOCKS][BLOCK];

static unsigned char pattern(int block, int i)
{
	return (unsigned char)(block * 37 + i * 13 + (i >> 8) + 1);
}

static int fail(const char *what, long long got, long long want)
{
	printf("libaio package consumer: FAIL %s (got %lld, want %lld)\n", what, got, want);
	fflush(stdout);
	return 1;
}

/* Reaps exactly n events for iocbs[0..n-1], each once, each with res == want_res. */
static int reap(io_context_t ctx, struct iocb *iocbs, int n, long long want_res, const char *what)
{
	struct io_event events[BLOCKS];
	int seen[BLOCKS] = {0};
	int got = io_getevents(ctx, n, n, events, NULL);
	if (got != n)
		return fail(what, got, n);
	for (int e = 0; e < n; e++) {
		int index = -1;
		for (int k = 0; k < n; k++)
			if (events[e].obj == &iocbs[k])
				index = k;
		if (index < 0 || seen[index]++)
			return fail("event for an unknown or repeated iocb", index, e);
		if (events[e].data != iocbs[index].data)
			return fail("event data", (long long)(intptr_t)events[e].data, (long long)(intptr_t)iocbs[index].data);
		if ((long long)events[e].res != want_res || events[e].res2 != 0)
			return fail(what, (long long)events[e].res, want_res);
	}
	return 0;
}

int main(void)
{
	io_context_t ctx = 0;
	struct iocb iocbs[BLOCKS], *list[BLOCKS];
	struct iovec iov[BLOCKS][2];
	int rc;

	for (int b = 0; b < BLOCKS; b++)
		for (int i = 0; i < BLOCK; i++)
			written[b][i] = pattern(b, i);

	int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC | _O_BINARY, 0644);
	if (fd < 0)
		return fail("open for writing", fd, 0);
	rc = io_setup(BLOCKS, &ctx);
	if (rc != 0)
		return fail("io_setup", rc, 0);

	for (int b = 0; b < BLOCKS; b++) {
		io_prep_pwrite(&iocbs[b], fd, written[b], BLOCK, (long long)b * BLOCK);
		iocbs[b].data = &written[b];
		list[b] = &iocbs[b];
	}
	rc = io_submit(ctx, BLOCKS, list);
	if (rc != BLOCKS)
		return fail("io_submit of the writes", rc, BLOCKS);
	if (reap(ctx, iocbs, BLOCKS, BLOCK, "write events"))
		return 1;
	_close(fd);

	/* What the writes left in the file, read by the C runtime. */
	fd = _open(FILE_NAME, _O_RDONLY | _O_BINARY);
	if (fd < 0)
		return fail("reopen", fd, 0);
	for (int b = 0; b < BLOCKS; b++) {
		rc = _read(fd, read_back[b], BLOCK);
		if (rc != BLOCK)
			return fail("read() of a written block", rc, BLOCK);
		if (memcmp(read_back[b], written[b], BLOCK) != 0)
			return fail("file contents after io_submit writes, block", b, -1);
	}
	rc = _read(fd, read_back[0], 1);
	if (rc != 0)
		return fail("file size: read() past the written blocks", rc, 0);
	_close(fd);

	/* Vectored reads, last block first, two segments each, then one read at
	 * the end of the file (0 bytes, as on Linux). */
	memset(read_back, 0, sizeof read_back);
	fd = open(FILE_NAME, O_RDONLY | _O_BINARY);
	if (fd < 0)
		return fail("open for reading", fd, 0);
	for (int n = 0; n < BLOCKS; n++) {
		int b = BLOCKS - 1 - n;
		iov[n][0].iov_base = read_back[b];
		iov[n][0].iov_len = BLOCK / 2;
		iov[n][1].iov_base = read_back[b] + BLOCK / 2;
		iov[n][1].iov_len = BLOCK / 2;
		io_prep_preadv(&iocbs[n], fd, iov[n], 2, (long long)b * BLOCK);
		iocbs[n].data = &read_back[b];
		list[n] = &iocbs[n];
	}
	rc = io_submit(ctx, BLOCKS, list);
	if (rc != BLOCKS)
		return fail("io_submit of the reads", rc, BLOCKS);
	if (reap(ctx, iocbs, BLOCKS, BLOCK, "read events"))
		return 1;
	for (int b = 0; b < BLOCKS; b++)
		if (memcmp(read_back[b], written[b], BLOCK) != 0)
			return fail("data read back by io_submit, block", b, -1);

	io_prep_pread(&iocbs[0], fd, read_back[0], BLOCK, (long long)BLOCKS * BLOCK);
	iocbs[0].data = NULL;
	rc = io_submit(ctx, 1, list);
	if (rc != 1)
		return fail("io_submit of the read at end of file", rc, 1);
	if (reap(ctx, iocbs, 1, 0, "read at end of file"))
		return 1;

	rc = io_destroy(ctx);
	if (rc != 0)
		return fail("io_destroy", rc, 0);
	_close(fd);
	if (_unlink(FILE_NAME) != 0)
		return fail("unlink", -1, 0);
	printf("libaio package consumer: %d writes and %d reads, %d bytes verified\n", BLOCKS, BLOCKS, BLOCKS * BLOCK);
	fflush(stdout);
	return 0;
}
