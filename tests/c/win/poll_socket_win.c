/* Windows only: IO_CMD_POLL on SOCKETs the program made its own way. A TCP
 * socket from WSASocket with WSA_FLAG_OVERLAPPED and one without (a
 * synchronous socket, on which a blocking request would stall its thread)
 * each fire POLLOUT at once and POLLIN when the peer sends, cancel
 * (-EINPROGRESS, event res 0) and let io_destroy return at once while
 * armed; a UDP socket fires POLLIN when a datagram arrives; and a number
 * that is neither a C runtime fd nor a socket (a closed socket's, an event
 * HANDLE's, one never handed out) fails io_submit with -EBADF.
 *
 * WINLIBS: -lws2_32
 */
#include "socket_common.h"
#include "poll_common.h"

/* An event's res for a poll that asked for `asked` and must report `want`:
 * want set, no error or hang-up, nothing else but what a waker may add. */
static void check_res(const char *what, const struct io_event *ev, int asked, int want)
{
	unsigned long long res = ev->res;
	printf("%s: res 0x%llx\n", what, res);
	CHECK((res & (unsigned)want) == (unsigned)want);
	CHECK((res & (LINUX_POLLERR | LINUX_POLLHUP)) == 0);
	CHECK((res & ~(unsigned long long)(asked | LINUX_WAKER_BITS)) == 0);
}

static void submit1(struct iocb *cb)
{
	struct iocb *list[1] = { cb };
	CHECK(io_submit(ctx, 1, list) == 1);
}

/* Connects `client` (made by the caller) to a loopback listener and returns
 * the accepted peer. */
static SOCKET connect_peer(SOCKET client)
{
	struct sockaddr_in addr;
	SOCKET l = listener(&addr);
	CHECK(connect(client, (struct sockaddr *)&addr, sizeof addr) == 0);
	SOCKET peer = accept(l, NULL, NULL);
	CHECK(peer != INVALID_SOCKET);
	CHECK(closesocket(l) == 0);
	return peer;
}

/* The cases every TCP socket must pass, on `s` (the fd given to the API)
 * with `peer` at the other end. */
static void exercise_tcp(const char *what, SOCKET s, SOCKET peer)
{
	struct iocb cb[2], *list[2] = { &cb[0], &cb[1] };
	struct io_event ev[2];
	char buf[16];
	int fd = (int)s;
	printf("%s:\n", what);

	io_prep_poll(&cb[0], fd, LINUX_POLLOUT);
	submit1(&cb[0]);
	reap(ctx, ev, 1);
	CHECK(ev[0].obj == &cb[0]);
	check_res("  POLLOUT, connected", &ev[0], LINUX_POLLOUT, LINUX_POLLOUT);

	io_prep_poll(&cb[0], fd, LINUX_POLLIN);
	cb[0].data = (void *)0x1234;
	submit1(&cb[0]);
	CHECK(waiting(ev, 2) == 0);
	CHECK(send(peer, "hello", 5, 0) == 5);
	reap(ctx, ev, 1);
	CHECK(ev[0].obj == &cb[0] && ev[0].data == (void *)0x1234);
	check_res("  POLLIN, the peer sent", &ev[0], LINUX_POLLIN, LINUX_POLLIN);
	CHECK(recv(s, buf, 5, 0) == 5 && memcmp(buf, "hello", 5) == 0);

	/* Two polls armed, one cancelled: the other still fires. */
	io_prep_poll(&cb[0], fd, LINUX_POLLIN);
	io_prep_poll(&cb[1], fd, LINUX_POLLIN);
	CHECK(io_submit(ctx, 2, list) == 2);
	CHECK(io_cancel(ctx, &cb[0], &ev[1]) == -EINPROGRESS);
	reap(ctx, ev, 1);
	CHECK(ev[0].obj == &cb[0] && ev[0].res == 0);
	printf("  io_cancel of an armed poll: -EINPROGRESS, event res 0\n");
	CHECK(io_cancel(ctx, &cb[0], &ev[1]) == -EINVAL);
	CHECK(send(peer, "x", 1, 0) == 1);
	reap(ctx, ev, 1);
	CHECK(ev[0].obj == &cb[1]);
	check_res("  the other poll, the peer sent", &ev[0], LINUX_POLLIN, LINUX_POLLIN);
	CHECK(recv(s, buf, 1, 0) == 1);
	CHECK(waiting(ev, 2) == 0);
}

/* io_destroy with a poll armed on s returns within a second. */
static void destroy_armed(const char *what, SOCKET s)
{
	struct iocb cb;
	io_prep_poll(&cb, (int)s, LINUX_POLLIN | LINUX_POLLPRI);
	submit1(&cb);
	double start = now_seconds();
	CHECK(io_destroy(ctx) == 0);
	printf("%s: io_destroy with a poll armed within a second: %d\n", what, now_seconds() - start < 1.0);
	CHECK(now_seconds() - start < 1.0);
	ctx = 0; /* io_setup takes only a zeroed context, as on Linux */
	CHECK(io_setup(16, &ctx) == 0);
}

static void not_a_socket(const char *what, int fd)
{
	struct iocb cb, *list[1] = { &cb };
	io_prep_poll(&cb, fd, LINUX_POLLIN);
	long long r = io_submit(ctx, 1, list);
	printf("%s: io_submit %s\n", what, result_text(r));
	CHECK(r == -EBADF);
}

int main(void)
{
	WSADATA wsa;
	CHECK(WSAStartup(MAKEWORD(2, 2), &wsa) == 0);
	CHECK(io_setup(16, &ctx) == 0);

	SOCKET ov = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
	CHECK(ov != INVALID_SOCKET);
	SOCKET peer = connect_peer(ov);
	exercise_tcp("WSASocket with WSA_FLAG_OVERLAPPED", ov, peer);
	destroy_armed("WSASocket with WSA_FLAG_OVERLAPPED", ov);
	CHECK(closesocket(peer) == 0);
	CHECK(closesocket(ov) == 0);

	SOCKET sync = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, 0);
	CHECK(sync != INVALID_SOCKET);
	peer = connect_peer(sync);
	exercise_tcp("WSASocket without WSA_FLAG_OVERLAPPED", sync, peer);
	destroy_armed("WSASocket without WSA_FLAG_OVERLAPPED", sync);
	CHECK(closesocket(peer) == 0);
	CHECK(closesocket(sync) == 0);

	/* UDP: POLLIN when a datagram arrives. */
	struct sockaddr_in addr;
	int len = sizeof addr;
	SOCKET r = socket(AF_INET, SOCK_DGRAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(r != INVALID_SOCKET && u != INVALID_SOCKET);
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(r, (struct sockaddr *)&addr, sizeof addr) == 0);
	CHECK(getsockname(r, (struct sockaddr *)&addr, &len) == 0);
	struct iocb cb;
	struct io_event ev[2];
	io_prep_poll(&cb, (int)u, LINUX_POLLOUT);
	submit1(&cb);
	reap(ctx, ev, 1);
	check_res("UDP socket, POLLOUT", &ev[0], LINUX_POLLOUT, LINUX_POLLOUT);
	io_prep_poll(&cb, (int)r, LINUX_POLLIN);
	submit1(&cb);
	CHECK(waiting(ev, 2) == 0);
	CHECK(sendto(u, "datagram", 8, 0, (struct sockaddr *)&addr, sizeof addr) == 8);
	reap(ctx, ev, 1);
	CHECK(ev[0].obj == &cb);
	check_res("UDP socket, POLLIN, a datagram arrived", &ev[0], LINUX_POLLIN, LINUX_POLLIN);
	char buf[16];
	CHECK(recvfrom(r, buf, sizeof buf, 0, NULL, NULL) == 8 && memcmp(buf, "datagram", 8) == 0);
	CHECK(closesocket(r) == 0);
	CHECK(closesocket(u) == 0);

	/* Neither a C runtime fd nor a socket. */
	SOCKET gone = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(gone != INVALID_SOCKET);
	CHECK(closesocket(gone) == 0);
	not_a_socket("a closed socket's number", (int)gone);
	HANDLE event = CreateEventA(NULL, TRUE, TRUE, NULL);
	CHECK(event != NULL);
	not_a_socket("an event HANDLE's number", (int)(intptr_t)event);
	CloseHandle(event);
	/* A multiple of 4 like handle values, far above the C runtime's fds. */
	not_a_socket("a number never handed out", 0x00fffffc);
	not_a_socket("-1", -1);

	CHECK(io_destroy(ctx) == 0);
	CHECK(WSACleanup() == 0);
	return 0;
}
