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

/*
 * Seals a data message with the given flags for to and hands it to tx;
 * frame_len is what the peer's figures count (0: no frame).
 */
static int
seal(struct tm_ctx *ctx, struct peer *p, const struct sockaddr_in6 *to,
    const struct in6_addr *src, const uint8_t *frame, size_t flen,
    uint8_t dflags, size_t frame_len)
{
	struct keypair	*kp = p->kp_current;
	uint64_t	 now = event_now_ns(), ctr;
	uint8_t		*pkt, tos = 0;
	int		 inner;

	if (kp == NULL || kp->send_counter >= REPLAY_REJECT_AFTER ||
	    now - kp->created_ns >= session_reject_ns(ctx)) {
		count_drop(ctx, p, DROP_NO_SESSION);
		session_want(ctx, p, now);
		return -1;
	}
	if (kp->initiator && (now - kp->created_ns >= session_rekey_ns(ctx) ||
	    kp->send_counter >= SESSION_REKEY_MESSAGES) && p->hs_sent_ns == 0)
		session_initiate(ctx, p, now, 0);
	pkt = tx_buffer(ctx);
	ctr = kp->send_counter++;
	wire_data_header_write(pkt, kp->remote_index, ctr);
	wire_data_set_flags(pkt, dflags);
	if (aead_seal(&kp->send, ctr, pkt, WIRE_DATA_HEADER_LEN, frame, flen,
	    pkt + WIRE_DATA_HEADER_LEN) == -1) {
		count_drop(ctx, p, DROP_IO);
		return -1;
	}
	if (dflags & WIRE_DATA_CSUM_PARTIAL)
		ctx->offload.partial_tx++;
	/* The outer header carries the frame's DSCP and ECN (tos.h). */
	if (frame_len > 0 && (inner = tos_frame_get(frame, flen)) != -1)
		tos = tos_encap((uint8_t)inner, ctx->conf.dscp_copy);
	return tx_data(ctx, p, to, src, tos, frame_len > 0 &&
	    prio_frame(frame, flen), WIRE_DATA_OVERHEAD + flen, frame_len);
}

/* seal to the peer's active endpoint. */
static int
seal_active(struct tm_ctx *ctx, struct peer *p, const uint8_t *frame,
    size_t flen, uint8_t dflags)
{
	const struct path_set	*ps = &p->path;

	if (!ps->has_endpoint) {
		count_drop(ctx, p, DROP_NO_ENDPOINT);
		return -1;
	}
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
