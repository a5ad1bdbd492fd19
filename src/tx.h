/*
 * Transmit: datagrams leave through the one UDP socket here.  While the
 * TAP is being read (tx.active), sealed data messages are queued and
 * sent together by tx_flush, runs of equal-sized datagrams to one
 * destination and source with one outer TOS as one UDP GSO message, many messages in one
 * system call.  Anything else (handshakes, cookie replies, data sealed
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
};

struct tx {
	int			 active;	/* queue data, see above */
	uint64_t		 now;		/* tx_begin's clock */
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
 * A batch of the data path begins: data messages are queued from now on
 * (tx.active), and the clock is read once for the whole batch, which
 * tx_now returns until tx_flush ends it.  A batch is bounded in bytes
 * (DATAPATH_ROUND_BYTES plus the reads ahead), so its clock is behind by
 * well under a millisecond at its end: nothing that reads it (session
 * ages, keepalives, the time a peer was heard) needs more, and a
 * datagram's arrival is timed closer to when the socket woke us than a
 * clock read after the datagrams before it were opened would be.  Per
 * datagram, the clock was 2-3 % of the daemon's time.
 */
void	 tx_begin(struct tm_ctx *);

/* Ends the batch: tx_flush, then datagrams are sent at once again. */
void	 tx_end(struct tm_ctx *);

/* The batch's clock while one runs, else the time now (event_now_ns). */
uint64_t tx_now(const struct tm_ctx *);

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
 * one UDP GSO message.
 */
void	 tx_flush(struct tm_ctx *);

#endif
