/* Windows only: a program that returns from main while the library's
 * threads are starting, running or waiting exits with its own status, every
 * time. The test starts itself as a child once per case (twice each), and
 * each child returns 7 from main at a different moment: right after
 * io_setup, right after submitting (the completion and job threads may
 * still be starting), after reaping (threads blocked on their ports), after
 * io_destroy, with an fsync still running, and with eight contexts in
 * flight. */
#include "harness.h"

static char buf[8][4096];

static int child(const char *what)
{
	int fd = open_file("data", O_RDWR | O_CREAT);
	if (fd < 0)
		return 10;
	if (write(fd, buf[0], 4096) != 4096)
		return 11;
	int nctx = strcmp(what, "many") == 0 ? 8 : 1;
	io_context_t ctx[8] = { 0 };
	struct iocb cb[8], *cbs[8];
	struct io_event ev;
	for (int i = 0; i < nctx; i++) {
		if (io_setup(4, &ctx[i]) != 0)
			return 12;
		if (strcmp(what, "setup") == 0)
			return 7;
		if (strcmp(what, "fsync") == 0)
			io_prep_fsync(&cb[i], fd);
		else
			io_prep_pread(&cb[i], fd, buf[i], 4096, 0);
		cbs[i] = &cb[i];
		if (io_submit(ctx[i], 1, &cbs[i]) != 1)
			return 13;
	}
	if (strcmp(what, "reaped") != 0 && strcmp(what, "destroyed") != 0)
		return 7; /* submit, fsync, many: requests and threads under way */
	if (io_getevents(ctx[0], 1, 1, &ev, NULL) != 1)
		return 14;
	if (strcmp(what, "reaped") == 0)
		return 7;
	if (io_destroy(ctx[0]) != 0)
		return 15;
	return 7;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return child(argv[1]);
	static const char *const cases[] = { "setup", "submit", "reaped", "destroyed", "fsync", "many" };
	char self[MAX_PATH];
	CHECK(GetModuleFileNameA(NULL, self, sizeof self) > 0);
	int bad = 0;
	for (int round = 0; round < 2; round++) {
		for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			char cmd[MAX_PATH + 32];
			snprintf(cmd, sizeof cmd, "\"%s\" %s", self, cases[i]);
			STARTUPINFOA si;
			PROCESS_INFORMATION pi;
			memset(&si, 0, sizeof si);
			si.cb = sizeof si;
			CHECK(CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
			CHECK(WaitForSingleObject(pi.hProcess, 60000) == WAIT_OBJECT_0);
			DWORD status = 0;
			CHECK(GetExitCodeProcess(pi.hProcess, &status));
			CloseHandle(pi.hThread);
			CloseHandle(pi.hProcess);
			if (status != 7) {
				printf("FAILED: returning from main after %s: exit status %lu, not 7\n", cases[i],
				       (unsigned long)status);
				bad++;
			}
		}
	}
	printf("12 children returned from main with the library's threads about: %d with another status\n", bad);
	return bad != 0;
}
