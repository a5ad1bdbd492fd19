/*
 * The receive handlers: see receive.h.
 */
#include <string.h>

#include "cookie.h"
#include "daemon.h"
#include "path.h"
#include "peerconf.h"
#include "probe.h"
#include "receive.h"
#include "relay.h"
#include "send.h"
#include "session.h"
#include "tx.h"
#include "udp.h"

/*
 * Where a message came from: an underlay address, and for an end-to-end
 * message delivered by a relay, that relay peer.
 */
struct origin {
	const struct sockaddr_in6	*from;
	struct peer			*relay;		/* NULL: direct */
	uint8_t				 tos;		/* the outer TOS */
};

/* Remembers where an authentic packet of the peer came from. */
static void
heard(struct tm_ctx *ctx, struct peer *p, const struct origin *o,
    uint64_t now)
{
	if (o->relay != NULL)
		relay_heard_via(ctx, p, o->relay, now);
	else
		path_heard(&p->path, o->from, now, probe_fresh_ns(ctx),
		    &ctx->rl_roam);
}

/*
 * Handshake admission: a relayed message passed its relay's per-source
 * limit and came under an authenticated session, so only a direct one
 * goes through the per-address limit and cookies.
 */
static int
admit(struct tm_ctx *ctx, const uint8_t *msg, size_t len,
    const struct origin *o, uint64_t now)
{
	return o->relay != NULL || cookie_admit(ctx, msg, len, o->from, now);
}

static void
recv_initiation(struct tm_ctx *ctx, const uint8_t *msg, size_t len,
    const struct origin *o, uint64_t now)
{
	struct handshake		 hs;
	struct handshake_initiation_info info;
	struct handshake_keys		 keys;
	struct keypair			*kp = NULL;
	struct peer			*p;
	uint8_t				 resp[HANDSHAKE_RESPONSE_LEN];
	char				 a[INET6_ADDRSTRLEN + 8];
	int				 rc, k;

	memset(&hs, 0, sizeof(hs));
	memset(&keys, 0, sizeof(keys));
	if (handshake_check_mac1(&ctx->hlocal, msg, len) != HANDSHAKE_OK) {
		count_drop(ctx, NULL, DROP_HANDSHAKE);
		return;
	}
	if (!admit(ctx, msg, len, o, now))
		return;
	rc = handshake_consume_initiation(&hs, &ctx->hlocal, msg, len, &info);
	if (rc != HANDSHAKE_OK) {
		count_drop(ctx, NULL, DROP_HANDSHAKE);
		goto out;
	}
	if ((p = peer_find_by_key(&ctx->peers, info.peer_pub)) == NULL) {
		count_drop(ctx, NULL, DROP_HANDSHAKE);
		if (log_ratelimit_ok(&ctx->rl_drop, NULL))
			log_warnx("handshake from %s%s with an unknown key",
			    udp_ntop(o->from, a, sizeof(a)), o->relay != NULL ?
			    " (relayed)" : "");
		goto out;
	}
	/* A replayed initiation carries a timestamp we have seen. */
	if (!handshake_tai64n_after(info.timestamp, p->last_timestamp)) {
		count_drop(ctx, p, DROP_REPLAY);
		goto out;
	}
	if ((kp = keypair_new(p, 0, now)) == NULL)
		goto out;
	if (index_insert(&ctx->index, &kp->index) == -1)
		goto fail;
	k = peerconf_key_index(&p->conf, info.peer_pub);
	memcpy(kp->peer_key, info.peer_pub, sizeof(kp->peer_key));
	rc = handshake_create_response(&hs, &p->hpeer[k], kp->index.idx,
	    session_hs_flags(ctx), session_cookie(p, now), resp);
	if (rc != HANDSHAKE_OK ||
	    handshake_derive_keys(&hs, &keys) != HANDSHAKE_OK) {
		count_drop(ctx, p, DROP_HANDSHAKE);
		if (rc == HANDSHAKE_ERR_PSK)
			session_psk_hint(p, info.psk ? "its initiation came "
			    "with a pre-shared key" : "its initiation came "
			    "without a pre-shared key");
		goto fail;
	}
	if (keypair_set_keys(kp, &keys) == -1)
		goto fail;

	memcpy(p->last_timestamp, info.timestamp, sizeof(p->last_timestamp));
	keypair_free(ctx, p->kp_next);
	p->kp_next = kp;
	memcpy(p->last_mac1, resp + HANDSHAKE_RESPONSE_MAC1_OFF,
	    sizeof(p->last_mac1));
	p->last_mac1_index = kp->index.idx;
	p->last_mac1_key = k;
	heard(ctx, p, o, now);
	if (o->relay != NULL)
		(void)send_raw_relayed(ctx, p, o->relay, resp, sizeof(resp));
	else
		tx_raw(ctx, p, o->from, path_source(&p->path, o->from,
		    p->kp_current != NULL), resp, sizeof(resp), now);
	log_debug("peer %s: response sent", p->conf.name);
	goto out;
 fail:
	keypair_free(ctx, kp);
 out:
	handshake_clear(&hs);
	handshake_keys_clear(&keys);
}

static void
recv_response(struct tm_ctx *ctx, const uint8_t *msg, size_t len,
    const struct origin *o, uint64_t now)
{
	struct handshake_keys	 keys;
	struct index_entry	*e;
	struct keypair		*kp;
	struct peer		*p;
	int			 rc;

	if (handshake_check_mac1(&ctx->hlocal, msg, len) != HANDSHAKE_OK) {
		count_drop(ctx, NULL, DROP_HANDSHAKE);
		return;
	}
	if (!admit(ctx, msg, len, o, now))
		return;
	e = index_find(&ctx->index, wire_get_le32(msg + 8));
	if (e == NULL || e->kind != INDEX_HANDSHAKE) {
		count_drop(ctx, NULL, DROP_NO_SESSION);
		return;
	}
	p = e->peer;
	rc = handshake_consume_response(&p->hs, &ctx->hlocal, msg, len);
	if (rc != HANDSHAKE_OK) {
		count_drop(ctx, p, DROP_HANDSHAKE);
		/*
		 * mac1 and the index were right, so the peer read our
		 * initiation: with our key and its own in order, what is
		 * left to differ is the pre-shared key.
		 */
		if (rc == HANDSHAKE_ERR_AUTH)
			session_psk_hint(p, "its handshake response did not "
			    "authenticate");
		return;
	}
	memset(&keys, 0, sizeof(keys));
	if (handshake_derive_keys(&p->hs, &keys) != HANDSHAKE_OK) {
		count_drop(ctx, p, DROP_HANDSHAKE);
		return;
	}
	index_remove(&ctx->index, &p->hs_index);
	/* Our handshake index becomes the keypair's receiver index. */
	kp = keypair_new(p, 1, now);
	if (kp != NULL) {
		kp->index.idx = keys.local_index;
		memcpy(kp->peer_key, p->hpeer[p->hs_key].pub,
		    sizeof(kp->peer_key));
		if (keypair_set_keys(kp, &keys) == -1 ||
		    index_link(&ctx->index, &kp->index) == -1) {
			keypair_free(ctx, kp);
			kp = NULL;
		}
	}
	handshake_keys_clear(&keys);
	p->handshake_rtt_ns = now - p->hs_sent_ns;
	p->hs_sent_ns = 0;
	if (kp == NULL)
		return;

	session_established(ctx, p, kp, now);
	heard(ctx, p, o, now);
	log_info("peer %s: session established (initiator, %s%s, handshake "
	    "%llu us%s%s)", p->conf.name, aead_alg_name(kp->send.alg),
	    kp->csum_partial ? ", partial checksums" : "",
	    (unsigned long long)(p->handshake_rtt_ns / 1000),
	    o->relay != NULL ? ", via " : "",
	    o->relay != NULL ? o->relay->conf.name : "");
	session_peer_up(ctx, p);
	/* Confirms the session to the responder, which waits for data. */
	send_keepalive(ctx, p);
}

static void
recv_cookie_reply(struct tm_ctx *ctx, const uint8_t *msg, size_t len,
    uint64_t now)
{
	struct index_entry	*e;
	struct peer		*p;
	uint32_t		 idx;

	if (len != HANDSHAKE_COOKIE_REPLY_LEN) {
		count_drop(ctx, NULL, DROP_MALFORMED);
		return;
	}
	idx = wire_get_le32(msg + 4);
	if ((e = index_find(&ctx->index, idx)) == NULL) {
		count_drop(ctx, NULL, DROP_NO_SESSION);
		return;
	}
	p = e->peer;
	if (p->last_mac1_index != idx ||
	    handshake_consume_cookie_reply(&p->hpeer[p->last_mac1_key], idx,
	    p->last_mac1, msg, len, p->cookie) != HANDSHAKE_OK) {
		count_drop(ctx, p, DROP_HANDSHAKE);
		return;
	}
	p->cookie_ns = now;
	log_debug("peer %s: cookie received", p->conf.name);
}

static struct peer *dispatch(struct tm_ctx *, uint8_t *, size_t,
	    const struct origin *, uint64_t, uint8_t **, size_t *, int *);

/*
 * The relay message in a data message from hop: passed on, taken in, or
 * an end-to-end message delivered, which is received as the source's.
 */
static struct peer *
recv_relay(struct tm_ctx *ctx, struct peer *hop, uint8_t *pt, size_t len,
    const struct origin *o, uint64_t now, uint8_t **frame, size_t *flen,
    int *partial)
{
	struct origin	 inner = { o->from, hop, o->tos };
	struct peer	*src, *p;
	uint8_t		*msg;
	size_t		 mlen;

	if (o->relay != NULL) {
		/* Relay traffic inside relayed traffic: never. */
		count_drop(ctx, hop, DROP_RELAY);
		return NULL;
	}
	if (relay_input(ctx, hop, pt, len, o->tos, now, &src, &msg,
	    &mlen) != 1)
		return NULL;
	/*
	 * Whose frame it is, the end-to-end session that opened it says, not
	 * the relay: the source id only chose where it was passed on.
	 */
	p = dispatch(ctx, msg, mlen, &inner, now, frame, flen, partial);
	if (p != NULL && p != src) {
		count_drop(ctx, hop, DROP_RELAY);
		return NULL;
	}
	return p;
}

static struct peer *
recv_data(struct tm_ctx *ctx, uint8_t *pkt, size_t len,
    const struct origin *o, uint64_t now, uint8_t **frame,
    size_t *flen, int *partial)
{
	struct index_entry	*e;
	struct keypair		*kp;
	struct peer		*p;
	uint32_t		 idx;
	uint64_t		 ctr;
	int			 relayed;

	if (wire_data_header_read(pkt, len, &idx, &ctr) == -1) {
		count_drop(ctx, NULL, DROP_MALFORMED);
		return NULL;
	}
	if ((e = index_find(&ctx->index, idx)) == NULL ||
	    e->kind != INDEX_KEYPAIR) {
		count_drop(ctx, NULL, DROP_NO_SESSION);
		return NULL;
	}
	kp = e->kp;
	p = kp->peer;
	*partial = (wire_data_flags(pkt) & WIRE_DATA_CSUM_PARTIAL) != 0;
	relayed = (wire_data_flags(pkt) & WIRE_DATA_RELAY) != 0;
	if ((*partial && (!kp->csum_partial || relayed)) ||
	    (relayed && o->relay != NULL)) {
		/* Only sessions that agreed on it carry partial checksums. */
		count_drop(ctx, p, DROP_MALFORMED);
		return NULL;
	}
	if (now - kp->created_ns >= session_reject_ns(ctx)) {
		count_drop(ctx, p, DROP_NO_SESSION);
		return NULL;
	}
	if (replay_check(&kp->replay, ctr) == -1) {
		count_drop(ctx, p, DROP_REPLAY);
		return NULL;
	}
	if (aead_open(&kp->recv, ctr, pkt, WIRE_DATA_HEADER_LEN,
	    pkt + WIRE_DATA_HEADER_LEN, len - WIRE_DATA_HEADER_LEN,
	    pkt + WIRE_DATA_HEADER_LEN) == -1) {
		count_drop(ctx, p, DROP_BAD_AUTH);
		return NULL;
	}
	/* Only now, authenticated, may the packet change any state. */
	if (replay_update(&kp->replay, ctr) == -1) {
		count_drop(ctx, p, DROP_REPLAY);
		return NULL;
	}
	session_confirm(ctx, p, kp, now);
	p->last_rx_ns = now;
	heard(ctx, p, o, now);
	session_peer_up(ctx, p);
	if (relayed) {
		*partial = 0;
		return recv_relay(ctx, p, pkt + WIRE_DATA_HEADER_LEN,
		    len - WIRE_DATA_OVERHEAD, o, now, frame, flen, partial);
	}
	if (*partial && len <= WIRE_DATA_OVERHEAD + PROBE_LEN) {
		count_drop(ctx, p, DROP_MALFORMED);
		return NULL;
	}
	if (len == WIRE_DATA_OVERHEAD)
		return NULL;		/* a keepalive */
	if (len == WIRE_DATA_OVERHEAD + PROBE_LEN) {
		probe_recv(ctx, p, pkt + WIRE_DATA_HEADER_LEN,
		    o->relay != NULL ? NULL : o->from, now);
		return NULL;
	}
	*frame = pkt + WIRE_DATA_HEADER_LEN;
	*flen = len - WIRE_DATA_OVERHEAD;
	return p;
}

/*
 * The bits byte 1 may carry by message type: flags in data messages
 * (wire_data_header_read checks them), the pre-shared key bit in
 * initiations and responses (handshake.c), nothing elsewhere.
 */
static uint8_t
recv_byte1(uint8_t type)
{
	switch (type) {
	case WIRE_TYPE_DATA:
		return 0xff;
	case WIRE_TYPE_INITIATION:
	case WIRE_TYPE_RESPONSE:
		return HANDSHAKE_HDR_PSK;
	}
	return 0;
}

/* A message of any type from o. */
static struct peer *
dispatch(struct tm_ctx *ctx, uint8_t *pkt, size_t len, const struct origin *o,
    uint64_t now, uint8_t **frame, size_t *flen, int *partial)
{
	if (len < 4 || (pkt[1] & ~recv_byte1(pkt[0])) != 0 ||
	    pkt[2] != 0 || pkt[3] != 0) {
		count_drop(ctx, NULL, DROP_MALFORMED);
		return NULL;
	}
	*partial = 0;
	switch (pkt[0]) {
	case WIRE_TYPE_DATA:
		return recv_data(ctx, pkt, len, o, now, frame, flen, partial);
	case WIRE_TYPE_INITIATION:
		recv_initiation(ctx, pkt, len, o, now);
		break;
	case WIRE_TYPE_RESPONSE:
		recv_response(ctx, pkt, len, o, now);
		break;
	case WIRE_TYPE_COOKIE_REPLY:
		recv_cookie_reply(ctx, pkt, len, now);
		break;
	default:
		count_drop(ctx, NULL, DROP_MALFORMED);
		break;
	}
	return NULL;
}

struct peer *
receive_datagram(struct tm_ctx *ctx, uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint8_t tos, uint8_t **frame,
    size_t *flen, int *partial)
{
	struct origin	 o = { from, NULL, tos };

	return dispatch(ctx, pkt, len, &o, event_now_ns(), frame, flen,
	    partial);
}
