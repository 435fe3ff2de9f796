/* Issue 9, item 5: an O_DIRECT read at or past end of file returns 0 even
 * when its length, offset or buffer is not aligned: Linux looks at the end
 * of file before the alignment (ext4, where the tests run). Before end of
 * file the misalignment is still -EINVAL. */
#include "../reliability/rel.h"

static io_context_t ctx;


int main(void)
{
	struct iocb cb;
	unsigned char *buf = aligned_buffer(16384);
	make_file("data", 8192, 63);
	int fd = open_file("data", O_RDONLY | O_DIRECT);
	CHECK(fd >= 0);
	CHECK(io_setup(4, &ctx) == 0);
	struct {
		const char *what;
		long long offset, len;
		int buf_offset;
		long long want;
	} cases[] = {
		{ "unaligned length at end of file", 8192, 100, 0, 0 },
		{ "unaligned length past end of file", 16384, 100, 0, 0 },
		{ "unaligned offset past end of file", 8192 + 512 + 1, 4096, 0, 0 },
		{ "unaligned buffer at end of file", 8192, 4096, 1, 0 },
		{ "unaligned length before end of file", 4096, 100, 0, -EINVAL },
		{ "aligned read at end of file", 8192, 4096, 0, 0 },
	};
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		io_prep_pread(&cb, fd, buf + cases[i].buf_offset, cases[i].len, cases[i].offset);
		long long r = submit_and_reap(ctx, &cb);
		printf("O_DIRECT read, %s: %s\n", cases[i].what, result_text(r));
		rel_expect(r == cases[i].want, "O_DIRECT read, %s: %s, Linux gives %s", cases[i].what, result_text(r),
			   result_text(cases[i].want));
	}
	CHECK(io_destroy(ctx) == 0);
	CHECK(t_close(fd) == 0);
	return rel_exit_status();
}
