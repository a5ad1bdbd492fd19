/*
 * Transmit: see tx.h.
 */
#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include "daemon.h"
#include "tx.h"
#include "udp.h"

/* Counts a datagram sent to p, and the frame in it if any. */
static void
sent(struct peer *p, size_t flen, uint64_t now)
{
	p->last_tx_ns = now;
	if (flen > 0) {
		p->stats.tx_packets++;
		p->stats.tx_bytes += flen;
	}
}

/* tx_raw with an outer TOS. */
static int
raw_tos(struct tm_ctx *ctx, struct peer *p, const struct sockaddr_in6 *to,
    const struct in6_addr *src, uint8_t tos, const uint8_t *buf, size_t len,
    uint64_t now)
{
	ssize_t	 n;
	int	 tries;

	/*
	 * With IP_RECVERR an ICMP error for an earlier datagram (a dead
	 * peer's port unreachable) is reported once by the next send,
	 * whatever its destination: that send is tried again.
	 */
	for (tries = 0; tries < 2; tries++) {
		n = udp_send(ctx->udpfd, to, src, tos, buf, len);
		if (n != -1 || (errno != ECONNREFUSED && errno != EHOSTUNREACH &&
		    errno != ENETUNREACH && errno != EHOSTDOWN &&
		    errno != EPROTO))
			break;
	}
	if (n != (ssize_t)len) {
		count_drop(ctx, p, DROP_IO);
		return -1;
	}
	if (p != NULL)
		p->last_tx_ns = now;
	return 0;
}

int
tx_raw(struct tm_ctx *ctx, struct peer *p, const struct sockaddr_in6 *to,
    const struct in6_addr *src, const uint8_t *buf, size_t len, uint64_t now)
{
	return raw_tos(ctx, p, to, src, 0, buf, len, now);
}

uint8_t *
tx_buffer(struct tm_ctx *ctx)
{
	struct tx	*tx = &ctx->tx;

	if (!tx->active)
		return tx->out;
	if (tx->n == TXQ_LEN)
		tx_flush(ctx);
	return tx->buf[tx->n];
}

int
tx_data(struct tm_ctx *ctx, struct peer *p, const struct sockaddr_in6 *to,
    const struct in6_addr *src, uint8_t tos, int urgent, size_t len,
    size_t flen)
{
	struct tx		*tx = &ctx->tx;
	struct txq_entry	*e;
	uint64_t		 now = event_now_ns();

	/*
	 * Routing traffic goes at once, ahead of the bulk data queued in
	 * this batch (prio.h); it was sealed into the queue's free slot.
	 */
	if (tx->active && urgent) {
		if (raw_tos(ctx, p, to, src, tos, tx->buf[tx->n], len,
		    now) == -1)
			return -1;
		sent(p, flen, now);
		return 0;
	}
	if (tx->active) {
		e = &tx->q[tx->n++];
		e->peer = p;
		e->to = *to;
		e->src = src;
		e->tos = tos;
		e->len = len;
		e->flen = flen;
		e->alone = tx->ahead && len <= UDP_EXPRESS_MAX;
		return 0;
	}
	if (raw_tos(ctx, p, to, src, tos, tx->out, len, now) == -1)
		return -1;
	sent(p, flen, now);
	return 0;
}

/*
 * Whether queued datagram b may follow a in a UDP GSO message: every
 * segment of one leaves with the same outer header, TOS included.
 */
static int
joins(const struct txq_entry *a, const struct txq_entry *b)
{
	return b->len <= a->len && a->tos == b->tos &&
	    udp_endpoint_eq(&a->to, &b->to) &&
	    (a->src == b->src || (a->src != NULL && b->src != NULL &&
	    memcmp(a->src, b->src, sizeof(*a->src)) == 0));
}

/*
 * Sends the messages built by tx_flush; a message the kernel refuses
 * whole (a GSO size above a learned path MTU, an ICMP error of an
 * earlier datagram reported now) is sent again one datagram at a time,
 * as without the queue.  One this host's firewall refused (EPERM) is
 * dropped and counted, as a datagram sent at once would be: sent again
 * it would only be refused again, or, where the rule matched the whole
 * GSO message only, slip past the rule.
 */
static void
send_msgs(struct tm_ctx *ctx, const struct udp_msg *m, const size_t *first,
    size_t nm, uint64_t now)
{
	struct tx		*tx = &ctx->tx;
	const struct txq_entry	*e;
	size_t			 done = 0, k, i;
	int			 r;

	while (done < nm) {
		r = udp_send_batch(ctx->udpfd, m + done, nm - done);
		for (k = done; r > 0 && k < done + (size_t)r; k++)
			for (i = 0; i < m[k].niov; i++) {
				e = &tx->q[first[k] + i];
				sent(e->peer, e->flen, now);
			}
		if (r > 0) {
			done += (size_t)r;
			continue;
		}
		if (errno == EPERM) {
			for (i = 0; i < m[done].niov; i++)
				count_drop(ctx, tx->q[first[done] + i].peer,
				    DROP_IO);
			done++;
			continue;
		}
		for (i = 0; i < m[done].niov; i++) {
			e = &tx->q[first[done] + i];
			if (raw_tos(ctx, e->peer, &e->to, e->src, e->tos,
			    tx->buf[first[done] + i], e->len, now) == 0)
				sent(e->peer, e->flen, now);
		}
		done++;
	}
}

void
tx_flush(struct tm_ctx *ctx)
{
	struct tx		*tx = &ctx->tx;
	struct udp_msg		 m[UDP_BATCH_MAX];
	struct iovec		 iov[TXQ_LEN];
	size_t			 first[UDP_BATCH_MAX];
	size_t			 i, j, nm = 0, bytes;
	uint64_t		 now = event_now_ns();
	const struct txq_entry	*e;

	for (i = 0; i < tx->n; i = j) {
		e = &tx->q[i];
		first[nm] = i;
		m[nm] = (struct udp_msg){ &e->to, e->src, e->tos, &iov[i], 0,
		    e->len };
		bytes = 0;
		/* Equal lengths; a shorter datagram ends the message. */
		for (j = i; j < tx->n; j++) {
			if (j > i && (!joins(e, &tx->q[j]) ||
			    tx->q[j - 1].len != e->len ||
			    e->alone || tx->q[j].alone ||
			    j - i == UDP_GSO_MAX_SEGS ||
			    bytes + tx->q[j].len > UDP_GSO_MAX_BYTES))
				break;
			iov[j].iov_base = tx->buf[j];
			iov[j].iov_len = tx->q[j].len;
			bytes += tx->q[j].len;
		}
		m[nm].niov = j - i;
		if (++nm == UDP_BATCH_MAX) {
			send_msgs(ctx, m, first, nm, now);
			nm = 0;
		}
	}
	send_msgs(ctx, m, first, nm, now);
	tx->n = 0;
}
