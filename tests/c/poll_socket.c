/* IO_CMD_POLL on sockets, as a ported Linux program writes it: on Windows
 * the Winsock SOCKET itself is the iocb's fd (cast to int), and only the
 * socket setup differs (WSAStartup, closesocket, SD_SEND, send and recv).
 * On a loopback TCP pair: a poll armed on an empty socket fires when the
 * peer sends, one on a socket with data (or room to write) fires at once,
 * the peer's shutdown of its write side and its close are POLLIN|POLLRDHUP,
 * a reset is POLLERR|POLLHUP though neither was asked for, a listening
 * socket is POLLIN when a connection waits, several polls on one socket all
 * fire, io_cancel of an armed poll is -EINPROGRESS with its event (res 0,
 * data and obj intact), a socket poll shares its context with file I/O, and
 * io_destroy with socket polls armed returns at once.
 *
 * WINLIBS: -lws2_32
 */
#include "socket_common.h"
#include "poll_common.h"

/* What an event's res says about the bits a poll asked for, POLLERR and
 * POLLHUP (which are always reported). Linux completes a poll woken on a
 * socket either in the wake-up itself, with the waker's whole mask as res
 * (new data: POLLIN|POLLPRI|POLLRDNORM|POLLRDBAND, 0xc3, whatever was
 * asked), or from its work queue, with the socket polled again and masked
 * with what was asked (0x1): which one is timing. So the test prints res
 * masked, and checks that any other bit is one such a waker's mask has. */
static unsigned long long asked_res(const struct io_event *ev, int asked)
{
	unsigned long long shown = LINUX_POLLERR | LINUX_POLLHUP | (unsigned)asked;
	CHECK((ev->res & ~(shown | LINUX_WAKER_BITS)) == 0);
	return ev->res & shown;
}

static int sock_fd(sock_t s)
{
	return (int)s;
}

static void send_text(sock_t s, const char *text)
{
	int n = (int)strlen(text);
	CHECK(send(s, text, n, 0) == n);
}

/* Waits until `n` bytes have arrived on s, leaving them there. */
static void wait_arrived(sock_t s, int n)
{
	char buf[64];
	int r;
	CHECK(n <= (int)sizeof buf);
	while ((r = (int)recv(s, buf, n, MSG_PEEK)) < n) {
		CHECK(r > 0);
		sleep_ms(1);
	}
}

/* Receives exactly n bytes and returns them as text. */
static const char *receive(sock_t s, int n)
{
	static char buf[64];
	int got = 0;
	CHECK(n < (int)sizeof buf);
	while (got < n) {
		int r = (int)recv(s, buf + got, n - got, 0);
		CHECK(r > 0);
		got += r;
	}
	buf[n] = 0;
	return buf;
}

/* A connected loopback TCP pair: s[0] the accepted side (the one polled),
 * s[1] its peer. */
static void tcp_pair(sock_t s[2])
{
	struct sockaddr_in addr;
	sock_t l = listener(&addr);
	s[1] = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(s[1] != T_BAD_SOCKET);
	CHECK(connect(s[1], (struct sockaddr *)&addr, sizeof addr) == 0);
	s[0] = accept(l, NULL, NULL);
	CHECK(s[0] != T_BAD_SOCKET);
	CHECK(sock_close(l) == 0);
}

/* Submits one poll on s and returns its event's res. */
static unsigned long long poll_once(struct iocb *cb, sock_t s, int events)
{
	struct iocb *list[1] = { cb };
	struct io_event ev;
	io_prep_poll(cb, sock_fd(s), events);
	CHECK(io_submit(ctx, 1, list) == 1);
	reap(ctx, &ev, 1);
	CHECK(ev.obj == cb);
	return asked_res(&ev, events);
}

static sock_t late_sender_socket;

static void *send_later(void *arg)
{
	(void)arg;
	sleep_ms(50);
	send_text(late_sender_socket, "late");
	return NULL;
}

int main(void)
{
	struct iocb cbs[4], *list[4];
	struct io_event ev[4];
	sock_t s[2];
	for (int i = 0; i < 4; i++)
		list[i] = &cbs[i];
#ifdef _WIN32
	WSADATA wsa;
	CHECK(WSAStartup(MAKEWORD(2, 2), &wsa) == 0);
#else
	signal(SIGPIPE, SIG_IGN);
#endif
	CHECK(io_setup(16, &ctx) == 0);
	tcp_pair(s);

	/* Armed on an empty socket: nothing until the peer sends. */
	io_prep_poll(&cbs[0], sock_fd(s[0]), LINUX_POLLIN);
	cbs[0].data = (void *)0x1234;
	show("poll POLLIN, empty socket", io_submit(ctx, 1, list));
	show("events before the peer sends", waiting(ev, 4));
	send_text(s[1], "hello");
	/* Linux may finish a woken poll from a work queue: wait for it. */
	reap(ctx, ev, 1);
	printf("event after the peer sent: res 0x%llx, data %d, obj %d\n", asked_res(&ev[0], LINUX_POLLIN),
	       ev[0].data == (void *)0x1234, ev[0].obj == &cbs[0]);
	printf("  received: %s\n", receive(s[0], 5));

	/* Ready already: the ready bits among those asked for. */
	send_text(s[1], "data");
	wait_arrived(s[0], 4);
	printf("poll POLLIN, data waiting: res 0x%llx\n", poll_once(&cbs[0], s[0], LINUX_POLLIN));
	printf("poll POLLIN|POLLOUT, data waiting: res 0x%llx\n",
	       poll_once(&cbs[0], s[0], LINUX_POLLIN | LINUX_POLLOUT));
	printf("  received: %s\n", receive(s[0], 4));
	printf("poll POLLOUT, connected: res 0x%llx\n", poll_once(&cbs[0], s[0], LINUX_POLLOUT));
	printf("poll POLLIN|POLLOUT, no data: res 0x%llx\n", poll_once(&cbs[0], s[0], LINUX_POLLIN | LINUX_POLLOUT));

	/* Several polls on one socket all fire. */
	io_prep_poll(&cbs[0], sock_fd(s[0]), LINUX_POLLIN);
	io_prep_poll(&cbs[1], sock_fd(s[0]), LINUX_POLLIN);
	show("two polls POLLIN, empty socket", io_submit(ctx, 2, list));
	show("  events before the peer sends", waiting(ev, 4));
	send_text(s[1], "x");
	reap(ctx, ev, 2);
	printf("  events after one send: res 0x%llx 0x%llx, objs %d\n", asked_res(&ev[0], LINUX_POLLIN),
	       asked_res(&ev[1], LINUX_POLLIN),
	       (ev[0].obj == &cbs[0] && ev[1].obj == &cbs[1]) || (ev[0].obj == &cbs[1] && ev[1].obj == &cbs[0]));
	show("  and no more", waiting(ev, 4));
	printf("  received: %s\n", receive(s[0], 1));

	/* io_cancel. */
	io_prep_poll(&cbs[0], sock_fd(s[0]), LINUX_POLLIN);
	cancel_armed_poll(&cbs[0]);
	send_text(s[1], "y");
	wait_arrived(s[0], 1);
	show("events after the peer sent (the cancelled poll is gone)", waiting(ev, 4));
	printf("  received: %s\n", receive(s[0], 1));

	/* A socket poll beside file I/O in one context, woken from another
	 * thread. */
	static unsigned char buf[4096];
	make_file("data", 4096, 11);
	int fd = open_file("data", O_RDONLY);
	CHECK(fd >= 0);
	io_prep_poll(&cbs[0], sock_fd(s[0]), LINUX_POLLIN);
	io_prep_pread(&cbs[1], fd, buf, 4096, 0);
	show("socket poll and a file read in one batch", io_submit(ctx, 2, list));
	late_sender_socket = s[1];
	thread_t t = thread_spawn(send_later, NULL);
	reap(ctx, ev, 2);
	thread_join(t);
	for (int i = 0; i < 2; i++)
		if (ev[i].obj == &cbs[1])
			printf("  read: res %lld\n", event_res(&ev[i]));
	for (int i = 0; i < 2; i++)
		if (ev[i].obj == &cbs[0])
			printf("  poll: res 0x%llx\n", asked_res(&ev[i], LINUX_POLLIN));
	CHECK(check_pattern(buf, 0, 4096, 11));
	printf("  received: %s\n", receive(s[0], 4));
	CHECK(t_close(fd) == 0);

	/* The peer shuts down its write side: end of stream. */
	io_prep_poll(&cbs[0], sock_fd(s[0]), LINUX_POLLIN | LINUX_POLLRDHUP);
	show("poll POLLIN|POLLRDHUP, open", io_submit(ctx, 1, list));
	show("  events before the peer's shutdown", waiting(ev, 4));
	CHECK(shutdown(s[1], T_SHUT_WR) == 0);
	reap(ctx, ev, 1);
	printf("  after the peer's shutdown of its write side: res 0x%llx\n", asked_res(&ev[0], LINUX_POLLIN | LINUX_POLLRDHUP));
	printf("  recv: %d\n", (int)recv(s[0], (char *)buf, 16, 0));
	printf("poll POLLOUT, peer's write side shut: res 0x%llx\n", poll_once(&cbs[0], s[0], LINUX_POLLOUT));
	/* Our side still writes: the peer reads it. */
	send_text(s[0], "back");
	printf("  the peer received: %s\n", receive(s[1], 4));
	CHECK(sock_close(s[0]) == 0);
	CHECK(sock_close(s[1]) == 0);

	/* The peer closes its socket. */
	tcp_pair(s);
	io_prep_poll(&cbs[0], sock_fd(s[0]), LINUX_POLLIN | LINUX_POLLRDHUP);
	show("poll POLLIN|POLLRDHUP, open", io_submit(ctx, 1, list));
	CHECK(sock_close(s[1]) == 0);
	reap(ctx, ev, 1);
	printf("  after the peer closed: res 0x%llx\n", asked_res(&ev[0], LINUX_POLLIN | LINUX_POLLRDHUP));
	printf("poll POLLIN|POLLOUT|POLLRDHUP, peer closed: res 0x%llx\n",
	       poll_once(&cbs[0], s[0], LINUX_POLLIN | LINUX_POLLOUT | LINUX_POLLRDHUP));
	printf("  recv: %d\n", (int)recv(s[0], (char *)buf, 16, 0));
	/* Data sent to the closed peer draws a reset: POLLERR and POLLHUP come
	 * though a poll asks only for POLLPRI. */
	io_prep_poll(&cbs[0], sock_fd(s[0]), LINUX_POLLPRI);
	show("poll POLLPRI, peer closed", io_submit(ctx, 1, list));
	send_text(s[0], "z");
	reap(ctx, ev, 1);
	printf("  after the peer's reset: res 0x%llx\n", asked_res(&ev[0], LINUX_POLLPRI));
	CHECK(sock_close(s[0]) == 0);

	/* A listening socket is readable when a connection waits. */
	struct sockaddr_in addr;
	sock_t l = listener(&addr);
	io_prep_poll(&cbs[0], sock_fd(l), LINUX_POLLIN);
	show("poll POLLIN, listening socket", io_submit(ctx, 1, list));
	show("  events before a connection", waiting(ev, 4));
	s[1] = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(s[1] != T_BAD_SOCKET);
	CHECK(connect(s[1], (struct sockaddr *)&addr, sizeof addr) == 0);
	reap(ctx, ev, 1);
	printf("  after a client connected: res 0x%llx\n", asked_res(&ev[0], LINUX_POLLIN));
	s[0] = accept(l, NULL, NULL);
	CHECK(s[0] != T_BAD_SOCKET);
	CHECK(sock_close(l) == 0);

	/* io_destroy with socket polls armed returns at once. */
	io_prep_poll(&cbs[0], sock_fd(s[0]), LINUX_POLLIN);
	io_prep_poll(&cbs[1], sock_fd(s[1]), LINUX_POLLIN | LINUX_POLLRDHUP);
	show("two socket polls armed before io_destroy", io_submit(ctx, 2, list));
	double start = now_seconds();
	show("io_destroy", io_destroy(ctx));
	printf("io_destroy within a second: %d\n", now_seconds() - start < 1.0);
	CHECK(sock_close(s[0]) == 0);
	CHECK(sock_close(s[1]) == 0);
#ifdef _WIN32
	CHECK(WSACleanup() == 0);
#endif
	return 0;
}
