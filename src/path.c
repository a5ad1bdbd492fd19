#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "path.h"
#include "session.h"
#include "udp.h"

void
path_init(struct peer *p)
{
	const struct endpoint_conf	*ep;
	size_t				 i;
	int				 first = -1;

	memset(p->paths, 0, sizeof(p->paths));
	p->npaths = p->conf.nendpoints;
	p->probe_path = -1;
	for (i = 0; i < p->npaths; i++) {
		ep = &p->conf.endpoints[i];
		p->paths[i].addr = ep->sa;
		p->paths[i].priority = ep->priority;
		p->paths[i].mtu = ep->mtu;
		p->paths[i].source = ep->has_source ? &ep->source : NULL;
		p->paths[i].host = ep->is_name ? ep->host : NULL;
		p->paths[i].resolved = ep->resolved;
		/* Looked up just now, at start or reload. */
		p->paths[i].resolve_ns = ep->is_name ? event_now_ns() : 0;
		/* Untried: assume it works, once there is an address. */
		p->paths[i].up = ep->resolved;
		if (first == -1 && ep->resolved)
			first = (int)i;
	}
	p->hs_path = first >= 0 ? (size_t)first : 0;
	p->active = first;
	if (first >= 0) {
		p->endpoint = p->paths[first].addr;
		p->has_endpoint = 1;
	} else if (p->has_learned) {
		p->endpoint = p->learned.addr;
		p->has_endpoint = 1;
	} else
		p->has_endpoint = 0;
}

const char *
path_state(const struct path *pa)
{
	if (!pa->resolved)
		return "unresolved";
	if (pa->probes_sent == 0 || (pa->up && pa->probes_answered == 0))
		return "untried";
	return pa->up ? "up" : "down";
}

static void
set_active(struct tm_ctx *ctx, struct peer *p, int idx)
{
	const struct sockaddr_in6 *to;
	char	 a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8];

	to = idx >= 0 ? &p->paths[idx].addr : &p->learned.addr;
	if (p->active == idx && p->has_endpoint &&
	    udp_endpoint_eq(&p->endpoint, to))
		return;
	if (p->has_endpoint && log_ratelimit_ok(&ctx->rl_roam, NULL))
		log_info("peer %s: path %s -> %s%s", p->conf.name,
		    udp_ntop(&p->endpoint, a, sizeof(a)),
		    udp_ntop(to, b, sizeof(b)), idx >= 0 ? "" : " (learned)");
	else if (log_ratelimit_ok(&ctx->rl_roam, NULL))
		log_info("peer %s: endpoint %s%s", p->conf.name,
		    udp_ntop(to, b, sizeof(b)), idx >= 0 ? "" : " (learned)");
	p->active = idx;
	p->endpoint = *to;
	p->has_endpoint = 1;
}

/*
 * The preferred live configured path.  A path that missed its latest
 * probe is not switched to, and one that came back up is switched to only
 * after it stayed up for the whole hold-down, so a flapping primary
 * cannot drag traffic back and forth.  With no candidate, traffic stays
 * where the peer was last heard from.
 */
static void
path_select(struct tm_ctx *ctx, struct peer *p, uint64_t now)
{
	uint64_t	 hold = (uint64_t)ctx->conf.path_hold_down * 1000000000ULL;
	int		 best = -1, i;

	for (i = 0; i < (int)p->npaths; i++) {
		struct path	*pa = &p->paths[i];

		if (!pa->up)
			continue;
		if (i != p->active && (pa->missed > 0 ||
		    (pa->up_since_ns != 0 && now - pa->up_since_ns < hold)))
			continue;
		if (best == -1 || pa->priority < p->paths[best].priority)
			best = i;
	}
	if (best >= 0)
		set_active(ctx, p, best);
	else if (p->has_learned)
		set_active(ctx, p, -1);
}

static void	learned_probe(struct tm_ctx *, struct peer *, const uint8_t *,
		    const struct sockaddr_in6 *, uint64_t);

static void
probe_send(struct tm_ctx *ctx, struct peer *p, size_t i, uint8_t kind,
    uint32_t seq, const struct sockaddr_in6 *to)
{
	uint8_t	 msg[PROBE_LEN];

	memset(msg, 0, sizeof(msg));
	msg[0] = kind;
	msg[1] = (uint8_t)i;
	wire_put_le32(msg + 2, seq);
	if (kind == PROBE_REQUEST && (int)i == p->active)
		msg[PROBE_FLAGS_OFF] |= PROBE_F_ACTIVE;
	/* path_source, called from the send, picks this path's source. */
	p->probe_path = kind == PROBE_REQUEST ? (int)i : -1;
	(void)session_send_to(ctx, p, to, msg, sizeof(msg));
	p->probe_path = -1;
}

void
path_tick(struct tm_ctx *ctx, struct peer *p, uint64_t now)
{
	uint64_t	 interval = (uint64_t)ctx->conf.probe_interval * 1000000ULL;
	char		 a[INET6_ADDRSTRLEN + 8];
	size_t		 i;

	for (i = 0; i < p->npaths; i++) {
		struct path	*pa = &p->paths[i];

		if (!pa->resolved)
			continue;
		if (pa->last_probe_ns != 0 && now - pa->last_probe_ns < interval)
			continue;
		if (pa->last_probe_ns != 0 && !pa->answered &&
		    ++pa->missed >= PATH_MISSED_DOWN && pa->up) {
			pa->up = 0;
			log_info("peer %s: path %s down (%u probes unanswered)",
			    p->conf.name, udp_ntop(&pa->addr, a, sizeof(a)),
			    pa->missed);
		}
		pa->probe_seq++;
		pa->answered = 0;
		pa->last_probe_ns = now;
		pa->probes_sent++;
		probe_send(ctx, p, i, PROBE_REQUEST, pa->probe_seq, &pa->addr);
	}
	path_select(ctx, p, now);
}

void
path_probe_recv(struct tm_ctx *ctx, struct peer *p, const uint8_t *msg,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct path	*pa;
	char		 a[INET6_ADDRSTRLEN + 8];
	uint32_t	 seq = wire_get_le32(msg + 2);

	if (msg[0] == PROBE_REQUEST) {
		learned_probe(ctx, p, msg, from, now);
		probe_send(ctx, p, msg[1], PROBE_REPLY, seq, from);
		return;
	}
	if (msg[0] != PROBE_REPLY || msg[1] >= p->npaths)
		return;
	pa = &p->paths[msg[1]];
	/* Only the answer to the latest probe counts; older ones are late. */
	if (seq != pa->probe_seq || pa->answered)
		return;
	pa->answered = 1;
	pa->missed = 0;
	pa->last_reply_ns = now;
	pa->rtt_ns = now - pa->last_probe_ns;
	pa->probes_answered++;
	if (!pa->up) {
		pa->up = 1;
		pa->up_since_ns = now;
		log_info("peer %s: path %s up, rtt %.3f ms", p->conf.name,
		    udp_ntop(&pa->addr, a, sizeof(a)), (double)pa->rtt_ns / 1e6);
	}
	path_select(ctx, p, now);
}

/* The learned entry of addr, or NULL. */
static struct learned_path *
heard_find(struct peer *p, const struct sockaddr_in6 *addr)
{
	size_t	 i;

	for (i = 0; i < p->nheard; i++)
		if (udp_endpoint_eq(&p->heard[i].addr, addr))
			return &p->heard[i];
	return NULL;
}

/*
 * A new learned address takes a free slot, or the one heard from least
 * recently (never the one in use): the table stays bounded whatever the
 * peer's NATs do.
 */
static struct learned_path *
heard_add(struct peer *p, const struct sockaddr_in6 *addr)
{
	struct learned_path	*h = NULL;
	size_t			 i;

	if (p->nheard < PEER_MAX_LEARNED)
		h = &p->heard[p->nheard++];
	else
		for (i = 0; i < p->nheard; i++) {
			if (p->has_learned &&
			    udp_endpoint_eq(&p->heard[i].addr, &p->learned.addr))
				continue;
			if (h == NULL || p->heard[i].heard_ns < h->heard_ns)
				h = &p->heard[i];
		}
	memset(h, 0, sizeof(*h));
	h->addr = *addr;
	h->addr.sin6_flowinfo = 0;
	h->addr.sin6_scope_id = 0;
	h->peer_path = -1;
	return h;
}

/* Heard from within PATH_MISSED_DOWN probe intervals. */
static int
heard_fresh(const struct tm_ctx *ctx, const struct learned_path *h,
    uint64_t now)
{
	return now - h->heard_ns < (uint64_t)PATH_MISSED_DOWN *
	    (uint64_t)ctx->conf.probe_interval * 1000000ULL;
}

/*
 * Makes h the learned path, and uses it at once if no configured path
 * is known to work (the peer moved, or sits behind a NAT); else the
 * probes decide.
 */
static void
learned_use(struct tm_ctx *ctx, struct peer *p, const struct learned_path *h,
    uint64_t now)
{
	p->learned.addr = h->addr;
	p->learned.last_reply_ns = now;
	p->learned.up = 1;
	p->has_learned = 1;
	if (p->active < 0 || !p->has_endpoint ||
	    p->paths[p->active].missed > 0 || !p->paths[p->active].up)
		set_active(ctx, p, -1);
}

void
path_heard(struct tm_ctx *ctx, struct peer *p, const struct sockaddr_in6 *from,
    uint64_t now)
{
	struct learned_path	*h, *cur = NULL;
	size_t			 i;

	for (i = 0; i < p->npaths; i++)
		if (p->paths[i].resolved &&
		    udp_endpoint_eq(&p->paths[i].addr, from))
			return;		/* a configured path: probes decide */
	if ((h = heard_find(p, from)) == NULL)
		h = heard_add(p, from);
	h->heard_ns = now;
	if (p->has_learned)
		cur = heard_find(p, &p->learned.addr);
	/*
	 * A peer with two uplinks behind NATs probes its backup too: an
	 * address its probes call a backup does not take the traffic while
	 * the one in use is still heard from.
	 */
	if (cur != NULL && cur != h && h->peer_path >= 0 && !h->peer_active &&
	    heard_fresh(ctx, cur, now))
		return;
	learned_use(ctx, p, h, now);
}

/*
 * A probe request from a learned address tells which of the peer's
 * paths that address is, and whether the peer sends on it: the learned
 * path follows the one it sends on, if that one is still heard from.
 */
static void
learned_probe(struct tm_ctx *ctx, struct peer *p, const uint8_t *msg,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct learned_path	*h, *alt = NULL;
	size_t			 i;

	if ((h = heard_find(p, from)) == NULL)
		return;			/* a configured path */
	h->peer_path = msg[1];
	h->peer_active = (msg[PROBE_FLAGS_OFF] & PROBE_F_ACTIVE) != 0;
	if (h->peer_active) {
		learned_use(ctx, p, h, now);
		return;
	}
	if (!p->has_learned || !udp_endpoint_eq(&p->learned.addr, from))
		return;
	for (i = 0; i < p->nheard; i++)
		if (&p->heard[i] != h && p->heard[i].peer_active &&
		    heard_fresh(ctx, &p->heard[i], now))
			alt = &p->heard[i];
	if (alt != NULL)
		learned_use(ctx, p, alt, now);
}

int
path_handshake_target(struct peer *p, int retry, struct sockaddr_in6 *to)
{
	size_t	 i, k;

	if (retry && p->npaths > 1 && p->kp_current == NULL) {
		/* The next configured path that has an address. */
		for (k = 1; k <= p->npaths; k++) {
			i = (p->hs_path + k) % p->npaths;
			if (!p->paths[i].resolved)
				continue;
			p->hs_path = i;
			*to = p->paths[i].addr;
			return 0;
		}
	}
	if (!p->has_endpoint)
		return -1;
	*to = p->endpoint;
	return 0;
}

int
path_frame_limit(const struct peer *p)
{
	const struct path	*pa;
	int			 ip;

	if (p->active < 0 || (size_t)p->active >= p->npaths)
		return 0;
	pa = &p->paths[p->active];
	if (pa->mtu == 0)
		return 0;
	ip = IN6_IS_ADDR_V4MAPPED(&pa->addr.sin6_addr) ? 20 : 40;
	return pa->mtu - ip - 8 - WIRE_DATA_OVERHEAD;
}

void
path_mtu_learned(struct tm_ctx *ctx, const struct sockaddr_in6 *dst, int mtu)
{
	char	 a[INET6_ADDRSTRLEN + 8];
	size_t	 i, j;

	if (mtu < TM_MTU_MIN)
		return;
	for (i = 0; i < ctx->peers.npeers; i++) {
		struct peer	*p = ctx->peers.peers[i];

		for (j = 0; j < p->npaths; j++) {
			struct path	*pa = &p->paths[j];

			if (!udp_endpoint_eq(&pa->addr, dst) &&
			    memcmp(&pa->addr.sin6_addr, &dst->sin6_addr,
			    sizeof(dst->sin6_addr)) != 0)
				continue;
			if (pa->mtu != 0 && pa->mtu <= mtu)
				continue;
			pa->mtu = mtu;
			log_info("peer %s: path %s: underlay MTU %d", p->conf.name,
			    udp_ntop(&pa->addr, a, sizeof(a)), mtu);
		}
	}
}

/*
 * Two paths may lead to one address from two sources (two uplinks to
 * one peer): the path being probed, or else the one the handshake is
 * tried on, or else the active one, decides.
 */
const struct in6_addr *
path_source(const struct peer *p, const struct sockaddr_in6 *to)
{
	size_t	 i;

	if (p->probe_path >= 0 && (size_t)p->probe_path < p->npaths &&
	    udp_endpoint_eq(&p->paths[p->probe_path].addr, to))
		return p->paths[p->probe_path].source;
	if (p->kp_current == NULL && p->hs_path < p->npaths &&
	    udp_endpoint_eq(&p->paths[p->hs_path].addr, to))
		return p->paths[p->hs_path].source;
	if (p->active >= 0 && (size_t)p->active < p->npaths &&
	    udp_endpoint_eq(&p->paths[p->active].addr, to))
		return p->paths[p->active].source;
	for (i = 0; i < p->npaths; i++)
		if (p->paths[i].source != NULL &&
		    udp_endpoint_eq(&p->paths[i].addr, to))
			return p->paths[i].source;
	return NULL;
}

void
path_set_address(struct tm_ctx *ctx, struct peer *p, size_t i,
    const struct sockaddr_in6 *sa)
{
	struct path	*pa = &p->paths[i];
	char		 a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8];

	if (pa->resolved && udp_endpoint_eq(&pa->addr, sa))
		return;
	log_info("peer %s: endpoint %s: %s -> %s", p->conf.name,
	    pa->host != NULL ? pa->host : "?", pa->resolved ?
	    udp_ntop(&pa->addr, a, sizeof(a)) : "unresolved",
	    udp_ntop(sa, b, sizeof(b)));
	pa->addr = *sa;
	pa->resolved = 1;
	/*
	 * A new address is untried; the probes tell.  The active path keeps
	 * the traffic (now to the new address), another one waits for an
	 * answer and the hold-down like any path that comes up.
	 */
	pa->up = p->active == (int)i || !p->has_endpoint;
	pa->up_since_ns = 0;
	pa->missed = 0;
	pa->answered = 0;
	pa->last_probe_ns = 0;
	pa->probes_sent = 0;	/* figures of the new address */
	pa->probes_answered = 0;
	pa->rtt_ns = 0;
	pa->mtu = p->conf.endpoints[i].mtu;
	if (p->active == (int)i)
		p->endpoint = *sa;
	else if (!p->has_endpoint)
		set_active(ctx, p, (int)i);
}
