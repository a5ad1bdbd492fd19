#include <openssl/crypto.h>

#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "hostname.h"
#include "neigh.h"
#include "path.h"
#include "peerconf.h"
#include "priv.h"
#include "relay.h"
#include "reload.h"
#include "session.h"

/* Refuses changes to what only a restart can change. */
static int
check_fixed(const struct tm_config *old, const struct tm_config *nc,
    struct cfg_errors *errs)
{
	size_t	 before = errs->n;
	size_t	 i;
	int	 addrs_same = old->naddrs == nc->naddrs;

	for (i = 0; addrs_same && i < old->naddrs; i++)
		if (!addr_eq(&old->addrs[i].addr, &nc->addrs[i].addr) ||
		    old->addrs[i].plen != nc->addrs[i].plen)
			addrs_same = 0;
#define FIXED(cond, what) do {						\
	if (!(cond))							\
		cfg_error(errs, nc->file, 0, "%s cannot change on reload; "\
		    "restart tapmeshd to apply it", what);		\
} while (0)
	FIXED(strcmp(old->interface, nc->interface) == 0, "interface");
	FIXED(addrs_same, "address");
	FIXED(old->listen == nc->listen, "listen");
	FIXED(old->mtu == nc->mtu, "mtu");
	FIXED(old->mac_prefix == nc->mac_prefix, "mac_prefix");
	FIXED(old->offload == nc->offload, "offload");
	FIXED(strcmp(old->control_socket, nc->control_socket) == 0,
	    "control_socket");
	FIXED(strcmp(old->user, nc->user) == 0, "user");
	FIXED(strcmp(old->group, nc->group) == 0, "group");
#undef FIXED
	return errs->n == before ? 0 : -1;
}

static int
addrs_equal(const struct peer_conf *a, const struct peer_conf *b)
{
	size_t	 i;

	if (a->naddrs != b->naddrs)
		return 0;
	for (i = 0; i < a->naddrs; i++)
		if (!addr_eq(&a->addrs[i], &b->addrs[i]))
			return 0;
	return 1;
}

static int
endpoints_equal(const struct peer_conf *a, const struct peer_conf *b)
{
	size_t	 i;

	if (a->nendpoints != b->nendpoints)
		return 0;
	/* A host name is compared as a name: its lookup may have moved. */
	for (i = 0; i < a->nendpoints; i++)
		if (!peerconf_endpoint_same(&a->endpoints[i], &b->endpoints[i]) ||
		    a->endpoints[i].priority != b->endpoints[i].priority ||
		    a->endpoints[i].mtu != b->endpoints[i].mtu)
			return 0;
	return 1;
}

/* True if p is one of the n peers in a. */
static int
find_by_key_in(struct peer **a, size_t n, const struct peer *p)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (a[i] == p)
			return 1;
	return 0;
}

/* Applies a changed peer file to a running peer; 1 if anything changed. */
static int
update_peer(struct tm_ctx *ctx, struct peer *p, const struct peer_conf *nc)
{
	int	 addrs = addrs_equal(&p->conf, nc);
	int	 eps = endpoints_equal(&p->conf, nc);
	int	 name = strcmp(p->conf.name, nc->name) == 0;

	if (eps)
		hostname_reload(ctx, p, nc);
	if (addrs && eps && name)
		return 0;
	if (!name)
		log_info("peer %s: renamed to %s", p->conf.name, nc->name);
	if (!addrs)
		neigh_peer_remove(ctx, p);	/* entries of the old addresses */
	p->conf = *nc;
	if (!eps)
		path_init(&p->path, &p->conf);
	if (!addrs && p->up && neigh_peer_up(ctx, p) == -1)
		log_warnx("peer %s: not every new neighbour entry could be "
		    "installed", p->conf.name);
	log_info("peer %s: updated%s%s", p->conf.name,
	    addrs ? "" : ", new addresses", eps ? "" : ", new endpoints");
	return 1;
}

int
reload_config(struct tm_ctx *ctx, struct cfg_errors *errs)
{
	struct tm_config	  nc;
	struct peer		**np = NULL, **match = NULL, *p;
	size_t			  i, nadded = 0, nremoved = 0, nchanged = 0;

	if (config_reload(ctx->conf.file, &nc, errs, &ctx->conf) == -1) {
		log_warnx("reload refused: %zu error(s) in the configuration",
		    errs->n);
		return -1;
	}
	(void)hostname_resolve_all(&nc, 0);
	if (check_fixed(&ctx->conf, &nc, errs) == -1)
		goto refuse;

	/*
	 * First everything that can fail (allocations), with the running
	 * state untouched; then the changes, which cannot fail.
	 */
	np = calloc(nc.npeers ? nc.npeers : 1, sizeof(*np));
	match = calloc(nc.npeers ? nc.npeers : 1, sizeof(*match));
	if (np == NULL || match == NULL)
		goto nomem;
	for (i = 0; i < nc.npeers; i++) {
		match[i] = peer_find_by_key(&ctx->peers, nc.peers[i].public_key);
		if (match[i] != NULL) {
			np[i] = match[i];
			continue;
		}
		if ((np[i] = peer_new(&nc.peers[i])) == NULL)
			goto nomem;
		if (session_peer_init(np[i]) == -1) {
			cfg_error(errs, nc.peers[i].file, 0, "cannot use its "
			    "public key");
			goto refuse;
		}
	}

	/* Removed peers go first, with their sessions and entries. */
	for (i = 0; i < ctx->peers.npeers; i++) {
		p = ctx->peers.peers[i];
		if (find_by_key_in(np, nc.npeers, p))
			continue;
		log_info("peer %s: removed", p->conf.name);
		relay_forget(ctx, p);
		relay_peer_free(p);
		session_peer_free(ctx, p);
		neigh_peer_remove(ctx, p);
		OPENSSL_cleanse(p, sizeof(*p));
		free(p);
		nremoved++;
	}
	for (i = 0; i < nc.npeers; i++) {
		if (match[i] == NULL) {
			log_info("peer %s: added", np[i]->conf.name);
			nadded++;
		} else if (update_peer(ctx, match[i], &nc.peers[i]))
			nchanged++;
	}
	/* peer_table_set only fails before it changes anything. */
	if (peer_table_set(&ctx->peers, np, nc.npeers) == -1)
		fatalx("reload: out of memory while applying");
	np = NULL;

	ctx->conf.keepalive = nc.keepalive;
	ctx->conf.dead_time = nc.dead_time;
	ctx->conf.rekey_time = nc.rekey_time;
	ctx->conf.cipher = nc.cipher;
	ctx->conf.probe_interval = nc.probe_interval;
	ctx->conf.path_hold_down = nc.path_hold_down;
	ctx->conf.clamp_mss = nc.clamp_mss;
	ctx->conf.relay = nc.relay;
	ctx->conf.relay_rate = nc.relay_rate;
	session_set_cipher(ctx);
	free(ctx->conf.peers);
	ctx->conf.peers = nc.peers;
	ctx->conf.npeers = nc.npeers;
	nc.peers = NULL;
	nc.npeers = 0;
	config_free(&nc);
	free(match);
	log_info("reload: %zu peers: %zu added, %zu removed, %zu changed",
	    ctx->peers.npeers, nadded, nremoved, nchanged);
	return 0;

 nomem:
	cfg_error(errs, nc.file, 0, "out of memory");
 refuse:
	if (np != NULL)
		for (i = 0; i < nc.npeers; i++)
			if (np[i] != NULL && (match == NULL || match[i] == NULL))
				free(np[i]);
	free(np);
	free(match);
	config_free(&nc);
	log_warnx("reload refused; the running configuration is unchanged");
	return -1;
}

int
daemon_reload(struct tm_ctx *ctx, struct cfg_errors *out)
{
	struct cfg_errors	 errs = { .msg = NULL };
	size_t			 i;
	int			 rc;

	priv_sd_notify("RELOADING=1");
	rc = reload_config(ctx, &errs);
	priv_sd_notify("READY=1");
	for (i = 0; i < errs.n; i++)
		log_warnx("%s", errs.msg[i]);
	if (out != NULL)
		*out = errs;
	else
		cfg_errors_clear(&errs);
	return rc;
}
