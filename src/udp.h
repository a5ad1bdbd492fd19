/*
 * The underlay sockets: one dual-stack UDP port for every peer, three
 * sockets on it (bulk data, short data, handshakes).  IPv4 endpoints
 * appear as v4-mapped IPv6 addresses.
 *
 * The convention is the system calls' own, which these wrap: a function
 * that can fail returns -1 with errno set, and on success what it makes
 * as a non-negative value: the fd (udp_open), a byte count as ssize_t
 * (udp_recv, udp_send), a message count (udp_send_batch), or 0 or 1
 * (udp_read_error).  Callers test for -1 and read errno, as for recvmsg.
 */
#ifndef TAPMESH_UDP_H
#define TAPMESH_UDP_H

#include <sys/types.h>

#include <netinet/in.h>
#include <stdint.h>

/*
 * Data messages of at most this many bytes (a ping, a TCP ACK, a routing
 * protocol's hello, a voice frame, as the sealed datagram) arrive at a
 * socket of their own, so that they never queue behind the bulk data of
 * a saturating flow in the data socket's receive buffer.
 */
#define UDP_EXPRESS_MAX		384

/*
 * Opens the port's three non-blocking, close-on-exec sockets, all bound
 * to [::]:port with IPV6_V6ONLY off, and has the kernel hand each
 * datagram to one of them: the data socket, with large buffers (with
 * offload, the kernel may hand over several datagrams of one sender at
 * once: UDP_GRO, see udp_recv), whose fd it returns, gets data messages
 * longer than UDP_EXPRESS_MAX, and with express false the shorter ones
 * too; the express socket, *expfd, with express the shorter ones; the
 * handshake socket, *hsfd, every datagram that is not a data message, so
 * that a flood of handshakes fills its buffer and not the data's.  Send
 * everything from the data socket.  Returns -1 with errno set if the
 * data socket could not be opened (the port in use: EADDRINUSE); if only
 * the others could not (kernels before 4.5), *hsfd and *expfd are -1,
 * errno tells why, and every datagram arrives at the data socket.
 */
int	 udp_open(uint16_t, int offload, int express, int *hsfd, int *expfd);

/*
 * Has the port of data socket fd (from udp_open, with its other sockets)
 * send short data messages to the express socket, or not.  Returns -1
 * with errno set if the kernel refused.
 */
int	 udp_steer(int fd, int express);

/*
 * Datagrams the kernel dropped at socket fd since it was opened, above
 * all with its receive buffer full (SO_MEMINFO); 0 if it cannot tell.
 */
unsigned long long udp_drops(int);

/*
 * Receives into buf: one datagram, or with UDP_GRO several of the same
 * sender back to back, each *seglen bytes long but the last, which may
 * be shorter, all with the outer TOS / traffic class *tos (the kernel
 * joins only datagrams of equal TOS).  Returns the total length, or -1
 * with errno set.
 */
ssize_t	 udp_recv(int, void *, size_t, struct sockaddr_in6 *, size_t *,
	    uint8_t *tos);

/*
 * One message of a batch: niov datagrams to one destination, all seglen
 * bytes long but the last, which may be shorter, all with the outer TOS
 * / traffic class tos.  Several are sent as one with UDP segmentation
 * offload (UDP_SEGMENT).
 */
struct udp_msg {
	const struct sockaddr_in6	*to;
	const struct in6_addr		*src;	/* or NULL */
	uint8_t				 tos;
	struct iovec			*iov;
	size_t				 niov;
	size_t				 seglen;
};

/* At most this many datagrams in one message, and bytes in all. */
#define UDP_GSO_MAX_SEGS	64
#define UDP_GSO_MAX_BYTES	65000
/* At most this many messages in one udp_send_batch. */
#define UDP_BATCH_MAX		64

/*
 * Sends n messages with one system call.  Returns how many were sent,
 * at least 1, or -1 with errno set if the first one failed.
 */
int	 udp_send_batch(int, const struct udp_msg *, size_t);

/* Formats an endpoint as "addr:port" or "[addr]:port" into buf. */
const char *udp_ntop(const struct sockaddr_in6 *, char *, size_t);

/* True if both endpoints have the same address and port. */
int	 udp_endpoint_eq(const struct sockaddr_in6 *,
	    const struct sockaddr_in6 *);

/*
 * Reads one entry of the socket's error queue.  Returns 1 and fills dst
 * and mtu when it was a path MTU notice for datagrams to dst, 0 for any
 * other error, or -1 with errno set (EAGAIN: the queue is empty).
 */
int	 udp_read_error(int, struct sockaddr_in6 *, int *);

/*
 * Sends a datagram to to, from the local address src when it is not
 * NULL (a path bound to one of two uplinks), with the outer TOS / traffic
 * class tos.  Returns the bytes sent, as sendmsg does, or -1 with errno
 * set.
 */
ssize_t	 udp_send(int, const struct sockaddr_in6 *, const struct in6_addr *,
	    uint8_t tos, const void *, size_t);

#endif
