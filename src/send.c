/*
 * Sealing data messages: see send.h.
 */
#include <string.h>

#include "daemon.h"
#include "offload.h"
#include "path.h"
#include "prio.h"
#include "send.h"
#include "session.h"
#include "tos.h"
#include "tx.h"

void
send_initiation(struct tm_ctx *ctx, struct peer *p, uint64_t now, int retry)
{
	struct sockaddr_in6	 to;
	const struct in6_addr	*src;
	uint8_t			 msg[HANDSHAKE_INITIATION_LEN];
	int			 direct, relayed;

	/*
	 * The same message both ways on a retry: whichever copy arrives
	 * first is answered, the other is a replay.
	 */
	direct = !path_relayed(&p->path) && path_handshake_target(&p->path,
	    retry, p->kp_current != NULL, &to, &src) == 0;
	relayed = p->relay.via != NULL && (!direct || retry);
	if ((!direct && !relayed) ||
	    session_initiation(ctx, p, now, retry, msg) == -1)
		return;
	if (direct)
		tx_raw(ctx, p, &to, src, msg, sizeof(msg), now);
	if (relayed)
		(void)send_raw_relayed(ctx, p, p->relay.via, msg, sizeof(msg));
	log_debug("peer %s: initiation sent%s", p->conf.name, relayed ?
	    direct ? " (and relayed)" : " (relayed)" : "");
}

void
send_want_handshake(struct tm_ctx *ctx, struct peer *p, uint64_t now)
{
	if (p->hs_sent_ns != 0 && ((!p->up && p->hs_attempts > 0) ||
	    now - p->hs_sent_ns < session_retry_ns(ctx)))
		return;
	send_initiation(ctx, p, now, p->hs_sent_ns != 0);
}

/*
 * Seals frame (flen bytes) with the given flags under p's current
 * keypair into pkt.  Returns the message's length, or 0 when there is
 * no usable session (counted; a handshake is started).
 */
static size_t
seal_into(struct tm_ctx *ctx, struct peer *p, uint8_t *pkt,
    const uint8_t *frame, size_t flen, uint8_t dflags)
{
	struct keypair	*kp = p->kp_current;
	uint64_t	 now = event_now_ns(), ctr;

	if (kp == NULL || kp->send_counter >= REPLAY_REJECT_AFTER ||
	    now - kp->created_ns >= session_reject_ns(ctx)) {
		count_drop(ctx, p, DROP_NO_SESSION);
		send_want_handshake(ctx, p, now);
		return 0;
	}
	if (kp->initiator && (now - kp->created_ns >= session_rekey_ns(ctx) ||
	    kp->send_counter >= SESSION_REKEY_MESSAGES) && p->hs_sent_ns == 0)
		send_initiation(ctx, p, now, 0);
	ctr = kp->send_counter++;
	wire_data_header_write(pkt, kp->remote_index, ctr);
	wire_data_set_flags(pkt, dflags);
	if (aead_seal(&kp->send, ctr, pkt, WIRE_DATA_HEADER_LEN, frame, flen,
	    pkt + WIRE_DATA_HEADER_LEN) == -1) {
		count_drop(ctx, p, DROP_IO);
		return 0;
	}
	if (dflags & WIRE_DATA_CSUM_PARTIAL)
		ctx->offload.partial_tx++;
	return WIRE_DATA_OVERHEAD + flen;
}

int
send_relayed(struct tm_ctx *ctx, struct peer *hop, const uint8_t *pt,
    size_t len, struct peer *counted, size_t frame_len, uint8_t tos,
    int urgent)
{
	const struct path_set	*ps = &hop->path;
	uint8_t			*pkt;
	size_t			 n;

	/* A relay is reached directly: nothing goes through two relays. */
	if (!ps->has_endpoint || path_relayed(ps)) {
		count_drop(ctx, counted, DROP_NO_ENDPOINT);
		return -1;
	}
	pkt = tx_buffer(ctx);
	if ((n = seal_into(ctx, hop, pkt, pt, len, WIRE_DATA_RELAY)) == 0)
		return -1;
	return tx_data(ctx, counted, &ps->endpoint, path_source(ps,
	    &ps->endpoint, hop->kp_current != NULL), tos, urgent, n,
	    frame_len);
}

int
send_raw_relayed(struct tm_ctx *ctx, struct peer *p, struct peer *relay,
    const uint8_t *msg, size_t len)
{
	uint8_t	*pt = ctx->relay_buf;

	if (relay == NULL || len + WIRE_RELAY_HEADER_LEN > sizeof(ctx->relay_buf)) {
		count_drop(ctx, p, DROP_NO_ENDPOINT);
		return -1;
	}
	wire_relay_header_write(pt, WIRE_RELAY_FORWARD, peer_relay_id(p));
	memcpy(pt + WIRE_RELAY_HEADER_LEN, msg, len);
	return send_relayed(ctx, relay, pt, WIRE_RELAY_HEADER_LEN + len, p, 0,
	    0, 0);
}

/*
 * Seals a data message with the given flags for to (NULL: through p's
 * relay) and hands it to tx; frame_len is what the peer's figures count
 * (0: no frame).
 */
static int
seal(struct tm_ctx *ctx, struct peer *p, const struct sockaddr_in6 *to,
    const struct in6_addr *src, const uint8_t *frame, size_t flen,
    uint8_t dflags, size_t frame_len)
{
	uint8_t	*pt = ctx->relay_buf, tos = 0;
	size_t	 n;
	int	 inner, urgent = 0;

	/*
	 * The outer header carries the frame's DSCP and ECN (tos.h), and
	 * routing traffic goes first (prio.h), through a relay too.
	 */
	if (frame_len > 0) {
		if ((inner = tos_frame_get(frame, flen)) != -1)
			tos = tos_encap((uint8_t)inner, ctx->conf.dscp_copy);
		urgent = prio_frame(frame, flen);
	}
	if (to == NULL) {
		if (p->relay.via == NULL) {
			count_drop(ctx, p, DROP_NO_ENDPOINT);
			return -1;
		}
		n = seal_into(ctx, p, pt + WIRE_RELAY_HEADER_LEN, frame, flen,
		    dflags);
		if (n == 0)
			return -1;
		wire_relay_header_write(pt, WIRE_RELAY_FORWARD, peer_relay_id(p));
		return send_relayed(ctx, p->relay.via, pt,
		    WIRE_RELAY_HEADER_LEN + n, p, frame_len, tos, urgent);
	}
	if ((n = seal_into(ctx, p, tx_buffer(ctx), frame, flen, dflags)) == 0)
		return -1;
	return tx_data(ctx, p, to, src, tos, urgent, n, frame_len);
}

/* seal to the peer's active endpoint, or through its relay. */
static int
seal_active(struct tm_ctx *ctx, struct peer *p, const uint8_t *frame,
    size_t flen, uint8_t dflags)
{
	const struct path_set	*ps = &p->path;

	if (!ps->has_endpoint) {
		count_drop(ctx, p, DROP_NO_ENDPOINT);
		return -1;
	}
	if (path_relayed(ps))
		return seal(ctx, p, NULL, NULL, frame, flen, dflags, flen);
	return seal(ctx, p, &ps->endpoint, path_source(ps, &ps->endpoint,
	    p->kp_current != NULL), frame, flen, dflags, flen);
}

int
send_frame(struct tm_ctx *ctx, struct peer *p, const uint8_t *frame,
    size_t flen)
{
	return seal_active(ctx, p, frame, flen, 0);
}

int
send_keepalive(struct tm_ctx *ctx, struct peer *p)
{
	return seal_active(ctx, p, NULL, 0, 0);
}

int
send_frame_partial(struct tm_ctx *ctx, struct peer *p, uint8_t *frame,
    size_t flen, size_t csum_start)
{
	struct keypair	*kp = p->kp_current;

	if (kp != NULL && kp->csum_partial)
		return seal_active(ctx, p, frame, flen, WIRE_DATA_CSUM_PARTIAL);
	offload_tcp_csum(frame, flen, csum_start);
	return seal_active(ctx, p, frame, flen, 0);
}

int
send_probe(struct tm_ctx *ctx, struct peer *p, const struct sockaddr_in6 *to,
    const struct in6_addr *src, const uint8_t *msg, size_t len)
{
	return seal(ctx, p, to, src, msg, len, 0, 0);
}
