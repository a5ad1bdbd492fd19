/*
 * Relaying through a peer: see relay.h.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "path.h"
#include "prio.h"
#include "probe.h"
#include "relay.h"
#include "send.h"
#include "session.h"
#include "udp.h"

static uint64_t
ms_ns(uint64_t ms)
{
	return ms * 1000000ULL;
}

struct peer *
relay_find_by_id(const struct tm_ctx *ctx, const uint8_t *id)
{
	size_t	 i;

	for (i = 0; i < ctx->peers.npeers; i++)
		if (memcmp(peer_relay_id(ctx->peers.peers[i]), id,
		    WIRE_RELAY_ID_LEN) == 0)
			return ctx->peers.peers[i];
	return NULL;
}

int
relay_offers(const struct tm_ctx *ctx, const struct peer *p, uint64_t now)
{
	return p->relay.offer_ns != 0 && now - p->relay.offer_ns <
	    (uint64_t)ctx->conf.dead_time * 1000000000ULL;
}

/* Whether p is reached directly, with a session: a relay must be. */
static int
direct_session(const struct peer *p, uint64_t now, uint64_t reject_ns)
{
	return p->up && p->kp_current != NULL &&
	    now - p->kp_current->created_ns < reject_ns &&
	    p->path.has_endpoint && !path_relayed(&p->path);
}

/* The round-trip time to r as measured on its active path. */
static uint64_t
rtt_of(const struct peer *r)
{
	const struct path_set	*ps = &r->path;

	if (ps->active >= 0 && (size_t)ps->active < ps->npaths &&
	    ps->paths[ps->active].rtt_ns != 0)
		return ps->paths[ps->active].rtt_ns;
	if (r->handshake_rtt_ns != 0)
		return r->handshake_rtt_ns;
	return 1000000000ULL;
}

/* Whether r may relay to p now. */
static int
candidate(const struct tm_ctx *ctx, const struct peer *p,
    const struct peer *r, uint64_t now)
{
	if (r == p || !relay_offers(ctx, r, now) ||
	    !direct_session(r, now, (uint64_t)ctx->conf.rekey_time *
	    1500000000ULL))
		return 0;
	return !(p->relay.failed == r && now - p->relay.failed_ns <
	    ms_ns(RELAY_FAIL_HOLD_MS));
}

static void
use_relay(struct tm_ctx *ctx, struct peer *p, struct peer *r)
{
	if (p->relay.via == r)
		return;
	p->relay.via = r;
	path_set_relay(&p->path, r != NULL ? r->conf.name : NULL,
	    &ctx->rl_roam);
}

void
relay_tick(struct tm_ctx *ctx, struct peer *p, uint64_t now, size_t offered)
{
	struct peer	*r, *best = NULL;
	size_t		 i, seen = 0;

	r = p->relay.via;
	/* Probes through it went unanswered: try another one. */
	if (r != NULL && p->path.has_relay && !p->path.relay.up) {
		log_info("peer %s: relay %s does not reach it", p->conf.name,
		    r->conf.name);
		p->relay.failed = r;
		p->relay.failed_ns = now;
	}
	if (r != NULL && candidate(ctx, p, r, now) && p->path.relay.up)
		return;
	/* Only the peers that offer are looked at, not all of them each. */
	for (i = 0; i < ctx->peers.npeers && seen < offered; i++) {
		r = ctx->peers.peers[i];
		if (!relay_offers(ctx, r, now))
			continue;
		seen++;
		if (candidate(ctx, p, r, now) &&
		    (best == NULL || rtt_of(r) < rtt_of(best)))
			best = r;
	}
	use_relay(ctx, p, best);
}

size_t
relay_offered(const struct tm_ctx *ctx, uint64_t now)
{
	size_t	 i, n = 0;

	for (i = 0; i < ctx->peers.npeers; i++)
		n += relay_offers(ctx, ctx->peers.peers[i], now) != 0;
	return n;
}

void
relay_heard_via(struct tm_ctx *ctx, struct peer *p, struct peer *r,
    uint64_t now)
{
	/* It just showed that it reaches p. */
	if (p->relay.failed == r)
		p->relay.failed = NULL;
	if (p->relay.via == NULL)
		use_relay(ctx, p, r);
	if (p->relay.via == r)
		path_relay_heard(&p->path, r->conf.name, now, &ctx->rl_roam);
}

/*
 * Takes len bytes of src's forwarding budget: relay_rate Mbit/s, with a
 * burst of 50 ms (64 KiB at least).  Returns 0 when over it.
 */
static int
budget(struct tm_ctx *ctx, struct peer *src, size_t len, uint64_t now)
{
	struct relay_peer	*rp = &src->relay;
	double			 rate = (double)ctx->conf.relay_rate * 125000.0;
	double			 burst = rate / 20 > 65536 ? rate / 20 : 65536;
	double			 cost = len < RELAY_MIN_CHARGE ?
				    RELAY_MIN_CHARGE : (double)len;

	if (rp->tokens_ns == 0)
		rp->tokens = burst;
	else
		rp->tokens += rate * (double)(now - rp->tokens_ns) / 1e9;
	if (rp->tokens > burst)
		rp->tokens = burst;
	rp->tokens_ns = now;
	if (rp->tokens < cost)
		return 0;
	rp->tokens -= cost;
	return 1;
}

/* The pair entry of src to target, added if missing; NULL if no memory. */
static struct relay_pair *
pair_of(struct peer *src, const struct peer *target)
{
	struct relay_peer	*rp = &src->relay;
	struct relay_pair	*n;
	size_t			 i, cap;

	for (i = 0; i < rp->npairs; i++)
		if (memcmp(rp->pairs[i].to, peer_relay_id(target),
		    WIRE_RELAY_ID_LEN) == 0)
			return &rp->pairs[i];
	if (rp->npairs == rp->capacity) {
		cap = rp->capacity ? rp->capacity * 2 : 4;
		if ((n = reallocarray(rp->pairs, cap, sizeof(*n))) == NULL)
			return NULL;
		rp->pairs = n;
		rp->capacity = cap;
	}
	n = &rp->pairs[rp->npairs++];
	memset(n, 0, sizeof(*n));
	memcpy(n->to, peer_relay_id(target), WIRE_RELAY_ID_LEN);
	return n;
}

/* Tells to where about is, as this node sees it (its active endpoint). */
static void
tell_endpoint(struct tm_ctx *ctx, struct peer *to, const struct peer *about)
{
	uint8_t	*pt = ctx->relay_buf;
	const struct sockaddr_in6 *sa = &about->path.endpoint;

	wire_relay_header_write(pt, WIRE_RELAY_ENDPOINT, peer_relay_id(about));
	memcpy(pt + WIRE_RELAY_HEADER_LEN, &sa->sin6_addr, 16);
	memcpy(pt + WIRE_RELAY_HEADER_LEN + 16, &sa->sin6_port, 2);
	(void)send_relayed(ctx, to, pt, WIRE_RELAY_ENDPOINT_LEN, to, 0, 0, 0);
}

/*
 * The relay forwarded msg from src to target: counted, and when data
 * flows both ways, a hole-punching round is due and was not lately,
 * both ends hear where the relay sees the other one, at once.
 */
static void
forwarded(struct tm_ctx *ctx, struct peer *src, struct peer *target,
    const uint8_t *msg, size_t mlen, uint64_t now)
{
	struct relay_pair	*pr = pair_of(src, target), *back;

	if (pr == NULL)
		return;
	pr->messages++;
	pr->bytes += mlen;
	if (msg[0] != WIRE_TYPE_DATA)
		return;
	pr->data_ns = now;
	if ((back = pair_of(target, src)) == NULL || back->data_ns == 0 ||
	    now - back->data_ns >= ms_ns(RELAY_PAIR_ACTIVE_MS))
		return;
	if (pr->round_ns != 0 && now - pr->round_ns < ms_ns(pr->round_ms))
		return;
	if (back->round_ns != 0 && now - back->round_ns < ms_ns(back->round_ms))
		return;
	pr->round_ms = pr->round_ns == 0 ? RELAY_ROUND_FIRST_MS :
	    pr->round_ms * 2 > RELAY_ROUND_MAX_MS ? RELAY_ROUND_MAX_MS :
	    pr->round_ms * 2;
	pr->round_ns = back->round_ns = now;
	back->round_ms = pr->round_ms;
	tell_endpoint(ctx, src, target);
	tell_endpoint(ctx, target, src);
}

/* A relay message asks this node to pass msg on. */
static void
forward(struct tm_ctx *ctx, struct peer *src, uint8_t *pt, size_t len,
    uint8_t tos, uint64_t now)
{
	struct peer	*target;
	size_t		 mlen = len - WIRE_RELAY_HEADER_LEN;
	uint64_t	 reject = (uint64_t)ctx->conf.rekey_time * 1500000000ULL;

	if (!ctx->conf.relay || !wire_relayable(pt + WIRE_RELAY_HEADER_LEN,
	    mlen)) {
		count_drop(ctx, src, DROP_RELAY);
		return;
	}
	if (!budget(ctx, src, len, now)) {
		count_drop(ctx, src, DROP_RATELIMIT);
		return;
	}
	target = relay_find_by_id(ctx, pt + 4);
	if (target == NULL || target == src ||
	    !direct_session(target, now, reject)) {
		/* No open relay: only peers it has direct sessions with. */
		count_drop(ctx, src, DROP_RELAY);
		src->relay.unreachable_sent++;
		wire_relay_header_write(pt, WIRE_RELAY_UNREACHABLE, pt + 4);
		(void)send_relayed(ctx, src, pt, WIRE_RELAY_HEADER_LEN, src, 0, 0,
		    0);
		return;
	}
	wire_relay_header_write(pt, WIRE_RELAY_DELIVER, peer_relay_id(src));
	/*
	 * The outer TOS goes on as it came (DSCP, and ECN as a router
	 * forwards it); the frame inside is not this node's to read.
	 */
	if (send_relayed(ctx, target, pt, len, target, 0, tos,
	    prio_tos(tos)) == 0)
		forwarded(ctx, src, target, pt + WIRE_RELAY_HEADER_LEN, mlen,
		    now);
}

/* The relay hop says it cannot reach target: another relay may. */
static void
unreachable(struct tm_ctx *ctx, struct peer *hop, const uint8_t *id,
    uint64_t now)
{
	struct peer	*target = relay_find_by_id(ctx, id);

	if (target == NULL || target->relay.via != hop)
		return;
	log_info("peer %s: relay %s cannot reach it", target->conf.name,
	    hop->conf.name);
	target->relay.failed = hop;
	target->relay.failed_ns = now;
	use_relay(ctx, target, NULL);
}

/* The relay hop says where it sees the peer of that id. */
static void
endpoint(struct tm_ctx *ctx, struct peer *hop, const uint8_t *pt,
    uint64_t now)
{
	struct peer		*p = relay_find_by_id(ctx, pt + 4);
	struct sockaddr_in6	 sa;
	char			 a[INET6_ADDRSTRLEN + 8];

	if (p == NULL || p == hop) {
		count_drop(ctx, hop, DROP_RELAY);
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	memcpy(&sa.sin6_addr, pt + WIRE_RELAY_HEADER_LEN, 16);
	memcpy(&sa.sin6_port, pt + WIRE_RELAY_HEADER_LEN + 16, 2);
	if (sa.sin6_port == 0 || IN6_IS_ADDR_UNSPECIFIED(&sa.sin6_addr) ||
	    IN6_IS_ADDR_MULTICAST(&sa.sin6_addr)) {
		count_drop(ctx, hop, DROP_RELAY);
		return;
	}
	if (p->relay.punch_told_ns == 0 ||
	    !udp_endpoint_eq(&p->relay.punch, &sa))
		log_info("peer %s: relay %s sees it at %s", p->conf.name,
		    hop->conf.name, udp_ntop(&sa, a, sizeof(a)));
	p->relay.punch = sa;
	p->relay.punch_told_ns = now;
	/* A round: the other end got the word now too, so probe at once. */
	p->relay.punch_left = RELAY_PUNCH_BURST;
	p->relay.punch_next_ns = now;
	probe_punch(ctx, p, now);
}

int
relay_input(struct tm_ctx *ctx, struct peer *hop, uint8_t *pt, size_t len,
    uint8_t tos, uint64_t now, struct peer **src, uint8_t **msg, size_t *mlen)
{
	struct peer	*s;

	if (len < WIRE_RELAY_HEADER_LEN || pt[1] != 0 || pt[2] != 0 ||
	    pt[3] != 0) {
		count_drop(ctx, hop, DROP_MALFORMED);
		return 0;
	}
	switch (pt[0]) {
	case WIRE_RELAY_FORWARD:
		forward(ctx, hop, pt, len, tos, now);
		return 0;
	case WIRE_RELAY_DELIVER:
		break;
	case WIRE_RELAY_UNREACHABLE:
		if (len == WIRE_RELAY_HEADER_LEN)
			unreachable(ctx, hop, pt + 4, now);
		else
			count_drop(ctx, hop, DROP_MALFORMED);
		return 0;
	case WIRE_RELAY_ENDPOINT:
		if (len == WIRE_RELAY_ENDPOINT_LEN && relay_offers(ctx, hop, now))
			endpoint(ctx, hop, pt, now);
		else
			count_drop(ctx, hop, DROP_RELAY);
		return 0;
	default:
		count_drop(ctx, hop, DROP_MALFORMED);
		return 0;
	}
	/* Delivered: from a relay, for a known peer, never relay traffic. */
	s = relay_find_by_id(ctx, pt + 4);
	if (!relay_offers(ctx, hop, now) || s == NULL || s == hop ||
	    !wire_relayable(pt + WIRE_RELAY_HEADER_LEN,
	    len - WIRE_RELAY_HEADER_LEN)) {
		count_drop(ctx, hop, DROP_RELAY);
		return 0;
	}
	*src = s;
	*msg = pt + WIRE_RELAY_HEADER_LEN;
	*mlen = len - WIRE_RELAY_HEADER_LEN;
	return 1;
}

int
relay_frame_limit(const struct peer *p)
{
	const struct path_set	*ps;
	int			 limit, ip;

	if (p->relay.via == NULL)
		return 0;
	ps = &p->relay.via->path;
	/*
	 * Unknown, the relay's path is taken to carry 1500 bytes, as the
	 * TAP's default MTU does: a full frame plus the relay's 44 bytes
	 * would not fit, and fragmenting every one costs more than telling
	 * the sender's PMTU discovery.
	 */
	if ((limit = path_frame_limit(ps)) == 0) {
		ip = IN6_IS_ADDR_V4MAPPED(&ps->endpoint.sin6_addr) ? 20 : 40;
		limit = RELAY_ASSUMED_MTU - ip - 8 - WIRE_DATA_OVERHEAD;
	}
	return limit > WIRE_RELAY_OVERHEAD ? limit - WIRE_RELAY_OVERHEAD : 0;
}

void
relay_forget(struct tm_ctx *ctx, const struct peer *gone)
{
	struct peer	*p;
	size_t		 i;

	for (i = 0; i < ctx->peers.npeers; i++) {
		p = ctx->peers.peers[i];
		if (p->relay.failed == gone)
			p->relay.failed = NULL;
		if (p->relay.via == gone)
			use_relay(ctx, p, NULL);
	}
}
