/*
 * Underlay paths of one peer: see path.h.
 */
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "path.h"
#include "pmtu.h"
#include "udp.h"
#include "wire.h"

static void	 set_active(struct path_set *, int, struct log_ratelimit *);

void
path_init(struct path_set *ps, const struct peer_conf *conf)
{
	const struct endpoint_conf	*ep;
	size_t				 i;
	int				 first = -1;

	ps->name = conf->name;
	memset(ps->paths, 0, sizeof(ps->paths));
	ps->npaths = conf->nendpoints;
	for (i = 0; i < ps->npaths; i++) {
		ep = &conf->endpoints[i];
		ps->paths[i].addr = ep->sa;
		ps->paths[i].priority = ep->priority;
		ps->paths[i].mtu = ep->mtu;
		ps->paths[i].conf_mtu = ep->mtu;
		ps->paths[i].source = ep->has_source ? &ep->source : NULL;
		ps->paths[i].host = ep->is_name ? ep->host : NULL;
		ps->paths[i].resolved = ep->resolved;
		/* Looked up just now, at start or reload. */
		ps->paths[i].resolve_ns = ep->is_name ? event_now_ns() : 0;
		/* Untried: assume it works, once there is an address. */
		ps->paths[i].up = ep->resolved;
		if (first == -1 && ep->resolved)
			first = (int)i;
	}
	ps->hs_path = first >= 0 ? (size_t)first : 0;
	ps->active = first >= 0 ? first : PATH_LEARNED;
	if (first >= 0) {
		ps->endpoint = ps->paths[first].addr;
		ps->has_endpoint = 1;
	} else if (ps->has_learned) {
		ps->endpoint = ps->learned.addr;
		ps->has_endpoint = 1;
	} else if (ps->has_relay) {
		ps->active = PATH_RELAY;
		ps->has_endpoint = 1;
	} else
		ps->has_endpoint = 0;
}

void
path_set_relay(struct path_set *ps, const char *name,
    struct log_ratelimit *rl)
{
	struct path	*pa = &ps->relay;

	if (name == NULL) {
		if (!ps->has_relay)
			return;
		ps->has_relay = 0;
		ps->relay_name = NULL;
		if (ps->active == PATH_RELAY) {
			if (ps->has_learned)
				set_active(ps, PATH_LEARNED, rl);
			else {
				ps->active = PATH_NONE;
				ps->has_endpoint = 0;
			}
		}
		return;
	}
	if (ps->has_relay && ps->relay_name != NULL &&
	    strcmp(ps->relay_name, name) == 0)
		return;
	memset(pa, 0, sizeof(*pa));
	pa->up = 1;		/* untried: assume it works */
	pa->resolved = 1;
	pa->priority = -1;
	if (ps->has_relay && ps->active == PATH_RELAY)
		log_info("peer %s: relay %s -> %s", ps->name,
		    ps->relay_name != NULL ? ps->relay_name : "?", name);
	ps->has_relay = 1;
	ps->relay_name = name;
	if (!ps->has_endpoint)
		set_active(ps, PATH_RELAY, rl);
}

void
path_relay_heard(struct path_set *ps, const char *name, uint64_t now,
    struct log_ratelimit *rl)
{
	if (!ps->has_relay)
		path_set_relay(ps, name, rl);
	ps->relay.last_reply_ns = now;
	if (!ps->has_endpoint || (ps->active >= 0 &&
	    !ps->paths[ps->active].up))
		set_active(ps, PATH_RELAY, rl);
}

const char *
path_state(const struct path *pa)
{
	if (!pa->resolved)
		return pa->resolving ? "resolving" : "unresolved";
	if (pa->probes_sent == 0 || (pa->up && pa->probes_answered == 0))
		return "untried";
	return pa->up ? "up" : "down";
}

/* Where traffic to path idx goes, as logs show it. */
static const char *
path_text(const struct path_set *ps, int idx, char *buf, size_t len)
{
	const struct sockaddr_in6 *to;

	if (idx == PATH_RELAY) {
		snprintf(buf, len, "via %s", ps->relay_name != NULL ?
		    ps->relay_name : "?");
		return buf;
	}
	to = idx >= 0 ? &ps->paths[idx].addr : &ps->learned.addr;
	udp_ntop(to, buf, len);
	if (idx < 0 && strlen(buf) + 10 < len)
		strcat(buf, " (learned)");
	return buf;
}

static void
set_active(struct path_set *ps, int idx, struct log_ratelimit *rl)
{
	const struct sockaddr_in6 *to = NULL;
	char	 a[INET6_ADDRSTRLEN + 40], b[INET6_ADDRSTRLEN + 40];
	int	 was_relayed = ps->active == PATH_RELAY;

	if (idx != PATH_RELAY)
		to = idx >= 0 ? &ps->paths[idx].addr : &ps->learned.addr;
	if (ps->active == idx && ps->has_endpoint && (to == NULL ||
	    udp_endpoint_eq(&ps->endpoint, to)))
		return;
	/* Moving between relayed and direct is always worth a line. */
	if ((was_relayed || idx == PATH_RELAY) && ps->has_endpoint)
		log_info("peer %s: %s -> %s (%s)", ps->name,
		    path_text(ps, ps->active, a, sizeof(a)),
		    path_text(ps, idx, b, sizeof(b)), idx == PATH_RELAY ?
		    "relayed" : "direct");
	else if (ps->has_endpoint && log_ratelimit_ok(rl, NULL))
		log_info("peer %s: path %s -> %s", ps->name,
		    path_text(ps, ps->active, a, sizeof(a)),
		    path_text(ps, idx, b, sizeof(b)));
	else if (idx == PATH_RELAY)
		log_info("peer %s: %s (relayed)", ps->name,
		    path_text(ps, idx, b, sizeof(b)));
	else if (log_ratelimit_ok(rl, NULL))
		log_info("peer %s: endpoint %s", ps->name,
		    path_text(ps, idx, b, sizeof(b)));
	ps->active = idx;
	if (to != NULL)
		ps->endpoint = *to;
	ps->has_endpoint = 1;
}

int
path_choose(const struct path_set *ps, uint64_t now, uint64_t hold_ns,
    uint64_t fresh_ns)
{
	const struct path	*pa;
	int			 best = -1, i, relay;

	for (i = 0; i < (int)ps->npaths; i++) {
		pa = &ps->paths[i];
		if (!pa->up)
			continue;
		if (i != ps->active && (pa->missed > 0 ||
		    (pa->up_since_ns != 0 && now - pa->up_since_ns < hold_ns)))
			continue;
		if (best == -1 || pa->priority < ps->paths[best].priority)
			best = i;
	}
	if (best >= 0)
		return best;
	relay = ps->has_relay && ps->relay.up;
	if (ps->has_learned && (!relay ||
	    now - ps->learned.last_reply_ns < fresh_ns))
		return PATH_LEARNED;
	if (relay)
		return PATH_RELAY;
	return ps->has_learned ? PATH_LEARNED : PATH_NONE;
}

void
path_select(struct path_set *ps, uint64_t now, uint64_t hold_ns,
    uint64_t fresh_ns, struct log_ratelimit *rl)
{
	int	 idx = path_choose(ps, now, hold_ns, fresh_ns);

	if (idx != PATH_NONE)
		set_active(ps, idx, rl);
}

/* The learned entry of addr, or NULL. */
static struct learned_path *
heard_find(struct path_set *ps, const struct sockaddr_in6 *addr)
{
	size_t	 i;

	for (i = 0; i < ps->nheard; i++)
		if (udp_endpoint_eq(&ps->heard[i].addr, addr))
			return &ps->heard[i];
	return NULL;
}

/*
 * A new learned address takes a free slot, or the one heard from least
 * recently (never the one in use): the table stays bounded whatever the
 * peer's NATs do.
 */
static struct learned_path *
heard_add(struct path_set *ps, const struct sockaddr_in6 *addr)
{
	struct learned_path	*h = NULL;
	size_t			 i;

	if (ps->nheard < PATH_MAX_LEARNED)
		h = &ps->heard[ps->nheard++];
	else
		for (i = 0; i < ps->nheard; i++) {
			if (ps->has_learned &&
			    udp_endpoint_eq(&ps->heard[i].addr, &ps->learned.addr))
				continue;
			if (h == NULL || ps->heard[i].heard_ns < h->heard_ns)
				h = &ps->heard[i];
		}
	memset(h, 0, sizeof(*h));
	h->addr = *addr;
	h->addr.sin6_flowinfo = 0;
	h->addr.sin6_scope_id = 0;
	h->peer_path = -1;
	return h;
}

/* Heard from within fresh_ns (PATH_MISSED_DOWN probe intervals). */
static int
heard_fresh(const struct learned_path *h, uint64_t now, uint64_t fresh_ns)
{
	return now - h->heard_ns < fresh_ns;
}

/*
 * Makes h the learned path, and uses it at once if no configured path
 * is known to work (the peer moved, or sits behind a NAT); else the
 * probes decide.
 */
static void
learned_use(struct path_set *ps, const struct learned_path *h, uint64_t now,
    struct log_ratelimit *rl)
{
	ps->learned.addr = h->addr;
	ps->learned.last_reply_ns = now;
	ps->learned.up = 1;
	ps->has_learned = 1;
	if (ps->active < 0 || !ps->has_endpoint ||
	    ps->paths[ps->active].missed > 0 || !ps->paths[ps->active].up)
		set_active(ps, PATH_LEARNED, rl);
}

void
path_heard(struct path_set *ps, const struct sockaddr_in6 *from, uint64_t now,
    uint64_t fresh_ns, struct log_ratelimit *rl)
{
	struct learned_path	*h, *cur = NULL;
	size_t			 i;

	for (i = 0; i < ps->npaths; i++)
		if (ps->paths[i].resolved &&
		    udp_endpoint_eq(&ps->paths[i].addr, from))
			return;		/* a configured path: probes decide */
	if ((h = heard_find(ps, from)) == NULL)
		h = heard_add(ps, from);
	h->heard_ns = now;
	if (ps->has_learned)
		cur = heard_find(ps, &ps->learned.addr);
	/*
	 * A peer with two uplinks behind NATs probes its backup too: an
	 * address its probes call a backup does not take the traffic while
	 * the one in use is still heard from.
	 */
	if (cur != NULL && cur != h && h->peer_path >= 0 && !h->peer_active &&
	    heard_fresh(cur, now, fresh_ns))
		return;
	learned_use(ps, h, now, rl);
}

void
path_probe_heard(struct path_set *ps, const struct sockaddr_in6 *from,
    int peer_path, int peer_active, uint64_t now, uint64_t fresh_ns,
    struct log_ratelimit *rl)
{
	struct learned_path	*h, *alt = NULL;
	size_t			 i;

	if ((h = heard_find(ps, from)) == NULL)
		return;			/* a configured path */
	h->peer_path = peer_path;
	h->peer_active = peer_active;
	if (h->peer_active) {
		learned_use(ps, h, now, rl);
		return;
	}
	if (!ps->has_learned || !udp_endpoint_eq(&ps->learned.addr, from))
		return;
	for (i = 0; i < ps->nheard; i++)
		if (&ps->heard[i] != h && ps->heard[i].peer_active &&
		    heard_fresh(&ps->heard[i], now, fresh_ns))
			alt = &ps->heard[i];
	if (alt != NULL)
		learned_use(ps, alt, now, rl);
}

int
path_handshake_target(struct path_set *ps, int retry, int has_session,
    struct sockaddr_in6 *to, const struct in6_addr **src)
{
	size_t	 i, k;

	if (retry && ps->npaths > 1 && !has_session) {
		/* The next configured path that has an address. */
		for (k = 1; k <= ps->npaths; k++) {
			i = (ps->hs_path + k) % ps->npaths;
			if (!ps->paths[i].resolved)
				continue;
			ps->hs_path = i;
			*to = ps->paths[i].addr;
			*src = path_source(ps, to, has_session);
			return 0;
		}
	}
	if (!ps->has_endpoint)
		return -1;
	*to = ps->endpoint;
	*src = path_source(ps, to, has_session);
	return 0;
}

int
path_frame_limit(const struct path_set *ps)
{
	const struct path	*pa;
	int			 ip;

	if (ps->active < 0 || (size_t)ps->active >= ps->npaths)
		return 0;
	pa = &ps->paths[ps->active];
	if (pa->mtu == 0)
		return 0;
	ip = IN6_IS_ADDR_V4MAPPED(&pa->addr.sin6_addr) ? 20 : 40;
	return pa->mtu - ip - 8 - WIRE_DATA_OVERHEAD;
}

void
path_mtu_learned(struct path_set *ps, const struct sockaddr_in6 *dst, int mtu,
    uint64_t now)
{
	char	 a[INET6_ADDRSTRLEN + 8];
	size_t	 j;
	int	 m;

	for (j = 0; j < ps->npaths; j++) {
		struct path	*pa = &ps->paths[j];

		if (!udp_endpoint_eq(&pa->addr, dst) &&
		    memcmp(&pa->addr.sin6_addr, &dst->sin6_addr,
		    sizeof(dst->sin6_addr)) != 0)
			continue;
		m = pmtu_learned(pa->mtu, mtu,
		    !IN6_IS_ADDR_V4MAPPED(&pa->addr.sin6_addr));
		if (m == 0)
			continue;
		pa->mtu = m;
		pa->mtu_learned_ns = now != 0 ? now : 1;
		if (m != mtu)
			log_info("peer %s: path %s: underlay MTU %d (ICMP said "
			    "%d, below the floor of its family)", ps->name,
			    udp_ntop(&pa->addr, a, sizeof(a)), m, mtu);
		else
			log_info("peer %s: path %s: underlay MTU %d", ps->name,
			    udp_ntop(&pa->addr, a, sizeof(a)), m);
	}
}

void
path_mtu_expire(struct path_set *ps, uint64_t now)
{
	char	 a[INET6_ADDRSTRLEN + 8];
	size_t	 j;

	for (j = 0; j < ps->npaths; j++) {
		struct path	*pa = &ps->paths[j];

		if (!pmtu_expired(pa->mtu_learned_ns, now))
			continue;
		log_info("peer %s: path %s: learned MTU %d expired, back to %s; "
		    "probing with full-size frames", ps->name,
		    udp_ntop(&pa->addr, a, sizeof(a)), pa->mtu,
		    pa->conf_mtu ? "the configured MTU" : "none");
		pa->mtu = pa->conf_mtu;
		pa->mtu_learned_ns = 0;
	}
}

const struct in6_addr *
path_source(const struct path_set *ps, const struct sockaddr_in6 *to,
    int has_session)
{
	size_t	 i;

	if (!has_session && ps->hs_path < ps->npaths &&
	    udp_endpoint_eq(&ps->paths[ps->hs_path].addr, to))
		return ps->paths[ps->hs_path].source;
	if (ps->active >= 0 && (size_t)ps->active < ps->npaths &&
	    udp_endpoint_eq(&ps->paths[ps->active].addr, to))
		return ps->paths[ps->active].source;
	for (i = 0; i < ps->npaths; i++)
		if (ps->paths[i].source != NULL &&
		    udp_endpoint_eq(&ps->paths[i].addr, to))
			return ps->paths[i].source;
	return NULL;
}

void
path_set_address(struct path_set *ps, size_t i, const struct sockaddr_in6 *sa,
    struct log_ratelimit *rl)
{
	struct path	*pa = &ps->paths[i];
	char		 a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8];

	if (pa->resolved && udp_endpoint_eq(&pa->addr, sa))
		return;
	log_info("peer %s: endpoint %s: %s -> %s", ps->name,
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
	pa->up = ps->active == (int)i || !ps->has_endpoint;
	pa->up_since_ns = 0;
	pa->missed = 0;
	pa->answered = 0;
	pa->last_probe_ns = 0;
	pa->probes_sent = 0;	/* figures of the new address */
	pa->probes_answered = 0;
	pa->rtt_ns = 0;
	pa->mtu = pa->conf_mtu;
	pa->mtu_learned_ns = 0;
	if (ps->active == (int)i)
		ps->endpoint = *sa;
	else if (!ps->has_endpoint)
		set_active(ps, (int)i, rl);
}
