/* What tests/msvc/crt0.c must give a program, checked from the inside:
 * constructors ran before main, argv and the environment arrived, stdout is
 * buffered (not a console here) and is flushed at exit, atexit handlers run
 * after main returns, and the exit status is main's. Run by
 * tests/msvc/check.sh as `crt0_check.exe one "two words"` with
 * CRT0_CHECK=env; it exits 7 and its output is compared there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int constructed;

__attribute__((constructor)) static void construct(void)
{
	constructed = 1;
}

static void at_exit(void)
{
	/* Runs after main has returned: stdout must still take output. */
	printf("atexit handler ran\n");
}

int main(int argc, char **argv)
{
	const char *env = getenv("CRT0_CHECK");
	printf("constructor ran: %d\n", constructed);
	printf("argc: %d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d]: %s\n", i, argv[i]);
	printf("argv[argc] is NULL: %d\n", argv[argc] == NULL);
	printf("environment: %s\n", env ? env : "(none)");
	if (atexit(at_exit) != 0)
		return 1;
	/* No fflush: exit() must flush this. */
	printf("last line, unflushed");
	return 7;
}
