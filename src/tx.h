/*
 * Transmit: datagrams leave through the one UDP socket here.  While the
 * TAP is being read (tx.active), sealed data messages are queued and
 * sent together by tx_flush, runs of equal-sized datagrams to one
 * destination and source with one outer TOS as one UDP GSO message, many
 * messages in one system call.  A datagram of at most UDP_EXPRESS_MAX
 * bytes sealed while tx.ahead is set (a frame of a sparse flow, read
 * ahead of the bulk: datapath.h) is a message of its own, so that it
 * reaches the receiver as a datagram of its own, which the receiver's
 * kernel puts into its express socket (udp.h); as the last segment of a
 * GSO message (a veth keeps those whole) it would join the bulk.  The
 * short tail of a bulk run stays in its message, behind its flow's
 * earlier segments.  Anything else (handshakes, cookie replies, data sealed
 * outside a TAP read) is sent at once with tx_raw, and so is routing
 * traffic, ahead of the queue.
 */
#ifndef TAPMESH_TX_H
#define TAPMESH_TX_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "wire.h"

struct tm_ctx;
struct peer;

/* The largest frame the TAP may hand us: MTU_MAX plus a VLAN header. */
#define FRAME_MAX		(TM_MTU_MAX + 18)
/* A data message of the largest frame, relayed. */
#define PKT_BUF_LEN		(WIRE_DATA_HEADER_LEN + FRAME_MAX + WIRE_TAG_LEN + \
				    WIRE_RELAY_OVERHEAD)
/* Datagrams queued before the queue flushes by itself. */
#define TXQ_LEN			128

struct txq_entry {
	struct peer		*peer;
	struct sockaddr_in6	 to;
	const struct in6_addr	*src;
	uint8_t			 tos;		/* outer TOS / traffic class */
	size_t			 len;		/* the datagram */
	size_t			 flen;		/* the frame in it; 0: none */
	int			 alone;	/* a message of its own */
};

struct tx {
	int			 active;	/* queue data, see above */
	int			 ahead;	/* a sparse flow's frame */
	size_t			 n;
	struct txq_entry	 q[TXQ_LEN];
	uint8_t			 buf[TXQ_LEN][PKT_BUF_LEN];
	uint8_t			 out[PKT_BUF_LEN];	/* sent at once */
};

/*
 * Sends one datagram now, to to from src (or any local address), as the
 * peer p's (NULL: no peer, e.g. a cookie reply).  A failure is counted
 * against p.  Returns 0 or -1.
 */
int	 tx_raw(struct tm_ctx *, struct peer *, const struct sockaddr_in6 *,
	    const struct in6_addr *, const uint8_t *, size_t, uint64_t now);

/*
 * Where the next data message is sealed: a free slot of the queue while
 * it is active (flushing it first when it is full), else tx.out.
 */
uint8_t	*tx_buffer(struct tm_ctx *);

/*
 * Sends the data message just sealed into tx_buffer (len bytes carrying
 * a frame of flen bytes; 0 for a keepalive or a probe) with the outer
 * TOS tos: queued while the queue is active, else, or if urgent (routing
 * traffic, see prio.h), sent at once.  The peer's figures count the frame
 * once it is sent.  Returns 0 or -1 (counted).
 */
int	 tx_data(struct tm_ctx *, struct peer *, const struct sockaddr_in6 *,
	    const struct in6_addr *, uint8_t tos, int urgent, size_t len,
	    size_t flen);

/*
 * Sends the queue, runs of equal-sized datagrams to one destination as
 * one UDP GSO message.  Must run before the event callback that set
 * tx.active returns.
 */
void	 tx_flush(struct tm_ctx *);

#endif
