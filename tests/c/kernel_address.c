/* Issue 9, item 5: a buffer pointer above the user address range is
 * refused at io_submit with -EFAULT (Linux's access_ok), for plain and
 * vectored requests and for the iovec array itself; no event follows. */
#include "../reliability/rel.h"

static io_context_t ctx;

static void try(const char *what, struct iocb *cb)
{
	struct iocb *list[1] = { cb };
	struct io_event ev;
	long long r = io_submit(ctx, 1, list);
	if (r == 1) {
		reap(ctx, &ev, 1);
		printf("%s: submit 1, then res %s\n", what, result_text(event_res(&ev)));
	} else {
		printf("%s: submit %s\n", what, result_text(r));
	}
	rel_expect(r == -EFAULT, "%s: io_submit gave %s, where Linux refuses the iocb with -EFAULT", what,
		   result_text(r));
}

int main(void)
{
	static char buf[4096];
	struct iocb cb;
	void *addresses[] = { REL_KERNEL_ADDRESS, (void *)0x800000000000ULL, (void *)0xfffffffffffff000ULL };
	const char *names[] = { "0xffff800000000000", "0x800000000000", "0xfffffffffffff000" };
	char what[128];

	make_file("data", 8192, 61);
	int fd = open_file("data", O_RDWR);
	CHECK(fd >= 0);
	CHECK(io_setup(4, &ctx) == 0);
	for (int i = 0; i < 3; i++) {
		void *a = addresses[i];
		snprintf(what, sizeof what, "pread into %s", names[i]);
		io_prep_pread(&cb, fd, a, 512, 0);
		try(what, &cb);
		snprintf(what, sizeof what, "pwrite from %s", names[i]);
		io_prep_pwrite(&cb, fd, a, 512, 0);
		try(what, &cb);
		struct iovec iov[2] = { { buf, 512 }, { a, 512 } };
		snprintf(what, sizeof what, "preadv, second segment at %s", names[i]);
		io_prep_preadv(&cb, fd, iov, 2, 0);
		try(what, &cb);
		snprintf(what, sizeof what, "pwritev, second segment at %s", names[i]);
		io_prep_pwritev(&cb, fd, iov, 2, 0);
		try(what, &cb);
		snprintf(what, sizeof what, "preadv, iovec array at %s", names[i]);
		io_prep_preadv(&cb, fd, (struct iovec *)a, 1, 0);
		try(what, &cb);
	}
	CHECK(io_destroy(ctx) == 0);
	CHECK(t_close(fd) == 0);
	return rel_exit_status();
}
