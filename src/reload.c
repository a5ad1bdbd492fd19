#include <openssl/crypto.h>

#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "event.h"
#include "hostname.h"
#include "neigh.h"
#include "path.h"
#include "peerconf.h"
#include "priv.h"
#include "relay.h"
#include "reload.h"
#include "routes.h"
#include "send.h"
#include "session.h"
#include "udp.h"

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
	FIXED(old->sched_priority == nc->sched_priority, "sched_priority");
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

/* The running peer that has a public key in common with nc, or NULL. */
static struct peer *
find_running(const struct tm_ctx *ctx, const struct peer_conf *nc)
{
	size_t	 i;

	for (i = 0; i < ctx->peers.npeers; i++)
		if (peerconf_shares_key(&ctx->peers.peers[i]->conf, nc))
			return ctx->peers.peers[i];
	return NULL;
}

static int
keys_equal(const struct peer_conf *a, const struct peer_conf *b)
{
	return a->has_public_key2 == b->has_public_key2 &&
	    memcmp(a->public_key, b->public_key, KEY_LEN) == 0 &&
	    (!a->has_public_key2 ||
	    memcmp(a->public_key2, b->public_key2, KEY_LEN) == 0);
}

static int
psk_equal(const struct peer_conf *a, const struct peer_conf *b)
{
	return a->has_psk == b->has_psk &&
	    (!a->has_psk || CRYPTO_memcmp(a->psk, b->psk, KEY_LEN) == 0);
}

/* Frees a keypair whose key the peer's file no longer lists. */
static void
drop_unlisted(struct tm_ctx *ctx, struct peer *p, struct keypair **kpp)
{
	if (*kpp != NULL && session_key_index(p, *kpp) == -1) {
		keypair_free(ctx, *kpp);
		*kpp = NULL;
	}
}

/*
 * A peer's public keys or pre-shared key changed: new identities, the
 * sessions of a key no longer listed end, and a new handshake starts
 * at once.  The other sessions carry traffic until it completes.
 */
static void
rekey_peer(struct tm_ctx *ctx, struct peer *p, int keys, int psk)
{
	if (session_peer_init(p) == -1)
		fatalx("reload: cannot set up the keys of peer %s",
		    p->conf.name);
	drop_unlisted(ctx, p, &p->kp_current);
	drop_unlisted(ctx, p, &p->kp_previous);
	drop_unlisted(ctx, p, &p->kp_next);
	session_abandon(ctx, p);
	send_initiation(ctx, p, event_now_ns(), 0);
	log_info("peer %s: new %s%s%s; handshaking again", p->conf.name,
	    keys ? "public keys" : "", keys && psk ? " and " : "",
	    psk ? "pre-shared key" : "");
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
	int	 keys = keys_equal(&p->conf, nc);
	int	 psk = psk_equal(&p->conf, nc);
	int	 sources = p->conf.source_check == nc->source_check &&
		    p->conf.nallowed == nc->nallowed &&
		    memcmp(p->conf.allowed, nc->allowed, nc->nallowed *
		    sizeof(nc->allowed[0])) == 0;

	if (addrs && eps && name && sources) {
		if (keys && psk)
			return 0;
		p->conf = *nc;
		rekey_peer(ctx, p, !keys, !psk);
		return 1;
	}
	if (!name)
		log_info("peer %s: renamed to %s", p->conf.name, nc->name);
	/* The entries of the old addresses went first (reload_config). */
	p->conf = *nc;
	if (!eps) {
		path_init(&p->path, &p->conf);
		session_kick(p);
	}
	if (!addrs && p->up)
		neigh_peer_up(ctx, p);
	log_info("peer %s: updated%s%s%s", p->conf.name,
	    addrs ? "" : ", new addresses", eps ? "" : ", new endpoints",
	    sources ? "" : ", new source rules");
	if (!keys || !psk)
		rekey_peer(ctx, p, !keys, !psk);
	return 1;
}

/*
 * The node's own key changed: handshakes from now on are made under the
 * new one.  Initiations in flight were made under the old key and their
 * responses would not pass mac1 any more, so every peer starts a new
 * one; the sessions made under the old key keep carrying traffic (their
 * keys do not depend on it any more) until the new ones replace them.
 */
static void
switch_key(struct tm_ctx *ctx, const struct tm_config *nc,
    struct handshake_local *hlocal)
{
	uint64_t	 now = event_now_ns();
	size_t		 i;
	char		 b64[KEY_B64_LEN + 1];

	handshake_local_clear(&ctx->hlocal);
	ctx->hlocal = *hlocal;
	handshake_local_clear(hlocal);
	memcpy(ctx->conf.private_key, nc->private_key, KEY_LEN);
	memcpy(ctx->conf.public_key, nc->public_key, KEY_LEN);
	key_b64_encode(ctx->conf.public_key, b64);
	log_info("reload: new private key (public key %s); handshaking "
	    "again with every peer", b64);
	for (i = 0; i < ctx->peers.npeers; i++) {
		session_abandon(ctx, ctx->peers.peers[i]);
		send_initiation(ctx, ctx->peers.peers[i], now, 0);
	}
}

int
reload_config(struct tm_ctx *ctx, struct cfg_errors *errs)
{
	struct tm_config	  nc;
	struct filter		  filter;
	struct peer		**np = NULL, **match = NULL, **buckets = NULL;
	struct peer		 *p;
	struct handshake_local	  hlocal;
	size_t			  i, nbuckets, nadded = 0, nremoved = 0;
	size_t			  nchanged = 0;
	int			  newkey = 0;

	memset(&hlocal, 0, sizeof(hlocal));
	filter_init(&filter);
	if (config_reload(ctx->conf.file, &nc, errs, &ctx->conf) == -1) {
		log_warnx("reload refused: %zu error(s) in the configuration",
		    errs->n);
		return -1;
	}
	/*
	 * No name is looked up here: the event loop carries the data path
	 * and must not wait for DNS (nor for a reload that is refused).
	 * The names go to the resolver's thread once the reload is applied.
	 */
	if (check_fixed(&ctx->conf, &nc, errs) == -1)
		goto refuse;
	if (nc.private_key_kept)
		log_warnx("reload: private_key_file \"%s\" is not readable as "
		    "this user; the running key stays (to change keys by "
		    "reload, let this user own the file)", nc.private_key_file);
	newkey = CRYPTO_memcmp(nc.private_key, ctx->conf.private_key,
	    KEY_LEN) != 0;
	if (newkey && handshake_local_init(&hlocal, nc.private_key) !=
	    HANDSHAKE_OK) {
		cfg_error(errs, nc.file, 0, "cannot use the new private key");
		goto refuse;
	}

	/*
	 * First everything that can fail (allocations), with the running
	 * state untouched; then the changes, which cannot fail.
	 */
	np = calloc(nc.npeers ? nc.npeers : 1, sizeof(*np));
	match = calloc(nc.npeers ? nc.npeers : 1, sizeof(*match));
	buckets = peer_buckets_new(nc.npeers, &nbuckets);
	if (np == NULL || match == NULL || buckets == NULL)
		goto nomem;
	for (i = 0; i < nc.npeers; i++) {
		/* Any key in common: a key rollover keeps the peer. */
		match[i] = find_running(ctx, &nc.peers[i]);
		/* Two files splitting a rollover's keys: the first keeps it. */
		if (match[i] != NULL && find_by_key_in(match, i, match[i]))
			match[i] = NULL;
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

	if (filter_build(&filter, &nc, np, nc.npeers) == -1)
		goto nomem;
	/* Kept once started: a strict peer may come back at any reload. */
	if (routes_wanted(&nc) && routes_start(ctx) == -1) {
		cfg_error(errs, nc.file, 0, "source_check \"strict\": the "
		    "route mirror could not be started");
		goto refuse;
	}

	/* Removed peers go first, with their sessions and entries. */
	for (i = 0; i < ctx->peers.npeers; i++) {
		p = ctx->peers.peers[i];
		if (find_by_key_in(np, nc.npeers, p))
			continue;
		log_info("peer %s: removed", p->conf.name);
		relay_forget(ctx, p);
		session_peer_free(ctx, p);
		neigh_peer_remove(ctx, p);
		peer_free(p);
		nremoved++;
	}
	/*
	 * Then every kept peer whose addresses change drops its old entries,
	 * before any peer installs new ones: an address that moves from one
	 * kept peer to another must not lose its new owner's entry to the
	 * removal of its old owner's.
	 */
	for (i = 0; i < nc.npeers; i++)
		if (match[i] != NULL && !addrs_equal(&match[i]->conf,
		    &nc.peers[i]))
			neigh_peer_remove(ctx, match[i]);
	for (i = 0; i < nc.npeers; i++) {
		if (match[i] == NULL) {
			log_info("peer %s: added", np[i]->conf.name);
			nadded++;
		} else if (update_peer(ctx, match[i], &nc.peers[i]))
			nchanged++;
	}
	peer_table_commit(&ctx->peers, np, nc.npeers, buckets, nbuckets);
	np = NULL;
	if (newkey)
		switch_key(ctx, &nc, &hlocal);
	/* The same key may have moved to another file. */
	memcpy(ctx->conf.private_key_file, nc.private_key_file,
	    sizeof(ctx->conf.private_key_file));
	filter_free(&ctx->filter);
	ctx->filter = filter;
	filter_init(&filter);

	ctx->conf.keepalive = nc.keepalive;
	ctx->conf.dead_time = nc.dead_time;
	ctx->conf.rekey_time = nc.rekey_time;
	ctx->conf.cipher = nc.cipher;
	ctx->conf.probe_interval = nc.probe_interval;
	ctx->conf.path_hold_down = nc.path_hold_down;
	ctx->conf.clamp_mss = nc.clamp_mss;
	ctx->conf.dscp_copy = nc.dscp_copy;
	if (nc.read_ahead != ctx->conf.read_ahead && ctx->expfd != -1 &&
	    udp_steer(ctx->udpfd, nc.read_ahead) == -1)
		log_warn("reload: UDP port %u: short data messages still "
		    "arrive %s", ctx->conf.listen, ctx->conf.read_ahead ?
		    "apart from the bulk" : "with the bulk");
	ctx->conf.read_ahead = nc.read_ahead;
	ctx->conf.relay = nc.relay;
	ctx->conf.relay_rate = nc.relay_rate;
	session_set_cipher(ctx);
	OPENSSL_cleanse(ctx->conf.peers,
	    ctx->conf.npeers * sizeof(*ctx->conf.peers));
	free(ctx->conf.peers);
	ctx->conf.peers = nc.peers;
	ctx->conf.npeers = nc.npeers;
	nc.peers = NULL;
	nc.npeers = 0;
	config_free(&nc);
	free(match);
	hostname_reloaded(ctx);
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
	free(buckets);
	filter_free(&filter);
	config_free(&nc);
	handshake_local_clear(&hlocal);
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
