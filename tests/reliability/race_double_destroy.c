/* Two io_destroys of one context at once, from two threads, with reads in
 * flight: exactly one returns 0 and the other -EINVAL (Linux: the first to
 * mark the context dead wins), and a third, later, is -EINVAL too.
 *
 * Usage: race_double_destroy [ROUNDS=500] */
#include "rel.h"

static io_context_t ctx;
static int go, results[2];

static void *destroyer(void *arg)
{
	int t = (int)(intptr_t)arg;
	while (!rel_load(&go))
		;
	results[t] = io_destroy(ctx);
	return NULL;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 500;
	static unsigned char buf[8][512];
	struct iocb cbs[8], *list[8];
	make_file("data", 8 * 512, 91);
	int fd = open_file("data", O_RDONLY);
	CHECK(fd >= 0);
	int wins[2] = { 0, 0 };
	for (int round = 0; round < rounds; round++) {
		ctx = 0;
		CHECK(io_setup(16, &ctx) == 0);
		for (int i = 0; i < 8; i++) {
			io_prep_pread(&cbs[i], fd, buf[i], 512, i * 512);
			list[i] = &cbs[i];
		}
		CHECK(io_submit(ctx, 8, list) == 8);
		go = 0;
		thread_t a = thread_spawn(destroyer, (void *)(intptr_t)0), b = thread_spawn(destroyer, (void *)(intptr_t)1);
		rel_store(&go, 1);
		thread_join(a);
		thread_join(b);
		REL_CHECK((results[0] == 0 && results[1] == -EINVAL) || (results[0] == -EINVAL && results[1] == 0),
			  "round %d: two io_destroys of one context gave %s and %s; Linux: one 0, one -EINVAL", round,
			  result_text(results[0]), result_text(results[1]));
		wins[results[0] == 0 ? 0 : 1]++;
	}
	printf("%d rounds: one io_destroy 0 and the other -EINVAL every time\n", rounds);
	rel_figures("first thread won %d rounds, second %d", wins[0], wins[1]);
	CHECK(t_close(fd) == 0);
	return 0;
}
