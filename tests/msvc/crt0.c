/*
 * Program startup for the MSVC-ABI test programs (msvc_cc + msvc_link).
 *
 * lld-link has no MSVC C runtime startup objects (they come with Visual
 * Studio), and a bare /entry:main skips the C runtime's initialisation:
 * no constructors, no argc/argv, no atexit handlers, stdout not flushed at
 * exit. This file does what MSVC's mainCRTStartup does for a console
 * program on the ucrt (ucrtbase.dll, through mingw-w64's libucrt.a):
 *
 *   - declares the C and C++ initializer tables: the linker sorts sections
 *     named .CRT$X?? by the text after '$', so everything the compiler puts
 *     in .CRT$XIU (C initializers) lies between __xi_a (.CRT$XIA) and
 *     __xi_z (.CRT$XIZ), and everything in .CRT$XCU (C++ dynamic
 *     initialisation, and clang's __attribute__((constructor)) for this
 *     target) between __xc_a and __xc_z;
 *   - sets the app type, builds argv (_configure_narrow_argv, read back
 *     through __p___argc/__p___argv) and the environment;
 *   - runs the C initializers (_initterm_e, which stops at the first that
 *     fails) and then the C++ ones (_initterm);
 *   - calls main and ends with exit(status), so that atexit handlers run and
 *     stdio buffers are flushed.
 *
 * It also supplies the few symbols that the compiler expects from
 * Visual Studio's static runtime (vcruntime/libcmt): _fltused, __chkstk and
 * atexit (ucrtbase exports only _crt_atexit).
 */
/* No C runtime headers: Wine's declare atexit dllimport, which this file
 * defines. Everything used is declared here as the Windows SDK does. */
typedef void(__cdecl *crt0_vfn)(void);
typedef int(__cdecl *crt0_ifn)(void);

/* ucrtbase's startup exports (corecrt_startup.h in the Windows SDK). */
typedef enum { crt0_argv_unexpanded = 1 } crt0_argv_mode;
typedef enum { crt0_console_app = 1 } crt0_app_type;
__declspec(dllimport) int __cdecl _configure_narrow_argv(crt0_argv_mode mode);
__declspec(dllimport) int __cdecl _initialize_narrow_environment(void);
__declspec(dllimport) char **__cdecl _get_initial_narrow_environment(void);
__declspec(dllimport) void __cdecl _set_app_type(crt0_app_type type);
__declspec(dllimport) int __cdecl _crt_atexit(crt0_vfn fn);
__declspec(dllimport) void __cdecl _initterm(crt0_vfn *first, crt0_vfn *last);
__declspec(dllimport) int __cdecl _initterm_e(crt0_ifn *first, crt0_ifn *last);
__declspec(dllimport) int *__cdecl __p___argc(void);
__declspec(dllimport) char ***__cdecl __p___argv(void);
__declspec(dllimport) __declspec(noreturn) void __cdecl exit(int status);

#pragma section(".CRT$XIA", long, read)
#pragma section(".CRT$XIZ", long, read)
#pragma section(".CRT$XCA", long, read)
#pragma section(".CRT$XCZ", long, read)
__declspec(allocate(".CRT$XIA")) crt0_ifn crt0_xi_a[] = { 0 };
__declspec(allocate(".CRT$XIZ")) crt0_ifn crt0_xi_z[] = { 0 };
__declspec(allocate(".CRT$XCA")) crt0_vfn crt0_xc_a[] = { 0 };
__declspec(allocate(".CRT$XCZ")) crt0_vfn crt0_xc_z[] = { 0 };

/* The compiler references _fltused in any object that uses floating point. */
int _fltused = 0x9875;

/* atexit lives in Visual Studio's static runtime, not in ucrtbase. Wine's
 * headers declare it dllimport, the SDK's do not: provide both names. */
int __cdecl atexit(crt0_vfn fn)
{
	return _crt_atexit(fn);
}
int(__cdecl *__imp_atexit)(crt0_vfn) = atexit;

/* __chkstk: called with the frame size in rax before a function allocates
 * more than a page of stack; touches each page from the top down so that
 * the guard page moves in order. Preserves every register but r10/r11. */
__asm__(".globl __chkstk\n"
	"__chkstk:\n"
	"  movq %rax, %r10\n"
	"  movq %rsp, %r11\n"
	"  addq $8, %r11\n" /* the caller's rsp (above our return address) */
	"1:\n"
	"  cmpq $4096, %r10\n"
	"  jb 2f\n"
	"  subq $4096, %r11\n"
	"  testb $0, (%r11)\n"
	"  subq $4096, %r10\n"
	"  jmp 1b\n"
	"2:\n"
	"  subq %r10, %r11\n"
	"  testb $0, (%r11)\n"
	"  ret\n");

int main(int argc, char **argv, char **envp);

int mainCRTStartup(void)
{
	_set_app_type(crt0_console_app);
	if (_configure_narrow_argv(crt0_argv_unexpanded) != 0 || _initialize_narrow_environment() != 0)
		exit(255);
	if (_initterm_e(crt0_xi_a, crt0_xi_z) != 0)
		exit(255);
	_initterm(crt0_xc_a, crt0_xc_z);
	exit(main(*__p___argc(), *__p___argv(), _get_initial_narrow_environment()));
}
