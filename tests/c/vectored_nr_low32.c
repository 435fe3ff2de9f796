/* Issue 9, item 5: a PREADV/PWRITEV segment count is the low 32 bits of the
 * 64-bit nbytes slot, as Linux's unsigned int nr_segs takes it: 2^32 + 1
 * segments is one segment, 2^32 is none, 2^32 + 1025 is too many. */
#include "../reliability/rel.h"

static io_context_t ctx;


int main(void)
{
	static unsigned char a[512], b[512];
	struct iovec iov[2] = { { a, 512 }, { b, 512 } };
	struct iocb cb;
	unsigned long long counts[] = { (1ULL << 32) + 1, (1ULL << 32) + 2, 1ULL << 32, (1ULL << 32) + 1025 };
	long long want[] = { 512, 1024, 0, -EINVAL };
	const char *names[] = { "2^32 + 1", "2^32 + 2", "2^32", "2^32 + 1025" };

	make_file("data", 8192, 62);
	int fd = open_file("data", O_RDWR);
	CHECK(fd >= 0);
	CHECK(io_setup(4, &ctx) == 0);
	for (int i = 0; i < 4; i++) {
		memset(a, 0, sizeof a);
		memset(b, 0, sizeof b);
		io_prep_preadv(&cb, fd, iov, 2, 0);
		cb.u.c.nbytes = counts[i];
		long long r = submit_and_reap(ctx, &cb);
		printf("preadv with nr %s: %s, data %d\n", names[i], result_text(r),
		       r > 0 ? check_pattern(a, 0, 512, 62) : 0);
		rel_expect(r == want[i], "preadv with nr %s gave %s; Linux uses the low 32 bits: %s", names[i],
			   result_text(r), result_text(want[i]));
	}
	memset(a, 'v', sizeof a);
	memset(b, 'w', sizeof b);
	io_prep_pwritev(&cb, fd, iov, 2, 4096);
	cb.u.c.nbytes = (1ULL << 32) + 1;
	long long r = submit_and_reap(ctx, &cb);
	static unsigned char back[8192];
	CHECK(rel_read_file("data", back, sizeof back) == 8192);
	int one = back[4096] == 'v' && back[4096 + 511] == 'v' && check_pattern(back + 4096 + 512, 4096 + 512, 512, 62);
	printf("pwritev with nr 2^32 + 1: %s, wrote exactly the first segment %d\n", result_text(r), one);
	rel_expect(r == 512 && one, "pwritev with nr 2^32 + 1 gave %s; Linux writes one segment", result_text(r));
	CHECK(io_destroy(ctx) == 0);
	CHECK(t_close(fd) == 0);
	return rel_exit_status();
}
