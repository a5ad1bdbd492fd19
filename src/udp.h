/*
 * The underlay socket: one dual-stack UDP socket for every peer.
 * IPv4 endpoints appear as v4-mapped IPv6 addresses.
 */
#ifndef TAPMESH_UDP_H
#define TAPMESH_UDP_H

#include <sys/types.h>

#include <netinet/in.h>
#include <stdint.h>

/*
 * Opens a non-blocking, close-on-exec socket bound to [::]:port with
 * IPV6_V6ONLY off and large buffers.  Returns the fd or -errno.
 */
int	 udp_open(uint16_t);

/* Formats an endpoint as "addr:port" or "[addr]:port" into buf. */
const char *udp_ntop(const struct sockaddr_in6 *, char *, size_t);

/* True if both endpoints have the same address and port. */
int	 udp_endpoint_eq(const struct sockaddr_in6 *,
	    const struct sockaddr_in6 *);

/*
 * Reads one entry of the socket's error queue.  Returns 1 and fills dst
 * and mtu when it was a path MTU notice for datagrams to dst, 0 for any
 * other error, -1 when the queue is empty.
 */
int	 udp_read_error(int, struct sockaddr_in6 *, int *);

/*
 * Sends a datagram to to, from the local address src when it is not
 * NULL (a path bound to one of two uplinks).  Returns what sendmsg does.
 */
ssize_t	 udp_send(int, const struct sockaddr_in6 *, const struct in6_addr *,
	    const void *, size_t);

#endif
