/* Windows only (issue 9, item 4): a reopen never widens access. A handle
 * opened with FILE_APPEND_DATA and without FILE_WRITE_DATA (how Windows
 * opens for atomic append, and how ported programs' own open() layers often
 * implement O_APPEND) appends every write, whatever its offset. Given to
 * the library, by io_win32_handle_fd or by _open_osfhandle and
 * aio_fd_set_flags, its positional writes at offset 0 must still append, as
 * Linux's aio writes on an O_APPEND fd do (tests/c/append.c), and never
 * overwrite the start of the file. */
#include "../../reliability/rel.h"

static io_context_t ctx;

static long long write_at_zero(int fd, const char *text)
{
	struct iocb cb, *list[1] = { &cb };
	struct io_event ev;
	io_prep_pwrite(&cb, fd, (void *)text, (long)strlen(text), 0);
	long long r = io_submit(ctx, 1, list);
	if (r != 1)
		return r;
	reap(ctx, &ev, 1);
	return event_res(&ev);
}

static HANDLE open_append_only(const char *path)
{
	HANDLE h = CreateFileA(path, FILE_APPEND_DATA | SYNCHRONIZE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
			       OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	CHECK(h != INVALID_HANDLE_VALUE);
	return h;
}

/* The file must be its 1,000 original bytes followed by the two writes. */
static void verify(const char *how)
{
	static unsigned char back[4096];
	long long size = rel_read_file("data", back, sizeof back);
	int head_intact = check_pattern(back, 0, size < 1000 ? size : 1000, 51) && size >= 1000;
	int appended = size == 1010 && memcmp(back + 1000, "firstsecnd", 10) == 0;
	printf("%s: size %lld, first 1000 bytes intact %d, both writes appended %d\n", how, size, head_intact,
	       appended);
	rel_expect(head_intact && appended,
		   "%s: positional writes at offset 0 through an append-only handle %s (size %lld, begins \"%.5s\")",
		   how, head_intact ? "did not append as expected" : "overwrote the start of the file", size,
		   (const char *)back);
}

static void through(const char *how, int fd)
{
	long long a = write_at_zero(fd, "first");
	long long b = write_at_zero(fd, "secnd");
	printf("%s: writes at offset 0 gave %s and %s\n", how, result_text(a), result_text(b));
	verify(how);
}

int main(void)
{
	CHECK(io_setup(4, &ctx) == 0);

	make_file("data", 1000, 51);
	HANDLE h = open_append_only("data");
	int fd = io_win32_handle_fd(h, 0);
	CHECK(fd >= 0);
	through("io_win32_handle_fd(h, 0)", fd);
	CHECK(io_win32_handle_release(fd) == 0);
	CloseHandle(h);

	make_file("data", 1000, 51);
	h = open_append_only("data");
	fd = io_win32_handle_fd(h, O_APPEND);
	CHECK(fd >= 0);
	through("io_win32_handle_fd(h, O_APPEND)", fd);
	CHECK(io_win32_handle_release(fd) == 0);
	CloseHandle(h);

	make_file("data", 1000, 51);
	h = open_append_only("data");
	fd = _open_osfhandle((intptr_t)h, _O_WRONLY | _O_BINARY);
	CHECK(fd >= 0);
	CHECK(aio_fd_set_flags(fd, O_WRONLY) == 0);
	through("_open_osfhandle + aio_fd_set_flags(fd, O_WRONLY)", fd);
	CHECK(t_close(fd) == 0);

	make_file("data", 1000, 51);
	h = open_append_only("data");
	fd = _open_osfhandle((intptr_t)h, _O_WRONLY | _O_APPEND | _O_BINARY);
	CHECK(fd >= 0);
	CHECK(aio_fd_set_flags(fd, O_WRONLY | O_APPEND) == 0);
	through("_open_osfhandle + aio_fd_set_flags(fd, O_WRONLY | O_APPEND)", fd);
	CHECK(t_close(fd) == 0);

	CHECK(io_destroy(ctx) == 0);
	return rel_exit_status();
}
