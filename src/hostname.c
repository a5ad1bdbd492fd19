#include <sys/epoll.h>
#include <sys/socket.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "hostname.h"
#include "path.h"
#include "resolver.h"
#include "session.h"
#include "udp.h"

struct hostnames {
	struct tm_ctx		*ctx;
	struct resolver		*res;
	struct event_fd		 ev;
	struct event_timer	 timer;
};

/* A source address limits the lookup to its family. */
static int
endpoint_family(const struct endpoint_conf *ep)
{
	if (!ep->has_source)
		return AF_UNSPEC;
	return IN6_IS_ADDR_V4MAPPED(&ep->source) ? AF_INET : AF_INET6;
}

size_t
hostname_resolve_all(struct tm_config *conf, int to_stderr)
{
	struct endpoint_conf	*ep;
	size_t			 i, j, failed = 0;
	int			 rc;

	for (i = 0; i < conf->npeers; i++)
		for (j = 0; j < conf->peers[i].nendpoints; j++) {
			ep = &conf->peers[i].endpoints[j];
			if (!ep->is_name)
				continue;
			rc = resolver_lookup(ep->host, ep->port,
			    endpoint_family(ep), &ep->sa);
			ep->resolved = rc == 0;
			if (rc == 0)
				continue;
			failed++;
			if (to_stderr)
				fprintf(stderr, "%s:%d: warning: endpoint host "
				    "\"%s\" does not resolve: %s (tapmeshd "
				    "keeps trying)\n", conf->peers[i].file,
				    ep->line, ep->host, gai_strerror(rc));
			else
				log_warnx("%s:%d: endpoint host \"%s\" does not "
				    "resolve: %s; trying again later",
				    conf->peers[i].file, ep->line, ep->host,
				    gai_strerror(rc));
		}
	return failed;
}

/* Whether path pa's name is due for another lookup. */
static int
lookup_due(const struct tm_ctx *ctx, const struct peer *p,
    const struct path *pa, uint64_t now)
{
	uint64_t	 since = now - pa->resolve_ns, wait, dead;
	unsigned int	 backoff = pa->resolve_backoff_s;

	if (backoff < HOSTNAME_BACKOFF_MIN)
		backoff = HOSTNAME_BACKOFF_MIN;
	wait = (uint64_t)backoff * 1000000000ULL;
	dead = (uint64_t)PATH_MISSED_DOWN *
	    (uint64_t)ctx->conf.probe_interval * 1000000ULL;
	if (!pa->resolved)
		return since >= wait;
	if (!pa->up || !p->up)
		return since >= (wait > dead ? wait : dead);
	return since >= (uint64_t)HOSTNAME_REFRESH * 1000000000ULL;
}

static void
lookup_submit(struct hostnames *hn, struct peer *p, size_t i)
{
	const struct endpoint_conf	*ep = &p->conf.endpoints[i];
	struct resolve_req		 req;

	memset(&req, 0, sizeof(req));
	snprintf(req.host, sizeof(req.host), "%s", ep->host);
	req.port = ep->port;
	req.family = endpoint_family(ep);
	memcpy(req.key, p->conf.public_key, sizeof(req.key));
	req.endpoint = i;
	if (resolver_submit(hn->res, &req) == 0)
		p->path.paths[i].resolving = 1;
}

static void
hostname_tick(void *arg)
{
	struct hostnames	*hn = arg;
	struct tm_ctx		*ctx = hn->ctx;
	uint64_t		 now = event_now_ns();
	size_t			 i, j;

	for (i = 0; i < ctx->peers.npeers; i++) {
		struct peer	*p = ctx->peers.peers[i];

		for (j = 0; j < p->path.npaths; j++)
			if (p->path.paths[j].host != NULL &&
			    !p->path.paths[j].resolving &&
			    lookup_due(ctx, p, &p->path.paths[j], now))
				lookup_submit(hn, p, j);
	}
	if (event_timer_add(&ctx->ev, &hn->timer, HOSTNAME_TICK_MS) == -1)
		log_warn("host name timer");
}

static unsigned int
backoff_next(unsigned int s)
{
	if (s < HOSTNAME_BACKOFF_MIN)
		return HOSTNAME_BACKOFF_MIN * 2;
	return s * 2 > HOSTNAME_BACKOFF_MAX ? HOSTNAME_BACKOFF_MAX : s * 2;
}

/* The peer an answer is for, if its path still has that name. */
static struct peer *
answer_peer(struct tm_ctx *ctx, const struct resolve_req *req)
{
	struct peer	*p;

	if ((p = peer_find_by_key(&ctx->peers, req->key)) == NULL ||
	    req->endpoint >= p->path.npaths ||
	    p->path.paths[req->endpoint].host == NULL ||
	    strcmp(p->path.paths[req->endpoint].host, req->host) != 0 ||
	    p->conf.endpoints[req->endpoint].port != req->port)
		return NULL;
	return p;
}

static void
hostname_answer(struct tm_ctx *ctx, const struct resolve_req *req,
    uint64_t now)
{
	struct peer	*p;
	struct path	*pa;
	char		 a[INET6_ADDRSTRLEN + 8];

	if ((p = answer_peer(ctx, req)) == NULL)
		return;			/* reloaded away meanwhile */
	pa = &p->path.paths[req->endpoint];
	pa->resolving = 0;
	pa->resolve_ns = now;
	if (req->error != 0) {
		if (pa->resolved)
			log_warnx("peer %s: endpoint %s does not resolve: %s; "
			    "keeping %s", p->conf.name, pa->host,
			    gai_strerror(req->error),
			    udp_ntop(&pa->addr, a, sizeof(a)));
		else
			log_warnx("peer %s: endpoint %s still does not "
			    "resolve: %s", p->conf.name, pa->host,
			    gai_strerror(req->error));
		pa->resolve_backoff_s = backoff_next(pa->resolve_backoff_s);
		return;
	}
	if (!pa->resolved || !udp_endpoint_eq(&pa->addr, &req->addr)) {
		path_set_address(&p->path, req->endpoint, &req->addr,
		    &ctx->rl_roam);
		session_kick(p);
		pa->resolve_backoff_s = HOSTNAME_BACKOFF_MIN;
	} else if (pa->up && p->up)
		pa->resolve_backoff_s = HOSTNAME_BACKOFF_MIN;
	else
		pa->resolve_backoff_s = backoff_next(pa->resolve_backoff_s);
}

static void
hostname_readable(int fd, uint32_t events, void *arg)
{
	struct hostnames	*hn = arg;
	struct resolve_req	 out[8];
	uint64_t		 now = event_now_ns();
	size_t			 n, i;

	(void)fd;
	(void)events;
	n = resolver_collect(hn->res, out, sizeof(out) / sizeof(out[0]));
	for (i = 0; i < n; i++)
		hostname_answer(hn->ctx, &out[i], now);
}

int
hostname_start(struct tm_ctx *ctx)
{
	struct hostnames	*hn;

	if ((hn = calloc(1, sizeof(*hn))) == NULL) {
		log_warn("host names");
		return -1;
	}
	hn->ctx = ctx;
	if ((hn->res = resolver_new()) == NULL) {
		free(hn);
		return -1;
	}
	hn->ev = (struct event_fd){ resolver_fd(hn->res), hostname_readable,
	    hn };
	event_timer_init(&hn->timer, hostname_tick, hn);
	if (event_add_fd(&ctx->ev, &hn->ev, EPOLLIN) == -1 ||
	    event_timer_add(&ctx->ev, &hn->timer, HOSTNAME_TICK_MS) == -1) {
		log_warn("host names: epoll");
		resolver_free(hn->res);
		free(hn);
		return -1;
	}
	ctx->hostnames = hn;
	return 0;
}

void
hostname_stop(struct tm_ctx *ctx)
{
	struct hostnames	*hn = ctx->hostnames;

	if (hn == NULL)
		return;
	event_timer_del(&ctx->ev, &hn->timer);
	event_del_fd(&ctx->ev, &hn->ev);
	resolver_free(hn->res);
	free(hn);
	ctx->hostnames = NULL;
}

void
hostname_reloaded(struct tm_ctx *ctx)
{
	struct hostnames	*hn = ctx->hostnames;
	size_t			 i, j;

	if (hn == NULL)
		return;
	/*
	 * Names the resolver cannot take now (its queue is bounded) are
	 * left to hostname_tick: it looks up an unresolved one after 1 s.
	 */
	for (i = 0; i < ctx->peers.npeers; i++) {
		struct peer	*p = ctx->peers.peers[i];

		for (j = 0; j < p->path.npaths; j++)
			if (p->path.paths[j].host != NULL &&
			    !p->path.paths[j].resolving)
				lookup_submit(hn, p, j);
	}
}
