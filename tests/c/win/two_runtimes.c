/* Windows only: one process, two C runtimes (this program's own: msvcrt for
 * a mingw build, ucrtbase for an MSVC one; and the other), each with its own
 * fd table in which the same fd number names a different file. A context
 * resolves fds in the runtime it was set up with. */
#include "harness.h"

typedef int(__cdecl *open_fn)(const char *, int, ...);
typedef intptr_t(__cdecl *osfhandle_fn)(int);
typedef int(__cdecl *close_fn)(int);

int main(void)
{
	HMODULE ucrt = LoadLibraryA(T_OTHER_RUNTIME_DLL); /* "ucrt": the other runtime */
	CHECK(ucrt != NULL);
	open_fn ucrt_open = (open_fn)(void *)GetProcAddress(ucrt, "_open");
	osfhandle_fn ucrt_osfhandle = (osfhandle_fn)(void *)GetProcAddress(ucrt, "_get_osfhandle");
	close_fn ucrt_close = (close_fn)(void *)GetProcAddress(ucrt, "_close");
	CHECK(ucrt_open && ucrt_osfhandle && ucrt_close);

	make_file("msvcrt-file", 512, 20);
	make_file("ucrt-file", 512, 21);
	int mfd = open_file("msvcrt-file", O_RDONLY);
	int ufd = ucrt_open("ucrt-file", O_RDONLY | O_BINARY);
	CHECK(mfd >= 0 && ufd >= 0);
	printf("same fd number in both runtimes: %d\n", mfd == ufd);
	CHECK(mfd == ufd);

	io_context_t mine = 0, theirs = 0;
	static unsigned char buf[512];
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	CHECK(io_setup(4, &mine) == 0); /* the header binds this module's runtime */
	CHECK(io_win32_setup(4, &theirs, ucrt_osfhandle) == 0);

	io_prep_pread(&cb, mfd, buf, 512, 0);
	CHECK(io_submit(mine, 1, cbs) == 1);
	reap(mine, &ev, 1);
	CHECK(event_res(&ev) == 512 && check_pattern(buf, 0, 512, 20));
	printf("msvcrt context reads the msvcrt file\n");

	memset(buf, 0, sizeof buf);
	CHECK(io_submit(theirs, 1, cbs) == 1);
	reap(theirs, &ev, 1);
	CHECK(event_res(&ev) == 512 && check_pattern(buf, 0, 512, 21));
	printf("ucrt context reads the ucrt file\n");

	/* An fd open in one runtime only is bad in the other (and a bad fd
	 * never reaches ucrt's process-ending invalid-parameter handler). */
	int only_mine = open_file("msvcrt-file", O_RDONLY);
	io_prep_pread(&cb, only_mine, buf, 512, 0);
	CHECK(io_submit(theirs, 1, cbs) == -EBADF);
	io_prep_pread(&cb, 4000, buf, 512, 0);
	CHECK(io_submit(theirs, 1, cbs) == -EBADF);
	printf("fds unknown to a runtime: EBADF\n");

	/* The plain export (no header binding: the parentheses keep the
	 * header's io_setup macro out) resolves fds in the runtime the
	 * executable imports, whichever others are loaded: fd mfd (the same
	 * number as ufd) names this program's file, not the other runtime's. */
	io_context_t plain = 0;
	CHECK((io_setup)(4, &plain) == 0);
	memset(buf, 0, sizeof buf);
	io_prep_pread(&cb, mfd, buf, 512, 0);
	CHECK(io_submit(plain, 1, cbs) == 1);
	reap(plain, &ev, 1);
	CHECK(event_res(&ev) == 512 && check_pattern(buf, 0, 512, 20));
	printf("a context set up without the header reads this program's file\n");
	CHECK(io_destroy(plain) == 0);
	CHECK(io_destroy(mine) == 0 && io_destroy(theirs) == 0);
	ucrt_close(ufd);
	return 0;
}
