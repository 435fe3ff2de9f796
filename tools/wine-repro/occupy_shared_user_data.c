/* LD_PRELOAD shim for the deterministic reproducer: before Wine's own
 * initialisation, something unix-side occupies the page at 0x7ffe0000 where
 * Wine must put KUSER_SHARED_DATA. Mode (OCCUPY=...):
 *   map  an anonymous page mapped there (MAP_FIXED_NOREPLACE)
 *   brk  the brk heap grown until it covers 0x7ffe0000, as happens by chance
 *        when the kernel's brk randomisation (up to 1 GiB above the end of the
 *        non-PIE wine64 loader at 0x7d000000) starts the heap just below it;
 *        does nothing when the heap starts above (then prints "heap above")
 * Build: gcc -O1 -shared -fPIC occupy_shared_user_data.c -o occupy.so */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define USD 0x7ffe0000UL

/* Notes go to $OCCUPY_LOG (default: nowhere), never to the run's streams. */
static void note(const char *fmt, unsigned long v)
{
	const char *path = getenv("OCCUPY_LOG");
	FILE *f = path ? fopen(path, "a") : NULL;
	if (!f) return;
	fprintf(f, fmt, v, (int)getpid(), getenv("WINELOADERNOEXEC") != NULL);
	fclose(f);
}

__attribute__((constructor)) static void occupy(void)
{
	const char *mode = getenv("OCCUPY");
	char self[256] = "";
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) self[n] = 0;
	if (!mode || !strstr(self, "/wine64")) return; /* not the server, not the shell */
	if (!strcmp(mode, "map")) {
		void *p = mmap((void *)USD, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		note(p == (void *)USD ? "mapped %lx pid %d noexec %d\n" : "mmap failed %lx pid %d noexec %d\n", USD);
	} else if (!strcmp(mode, "brk")) {
		uintptr_t cur = (uintptr_t)sbrk(0);
		if (cur > USD) { note("heap above: %lx pid %d noexec %d\n", cur); return; }
		note(sbrk((intptr_t)(USD + 0x1000 - cur)) == (void *)-1 ? "sbrk failed from %lx pid %d noexec %d\n"
									  : "heap grown over 0x7ffe0000 from %lx pid %d noexec %d\n", cur);
	}
}
