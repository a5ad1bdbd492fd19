#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "aead.h"
#include "counters.h"
#include "daemon.h"
#include "key.h"
#include "path.h"
#include "relay.h"
#include "sbuf.h"
#include "session.h"
#include "show.h"
#include "udp.h"

static const char *
show_state(const struct peer *p)
{
	if (p->up)
		return "up";
	return p->hs_sent_ns != 0 ? "handshaking" : "down";
}

static int
selected(const struct peer *p, const char *name)
{
	return name == NULL || name[0] == '\0' || strcmp(p->conf.name, name) == 0;
}

static int
name_exists(const struct tm_ctx *ctx, const char *name)
{
	size_t	 i;

	if (name == NULL || name[0] == '\0')
		return 1;
	for (i = 0; i < ctx->peers.npeers; i++)
		if (strcmp(ctx->peers.peers[i]->conf.name, name) == 0)
			return 1;
	return 0;
}

/* "1 hour, 2 minutes, 3 seconds ago", as wg says it. */
static void
age_text(struct sbuf *b, uint64_t ns)
{
	uint64_t	 s = ns / 1000000000ULL;

	if (s >= 3600)
		sbuf_printf(b, "%llu h, ", (unsigned long long)(s / 3600));
	if (s >= 60)
		sbuf_printf(b, "%llu min, ", (unsigned long long)(s / 60 % 60));
	sbuf_printf(b, "%llu s ago", (unsigned long long)(s % 60));
}

/* A path's RTT, MTU and probe figures, closing its JSON object. */
static void
show_path_json(const struct path *pa, uint64_t now, struct sbuf *b)
{
	if (pa->probes_answered > 0)
		sbuf_printf(b, "\"rtt_us\": %llu, ",
		    (unsigned long long)(pa->rtt_ns / 1000));
	else
		sbuf_printf(b, "\"rtt_us\": null, ");
	if (pa->mtu != 0)
		sbuf_printf(b, "\"mtu\": %d, ", pa->mtu);
	else
		sbuf_printf(b, "\"mtu\": null, ");
	if (pa->mtu_learned_ns != 0)
		sbuf_printf(b, "\"mtu_learned_age_ms\": %llu, ",
		    (unsigned long long)((now - pa->mtu_learned_ns) /
		    1000000ULL));
	else
		sbuf_printf(b, "\"mtu_learned_age_ms\": null, ");
	sbuf_printf(b, "\"probes_sent\": %llu, \"probes_answered\": %llu}",
	    (unsigned long long)pa->probes_sent,
	    (unsigned long long)pa->probes_answered);
}

/* The name of the peer a relay pair goes to ("?" once it is gone). */
static const char *
pair_name(const struct tm_ctx *ctx, const struct relay_pair *pr)
{
	const struct peer	*t = relay_find_by_id(ctx, pr->to);

	return t != NULL ? t->conf.name : "?";
}

/* The relay lines of a peer: its relay path, what it offers, forwards. */
static void
show_relay_text(const struct tm_ctx *ctx, const struct peer *p, uint64_t now,
    struct sbuf *b)
{
	const struct path	*pa = &p->path.relay;
	const struct relay_peer	*rp = &p->relay;
	char			 a[INET6_ADDRSTRLEN + 8];
	size_t			 i;

	if (p->path.has_relay && rp->via != NULL) {
		sbuf_printf(b, "  relay path via %s: %s", rp->via->conf.name,
		    path_state(pa));
		if (pa->probes_answered > 0)
			sbuf_printf(b, ", rtt %.3f ms", (double)pa->rtt_ns / 1e6);
		sbuf_printf(b, ", probes %llu/%llu answered%s\n",
		    (unsigned long long)pa->probes_answered,
		    (unsigned long long)pa->probes_sent,
		    path_relayed(&p->path) ? " (active)" : "");
	}
	if (rp->punch_told_ns != 0)
		sbuf_printf(b, "  hole punching: its NAT at %s, %llu probes\n",
		    udp_ntop(&rp->punch, a, sizeof(a)),
		    (unsigned long long)rp->punches);
	if (relay_offers(ctx, p, now))
		sbuf_printf(b, "  offers to relay\n");
	for (i = 0; i < rp->npairs; i++)
		sbuf_printf(b, "  relayed to %s: %llu messages, %llu bytes\n",
		    pair_name(ctx, &rp->pairs[i]),
		    (unsigned long long)rp->pairs[i].messages,
		    (unsigned long long)rp->pairs[i].bytes);
}

static void
show_relay_json(const struct tm_ctx *ctx, const struct peer *p, uint64_t now,
    struct sbuf *b)
{
	const struct path	*pa = &p->path.relay;
	const struct relay_peer	*rp = &p->relay;
	size_t			 i;

	sbuf_printf(b, "\"reached\": \"%s\", \"relay\": ",
	    path_relayed(&p->path) ? "relay" : "direct");
	if (p->path.has_relay && rp->via != NULL) {
		sbuf_printf(b, "{\"via\": ");
		sbuf_json_str(b, rp->via->conf.name);
		sbuf_printf(b, ", \"state\": \"%s\", \"active\": %s, ",
		    path_state(pa), path_relayed(&p->path) ? "true" : "false");
		show_path_json(pa, now, b);
		sbuf_printf(b, ", ");
	} else
		sbuf_printf(b, "null, ");
	sbuf_printf(b, "\"offers_relay\": %s, \"relayed\": [",
	    relay_offers(ctx, p, now) ? "true" : "false");
	for (i = 0; i < rp->npairs; i++) {
		sbuf_printf(b, "%s{\"to\": ", i ? ", " : "");
		sbuf_json_str(b, pair_name(ctx, &rp->pairs[i]));
		sbuf_printf(b, ", \"messages\": %llu, \"bytes\": %llu}",
		    (unsigned long long)rp->pairs[i].messages,
		    (unsigned long long)rp->pairs[i].bytes);
	}
	sbuf_printf(b, "], ");
}

static void
show_peer_text(const struct tm_ctx *ctx, const struct peer *p, uint64_t now,
    struct sbuf *b)
{
	char		 key[KEY_B64_LEN + 1], a[INET6_ADDRSTRLEN + 8];
	char		 m[18];
	struct tm_addr	 na;
	size_t		 i;
	int		 k;

	(void)ctx;
	key_b64_encode(p->conf.public_key, key);
	sbuf_printf(b, "\npeer: %s\n", p->conf.name);
	sbuf_printf(b, "  public key: %s\n", key);
	if (p->conf.has_public_key2) {
		key_b64_encode(p->conf.public_key2, key);
		sbuf_printf(b, "  second public key: %s\n", key);
	}
	sbuf_printf(b, "  pre-shared key: %s\n", p->conf.has_psk ? "yes" :
	    "no");
	sbuf_printf(b, "  state: %s\n", show_state(p));
	sbuf_printf(b, "  addresses:");
	for (i = 0; i < peer_neigh_count(p); i++) {
		peer_neigh_addr(p, i, &na);
		sbuf_printf(b, "%s %s", i ? "," : "", addr_ntop(&na, a,
		    sizeof(a)));
	}
	sbuf_printf(b, "\n  mac: %s\n", mac_ntop(p->conf.mac, m, sizeof(m)));
	if (path_relayed(&p->path))
		sbuf_printf(b, "  endpoint: via %s (relayed)\n",
		    p->path.relay_name);
	else
		sbuf_printf(b, "  endpoint: %s\n", p->path.has_endpoint ?
		    udp_ntop(&p->path.endpoint, a, sizeof(a)) : "(none yet)");
	for (i = 0; i < p->path.npaths; i++) {
		const struct path *pa = &p->path.paths[i];

		if (pa->host != NULL)
			sbuf_printf(b, "  path %s (%s): %s, priority %d",
			    pa->host, pa->resolved ? udp_ntop(&pa->addr, a,
			    sizeof(a)) : "unresolved", path_state(pa),
			    pa->priority);
		else
			sbuf_printf(b, "  path %s: %s, priority %d",
			    udp_ntop(&pa->addr, a, sizeof(a)), path_state(pa),
			    pa->priority);
		if (pa->probes_answered > 0)
			sbuf_printf(b, ", rtt %.3f ms", (double)pa->rtt_ns / 1e6);
		if (pa->mtu != 0)
			sbuf_printf(b, ", mtu %d", pa->mtu);
		if (pa->mtu_learned_ns != 0) {
			sbuf_printf(b, " (learned ");
			age_text(b, now - pa->mtu_learned_ns);
			sbuf_printf(b, ")");
		}
		sbuf_printf(b, ", probes %llu/%llu answered%s\n",
		    (unsigned long long)pa->probes_answered,
		    (unsigned long long)pa->probes_sent,
		    p->path.active == (int)i ? " (active)" : "");
	}
	if (p->path.has_learned)
		sbuf_printf(b, "  learned endpoint: %s%s\n",
		    udp_ntop(&p->path.learned.addr, a, sizeof(a)),
		    p->path.active == PATH_LEARNED ? " (active)" : "");
	show_relay_text(ctx, p, now, b);
	for (i = 0; i < p->path.nheard && p->path.nheard > 1; i++) {
		const struct learned_path *h = &p->path.heard[i];

		sbuf_printf(b, "  heard from %s: %llu ms ago",
		    udp_ntop(&h->addr, a, sizeof(a)),
		    (unsigned long long)((now - h->heard_ns) / 1000000ULL));
		if (h->peer_path >= 0)
			sbuf_printf(b, ", its path %d%s", h->peer_path,
			    h->peer_active ? " (its active one)" : "");
		sbuf_printf(b, "\n");
	}
	if (p->kp_current != NULL)
		sbuf_printf(b, "  cipher: %s\n",
		    aead_alg_name(p->kp_current->send.alg));
	if ((k = session_key_index(p, p->kp_current)) != -1) {
		key_b64_encode(p->kp_current->peer_key, key);
		sbuf_printf(b, "  authenticated with: %s (key %d of %d)\n",
		    key, k + 1, p->conf.has_public_key2 ? 2 : 1);
	}
	if (p->last_handshake_ns != 0) {
		sbuf_printf(b, "  latest handshake: ");
		age_text(b, now - p->last_handshake_ns);
		sbuf_printf(b, "\n");
	}
	if (p->handshake_rtt_ns != 0)
		sbuf_printf(b, "  handshake rtt: %.3f ms\n",
		    (double)p->handshake_rtt_ns / 1e6);
	counters_sentence(b, "  transfer: {rx_bytes:bytes} received "
	    "({rx_packets} packets), {tx_bytes:bytes} sent ({tx_packets} "
	    "packets)\n  drops: ", &counters_peer, &p->stats);
	counters_drops(b, &p->stats, DROPS_TEXT);
	sbuf_printf(b, "\n");
}

int
show_text(const struct tm_ctx *ctx, const char *name, struct sbuf *b)
{
	char			 key[KEY_B64_LEN + 1], m[18];
	char			 a[INET6_ADDRSTRLEN];
	struct kernel_drops	 kd;
	uint64_t		 now = event_now_ns();
	size_t			 i, up = 0;

	if (!name_exists(ctx, name))
		return -1;
	for (i = 0; i < ctx->peers.npeers; i++)
		up += ctx->peers.peers[i]->up != 0;
	key_b64_encode(ctx->conf.public_key, key);
	sbuf_printf(b, "interface: %s\n", ctx->conf.interface);
	sbuf_printf(b, "  public key: %s\n", key);
	sbuf_printf(b, "  listening port: %u\n", ctx->conf.listen);
	sbuf_printf(b, "  addresses:");
	for (i = 0; i < ctx->conf.naddrs; i++)
		sbuf_printf(b, "%s %s/%d", i ? "," : "",
		    addr_ntop(&ctx->conf.addrs[i].addr, a, sizeof(a)),
		    ctx->conf.addrs[i].plen);
	sbuf_printf(b, "\n  mac: %s\n", mac_ntop(ctx->conf.mac, m, sizeof(m)));
	sbuf_printf(b, "  mtu: %d\n", ctx->mtu);
	sbuf_printf(b, "  peers: %zu, %zu up\n", ctx->peers.npeers, up);
	sbuf_printf(b, "  drops: ");
	counters_drops(b, &ctx->stats, DROPS_TEXT);
	kernel_drops_read(ctx, &kd);
	counters_sentence(b, "\n  kernel drops: {data} bulk data, {express} "
	    "short data, {handshake} handshake datagrams", &counters_kernel,
	    &kd);
	sbuf_printf(b, "\n  offload: %s, ", ctx->tap.offload ? "on" : "off");
	counters_sentence(b, "{tso_frames} TCP super frames cut into "
	    "{tso_segments} frames, {gro_segments} frames joined into "
	    "{gro_frames}, partial checksums: {partial_tx} sent, {partial_rx} "
	    "received\n", &counters_offload, &ctx->offload);
	counters_sentence(b, "  control: {control_refused} connections "
	    "refused, {control_bad_requests} bad requests\n",
	    &counters_control, &ctx->control);
	counters_sentence(b, "  event loop: {rounds_over_1ms} rounds of 1 ms "
	    "or more, {rounds_over_10ms} of 10 ms, {rounds_over_100ms} of "
	    "100 ms", &counters_loop, &ctx->ev);
	sbuf_printf(b, "; longest %llu us\n",
	    (unsigned long long)(ctx->ev.longest_round_ns / 1000));
	for (i = 0; i < ctx->peers.npeers; i++)
		if (selected(ctx->peers.peers[i], name))
			show_peer_text(ctx, ctx->peers.peers[i], now, b);
	return 0;
}

static void
show_peer_json(const struct tm_ctx *ctx, const struct peer *p, uint64_t now,
    struct sbuf *b)
{
	char		 key[KEY_B64_LEN + 1], a[INET6_ADDRSTRLEN + 8], m[18];
	struct tm_addr	 na;
	size_t		 i;

	key_b64_encode(p->conf.public_key, key);
	sbuf_printf(b, "    {\"name\": ");
	sbuf_json_str(b, p->conf.name);
	sbuf_printf(b, ", \"public_key\": \"%s\", \"state\": \"%s\", "
	    "\"addresses\": [", key, show_state(p));
	for (i = 0; i < p->conf.naddrs; i++) {
		na = p->conf.addrs[i];
		sbuf_printf(b, "%s\"%s\"", i ? ", " : "",
		    addr_ntop(&na, a, sizeof(a)));
	}
	peer_neigh_addr(p, p->conf.naddrs, &na);
	sbuf_printf(b, "], \"link_local\": \"%s\", \"mac\": \"%s\", ",
	    addr_ntop(&na, a, sizeof(a)), mac_ntop(p->conf.mac, m, sizeof(m)));
	if (p->path.has_endpoint && !path_relayed(&p->path))
		sbuf_printf(b, "\"endpoint\": \"%s\", ",
		    udp_ntop(&p->path.endpoint, a, sizeof(a)));
	else
		sbuf_printf(b, "\"endpoint\": null, ");
	sbuf_printf(b, "\"paths\": [");
	for (i = 0; i < p->path.npaths; i++) {
		const struct path *pa = &p->path.paths[i];

		sbuf_printf(b, "%s{\"host\": ", i ? ", " : "");
		if (pa->host != NULL)
			sbuf_json_str(b, pa->host);
		else
			sbuf_printf(b, "null");
		if (pa->resolved)
			sbuf_printf(b, ", \"endpoint\": \"%s\", ",
			    udp_ntop(&pa->addr, a, sizeof(a)));
		else
			sbuf_printf(b, ", \"endpoint\": null, ");
		sbuf_printf(b, "\"priority\": %d, \"state\": \"%s\", "
		    "\"active\": %s, ", pa->priority, path_state(pa),
		    p->path.active == (int)i ? "true" : "false");
		show_path_json(pa, now, b);
	}
	sbuf_printf(b, "], ");
	if (p->path.has_learned)
		sbuf_printf(b, "\"learned_endpoint\": \"%s\", ",
		    udp_ntop(&p->path.learned.addr, a, sizeof(a)));
	else
		sbuf_printf(b, "\"learned_endpoint\": null, ");
	sbuf_printf(b, "\"heard_from\": [");
	for (i = 0; i < p->path.nheard; i++) {
		const struct learned_path *h = &p->path.heard[i];

		sbuf_printf(b, "%s{\"endpoint\": \"%s\", \"age_ms\": %llu, "
		    "\"its_path\": ", i ? ", " : "", udp_ntop(&h->addr, a,
		    sizeof(a)), (unsigned long long)((now - h->heard_ns) /
		    1000000ULL));
		if (h->peer_path >= 0)
			sbuf_printf(b, "%d", h->peer_path);
		else
			sbuf_printf(b, "null");
		sbuf_printf(b, ", \"its_active\": %s}",
		    h->peer_active ? "true" : "false");
	}
	sbuf_printf(b, "], ");
	show_relay_json(ctx, p, now, b);
	if (p->kp_current != NULL)
		sbuf_printf(b, "\"cipher\": \"%s\", ",
		    aead_alg_name(p->kp_current->send.alg));
	else
		sbuf_printf(b, "\"cipher\": null, ");
	key_b64_encode(p->conf.public_key, key);
	sbuf_printf(b, "\"public_keys\": [\"%s\"", key);
	if (p->conf.has_public_key2) {
		key_b64_encode(p->conf.public_key2, key);
		sbuf_printf(b, ", \"%s\"", key);
	}
	sbuf_printf(b, "], \"preshared_key\": %s, \"authenticated_key\": ",
	    p->conf.has_psk ? "true" : "false");
	if (session_key_index(p, p->kp_current) != -1) {
		key_b64_encode(p->kp_current->peer_key, key);
		sbuf_printf(b, "\"%s\", ", key);
	} else
		sbuf_printf(b, "null, ");
	if (p->last_handshake_ns != 0)
		sbuf_printf(b, "\"latest_handshake_age_ms\": %llu, ",
		    (unsigned long long)((now - p->last_handshake_ns) /
		    1000000ULL));
	else
		sbuf_printf(b, "\"latest_handshake_age_ms\": null, ");
	if (p->handshake_rtt_ns != 0)
		sbuf_printf(b, "\"handshake_rtt_us\": %llu",
		    (unsigned long long)(p->handshake_rtt_ns / 1000));
	else
		sbuf_printf(b, "\"handshake_rtt_us\": null");
	counters_json(b, &counters_peer, &p->stats, ", ");
	sbuf_printf(b, ", \"drops\": ");
	counters_drops(b, &p->stats, DROPS_JSON);
	sbuf_printf(b, "}");
}

int
show_json(const struct tm_ctx *ctx, const char *name, struct sbuf *b)
{
	char			 key[KEY_B64_LEN + 1], m[18];
	char			 a[INET6_ADDRSTRLEN];
	struct kernel_drops	 kd;
	uint64_t		 now = event_now_ns();
	size_t			 i;
	int			 first = 1;

	if (!name_exists(ctx, name))
		return -1;
	key_b64_encode(ctx->conf.public_key, key);
	sbuf_printf(b, "{\n  \"version\": 1,\n  \"interface\": {\"name\": ");
	sbuf_json_str(b, ctx->conf.interface);
	sbuf_printf(b, ", \"public_key\": \"%s\", \"listen_port\": %u, "
	    "\"mac\": \"%s\", \"mtu\": %d, \"addresses\": [", key,
	    ctx->conf.listen, mac_ntop(ctx->conf.mac, m, sizeof(m)), ctx->mtu);
	for (i = 0; i < ctx->conf.naddrs; i++)
		sbuf_printf(b, "%s\"%s/%d\"", i ? ", " : "",
		    addr_ntop(&ctx->conf.addrs[i].addr, a, sizeof(a)),
		    ctx->conf.addrs[i].plen);
	sbuf_printf(b, "], \"drops\": ");
	counters_drops(b, &ctx->stats, DROPS_JSON);
	kernel_drops_read(ctx, &kd);
	sbuf_printf(b, ", \"kernel_drops\": {");
	counters_json(b, &counters_kernel, &kd, "");
	sbuf_printf(b, "}");
	sbuf_printf(b, ", \"offload\": {\"on\": %s",
	    ctx->tap.offload ? "true" : "false");
	counters_json(b, &counters_offload, &ctx->offload, ", ");
	sbuf_printf(b, "}");
	counters_json(b, &counters_control, &ctx->control, ", ");
	sbuf_printf(b, ", \"event_loop\": {");
	counters_json(b, &counters_loop, &ctx->ev, "");
	sbuf_printf(b, ", \"longest_round_us\": %llu}",
	    (unsigned long long)(ctx->ev.longest_round_ns / 1000));
	sbuf_printf(b, "},\n  \"peers\": [\n");
	for (i = 0; i < ctx->peers.npeers; i++) {
		if (!selected(ctx->peers.peers[i], name))
			continue;
		sbuf_printf(b, "%s", first ? "" : ",\n");
		show_peer_json(ctx, ctx->peers.peers[i], now, b);
		first = 0;
	}
	sbuf_printf(b, "\n  ]\n}\n");
	return 0;
}

static void
metric_head(struct sbuf *b, const char *name, const char *type,
    const char *help)
{
	sbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The one metric of set in base, a line per counter by set's label. */
static void
metric_set(const struct tm_ctx *ctx, struct sbuf *b,
    const struct counter_set *set, const void *base)
{
	size_t	 i;

	metric_head(b, set->metric, "counter", set->help);
	for (i = 0; i < set->n; i++)
		sbuf_printf(b, "%s{interface=\"%s\",%s=\"%s\"} %llu\n",
		    set->metric, ctx->conf.interface, set->label,
		    set->c[i].metric,
		    (unsigned long long)counter_value(&set->c[i], base));
}

/* One counter of every peer, as name{interface,peer} value. */
static void
metric_peers(const struct tm_ctx *ctx, struct sbuf *b,
    const struct counter *c)
{
	size_t	 i;

	metric_head(b, c->metric, "counter", c->help);
	for (i = 0; i < ctx->peers.npeers; i++) {
		const struct peer *p = ctx->peers.peers[i];

		sbuf_printf(b, "%s{interface=\"%s\",peer=\"%s\"} %llu\n",
		    c->metric, ctx->conf.interface, p->conf.name,
		    (unsigned long long)counter_value(c, &p->stats));
	}
}

/*
 * The drop counters of st, as name{interface,[peer,]reason} value; peer
 * NULL for the interface's own.
 */
static void
metric_drops(const struct tm_ctx *ctx, struct sbuf *b, const char *name,
    const char *peer, const struct peer_stats *st)
{
	int	 r;

	for (r = 0; r < DROP_MAX; r++)
		sbuf_printf(b, "%s{interface=\"%s\",%s%s%sreason=\"%s\"} "
		    "%llu\n", name, ctx->conf.interface,
		    peer != NULL ? "peer=\"" : "", peer != NULL ? peer : "",
		    peer != NULL ? "\"," : "",
		    peer_drop_name((enum drop_reason)r),
		    (unsigned long long)st->drops[r]);
}

/* Every path of every peer, as path="ADDRESS" or path="relay:NAME". */
static void
metric_paths(const struct tm_ctx *ctx, struct sbuf *b)
{
	char	 a[INET6_ADDRSTRLEN + 8];
	size_t	 i, j;

	metric_head(b, "tapmesh_path_up", "gauge",
	    "1 while the path to the peer works (or is untried), else 0.");
	for (i = 0; i < ctx->peers.npeers; i++) {
		const struct peer	*p = ctx->peers.peers[i];

		for (j = 0; j < p->path.npaths; j++)
			if (p->path.paths[j].resolved)
				sbuf_printf(b, "tapmesh_path_up{interface=\"%s\","
				    "peer=\"%s\",path=\"%s\"} %d\n",
				    ctx->conf.interface, p->conf.name,
				    udp_ntop(&p->path.paths[j].addr, a,
				    sizeof(a)), p->path.paths[j].up ? 1 : 0);
		if (p->path.has_relay && p->relay.via != NULL)
			sbuf_printf(b, "tapmesh_path_up{interface=\"%s\","
			    "peer=\"%s\",path=\"relay:%s\"} %d\n",
			    ctx->conf.interface, p->conf.name,
			    p->relay.via->conf.name, p->path.relay.up ? 1 : 0);
	}
}

/* What this node forwarded as a relay, per pair of peers. */
static void
metric_relayed(const struct tm_ctx *ctx, struct sbuf *b)
{
	static const char *const what[] = { "messages", "bytes" };
	size_t	 i, j, k;

	for (k = 0; k < 2; k++) {
		sbuf_printf(b, "# HELP tapmesh_relayed_%s_total End-to-end "
		    "%s this node relayed, by source and target peer.\n"
		    "# TYPE tapmesh_relayed_%s_total counter\n", what[k],
		    what[k], what[k]);
		for (i = 0; i < ctx->peers.npeers; i++) {
			const struct peer	*p = ctx->peers.peers[i];

			for (j = 0; j < p->relay.npairs; j++)
				sbuf_printf(b, "tapmesh_relayed_%s_total{"
				    "interface=\"%s\",from=\"%s\",to=\"%s\"} "
				    "%llu\n", what[k], ctx->conf.interface,
				    p->conf.name, pair_name(ctx,
				    &p->relay.pairs[j]), (unsigned long long)
				    (k == 0 ? p->relay.pairs[j].messages :
				    p->relay.pairs[j].bytes));
		}
	}
}

void
show_metrics(const struct tm_ctx *ctx, struct sbuf *b)
{
	struct kernel_drops	 kd;
	uint64_t		 now = event_now_ns();
	size_t		 i;

	metric_head(b, "tapmesh_peer_up", "gauge",
	    "1 while authenticated packets arrive from the peer, else 0.");
	for (i = 0; i < ctx->peers.npeers; i++)
		sbuf_printf(b, "tapmesh_peer_up{interface=\"%s\",peer=\"%s\"} "
		    "%d\n", ctx->conf.interface, ctx->peers.peers[i]->conf.name,
		    ctx->peers.peers[i]->up ? 1 : 0);
	for (i = 0; i < counters_peer.n; i++)
		if (counters_peer.c[i].metric != NULL)
			metric_peers(ctx, b, &counters_peer.c[i]);
	metric_head(b, "tapmesh_peer_latest_handshake_seconds", "gauge",
	    "Seconds since the latest handshake with the peer (absent: none).");
	for (i = 0; i < ctx->peers.npeers; i++) {
		const struct peer *p = ctx->peers.peers[i];

		if (p->last_handshake_ns == 0)
			continue;
		sbuf_printf(b, "tapmesh_peer_latest_handshake_seconds{"
		    "interface=\"%s\",peer=\"%s\"} %.3f\n", ctx->conf.interface,
		    p->conf.name, (double)(now - p->last_handshake_ns) / 1e9);
	}
	metric_head(b, "tapmesh_peer_preshared_key", "gauge",
	    "1 if a pre-shared key is mixed into the peer's handshakes.");
	for (i = 0; i < ctx->peers.npeers; i++)
		sbuf_printf(b, "tapmesh_peer_preshared_key{interface=\"%s\","
		    "peer=\"%s\"} %d\n", ctx->conf.interface,
		    ctx->peers.peers[i]->conf.name,
		    ctx->peers.peers[i]->conf.has_psk ? 1 : 0);
	metric_head(b, "tapmesh_peer_authenticated_key", "gauge",
	    "1 for the public key (index 1 or 2 in the peer's file) that "
	    "authenticated the current session (absent: no session).");
	for (i = 0; i < ctx->peers.npeers; i++) {
		const struct peer *p = ctx->peers.peers[i];
		char		   key[KEY_B64_LEN + 1];
		int		   k = session_key_index(p, p->kp_current);

		if (k == -1)
			continue;
		key_b64_encode(p->kp_current->peer_key, key);
		sbuf_printf(b, "tapmesh_peer_authenticated_key{interface=\"%s\","
		    "peer=\"%s\",index=\"%d\",key=\"%s\"} 1\n",
		    ctx->conf.interface, p->conf.name, k + 1, key);
	}
	metric_head(b, "tapmesh_peer_drops_total", "counter",
	    "Packets of the peer dropped, by reason.");
	for (i = 0; i < ctx->peers.npeers; i++)
		metric_drops(ctx, b, "tapmesh_peer_drops_total",
		    ctx->peers.peers[i]->conf.name, &ctx->peers.peers[i]->stats);
	metric_head(b, "tapmesh_drops_total", "counter",
	    "Packets dropped before a peer was known, by reason.");
	metric_drops(ctx, b, "tapmesh_drops_total", NULL, &ctx->stats);
	metric_set(ctx, b, &counters_offload, &ctx->offload);
	kernel_drops_read(ctx, &kd);
	metric_set(ctx, b, &counters_kernel, &kd);
	metric_set(ctx, b, &counters_loop, &ctx->ev);
	metric_head(b, "tapmesh_event_loop_longest_round_seconds", "gauge",
	    "The event loop's longest round since the daemon started.");
	sbuf_printf(b, "tapmesh_event_loop_longest_round_seconds{"
	    "interface=\"%s\"} %.6f\n", ctx->conf.interface,
	    (double)ctx->ev.longest_round_ns / 1e9);
	metric_paths(ctx, b);
	metric_relayed(ctx, b);
	metric_head(b, "tapmesh_peers", "gauge", "Configured peers.");
	sbuf_printf(b, "tapmesh_peers{interface=\"%s\"} %zu\n",
	    ctx->conf.interface, ctx->peers.npeers);
}
