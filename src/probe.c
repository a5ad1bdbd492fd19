/*
 * Path probes: see probe.h.
 */
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "path.h"
#include "probe.h"
#include "relay.h"
#include "send.h"
#include "udp.h"

static uint64_t
interval_ns(const struct tm_ctx *ctx)
{
	return (uint64_t)ctx->conf.probe_interval * 1000000ULL;
}

static uint64_t
hold_ns(const struct tm_ctx *ctx)
{
	return (uint64_t)ctx->conf.path_hold_down * 1000000000ULL;
}

uint64_t
probe_fresh_ns(const struct tm_ctx *ctx)
{
	return PATH_MISSED_DOWN * interval_ns(ctx);
}

/* A probe to to (NULL: through the peer's relay) from src. */
static void
probe_send(struct tm_ctx *ctx, struct peer *p, size_t i, uint8_t kind,
    uint32_t seq, const struct sockaddr_in6 *to, const struct in6_addr *src)
{
	uint8_t	 msg[PROBE_LEN];

	memset(msg, 0, sizeof(msg));
	msg[0] = kind;
	msg[1] = (uint8_t)i;
	wire_put_le32(msg + 2, seq);
	if (kind == PROBE_REQUEST && (int)i == p->path.active)
		msg[PROBE_FLAGS_OFF] |= PROBE_F_ACTIVE;
	if (ctx->conf.relay)
		msg[PROBE_FLAGS_OFF] |= PROBE_F_RELAY;
	(void)send_probe(ctx, p, to, src, msg, sizeof(msg));
}

/*
 * Probes path pa (index idx in the probes) if it is due: to to, or
 * through the relay if to is NULL.  Three probes unanswered in a row
 * take it down.
 */
static void
probe_path(struct tm_ctx *ctx, struct peer *p, struct path *pa, size_t idx,
    const struct sockaddr_in6 *to, uint64_t now)
{
	char	 a[INET6_ADDRSTRLEN + 40];

	if (pa->last_probe_ns != 0 &&
	    now - pa->last_probe_ns < interval_ns(ctx))
		return;
	if (pa->last_probe_ns != 0 && !pa->answered &&
	    ++pa->missed >= PATH_MISSED_DOWN && pa->up) {
		pa->up = 0;
		if (to != NULL)
			udp_ntop(to, a, sizeof(a));
		else
			snprintf(a, sizeof(a), "via %s", p->path.relay_name);
		log_info("peer %s: path %s down (%u probes unanswered)",
		    p->conf.name, a, pa->missed);
	}
	pa->probe_seq++;
	pa->answered = 0;
	pa->last_probe_ns = now;
	pa->probes_sent++;
	/* From the path's own source: it is this path that is tried. */
	probe_send(ctx, p, idx, PROBE_REQUEST, pa->probe_seq, to, pa->source);
}

void
probe_punch(struct tm_ctx *ctx, struct peer *p, uint64_t now)
{
	struct relay_peer	*rp = &p->relay;

	if (rp->punch_left == 0 || !path_relayed(&p->path) ||
	    now < rp->punch_next_ns)
		return;
	rp->punch_left--;
	rp->punches++;
	rp->punch_next_ns = now + RELAY_PUNCH_GAP_MS * 1000000ULL;
	probe_send(ctx, p, PROBE_PATH_LEARNED, PROBE_REQUEST,
	    p->path.learned.probe_seq, &rp->punch, NULL);
}

void
probe_tick(struct tm_ctx *ctx, struct peer *p, uint64_t now)
{
	struct path_set	*ps = &p->path;
	size_t		 i;

	/* An MTU learned long ago is tried again, upward. */
	path_mtu_expire(ps, now);
	for (i = 0; i < ps->npaths; i++)
		if (ps->paths[i].resolved)
			probe_path(ctx, p, &ps->paths[i], i,
			    &ps->paths[i].addr, now);
	/*
	 * With a relay to fall back on, the learned path is probed too: it
	 * counts only while it answers (path_choose).
	 */
	if (ps->has_relay) {
		probe_path(ctx, p, &ps->relay, PROBE_PATH_RELAY, NULL, now);
		if (ps->has_learned)
			probe_path(ctx, p, &ps->learned, PROBE_PATH_LEARNED,
			    &ps->learned.addr, now);
		probe_punch(ctx, p, now);
	}
	path_select(ps, now, hold_ns(ctx), probe_fresh_ns(ctx), &ctx->rl_roam);
}

/* The answer to the latest probe of path pa came. */
static void
probe_answered(struct tm_ctx *ctx, struct peer *p, struct path *pa,
    uint32_t seq, uint64_t now)
{
	char		 a[INET6_ADDRSTRLEN + 40];

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
		if (pa == &p->path.relay)
			snprintf(a, sizeof(a), "via %s", p->path.relay_name);
		else
			udp_ntop(&pa->addr, a, sizeof(a));
		log_info("peer %s: path %s up, rtt %.3f ms", p->conf.name, a,
		    (double)pa->rtt_ns / 1e6);
	}
	path_select(&p->path, now, hold_ns(ctx), probe_fresh_ns(ctx),
	    &ctx->rl_roam);
}

void
probe_recv(struct tm_ctx *ctx, struct peer *p, const uint8_t *msg,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct path_set	*ps = &p->path;
	uint32_t	 seq = wire_get_le32(msg + 2);

	if (msg[PROBE_FLAGS_OFF] & PROBE_F_RELAY) {
		if (p->relay.offer_ns == 0)
			log_info("peer %s: offers to relay", p->conf.name);
		p->relay.offer_ns = now;
	}
	if (msg[0] == PROBE_REQUEST) {
		if (from == NULL) {
			/* Through a relay: answered the same way. */
			probe_send(ctx, p, msg[1], PROBE_REPLY, seq, NULL, NULL);
			return;
		}
		path_probe_heard(ps, from, msg[1],
		    (msg[PROBE_FLAGS_OFF] & PROBE_F_ACTIVE) != 0, now,
		    probe_fresh_ns(ctx), &ctx->rl_roam);
		probe_send(ctx, p, msg[1], PROBE_REPLY, seq, from,
		    path_source(ps, from, p->kp_current != NULL));
		return;
	}
	if (msg[0] != PROBE_REPLY)
		return;
	if (msg[1] < ps->npaths && from != NULL)
		probe_answered(ctx, p, &ps->paths[msg[1]], seq, now);
	else if (msg[1] == PROBE_PATH_RELAY && from == NULL && ps->has_relay)
		probe_answered(ctx, p, &ps->relay, seq, now);
	else if (msg[1] == PROBE_PATH_LEARNED && from != NULL &&
	    ps->has_learned && udp_endpoint_eq(from, &ps->learned.addr)) {
		ps->learned.last_reply_ns = now;
		probe_answered(ctx, p, &ps->learned, seq, now);
	}
}
