#include <sys/socket.h>
#include <sys/uio.h>

#include <linux/errqueue.h>
#include <linux/filter.h>
#include <linux/sock_diag.h>
#include <linux/udp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "udp.h"
#include "wire.h"

/* Enough to absorb a burst of a few thousand full-size datagrams. */
#define UDP_SOCKBUF	(4 * 1024 * 1024)

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif
#ifndef UDP_GRO
#define UDP_GRO		104
#endif
#ifndef SOL_UDP
#define SOL_UDP		17
#endif

/*
 * Handshake messages wait in a buffer of their own: a flood of them fills
 * this one, and the kernel drops them there, while data keeps its room.
 */
#define UDP_HS_SOCKBUF	(1024 * 1024)

/*
 * Short data messages wait apart from the bulk (udp.h): room for a few
 * thousand of them.
 */
#define UDP_EXPRESS_SOCKBUF	(1024 * 1024)

/*
 * A socket bound to [::]:port, dual-stack, with buffers of sz bytes (0:
 * the system's default) and, with reuseport, in the port's SO_REUSEPORT
 * group.
 */
static int
udp_socket(uint16_t port, int offload, int sz, int reuseport)
{
	struct sockaddr_in6	 sin6;
	int			 fd, off = 0, on = 1, err;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) == -1)
		goto fail;
	if (reuseport &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) == -1)
		goto fail;
	/*
	 * ICMP errors for our datagrams (above all "fragmentation needed"
	 * and "packet too big", which carry the path MTU) are queued on the
	 * socket for udp_read_error.
	 */
	(void)setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	(void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
	/* The outer TOS / traffic class, for ECN (RFC 6040, see tos.h). */
	(void)setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &on, sizeof(on));
	(void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &on, sizeof(on));
	/* Without it (before Linux 5.0) datagrams come one at a time. */
	if (offload)
		(void)setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on));
	/* The FORCE variants need CAP_NET_ADMIN; fall back quietly. */
	if (sz > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz,
	    sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (sz > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz,
	    sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	sin6.sin6_addr = in6addr_any;
	if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == -1)
		goto fail;
	return fd;
 fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/*
 * The port's SO_REUSEPORT group steers each datagram by its first byte,
 * the message type, and its length: data (WIRE_TYPE_DATA) of more than
 * UDP_EXPRESS_MAX bytes to the group's first socket, shorter data to its
 * third (with express, else to the first too), everything else to its
 * second.  The kernel runs this on the UDP payload (a datagram the
 * kernel joined with UDP GRO counts with all its segments); a datagram
 * too short to load from goes to the first, which counts it as
 * malformed.
 */
int
udp_steer(int fd, int express)
{
	struct sock_filter	 code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, WIRE_TYPE_DATA, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, UDP_EXPRESS_MAX, 0, 2),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 1),
		BPF_STMT(BPF_RET | BPF_K, express ? 2 : 0),
	};
	struct sock_fprog	 prog;

	/* Its padding goes to the kernel too. */
	memset(&prog, 0, sizeof(prog));
	prog.len = sizeof(code) / sizeof(code[0]);
	prog.filter = code;
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog,
	    sizeof(prog));
}

int
udp_open(uint16_t port, int offload, int express, int *hsfd, int *expfd)
{
	int	 fd, err;

	*hsfd = *expfd = -1;
	/*
	 * A port another socket holds must fail here, as it did before the
	 * group: the sockets below would join a group of anyone's (of the
	 * same user), and the group would take the port from no one.
	 */
	if ((fd = udp_socket(port, 0, 0, 0)) == -1)
		return -1;
	close(fd);
	if ((fd = udp_socket(port, offload, UDP_SOCKBUF, 1)) == -1)
		return -1;
	/* In this order: the group's second and third socket. */
	if ((*hsfd = udp_socket(port, 0, UDP_HS_SOCKBUF, 1)) == -1 ||
	    (*expfd = udp_socket(port, 0, UDP_EXPRESS_SOCKBUF, 1)) == -1 ||
	    udp_steer(fd, express) == -1) {
		err = errno;
		if (*hsfd != -1)
			close(*hsfd);
		if (*expfd != -1)
			close(*expfd);
		*hsfd = *expfd = -1;
		errno = err;
	}
	return fd;
}

unsigned long long
udp_drops(int fd)
{
	uint32_t	 mi[SK_MEMINFO_VARS];
	socklen_t	 len = sizeof(mi);

	if (fd == -1 || getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len) == -1 ||
	    len <= SK_MEMINFO_DROPS * sizeof(mi[0]))
		return 0;
	return mi[SK_MEMINFO_DROPS];
}

const char *
udp_ntop(const struct sockaddr_in6 *sin6, char *buf, size_t len)
{
	char	 a[INET6_ADDRSTRLEN];

	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(sin6->sin6_port));
	} else {
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(sin6->sin6_port));
	}
	return buf;
}

int
udp_endpoint_eq(const struct sockaddr_in6 *a, const struct sockaddr_in6 *b)
{
	return a->sin6_port == b->sin6_port &&
	    memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
}

/* A msghdr for receiving one buffer from peer, with room for ctl. */
static void
udp_msghdr(struct msghdr *msg, struct sockaddr_in6 *peer, struct iovec *iov,
    void *ctl, size_t ctllen)
{
	memset(msg, 0, sizeof(*msg));
	msg->msg_name = peer;
	msg->msg_namelen = sizeof(*peer);
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	msg->msg_control = ctl;
	msg->msg_controllen = ctllen;
}

int
udp_read_error(int fd, struct sockaddr_in6 *dst, int *mtu)
{
	struct sock_extended_err	 ee;
	struct msghdr			 msg;
	struct cmsghdr			*cm;
	uint8_t				 data[64];
	union {
		struct cmsghdr		 hdr;
		uint8_t			 buf[512];
	}				 ctl;
	struct iovec			 iov = { data, sizeof(data) };

	udp_msghdr(&msg, dst, &iov, ctl.buf, sizeof(ctl.buf));
	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) == -1)
		return -1;
	*mtu = 0;
	if (msg.msg_namelen != sizeof(*dst))
		return 0;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		if (!((cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_RECVERR) ||
		    (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_RECVERR)))
			continue;
		if (cm->cmsg_len < CMSG_LEN(sizeof(ee)))
			continue;
		memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
		if ((ee.ee_origin == SO_EE_ORIGIN_ICMP && ee.ee_type == 3 &&
		    ee.ee_code == 4) || (ee.ee_origin == SO_EE_ORIGIN_ICMP6 &&
		    ee.ee_type == 2) || ee.ee_errno == EMSGSIZE) {
			*mtu = (int)ee.ee_info;
			return 1;
		}
	}
	return 0;
}

/* Room for a source address, a segment size and a TOS. */
#define UDP_CTL_LEN	(CMSG_SPACE(sizeof(struct in6_pktinfo)) + \
			 CMSG_SPACE(sizeof(uint16_t)) + CMSG_SPACE(sizeof(int)))

static void
udp_msg_fill(struct mmsghdr *mm, const struct udp_msg *m, uint8_t *ctl)
{
	struct msghdr		*msg = &mm->msg_hdr;
	struct cmsghdr		*cm;
	struct in6_pktinfo	 pi;
	uint16_t		 seg;
	size_t			 clen = 0;
	int			 tos;

	memset(mm, 0, sizeof(*mm));
	memset(ctl, 0, UDP_CTL_LEN);
	msg->msg_name = (void *)(uintptr_t)m->to;
	msg->msg_namelen = sizeof(*m->to);
	msg->msg_iov = m->iov;
	msg->msg_iovlen = m->niov;
	msg->msg_control = ctl;
	msg->msg_controllen = UDP_CTL_LEN;
	cm = CMSG_FIRSTHDR(msg);
	/*
	 * IPV6_PKTINFO also carries a v4-mapped source for a v4-mapped
	 * destination on this dual-stack socket.
	 */
	if (m->src != NULL) {
		memset(&pi, 0, sizeof(pi));
		pi.ipi6_addr = *m->src;
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		clen += CMSG_SPACE(sizeof(pi));
		cm = CMSG_NXTHDR(msg, cm);
	}
	if (m->niov > 1) {
		seg = (uint16_t)m->seglen;
		cm->cmsg_level = SOL_UDP;
		cm->cmsg_type = UDP_SEGMENT;
		cm->cmsg_len = CMSG_LEN(sizeof(seg));
		memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
		clen += CMSG_SPACE(sizeof(seg));
		cm = CMSG_NXTHDR(msg, cm);
	}
	/*
	 * The kernel takes IP_TOS for a v4-mapped destination and
	 * IPV6_TCLASS for an IPv6 one, and ignores the other.
	 */
	if (m->tos != 0) {
		tos = m->tos;
		if (IN6_IS_ADDR_V4MAPPED(&m->to->sin6_addr)) {
			cm->cmsg_level = IPPROTO_IP;
			cm->cmsg_type = IP_TOS;
		} else {
			cm->cmsg_level = IPPROTO_IPV6;
			cm->cmsg_type = IPV6_TCLASS;
		}
		cm->cmsg_len = CMSG_LEN(sizeof(tos));
		memcpy(CMSG_DATA(cm), &tos, sizeof(tos));
		clen += CMSG_SPACE(sizeof(tos));
	}
	msg->msg_controllen = clen;
	if (clen == 0)
		msg->msg_control = NULL;
}

ssize_t
udp_send(int fd, const struct sockaddr_in6 *to, const struct in6_addr *src,
    uint8_t tos, const void *buf, size_t len)
{
	struct mmsghdr	 mm;
	struct iovec	 iov = { (void *)(uintptr_t)buf, len };
	struct udp_msg	 m = { to, src, tos, &iov, 1, len };
	union {
		struct cmsghdr	 hdr;
		uint8_t		 buf[UDP_CTL_LEN];
	}		 ctl;

	udp_msg_fill(&mm, &m, ctl.buf);
	return sendmsg(fd, &mm.msg_hdr, 0);
}

ssize_t
udp_recv(int fd, void *buf, size_t len, struct sockaddr_in6 *from,
    size_t *seglen, uint8_t *tos)
{
	struct msghdr	 msg;
	struct iovec	 iov = { buf, len };
	struct cmsghdr	*cm;
	union {
		struct cmsghdr	 hdr;
		uint8_t		 buf[CMSG_SPACE(sizeof(int)) * 2];
	}		 ctl;
	ssize_t		 n;
	int		 v;

	udp_msghdr(&msg, from, &iov, ctl.buf, sizeof(ctl.buf));
	if ((n = recvmsg(fd, &msg, 0)) == -1)
		return -1;
	if (msg.msg_namelen != sizeof(*from) ||
	    from->sin6_family != AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	*seglen = (size_t)n;
	*tos = 0;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(v))) {
			memcpy(&v, CMSG_DATA(cm), sizeof(v));
			if (v > 0 && (size_t)v < *seglen)
				*seglen = (size_t)v;
		/* IPv4 hands over one byte, IPv6 an int. */
		} else if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_TOS && cm->cmsg_len >= CMSG_LEN(1))
			*tos = *CMSG_DATA(cm);
		else if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_TCLASS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(v))) {
			memcpy(&v, CMSG_DATA(cm), sizeof(v));
			*tos = (uint8_t)v;
		}
	}
	return n;
}

int
udp_send_batch(int fd, const struct udp_msg *m, size_t n)
{
	struct mmsghdr	 mm[UDP_BATCH_MAX];
	union {
		struct cmsghdr	 hdr;
		uint8_t		 buf[UDP_CTL_LEN];
	}		 ctl[UDP_BATCH_MAX];
	size_t		 i;

	if (n > UDP_BATCH_MAX)
		n = UDP_BATCH_MAX;
	for (i = 0; i < n; i++)
		udp_msg_fill(&mm[i], &m[i], ctl[i].buf);
	return sendmmsg(fd, mm, (unsigned int)n, 0);
}
