/* What fio's os/os-windows.h defines that libaio.h also touches: its own
 * sigset_t and open flags. fio includes it before libaio.h in some files
 * and after it in others; tests/header/check.sh builds both orders. */
#ifndef FIO_STYLE_OS_H
#define FIO_STYLE_OS_H
#define O_DIRECT	0x1000000
#define O_SYNC		0x2000000
typedef int sigset_t;
#endif
