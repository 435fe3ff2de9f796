/* io_setup, io_queue_init, io_destroy: argument errors, limits, and the
 * completion ring that io_context_t points at. */
#include "harness.h"

struct ring_header {
	unsigned id, nr, head, tail, magic, compat_features, incompat_features, header_length;
};

int main(void)
{
	io_context_t ctx = 0, other = 0;

	show("io_setup(0)", io_setup(0, &ctx));
	show("io_setup(-1)", io_setup(-1, &ctx));
	show("io_setup(INT_MIN)", io_setup((int)0x80000000u, &ctx));
	show("io_setup(65537)", io_setup(65537, &ctx));
	show("io_setup(5000000)", io_setup(5000000, &ctx));
	show("io_setup(bad ctxp)", io_setup(1, (io_context_t *)unmapped_address()));
	show("io_setup(NULL ctxp)", io_setup(1, NULL));
	ctx = (io_context_t)0x1000;
	show("io_setup(*ctxp != 0)", io_setup(1, &ctx));
	ctx = 0;
	show("io_queue_init(0)", io_queue_init(0, &ctx));
	show("io_queue_init(-5)", io_queue_init(-5, &ctx));

	show("io_setup(1)", io_setup(1, &ctx));
	CHECK(ctx != 0);
	struct ring_header *ring = (struct ring_header *)ctx;
	printf("magic %#x compat %u incompat %u header_length %u head %u tail %u nr>=1 %d\n", ring->magic,
	       ring->compat_features, ring->incompat_features, ring->header_length, ring->head, ring->tail,
	       ring->nr >= 1);

	/* io_queue_init clears *ctxp itself. */
	other = (io_context_t)0x1000;
	show("io_queue_init(128) over garbage", io_queue_init(128, &other));
	CHECK(other != 0 && other != ctx);
	ring = (struct ring_header *)other;
	printf("queue ring nr>=128 %d\n", ring->nr >= 128);

	/* The whole process-wide allowance is 65536 requests. */
	io_context_t big = 0, more = 0;
	show("io_setup(65536) beside others", io_setup(65536, &big));
	show("io_queue_release", io_queue_release(other));
	show("io_setup(65536) after release", io_setup(65536 - 1, &big));
	show("io_setup(1) when the allowance is spent", io_setup(2, &more));
	show("io_destroy(big)", io_destroy(big));

	show("io_destroy", io_destroy(ctx));
	show("io_destroy again", io_destroy(ctx));
	show("io_queue_release again", io_queue_release(other));
	show("io_destroy(NULL)", io_destroy(NULL));
	show("io_destroy(garbage)", io_destroy((io_context_t)unmapped_address()));

	/* Contexts come and go. */
	for (int i = 0; i < 200; i++) {
		io_context_t c = 0;
		CHECK(io_setup(64, &c) == 0);
		CHECK(io_destroy(c) == 0);
	}
	printf("200 setup/destroy cycles ok\n");
	return 0;
}
