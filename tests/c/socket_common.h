/* What the socket poll tests share: Winsock or BSD sockets under one set of
 * names, Linux's poll bits under names of their own, and a loopback
 * listener. Included instead of harness.h (which it includes after
 * <winsock2.h>: <windows.h> would bring in the older <winsock.h>). */
#ifndef SOCKET_COMMON_H
#define SOCKET_COMMON_H

#ifdef _WIN32
/* Before <windows.h> (harness.h), which would bring in <winsock.h>. */
#include <winsock2.h>
#endif
#include "harness.h"

#ifdef _WIN32
typedef SOCKET sock_t;
typedef int t_socklen_t;
#define T_BAD_SOCKET INVALID_SOCKET
#define T_SHUT_WR SD_SEND
#define sock_close closesocket
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
typedef int sock_t;
typedef socklen_t t_socklen_t;
#define T_BAD_SOCKET (-1)
#define T_SHUT_WR SHUT_WR
#define sock_close close
#endif

/* The iocb's events and the event's res are Linux's poll bits on every
 * platform (they are libaio's ABI, as are its opcodes). <winsock2.h>
 * defines POLLIN, POLLOUT, POLLERR... for WSAPoll with other values
 * (POLLIN is POLLRDNORM|POLLRDBAND, 0x300; POLLPRI 0x400; POLLOUT 0x10;
 * POLLERR 0x1; POLLHUP 0x2), and has no POLLRDHUP: a program that includes
 * it must give io_prep_poll Linux's values, under names of its own (as
 * here), or #undef Winsock's names and define them again as Linux's. */
#define LINUX_POLLIN 0x0001
#define LINUX_POLLPRI 0x0002
#define LINUX_POLLOUT 0x0004
#define LINUX_POLLERR 0x0008
#define LINUX_POLLHUP 0x0010
#define LINUX_POLLRDHUP 0x2000
#ifndef _WIN32
_Static_assert(LINUX_POLLIN == POLLIN && LINUX_POLLPRI == POLLPRI && LINUX_POLLOUT == POLLOUT &&
		       LINUX_POLLERR == POLLERR && LINUX_POLLHUP == POLLHUP && LINUX_POLLRDHUP == POLLRDHUP,
	       "Linux's poll bits");
#endif

/* The bits a Linux waker's mask may carry (res of a poll woken in the
 * wake-up itself has the waker's whole mask): POLLIN, POLLPRI, POLLOUT,
 * POLLRDNORM, POLLRDBAND, POLLWRNORM, POLLWRBAND. */
#define LINUX_WAKER_BITS 0x03c7

/* A TCP socket listening on a loopback port of its own; `addr` says where. */
static inline sock_t listener(struct sockaddr_in *addr)
{
	t_socklen_t len = sizeof *addr;
	sock_t l = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(l != T_BAD_SOCKET);
	memset(addr, 0, sizeof *addr);
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr->sin_port = 0;
	CHECK(bind(l, (struct sockaddr *)addr, sizeof *addr) == 0);
	CHECK(listen(l, 4) == 0);
	CHECK(getsockname(l, (struct sockaddr *)addr, &len) == 0);
	return l;
}

#endif
