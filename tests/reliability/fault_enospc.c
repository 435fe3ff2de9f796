/* A full disk: sequential 64 KiB writes into an 8 MiB tmpfs (check.sh
 * mounts it) until one fails. As on Linux: the failure is -ENOSPC (after
 * at most one short write), and every byte acknowledged before it reads
 * back intact; fsync still works; deleting the file frees the space. */
#include "rel.h"

#define BLOCK 65536

int main(void)
{
	io_context_t ctx = 0;
	unsigned char *block = aligned_buffer(BLOCK), *back = aligned_buffer(BLOCK);
	struct iocb cb, *list[1] = { &cb };
	struct io_event ev;
	int fd = open_file("fill", O_RDWR | O_CREAT | O_TRUNC);
	CHECK(fd >= 0);
	CHECK(io_setup(4, &ctx) == 0);
	long long acknowledged = 0, failure = 0;
	int short_writes = 0;
	for (int n = 0; n < 4096 && failure == 0; n++) { /* 256 MiB at most: far more than the filesystem */
		for (int i = 0; i < BLOCK; i++)
			block[i] = pattern(acknowledged + i, 81);
		io_prep_pwrite(&cb, fd, block, BLOCK, acknowledged);
		CHECK(io_submit(ctx, 1, list) == 1);
		reap(ctx, &ev, 1);
		long long r = event_res(&ev);
		if (r < 0)
			failure = r;
		else {
			REL_CHECK(r > 0, "a write into a filling disk returned 0");
			short_writes += r < BLOCK;
			acknowledged += r;
		}
	}
	printf("the write that found the disk full: %s\n", result_text(failure));
	REL_CHECK(failure == -ENOSPC, "writing into a full disk gave %s, Linux -ENOSPC", result_text(failure));
	REL_CHECK(short_writes <= 1, "%d short writes before the failure", short_writes);

	/* Everything acknowledged is there, read through the context. */
	long long bad_at = -1;
	for (long long off = 0; off < acknowledged && bad_at < 0; off += BLOCK) {
		long long len = acknowledged - off < BLOCK ? acknowledged - off : BLOCK;
		io_prep_pread(&cb, fd, back, len, off);
		CHECK(io_submit(ctx, 1, list) == 1);
		reap(ctx, &ev, 1);
		REL_CHECK(event_res(&ev) == len, "reading back at %lld gave %s", off, result_text(event_res(&ev)));
		if (!check_pattern(back, off, len, 81))
			bad_at = off;
	}
	printf("everything acknowledged before it reads back intact: %d\n", bad_at < 0);
	REL_CHECK(bad_at < 0, "data acknowledged before the disk filled is damaged (block at %lld)", bad_at);
	io_prep_fsync(&cb, fd);
	CHECK(io_submit(ctx, 1, list) == 1);
	reap(ctx, &ev, 1);
	show("fsync of the full file", event_res(&ev));
	CHECK(t_close(fd) == 0);
	CHECK(io_destroy(ctx) == 0);
	show("unlink", t_unlink("fill"));
	/* The space is free again: a new file takes a block. */
	fd = open_file("again", O_RDWR | O_CREAT | O_TRUNC);
	CHECK(fd >= 0);
	show("a write after the delete", write(fd, block, BLOCK));
	CHECK(t_close(fd) == 0);
	CHECK(t_unlink("again") == 0);
	rel_figures("%lld bytes acknowledged before -ENOSPC, %d short write(s)", acknowledged, short_writes);
	return 0;
}
