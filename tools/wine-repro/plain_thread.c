/* No library: main starts a thread and returns at once with status 7 (so an
 * exit status of 1 cannot be ours). argv[1] picks what the thread does:
 *   ret    returns at once            (default)
 *   spin   busy-loops                 (running)
 *   block  waits on a completion port (blocked, like the library's threads)
 *   n<K>   starts K threads of kind block
 * Build: x86_64-w64-mingw32-gcc -O1 plain_thread.c -o plain_thread.exe */
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static HANDLE port;

static DWORD WINAPI ret_fn(LPVOID p) { (void)p; return 0; }
static DWORD WINAPI spin_fn(LPVOID p) { (void)p; for (volatile unsigned long i = 0;; i++) ; return 0; }
static DWORD WINAPI block_fn(LPVOID p)
{
	(void)p;
	DWORD n; ULONG_PTR key; OVERLAPPED *ov;
	GetQueuedCompletionStatus(port, &n, &key, &ov, INFINITE);
	return 0;
}

int main(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "ret";
	int count = 1;
	LPTHREAD_START_ROUTINE fn = ret_fn;
	port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
	if (!strcmp(kind, "spin")) fn = spin_fn;
	else if (!strcmp(kind, "block")) fn = block_fn;
	else if (kind[0] == 'n') { fn = block_fn; count = atoi(kind + 1); }
	for (int i = 0; i < count; i++) {
		HANDLE h = CreateThread(NULL, 0, fn, NULL, 0, NULL);
		if (!h) { printf("CreateThread failed %lu\n", GetLastError()); return 9; }
		CloseHandle(h);
	}
	return 7;
}
