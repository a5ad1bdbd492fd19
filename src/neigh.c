#include <linux/neighbour.h>

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "daemon.h"
#include "neigh.h"
#include "neighq.h"

/*
 * Queued (neighq.h): the data path never waits for the kernel, and a
 * request it refuses is retried and logged there.
 */
static void
neigh_set_all(struct tm_ctx *ctx, struct peer *p, uint16_t state)
{
	struct tm_addr	 a;
	size_t		 i;

	for (i = 0; i < peer_neigh_count(p); i++) {
		peer_neigh_addr(p, i, &a);
		neighq_set(ctx, &a, p->conf.mac, state);
		p->neigh_installed |= 1U << i;
	}
}

void
neigh_peer_up(struct tm_ctx *ctx, struct peer *p)
{
	neigh_set_all(ctx, p, NUD_PERMANENT);
}

void
neigh_peer_down(struct tm_ctx *ctx, struct peer *p)
{
	/*
	 * FAILED rather than deleted: with no entry at all the kernel would
	 * consider the next hop good until it has tried to resolve it.
	 */
	if (p->neigh_installed != 0)
		neigh_set_all(ctx, p, NUD_FAILED);
}

void
neigh_peer_remove(struct tm_ctx *ctx, struct peer *p)
{
	struct tm_addr	 a;
	size_t		 i;

	for (i = 0; i < peer_neigh_count(p); i++) {
		if (!(p->neigh_installed & (1U << i)))
			continue;
		peer_neigh_addr(p, i, &a);
		neighq_del(ctx, &a);
		p->neigh_installed &= ~(1U << i);
	}
}

void
neigh_peer_forget(struct peer *p)
{
	p->neigh_installed = 0;
	p->neigh_dirty = 0;
}

/* Restores are gathered for this long, so a flush is answered at once. */
#define NEIGH_RESTORE_DELAY_MS	50
/* More restores than this within the window means a fight. */
#define NEIGH_FIGHT_RESTORES	5
#define NEIGH_FIGHT_WINDOW_NS	(10 * 1000000000ULL)
#define NEIGH_BACKOFF_MIN_S	10
#define NEIGH_BACKOFF_MAX_S	300

static const char *
neigh_proto_name(uint8_t proto)
{
	switch (proto) {
	case 0:
		return "unknown";
	case 3:
		return "boot";
	case 4:
		return "static";
	case 11:
		return "zebra";
	case 12:
		return "bird";
	default:
		return "other";
	}
}

static void
neigh_event(const struct nl_neigh_event *ev, void *arg)
{
	struct tm_ctx	*ctx = arg;
	struct peer	*p;

	if (ev->ifindex != ctx->tap.ifindex)
		return;
	if ((p = peer_find_by_addr(&ctx->peers, &ev->dst)) == NULL || !p->up)
		return;
	if (!ev->deleted && ev->state == NUD_PERMANENT && ev->has_lladdr &&
	    memcmp(ev->lladdr, p->conf.mac, ETH_ALEN_TM) == 0)
		return;		/* ours, as we left it */
	if (!p->neigh_dirty)
		log_debug("peer %s: neighbour entry %s (state 0x%x, proto %s)",
		    p->conf.name, ev->deleted ? "deleted" : "replaced",
		    ev->state, neigh_proto_name(ev->protocol));
	p->neigh_dirty = 1;
	if (!event_timer_pending(&ctx->neigh_timer))
		(void)event_timer_add(&ctx->ev, &ctx->neigh_timer,
		    NEIGH_RESTORE_DELAY_MS);
}

static void
neigh_restore(struct tm_ctx *ctx, struct peer *p, uint64_t now)
{
	if (now < p->neigh_holdoff_ns)
		return;
	if (now - p->neigh_window_ns >= NEIGH_FIGHT_WINDOW_NS) {
		p->neigh_window_ns = now;
		p->neigh_restores = 0;
		if (p->neigh_holdoff_ns == 0)
			p->neigh_backoff_s = 0;
		p->neigh_holdoff_ns = 0;
	}
	if (++p->neigh_restores > NEIGH_FIGHT_RESTORES) {
		p->neigh_backoff_s = p->neigh_backoff_s == 0 ?
		    NEIGH_BACKOFF_MIN_S : p->neigh_backoff_s * 2;
		if (p->neigh_backoff_s > NEIGH_BACKOFF_MAX_S)
			p->neigh_backoff_s = NEIGH_BACKOFF_MAX_S;
		p->neigh_holdoff_ns = now + p->neigh_backoff_s * 1000000000ULL;
		log_warnx("peer %s: another process keeps replacing its "
		    "neighbour entries; leaving them to it for %u s (ARP and "
		    "NS are still answered)", p->conf.name, p->neigh_backoff_s);
		return;
	}
	p->neigh_dirty = 0;
	neigh_set_all(ctx, p, NUD_PERMANENT);
	log_info("peer %s: restoring its neighbour entries", p->conf.name);
}

static void
neigh_timer_fired(void *arg)
{
	struct tm_ctx	*ctx = arg;
	uint64_t	 now = event_now_ns(), next = 0;
	size_t		 i;

	for (i = 0; i < ctx->peers.npeers; i++) {
		struct peer	*p = ctx->peers.peers[i];

		if (!p->neigh_dirty)
			continue;
		if (!p->up) {
			p->neigh_dirty = 0;
			continue;
		}
		neigh_restore(ctx, p, now);
		if (p->neigh_dirty && (next == 0 || p->neigh_holdoff_ns < next))
			next = p->neigh_holdoff_ns;
	}
	/* A peer held off is looked at again when its pause ends. */
	if (next != 0)
		(void)event_timer_add(&ctx->ev, &ctx->neigh_timer,
		    next > now ? (next - now) / 1000000ULL + 1 : 1);
}

static void
neigh_readable(int fd, uint32_t events, void *arg)
{
	struct tm_ctx	*ctx = arg;
	size_t		 i;
	int		 err;

	(void)fd;
	(void)events;
	err = nl_monitor_read(&ctx->nlmon, neigh_event, ctx);
	if (err == -ENOBUFS) {
		/* Events were lost: look at every live peer again. */
		log_warnx("%s: neighbour events lost; checking all entries",
		    ctx->tap.name);
		for (i = 0; i < ctx->peers.npeers; i++)
			if (ctx->peers.peers[i]->up)
				ctx->peers.peers[i]->neigh_dirty = 1;
		(void)event_timer_add(&ctx->ev, &ctx->neigh_timer,
		    NEIGH_RESTORE_DELAY_MS);
	} else if (err != 0)
		log_warnx("%s: neighbour events: %s", ctx->tap.name,
		    strerror(-err));
}

int
neigh_watch_start(struct tm_ctx *ctx)
{
	int	 err;

	if ((err = nl_monitor_open(&ctx->nlmon)) != 0) {
		log_warnx("netlink neighbour events: %s", strerror(-err));
		return -1;
	}
	event_timer_init(&ctx->neigh_timer, neigh_timer_fired, ctx);
	ctx->nlmon_ev = (struct event_fd){ nl_monitor_fd(&ctx->nlmon),
	    neigh_readable, ctx };
	if (event_add_fd(&ctx->ev, &ctx->nlmon_ev, EPOLLIN) == -1) {
		log_warn("epoll_ctl");
		return -1;
	}
	return 0;
}

void
neigh_watch_stop(struct tm_ctx *ctx)
{
	if (ctx->nlmon.sock == NULL)
		return;
	event_del_fd(&ctx->ev, &ctx->nlmon_ev);
	event_timer_del(&ctx->ev, &ctx->neigh_timer);
	nl_monitor_close(&ctx->nlmon);
}
