/*
 * Path probes: see probe.h.
 */
#include <string.h>

#include "daemon.h"
#include "path.h"
#include "probe.h"
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
	(void)send_probe(ctx, p, to, src, msg, sizeof(msg));
}

void
probe_tick(struct tm_ctx *ctx, struct peer *p, uint64_t now)
{
	struct path_set	*ps = &p->path;
	struct path	*pa;
	char		 a[INET6_ADDRSTRLEN + 8];
	size_t		 i;

	/* An MTU learned long ago is tried again, upward. */
	path_mtu_expire(ps, now);
	for (i = 0; i < ps->npaths; i++) {
		pa = &ps->paths[i];
		if (!pa->resolved)
			continue;
		if (pa->last_probe_ns != 0 &&
		    now - pa->last_probe_ns < interval_ns(ctx))
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
		/* From the path's own source: it is this path that is tried. */
		probe_send(ctx, p, i, PROBE_REQUEST, pa->probe_seq, &pa->addr,
		    pa->source);
	}
	path_select(ps, now, hold_ns(ctx), &ctx->rl_roam);
}

/* The answer to the latest probe of path i came. */
static void
probe_answered(struct tm_ctx *ctx, struct peer *p, size_t i, uint32_t seq,
    uint64_t now)
{
	struct path	*pa = &p->path.paths[i];
	char		 a[INET6_ADDRSTRLEN + 8];

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
	path_select(&p->path, now, hold_ns(ctx), &ctx->rl_roam);
}

void
probe_recv(struct tm_ctx *ctx, struct peer *p, const uint8_t *msg,
    const struct sockaddr_in6 *from, uint64_t now)
{
	uint32_t	 seq = wire_get_le32(msg + 2);

	if (msg[0] == PROBE_REQUEST) {
		path_probe_heard(&p->path, from, msg[1],
		    (msg[PROBE_FLAGS_OFF] & PROBE_F_ACTIVE) != 0, now,
		    probe_fresh_ns(ctx), &ctx->rl_roam);
		probe_send(ctx, p, msg[1], PROBE_REPLY, seq, from,
		    path_source(&p->path, from, p->kp_current != NULL));
		return;
	}
	if (msg[0] == PROBE_REPLY && msg[1] < p->path.npaths)
		probe_answered(ctx, p, msg[1], seq, now);
}
