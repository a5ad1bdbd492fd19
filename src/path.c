#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "path.h"
#include "session.h"
#include "udp.h"

void
path_init(struct peer *p)
{
	size_t	 i;

	memset(p->paths, 0, sizeof(p->paths));
	p->npaths = p->conf.nendpoints;
	for (i = 0; i < p->npaths; i++) {
		p->paths[i].addr = p->conf.endpoints[i].sa;
		p->paths[i].priority = p->conf.endpoints[i].priority;
		p->paths[i].mtu = p->conf.endpoints[i].mtu;
		p->paths[i].source = p->conf.endpoints[i].has_source ?
		    &p->conf.endpoints[i].source : NULL;
		p->paths[i].up = 1;	/* untried: assume it works */
	}
	p->hs_path = 0;
	if (p->npaths > 0) {
		p->active = 0;
		p->endpoint = p->paths[0].addr;
		p->has_endpoint = 1;
	} else if (p->has_learned) {
		p->active = -1;
		p->endpoint = p->learned.addr;
		p->has_endpoint = 1;
	} else {
		p->active = -1;
		p->has_endpoint = 0;
	}
}

const char *
path_state(const struct path *pa)
{
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

static void
probe_send(struct tm_ctx *ctx, struct peer *p, size_t i, uint8_t kind,
    uint32_t seq, const struct sockaddr_in6 *to)
{
	uint8_t	 msg[PROBE_LEN];

	memset(msg, 0, sizeof(msg));
	msg[0] = kind;
	msg[1] = (uint8_t)i;
	wire_put_le32(msg + 2, seq);
	(void)session_send_to(ctx, p, to, msg, sizeof(msg));
}

void
path_tick(struct tm_ctx *ctx, struct peer *p, uint64_t now)
{
	uint64_t	 interval = (uint64_t)ctx->conf.probe_interval * 1000000ULL;
	char		 a[INET6_ADDRSTRLEN + 8];
	size_t		 i;

	for (i = 0; i < p->npaths; i++) {
		struct path	*pa = &p->paths[i];

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

void
path_heard(struct tm_ctx *ctx, struct peer *p, const struct sockaddr_in6 *from,
    uint64_t now)
{
	size_t		 i;

	for (i = 0; i < p->npaths; i++)
		if (udp_endpoint_eq(&p->paths[i].addr, from))
			return;		/* a configured path: probes decide */
	p->learned.addr = *from;
	p->learned.addr.sin6_flowinfo = 0;
	p->learned.addr.sin6_scope_id = 0;
	p->learned.last_reply_ns = now;
	p->learned.up = 1;
	p->has_learned = 1;
	/*
	 * The peer speaks from an address we do not know: use it at once if
	 * the active configured path missed a probe or is down (the peer
	 * moved, or sits behind a NAT), else let the probes decide.
	 */
	if (p->active < 0 || !p->has_endpoint ||
	    p->paths[p->active].missed > 0 || !p->paths[p->active].up)
		set_active(ctx, p, -1);
}

int
path_handshake_target(struct peer *p, int retry, struct sockaddr_in6 *to)
{
	if (retry && p->npaths > 1 && p->kp_current == NULL) {
		p->hs_path = (p->hs_path + 1) % p->npaths;
		*to = p->paths[p->hs_path].addr;
		return 0;
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

const struct in6_addr *
path_source(const struct peer *p, const struct sockaddr_in6 *to)
{
	size_t	 i;

	for (i = 0; i < p->npaths; i++)
		if (p->paths[i].source != NULL &&
		    udp_endpoint_eq(&p->paths[i].addr, to))
			return p->paths[i].source;
	return NULL;
}
