#include <linux/neighbour.h>

#include <errno.h>
#include <string.h>

#include "daemon.h"
#include "neigh.h"

static int
neigh_set_all(struct tm_ctx *ctx, struct peer *p, uint16_t state)
{
	struct tm_addr	 a;
	char		 abuf[INET6_ADDRSTRLEN];
	size_t		 i;
	int		 err, rc = 0;

	for (i = 0; i < peer_neigh_count(p); i++) {
		peer_neigh_addr(p, i, &a);
		err = nl_neigh_set(&ctx->nl, ctx->tap.ifindex, &a, p->conf.mac,
		    state);
		if (err != 0) {
			log_warnx("peer %s: neighbour %s: %s", p->conf.name,
			    addr_ntop(&a, abuf, sizeof(abuf)), strerror(-err));
			rc = -1;
			continue;
		}
		p->neigh_installed |= 1U << i;
	}
	return rc;
}

int
neigh_peer_up(struct tm_ctx *ctx, struct peer *p)
{
	return neigh_set_all(ctx, p, NUD_PERMANENT);
}

void
neigh_peer_down(struct tm_ctx *ctx, struct peer *p)
{
	/*
	 * FAILED rather than deleted: with no entry at all the kernel would
	 * consider the next hop good until it has tried to resolve it.
	 */
	if (p->neigh_installed != 0)
		(void)neigh_set_all(ctx, p, NUD_FAILED);
}

void
neigh_peer_remove(struct tm_ctx *ctx, struct peer *p)
{
	struct tm_addr	 a;
	char		 abuf[INET6_ADDRSTRLEN];
	size_t		 i;
	int		 err;

	for (i = 0; i < peer_neigh_count(p); i++) {
		if (!(p->neigh_installed & (1U << i)))
			continue;
		peer_neigh_addr(p, i, &a);
		err = nl_neigh_del(&ctx->nl, ctx->tap.ifindex, &a);
		/* Somebody (ip neigh flush) may have removed it already. */
		if (err != 0 && err != -ENOENT)
			log_warnx("peer %s: removing neighbour %s: %s",
			    p->conf.name, addr_ntop(&a, abuf, sizeof(abuf)),
			    strerror(-err));
		p->neigh_installed &= ~(1U << i);
	}
}
