/*
 * The secure channel: see session.h.
 */
#include <sys/socket.h>

#include <openssl/crypto.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "neigh.h"
#include "path.h"
#include "session.h"
#include "udp.h"

static uint64_t
ms_to_ns(uint64_t ms)
{
	return ms * 1000000ULL;
}

static uint64_t
rekey_ns(const struct tm_ctx *ctx)
{
	return (uint64_t)ctx->conf.rekey_time * 1000000000ULL;
}

/* A keypair is refused for any use after 1.5 rekey intervals. */
static uint64_t
reject_ns(const struct tm_ctx *ctx)
{
	return rekey_ns(ctx) * 3 / 2;
}

/* Handshakes are retried at most every 5 s, sooner with fast keepalives. */
static uint64_t
retry_ns(const struct tm_ctx *ctx)
{
	uint64_t	 ka = (uint64_t)ctx->conf.keepalive * 1000;

	return ms_to_ns(ka < SESSION_RETRY_MS ? ka : SESSION_RETRY_MS);
}

static void
keypair_free(struct tm_ctx *ctx, struct keypair *kp)
{
	if (kp == NULL)
		return;
	index_remove(&ctx->index, &kp->index);
	aead_free(&kp->send);
	aead_free(&kp->recv);
	OPENSSL_cleanse(kp, sizeof(*kp));
	free(kp);
}

/* A keypair without keys yet; its index is not linked.  NULL: logged. */
static struct keypair *
keypair_alloc(struct peer *p, int initiator, uint64_t now)
{
	struct keypair	*kp;

	if ((kp = calloc(1, sizeof(*kp))) == NULL) {
		log_warn("peer %s: keypair", p->conf.name);
		return NULL;
	}
	kp->index.kind = INDEX_KEYPAIR;
	kp->index.peer = p;
	kp->index.kp = kp;
	kp->peer = p;
	kp->created_ns = now;
	kp->initiator = initiator;
	replay_init(&kp->replay);
	return kp;
}

/* Sets the keypair's AEAD keys from a handshake; 0 or -1 (logged). */
static int
keypair_set_keys(struct keypair *kp, const struct handshake_keys *keys)
{
	if (aead_init(&kp->send, keys->alg, keys->send) == -1 ||
	    aead_init(&kp->recv, keys->alg, keys->recv) == -1) {
		log_warnx("peer %s: cannot set up %s keys", kp->peer->conf.name,
		    aead_alg_name(keys->alg));
		return -1;
	}
	kp->remote_index = keys->remote_index;
	kp->csum_partial = keys->csum_partial;
	return 0;
}

static void
peer_set_up(struct tm_ctx *ctx, struct peer *p)
{
	if (p->up)
		return;
	p->up = 1;
	if (neigh_peer_up(ctx, p) == -1)
		log_warnx("peer %s: up, but not every neighbour entry could "
		    "be installed", p->conf.name);
	else
		log_info("peer %s: up", p->conf.name);
}

static void
peer_set_down(struct tm_ctx *ctx, struct peer *p, uint64_t now)
{
	if (!p->up)
		return;
	p->up = 0;
	neigh_peer_down(ctx, p);
	log_info("peer %s: down, nothing authenticated for %llu ms",
	    p->conf.name, (unsigned long long)((now - p->last_rx_ns) /
	    1000000ULL));
}

static int
send_raw(struct tm_ctx *ctx, struct peer *p, const struct sockaddr_in6 *to,
    const uint8_t *buf, size_t len, uint64_t now)
{
	ssize_t	 n;
	int	 tries;

	/*
	 * With IP_RECVERR an ICMP error for an earlier datagram (a dead
	 * peer's port unreachable) is reported once by the next send,
	 * whatever its destination: that send is tried again.
	 */
	for (tries = 0; tries < 2; tries++) {
		n = udp_send(ctx->udpfd, to, p != NULL ? path_source(p, to) :
		    NULL, buf, len);
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

/* Counts a data message sent to p. */
static void
sent(struct peer *p, size_t flen, uint64_t now)
{
	p->last_tx_ns = now;
	if (flen > PROBE_LEN) {
		p->stats.tx_packets++;
		p->stats.tx_bytes += flen;
	}
}

/*
 * What this side offers in a handshake: its cipher preference, and
 * partial checksums if its TAP has offloads (only then can it hand a
 * segment with a partial checksum to its kernel).
 */
static uint32_t
hs_flags(const struct tm_ctx *ctx)
{
	return (ctx->prefer_aes ? HANDSHAKE_FLAG_AES : 0) |
	    (ctx->tap.offload ? HANDSHAKE_FLAG_CSUM_PARTIAL : 0);
}

static void
realtime(uint64_t *sec, uint32_t *nsec)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = (uint64_t)ts.tv_sec;
	*nsec = (uint32_t)ts.tv_nsec;
}

static const uint8_t *
fresh_cookie(const struct peer *p, uint64_t now)
{
	if (p->cookie_ns == 0 || now - p->cookie_ns >=
	    (uint64_t)HANDSHAKE_COOKIE_SECRET_LIFE * 1000000000ULL)
		return NULL;
	return p->cookie;
}

/*
 * Sends a new initiation to the peer's active path, or on a retry
 * without a session to its next configured endpoint in turn.
 */
static void
handshake_initiate(struct tm_ctx *ctx, struct peer *p, uint64_t now,
    int retry)
{
	struct sockaddr_in6	 to;
	uint8_t			 msg[HANDSHAKE_INITIATION_LEN];
	uint64_t		 sec;
	uint32_t		 nsec;
	int			 rc;

	if (path_handshake_target(p, retry, &to) == -1)
		return;
	p->hs_index.kind = INDEX_HANDSHAKE;
	p->hs_index.peer = p;
	if (index_insert(&ctx->index, &p->hs_index) == -1) {
		log_warnx("peer %s: no random index", p->conf.name);
		return;
	}
	realtime(&sec, &nsec);
	rc = handshake_create_initiation(&p->hs, &ctx->hlocal, &p->hpeer,
	    p->hs_index.idx, sec, nsec, hs_flags(ctx),
	    fresh_cookie(p, now), msg);
	if (rc != HANDSHAKE_OK) {
		log_warnx("peer %s: initiation: %s", p->conf.name,
		    handshake_strerror(rc));
		index_remove(&ctx->index, &p->hs_index);
		return;
	}
	memcpy(p->last_mac1, p->hs.sent_mac1, sizeof(p->last_mac1));
	p->last_mac1_index = p->hs_index.idx;
	p->hs_sent_ns = now;
	p->stats.handshakes_sent++;
	send_raw(ctx, p, &to, msg, sizeof(msg), now);
	log_debug("peer %s: initiation sent", p->conf.name);
}

/* Forgets our initiation in flight: a session came up without it. */
static void
handshake_abandon(struct tm_ctx *ctx, struct peer *p)
{
	index_remove(&ctx->index, &p->hs_index);
	handshake_clear(&p->hs);
	p->hs_sent_ns = 0;
}

/* Starts a handshake unless one is in flight and not yet due a retry. */
static void
handshake_want(struct tm_ctx *ctx, struct peer *p, uint64_t now)
{
	if (p->hs_sent_ns != 0 && now - p->hs_sent_ns < retry_ns(ctx))
		return;
	handshake_initiate(ctx, p, now, p->hs_sent_ns != 0);
}

/* Seals a data message with the given flags and sends or queues it. */
static int
send_data(struct tm_ctx *ctx, struct peer *p, const struct sockaddr_in6 *to,
    const uint8_t *frame, size_t flen, uint8_t dflags)
{
	struct keypair	*kp = p->kp_current;
	struct txq_entry *e;
	uint64_t	 now = event_now_ns(), ctr;
	uint8_t		*pkt = ctx->out_buf;
	size_t		 len = DATA_OVERHEAD + flen;

	if (kp == NULL || kp->send_counter >= REPLAY_REJECT_AFTER ||
	    now - kp->created_ns >= reject_ns(ctx)) {
		count_drop(ctx, p, DROP_NO_SESSION);
		handshake_want(ctx, p, now);
		return -1;
	}
	if (kp->initiator && (now - kp->created_ns >= rekey_ns(ctx) ||
	    kp->send_counter >= SESSION_REKEY_MESSAGES) && p->hs_sent_ns == 0)
		handshake_initiate(ctx, p, now, 0);
	if (ctx->txq_active) {
		if (ctx->txq_n == TXQ_LEN)
			session_flush(ctx);
		pkt = ctx->txq_buf[ctx->txq_n];
	}
	ctr = kp->send_counter++;
	wire_data_header_write(pkt, kp->remote_index, ctr);
	wire_data_set_flags(pkt, dflags);
	if (aead_seal(&kp->send, ctr, pkt, DATA_HDR_LEN, frame, flen,
	    pkt + DATA_HDR_LEN) == -1) {
		count_drop(ctx, p, DROP_IO);
		return -1;
	}
	if (dflags & WIRE_DATA_CSUM_PARTIAL)
		ctx->offload.partial_tx++;
	if (ctx->txq_active) {
		e = &ctx->txq[ctx->txq_n++];
		e->peer = p;
		e->to = *to;
		e->src = path_source(p, to);
		e->len = len;
		e->flen = flen;
		return 0;
	}
	if (send_raw(ctx, p, to, pkt, len, now) == -1)
		return -1;
	sent(p, flen, now);
	return 0;
}

/* send_data to the peer's active endpoint. */
static int
send_endpoint(struct tm_ctx *ctx, struct peer *p, const uint8_t *frame,
    size_t flen, uint8_t dflags)
{
	if (!p->has_endpoint) {
		count_drop(ctx, p, DROP_NO_ENDPOINT);
		return -1;
	}
	return send_data(ctx, p, &p->endpoint, frame, flen, dflags);
}

int
session_send(struct tm_ctx *ctx, struct peer *p, const uint8_t *frame,
    size_t flen)
{
	return send_endpoint(ctx, p, frame, flen, 0);
}

int
session_send_to(struct tm_ctx *ctx, struct peer *p,
    const struct sockaddr_in6 *to, const uint8_t *frame, size_t flen)
{
	return send_data(ctx, p, to, frame, flen, 0);
}

int
session_send_partial(struct tm_ctx *ctx, struct peer *p, uint8_t *frame,
    size_t flen, size_t csum_start)
{
	struct keypair	*kp = p->kp_current;

	if (kp != NULL && kp->csum_partial)
		return send_endpoint(ctx, p, frame, flen,
		    WIRE_DATA_CSUM_PARTIAL);
	offload_tcp_csum(frame, flen, csum_start);
	return send_endpoint(ctx, p, frame, flen, 0);
}

/* Whether queued datagram b may follow a in a UDP GSO message. */
static int
txq_joins(const struct txq_entry *a, const struct txq_entry *b)
{
	return b->len <= a->len && udp_endpoint_eq(&a->to, &b->to) &&
	    (a->src == b->src || (a->src != NULL && b->src != NULL &&
	    memcmp(a->src, b->src, sizeof(*a->src)) == 0));
}

/*
 * Sends the messages built by session_flush; a message the kernel
 * refuses whole (a GSO size above a learned path MTU, an ICMP error of
 * an earlier datagram reported now) is sent again one datagram at a
 * time, as without the queue.
 */
static void
txq_send(struct tm_ctx *ctx, const struct udp_msg *m, const size_t *first,
    size_t nm, uint64_t now)
{
	const struct txq_entry	*e;
	size_t			 done = 0, k, i;
	int			 r;

	while (done < nm) {
		r = udp_send_batch(ctx->udpfd, m + done, nm - done);
		for (k = done; r > 0 && k < done + (size_t)r; k++)
			for (i = 0; i < m[k].niov; i++) {
				e = &ctx->txq[first[k] + i];
				sent(e->peer, e->flen, now);
			}
		if (r > 0) {
			done += (size_t)r;
			continue;
		}
		for (i = 0; i < m[done].niov; i++) {
			e = &ctx->txq[first[done] + i];
			if (send_raw(ctx, e->peer, &e->to,
			    ctx->txq_buf[first[done] + i], e->len, now) == 0)
				sent(e->peer, e->flen, now);
		}
		done++;
	}
}

void
session_flush(struct tm_ctx *ctx)
{
	struct udp_msg		 m[UDP_BATCH_MAX];
	struct iovec		 iov[TXQ_LEN];
	size_t			 first[UDP_BATCH_MAX];
	size_t			 i, j, nm = 0, bytes;
	uint64_t		 now = event_now_ns();
	const struct txq_entry	*e;

	for (i = 0; i < ctx->txq_n; i = j) {
		e = &ctx->txq[i];
		first[nm] = i;
		m[nm] = (struct udp_msg){ &e->to, e->src, &iov[i], 0, e->len };
		bytes = 0;
		/* Equal lengths; a shorter datagram ends the message. */
		for (j = i; j < ctx->txq_n; j++) {
			if (j > i && (!txq_joins(e, &ctx->txq[j]) ||
			    ctx->txq[j - 1].len != e->len ||
			    j - i == UDP_GSO_MAX_SEGS ||
			    bytes + ctx->txq[j].len > UDP_GSO_MAX_BYTES))
				break;
			iov[j].iov_base = ctx->txq_buf[j];
			iov[j].iov_len = ctx->txq[j].len;
			bytes += ctx->txq[j].len;
		}
		m[nm].niov = j - i;
		if (++nm == UDP_BATCH_MAX) {
			txq_send(ctx, m, first, nm, now);
			nm = 0;
		}
	}
	txq_send(ctx, m, first, nm, now);
	ctx->txq_n = 0;
}

/* The address bytes and port of a source, as the cookie covers them. */
static void
source_bytes(const struct sockaddr_in6 *from, const uint8_t **addr,
    size_t *len, uint16_t *port)
{
	if (IN6_IS_ADDR_V4MAPPED(&from->sin6_addr)) {
		*addr = &from->sin6_addr.s6_addr[12];
		*len = 4;
	} else {
		*addr = from->sin6_addr.s6_addr;
		*len = 16;
	}
	*port = ntohs(from->sin6_port);
}

/* True if the source may start another handshake now. */
static int
hs_ratelimit_ok(struct tm_ctx *ctx, const struct sockaddr_in6 *from,
    uint64_t now)
{
	struct hs_ratelimit	*b;
	uint32_t		 h = 2166136261U;
	size_t			 i;

	/* The port is left out: a flood must not escape by changing it. */
	for (i = 0; i < sizeof(from->sin6_addr); i++)
		h = (h ^ from->sin6_addr.s6_addr[i]) * 16777619U;
	b = &ctx->hs_rl[h % HS_RL_BUCKETS];
	if (b->last_ns == 0 || memcmp(&b->addr, &from->sin6_addr,
	    sizeof(b->addr)) != 0) {
		b->addr = from->sin6_addr;
		b->tokens = HS_RL_BURST;
	} else {
		b->tokens += (double)(now - b->last_ns) / 1e9 * HS_RL_RATE;
		if (b->tokens > HS_RL_BURST)
			b->tokens = HS_RL_BURST;
	}
	b->last_ns = now;
	if (b->tokens < 1.0)
		return 0;
	b->tokens -= 1.0;
	return 1;
}

/*
 * Handshake messages whose mac1 verified: counts them per second, and
 * under load demands a valid mac2, answering the others with a cookie
 * reply (no Diffie-Hellman for a source that has not shown it receives
 * at its address).  Returns 1 if the message may be processed.
 */
static int
hs_admit(struct tm_ctx *ctx, const uint8_t *msg, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	uint8_t		 reply[HANDSHAKE_COOKIE_REPLY_LEN];
	const uint8_t	*addr;
	size_t		 alen;
	uint16_t	 port;
	uint64_t	 sec = now / 1000000000ULL;
	int		 rc;

	if (now - ctx->hs_window_ns >= 1000000000ULL) {
		ctx->hs_window_ns = now;
		ctx->hs_window_count = 0;
	}
	ctx->hs_window_count++;
	/*
	 * The per-source limit comes first: a source over it gets nothing,
	 * not even a cookie reply, whose making and sending cost about ten
	 * times a mac1 check, so a flood of valid-mac1 initiations cannot
	 * keep the daemon busy enough to starve data on the same socket.
	 */
	if (!hs_ratelimit_ok(ctx, from, now)) {
		count_drop(ctx, NULL, DROP_RATELIMIT);
		return 0;
	}
	source_bytes(from, &addr, &alen, &port);
	if (ctx->hs_window_count > HS_LOAD_THRESHOLD &&
	    handshake_check_mac2(&ctx->cookie_secret, sec, addr, alen, port,
	    msg, len) != HANDSHAKE_OK) {
		rc = handshake_create_cookie_reply(&ctx->hlocal,
		    &ctx->cookie_secret, sec, addr, alen, port, msg, len, reply);
		if (rc == HANDSHAKE_OK)
			send_raw(ctx, NULL, from, reply, sizeof(reply), now);
		count_drop(ctx, NULL, DROP_RATELIMIT);
		return 0;
	}
	return 1;
}

static struct peer *
peer_by_key(struct tm_ctx *ctx, const uint8_t *pub)
{
	size_t	 i;

	for (i = 0; i < ctx->peers.npeers; i++)
		if (memcmp(ctx->peers.peers[i]->conf.public_key, pub,
		    KEY_LEN) == 0)
			return ctx->peers.peers[i];
	return NULL;
}

static void
recv_initiation(struct tm_ctx *ctx, const uint8_t *msg, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct handshake		 hs;
	struct handshake_initiation_info info;
	struct handshake_keys		 keys;
	struct keypair			*kp = NULL;
	struct peer			*p;
	uint8_t				 resp[HANDSHAKE_RESPONSE_LEN];
	char				 a[INET6_ADDRSTRLEN + 8];
	int				 rc;

	memset(&hs, 0, sizeof(hs));
	memset(&keys, 0, sizeof(keys));
	if (handshake_check_mac1(&ctx->hlocal, msg, len) != HANDSHAKE_OK) {
		count_drop(ctx, NULL, DROP_HANDSHAKE);
		return;
	}
	if (!hs_admit(ctx, msg, len, from, now))
		return;
	rc = handshake_consume_initiation(&hs, &ctx->hlocal, msg, len, &info);
	if (rc != HANDSHAKE_OK) {
		count_drop(ctx, NULL, DROP_HANDSHAKE);
		goto out;
	}
	if ((p = peer_by_key(ctx, info.peer_pub)) == NULL) {
		count_drop(ctx, NULL, DROP_HANDSHAKE);
		if (log_ratelimit_ok(&ctx->rl_drop, NULL))
			log_warnx("handshake from %s with an unknown key",
			    udp_ntop(from, a, sizeof(a)));
		goto out;
	}
	/* A replayed initiation carries a timestamp we have seen. */
	if (!handshake_tai64n_after(info.timestamp, p->last_timestamp)) {
		count_drop(ctx, p, DROP_REPLAY);
		goto out;
	}
	if ((kp = keypair_alloc(p, 0, now)) == NULL)
		goto out;
	if (index_insert(&ctx->index, &kp->index) == -1)
		goto fail;
	rc = handshake_create_response(&hs, &p->hpeer, kp->index.idx,
	    hs_flags(ctx), fresh_cookie(p, now), resp);
	if (rc != HANDSHAKE_OK ||
	    handshake_derive_keys(&hs, &keys) != HANDSHAKE_OK) {
		count_drop(ctx, p, DROP_HANDSHAKE);
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
	path_heard(ctx, p, from, now);
	send_raw(ctx, p, from, resp, sizeof(resp), now);
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
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct handshake_keys	 keys;
	struct index_entry	*e;
	struct keypair		*kp;
	struct peer		*p;

	if (handshake_check_mac1(&ctx->hlocal, msg, len) != HANDSHAKE_OK) {
		count_drop(ctx, NULL, DROP_HANDSHAKE);
		return;
	}
	if (!hs_admit(ctx, msg, len, from, now))
		return;
	e = index_find(&ctx->index, wire_get_le32(msg + 8));
	if (e == NULL || e->kind != INDEX_HANDSHAKE) {
		count_drop(ctx, NULL, DROP_NO_SESSION);
		return;
	}
	p = e->peer;
	if (handshake_consume_response(&p->hs, &ctx->hlocal, msg, len) !=
	    HANDSHAKE_OK) {
		count_drop(ctx, p, DROP_HANDSHAKE);
		return;
	}
	memset(&keys, 0, sizeof(keys));
	if (handshake_derive_keys(&p->hs, &keys) != HANDSHAKE_OK) {
		count_drop(ctx, p, DROP_HANDSHAKE);
		return;
	}
	index_remove(&ctx->index, &p->hs_index);
	/* Our handshake index becomes the keypair's receiver index. */
	kp = keypair_alloc(p, 1, now);
	if (kp != NULL) {
		kp->index.idx = keys.local_index;
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

	p->last_handshake_ns = now;
	p->last_rx_ns = now;
	p->stats.handshakes_done++;
	/*
	 * kp_next stays: when both ends initiated at once, the peer confirms
	 * the session we answered by sending on it, and must not find it
	 * gone.
	 */
	keypair_free(ctx, p->kp_previous);
	p->kp_previous = p->kp_current;
	p->kp_current = kp;
	path_heard(ctx, p, from, now);
	log_info("peer %s: session established (initiator, %s%s, handshake "
	    "%llu us)", p->conf.name, aead_alg_name(kp->send.alg),
	    kp->csum_partial ? ", partial checksums" : "",
	    (unsigned long long)(p->handshake_rtt_ns / 1000));
	peer_set_up(ctx, p);
	/* Confirms the session to the responder, which waits for data. */
	session_send(ctx, p, NULL, 0);
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
	    handshake_consume_cookie_reply(&p->hpeer, idx, p->last_mac1, msg,
	    len, p->cookie) != HANDSHAKE_OK) {
		count_drop(ctx, p, DROP_HANDSHAKE);
		return;
	}
	p->cookie_ns = now;
	log_debug("peer %s: cookie received", p->conf.name);
}

/* The responder's keypair is confirmed by the first data it decrypts. */
static void
keypair_confirm(struct tm_ctx *ctx, struct peer *p, struct keypair *kp,
    uint64_t now)
{
	if (kp != p->kp_next)
		return;
	keypair_free(ctx, p->kp_previous);
	p->kp_previous = p->kp_current;
	p->kp_current = kp;
	p->kp_next = NULL;
	p->last_handshake_ns = now;
	p->stats.handshakes_done++;
	/* A crossing initiation of ours would only replace this session. */
	if (p->hs_sent_ns != 0)
		handshake_abandon(ctx, p);
	log_info("peer %s: session established (responder, %s%s)",
	    p->conf.name, aead_alg_name(kp->send.alg),
	    kp->csum_partial ? ", partial checksums" : "");
}

static struct peer *
recv_data(struct tm_ctx *ctx, uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint64_t now, uint8_t **frame,
    size_t *flen, int *partial)
{
	struct index_entry	*e;
	struct keypair		*kp;
	struct peer		*p;
	uint32_t		 idx;
	uint64_t		 ctr;

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
	if (*partial && !kp->csum_partial) {
		/* Only sessions that agreed on it carry partial checksums. */
		count_drop(ctx, p, DROP_MALFORMED);
		return NULL;
	}
	if (now - kp->created_ns >= reject_ns(ctx)) {
		count_drop(ctx, p, DROP_NO_SESSION);
		return NULL;
	}
	if (replay_check(&kp->replay, ctr) == -1) {
		count_drop(ctx, p, DROP_REPLAY);
		return NULL;
	}
	if (aead_open(&kp->recv, ctr, pkt, DATA_HDR_LEN, pkt + DATA_HDR_LEN,
	    len - DATA_HDR_LEN, pkt + DATA_HDR_LEN) == -1) {
		count_drop(ctx, p, DROP_BAD_AUTH);
		return NULL;
	}
	/* Only now, authenticated, may the packet change any state. */
	if (replay_update(&kp->replay, ctr) == -1) {
		count_drop(ctx, p, DROP_REPLAY);
		return NULL;
	}
	keypair_confirm(ctx, p, kp, now);
	p->last_rx_ns = now;
	path_heard(ctx, p, from, now);
	peer_set_up(ctx, p);
	if (*partial && len <= DATA_OVERHEAD + PROBE_LEN) {
		count_drop(ctx, p, DROP_MALFORMED);
		return NULL;
	}
	if (len == DATA_OVERHEAD)
		return NULL;		/* a keepalive */
	if (len == DATA_OVERHEAD + PROBE_LEN) {
		path_probe_recv(ctx, p, pkt + DATA_HDR_LEN, from, now);
		return NULL;
	}
	*frame = pkt + DATA_HDR_LEN;
	*flen = len - DATA_OVERHEAD;
	return p;
}

struct peer *
session_recv(struct tm_ctx *ctx, uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint8_t **frame, size_t *flen,
    int *partial)
{
	uint64_t	 now = event_now_ns();

	/* Byte 1 carries flags in data messages (wire_data_header_read). */
	if (len < 4 || (pkt[1] != 0 && pkt[0] != WIRE_TYPE_DATA) ||
	    pkt[2] != 0 || pkt[3] != 0) {
		count_drop(ctx, NULL, DROP_MALFORMED);
		return NULL;
	}
	*partial = 0;
	switch (pkt[0]) {
	case WIRE_TYPE_DATA:
		return recv_data(ctx, pkt, len, from, now, frame, flen,
		    partial);
	case WIRE_TYPE_INITIATION:
		recv_initiation(ctx, pkt, len, from, now);
		break;
	case WIRE_TYPE_RESPONSE:
		recv_response(ctx, pkt, len, from, now);
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

static void
keypair_expire(struct tm_ctx *ctx, struct keypair **kpp, uint64_t now)
{
	if (*kpp != NULL && now - (*kpp)->created_ns >= reject_ns(ctx)) {
		keypair_free(ctx, *kpp);
		*kpp = NULL;
	}
}

static void
peer_tick(struct tm_ctx *ctx, struct peer *p, uint64_t now)
{
	struct keypair	*kp;
	uint64_t	 age;
	int		 due;

	keypair_expire(ctx, &p->kp_previous, now);
	keypair_expire(ctx, &p->kp_next, now);
	keypair_expire(ctx, &p->kp_current, now);
	/*
	 * The initiator confirms a session at once with a keepalive; one
	 * still unconfirmed after two retry intervals was abandoned by it
	 * (crossing handshakes) and must not hold up the next handshake.
	 */
	if (p->kp_next != NULL && now - p->kp_next->created_ns >=
	    2 * retry_ns(ctx)) {
		keypair_free(ctx, p->kp_next);
		p->kp_next = NULL;
	}
	kp = p->kp_current;

	if (p->up && now - p->last_rx_ns >= (uint64_t)ctx->conf.dead_time *
	    1000000000ULL)
		peer_set_down(ctx, p, now);

	/*
	 * A handshake is due when there is no usable session, the peer went
	 * quiet, or the keys are old: the initiator of the session renews
	 * them after rekey_time, the responder a quarter later if the
	 * initiator did not.  One that is no longer due (a session came up
	 * the other way) is abandoned rather than retried.
	 */
	age = kp != NULL ? now - kp->created_ns : 0;
	due = kp == NULL || !p->up || age >= rekey_ns(ctx) +
	    (kp->initiator ? 0 : rekey_ns(ctx) / 4);
	if (p->hs_sent_ns != 0) {
		if (!due)
			handshake_abandon(ctx, p);
		else if (now - p->hs_sent_ns >= retry_ns(ctx))
			handshake_initiate(ctx, p, now, 1);
	} else if (due && p->kp_next == NULL)
		handshake_want(ctx, p, now);

	if (kp != NULL)
		path_tick(ctx, p, now);
	if (kp != NULL && now - p->last_tx_ns >=
	    (uint64_t)ctx->conf.keepalive * 1000000000ULL)
		session_send(ctx, p, NULL, 0);
}

void
session_tick(void *arg)
{
	struct tm_ctx	*ctx = arg;
	uint64_t	 now = event_now_ns();
	size_t		 i;

	for (i = 0; i < ctx->peers.npeers; i++)
		peer_tick(ctx, ctx->peers.peers[i], now);
	if (event_timer_add(&ctx->ev, &ctx->tick, SESSION_TICK_MS) == -1)
		log_warn("session timer");
}

/* Applies a changed cipher preference (reload). */
void
session_set_cipher(struct tm_ctx *ctx)
{
	switch (ctx->conf.cipher) {
	case TM_CIPHER_AES_256_GCM:
		ctx->prefer_aes = 1;
		break;
	case TM_CIPHER_CHACHA20_POLY1305:
		ctx->prefer_aes = 0;
		break;
	default:
		ctx->prefer_aes = aead_cpu_has_aes();
		break;
	}
}

int
session_init(struct tm_ctx *ctx)
{
	size_t	 i;

	if (handshake_local_init(&ctx->hlocal, ctx->conf.private_key) !=
	    HANDSHAKE_OK) {
		log_warnx("cannot use the private key");
		return -1;
	}
	session_set_cipher(ctx);
	if (index_table_init(&ctx->index, ctx->peers.npeers) == -1) {
		log_warnx("out of memory");
		return -1;
	}
	for (i = 0; i < ctx->peers.npeers; i++)
		if (session_peer_init(ctx->peers.peers[i]) == -1)
			return -1;
	event_timer_init(&ctx->tick, session_tick, ctx);
	log_info("data cipher preference: %s",
	    ctx->prefer_aes ? "aes-256-gcm" : "chacha20-poly1305");
	return event_timer_add(&ctx->ev, &ctx->tick, 1);
}

int
session_peer_init(struct peer *p)
{
	if (handshake_peer_init(&p->hpeer, p->conf.public_key) !=
	    HANDSHAKE_OK) {
		log_warnx("peer %s: cannot use its public key", p->conf.name);
		return -1;
	}
	return 0;
}

void
session_peer_free(struct tm_ctx *ctx, struct peer *p)
{
	keypair_free(ctx, p->kp_current);
	keypair_free(ctx, p->kp_previous);
	keypair_free(ctx, p->kp_next);
	p->kp_current = p->kp_previous = p->kp_next = NULL;
	index_remove(&ctx->index, &p->hs_index);
	p->hs_sent_ns = 0;
	handshake_clear(&p->hs);
	OPENSSL_cleanse(p->cookie, sizeof(p->cookie));
}

void
session_free(struct tm_ctx *ctx)
{
	size_t	 i;

	for (i = 0; i < ctx->peers.npeers; i++)
		session_peer_free(ctx, ctx->peers.peers[i]);
	handshake_local_clear(&ctx->hlocal);
	OPENSSL_cleanse(&ctx->cookie_secret, sizeof(ctx->cookie_secret));
	index_table_free(&ctx->index);
}
