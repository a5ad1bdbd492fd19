/*
 * Unit tests for the UDP port's three sockets (udp_open), on loopback:
 * data messages (first byte 4) longer than UDP_EXPRESS_MAX arrive at the
 * data socket, shorter ones at the express socket, every other datagram
 * at the handshake socket, an empty one at the data socket (which counts
 * it as malformed); a port in use is refused; a handshake socket that
 * overflows leaves the data socket's room alone, and udp_drops counts
 * what the kernel dropped at each.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "udp.h"

/* A UDP port that is free on [::] now. */
static uint16_t
free_port(void)
{
	struct sockaddr_in6	 sin6;
	socklen_t		 len = sizeof(sin6);
	int			 fd, off = 0;

	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof(off)), 0);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	assert_int_equal(bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin6, &len), 0);
	close(fd);
	return ntohs(sin6.sin6_port);
}

struct port {
	uint16_t		 port;
	int			 fd, hsfd, expfd, tx;
	struct sockaddr_in	 to;
};

static void
port_open(struct port *p)
{
	p->port = free_port();
	p->fd = udp_open(p->port, 0, 1, &p->hsfd, &p->expfd);
	assert_true(p->fd >= 0);
	assert_true(p->hsfd >= 0);
	assert_true(p->expfd >= 0);
	p->tx = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(p->tx >= 0);
	memset(&p->to, 0, sizeof(p->to));
	p->to.sin_family = AF_INET;
	p->to.sin_port = htons(p->port);
	p->to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static void
port_close(struct port *p)
{
	close(p->tx);
	close(p->expfd);
	close(p->hsfd);
	close(p->fd);
}

static void
send_msg(struct port *p, uint8_t type, size_t len)
{
	uint8_t	 buf[2048];

	assert_true(len <= sizeof(buf));
	memset(buf, 0, sizeof(buf));
	buf[0] = type;
	assert_int_equal(sendto(p->tx, buf, len, 0,
	    (struct sockaddr *)&p->to, sizeof(p->to)), (ssize_t)len);
}

/* The first byte of what comes to fd in wait_ms (-1: empty, -2: none). */
static int
recv_type(int fd, int wait_ms)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	uint8_t		 buf[2048];
	ssize_t		 n;

	if (poll(&pfd, 1, wait_ms) != 1)
		return -2;
	n = recv(fd, buf, sizeof(buf), 0);
	assert_true(n >= 0);
	return n == 0 ? -1 : buf[0];
}

static void
test_steering(void **state)
{
	struct port	 p;

	(void)state;
	port_open(&p);
	send_msg(&p, 4, UDP_EXPRESS_MAX + 1);
	assert_int_equal(recv_type(p.fd, 1000), 4);
	send_msg(&p, 4, 1452);
	assert_int_equal(recv_type(p.fd, 1000), 4);
	send_msg(&p, 4, UDP_EXPRESS_MAX);
	assert_int_equal(recv_type(p.expfd, 1000), 4);
	send_msg(&p, 4, 32);
	assert_int_equal(recv_type(p.expfd, 1000), 4);
	send_msg(&p, 4, 1);
	assert_int_equal(recv_type(p.expfd, 1000), 4);
	send_msg(&p, 1, 148);
	assert_int_equal(recv_type(p.hsfd, 1000), 1);
	send_msg(&p, 2, 92);
	assert_int_equal(recv_type(p.hsfd, 1000), 2);
	send_msg(&p, 3, 64);
	assert_int_equal(recv_type(p.hsfd, 1000), 3);
	send_msg(&p, 0x99, 40);
	assert_int_equal(recv_type(p.hsfd, 1000), 0x99);
	send_msg(&p, 0, 0);
	assert_int_equal(recv_type(p.fd, 1000), -1);
	/* Nothing went to another socket. */
	assert_int_equal(recv_type(p.fd, 0), -2);
	assert_int_equal(recv_type(p.hsfd, 0), -2);
	assert_int_equal(recv_type(p.expfd, 0), -2);
	port_close(&p);
}

/* With read_ahead off, short data messages join the bulk; and back. */
static void
test_express_off(void **state)
{
	struct port	 p;

	(void)state;
	port_open(&p);
	assert_int_equal(udp_steer(p.fd, 0), 0);
	send_msg(&p, 4, 32);
	assert_int_equal(recv_type(p.fd, 1000), 4);
	send_msg(&p, 1, 148);
	assert_int_equal(recv_type(p.hsfd, 1000), 1);
	assert_int_equal(recv_type(p.expfd, 0), -2);
	assert_int_equal(udp_steer(p.fd, 1), 0);
	send_msg(&p, 4, 32);
	assert_int_equal(recv_type(p.expfd, 1000), 4);
	assert_int_equal(recv_type(p.fd, 0), -2);
	port_close(&p);
}

static void
test_port_in_use(void **state)
{
	struct port	 p;
	int		 hsfd = 7, expfd = 8;

	(void)state;
	port_open(&p);
	errno = 0;
	assert_int_equal(udp_open(p.port, 0, 1, &hsfd, &expfd), -1);
	assert_int_equal(errno, EADDRINUSE);
	assert_int_equal(hsfd, -1);
	assert_int_equal(expfd, -1);
	/* Still working. */
	send_msg(&p, 4, 1452);
	assert_int_equal(recv_type(p.fd, 1000), 4);
	send_msg(&p, 4, 32);
	assert_int_equal(recv_type(p.expfd, 1000), 4);
	port_close(&p);
}

static void
test_flood_fills_handshake_socket_only(void **state)
{
	struct port	 p;
	int		 i;

	(void)state;
	port_open(&p);
	assert_int_equal(udp_drops(p.fd), 0);
	assert_int_equal(udp_drops(p.hsfd), 0);
	/* Far more than its 1 MB holds, with the kernel's overhead. */
	for (i = 0; i < 20000; i++)
		send_msg(&p, 1, 148);
	send_msg(&p, 4, 1452);
	assert_int_equal(recv_type(p.fd, 1000), 4);
	send_msg(&p, 4, 32);
	assert_int_equal(recv_type(p.expfd, 1000), 4);
	assert_true(udp_drops(p.hsfd) > 0);
	assert_true(udp_drops(p.hsfd) < 20000);
	assert_int_equal(udp_drops(p.fd), 0);
	assert_int_equal(udp_drops(p.expfd), 0);
	assert_int_equal(udp_drops(-1), 0);
	port_close(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steering),
		cmocka_unit_test(test_express_off),
		cmocka_unit_test(test_port_in_use),
		cmocka_unit_test(test_flood_fills_handshake_socket_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
