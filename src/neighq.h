/*
 * The queue of neighbour requests.  A peer that comes up or goes down
 * changes up to PEER_MAX_NEIGH entries, and each request waits in the
 * kernel for the rtnl lock, which a routing daemon installing a full
 * table holds again and again; a request that waited for its answer
 * would stop the data path, which runs in the same loop, that long.
 * So a change only records the state wanted for its address (the last
 * one wins); the requests go out together, once the loop has finished
 * what it was doing, from a thread of their own (nl.h: the kernel takes
 * the lock inside the send), and their acknowledgements are read on the
 * non-blocking socket and matched by sequence number when they come.  A request the kernel
 * refuses is tried again, backing off from 100 ms to 30 s, and logged
 * through a rate limit; one unanswered for NEIGHQ_LOST_MS is sent again.
 * At most one request per address is in flight, so they apply in order.
 */
#ifndef TAPMESH_NEIGHQ_H
#define TAPMESH_NEIGHQ_H

#include <stdint.h>

#include "addr.h"

struct tm_ctx;

#define NEIGHQ_RETRY_MIN_MS	100
#define NEIGHQ_RETRY_MAX_MS	30000
#define NEIGHQ_LOST_MS		5000
#define NEIGHQ_BUSY_MS		5	/* the sender still sends */
/* How long the daemon waits at exit for its entries to be removed. */
#define NEIGHQ_EXIT_MS		2000

/*
 * Opens the request socket and watches it (before the privileges are
 * dropped: the socket keeps what it needs).  Returns 0 or -1 (logged).
 */
int	 neighq_open(struct tm_ctx *);

/* Wants address -> mac in state (NUD_*) on the TAP. */
void	 neighq_set(struct tm_ctx *, const struct tm_addr *, const uint8_t *,
	    uint16_t);

/* Wants no entry for address on the TAP (none at all is fine). */
void	 neighq_del(struct tm_ctx *, const struct tm_addr *);

/*
 * At exit: sends what is queued and waits up to timeout_ms for the
 * answers, then closes the socket.  Returns how many were left undone.
 */
size_t	 neighq_close(struct tm_ctx *, int);

#endif
