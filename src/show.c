#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "aead.h"
#include "daemon.h"
#include "key.h"
#include "path.h"
#include "sbuf.h"
#include "session.h"
#include "show.h"
#include "udp.h"

static const char *
peer_state(const struct peer *p)
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

static void
bytes_text(struct sbuf *b, uint64_t n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double		 v = (double)n;
	int		 u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		sbuf_printf(b, "%llu B", (unsigned long long)n);
	else
		sbuf_printf(b, "%.2f %s", v, unit[u]);
}

static void
drops_text(struct sbuf *b, const struct peer_stats *st)
{
	int	 r, any = 0;

	for (r = 0; r < DROP_MAX; r++) {
		if (st->drops[r] == 0)
			continue;
		sbuf_printf(b, "%s%s %llu", any ? ", " : "",
		    peer_drop_name((enum drop_reason)r),
		    (unsigned long long)st->drops[r]);
		any = 1;
	}
	if (!any)
		sbuf_printf(b, "none");
}

static void
peer_text(const struct tm_ctx *ctx, const struct peer *p, uint64_t now,
    struct sbuf *b)
{
	char		 key[KEY_B64_LEN + 1], a[INET6_ADDRSTRLEN + 8];
	char		 m[18];
	struct tm_addr	 na;
	size_t		 i;

	(void)ctx;
	key_b64_encode(p->conf.public_key, key);
	sbuf_printf(b, "\npeer: %s\n", p->conf.name);
	sbuf_printf(b, "  public key: %s\n", key);
	sbuf_printf(b, "  state: %s\n", peer_state(p));
	sbuf_printf(b, "  addresses:");
	for (i = 0; i < peer_neigh_count(p); i++) {
		peer_neigh_addr(p, i, &na);
		sbuf_printf(b, "%s %s", i ? "," : "", addr_ntop(&na, a,
		    sizeof(a)));
	}
	sbuf_printf(b, "\n  mac: %s\n", mac_ntop(p->conf.mac, m, sizeof(m)));
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
		sbuf_printf(b, ", probes %llu/%llu answered%s\n",
		    (unsigned long long)pa->probes_answered,
		    (unsigned long long)pa->probes_sent,
		    p->path.active == (int)i ? " (active)" : "");
	}
	if (p->path.has_learned)
		sbuf_printf(b, "  learned endpoint: %s%s\n",
		    udp_ntop(&p->path.learned.addr, a, sizeof(a)),
		    p->path.active < 0 ? " (active)" : "");
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
	if (p->last_handshake_ns != 0) {
		sbuf_printf(b, "  latest handshake: ");
		age_text(b, now - p->last_handshake_ns);
		sbuf_printf(b, "\n");
	}
	if (p->handshake_rtt_ns != 0)
		sbuf_printf(b, "  handshake rtt: %.3f ms\n",
		    (double)p->handshake_rtt_ns / 1e6);
	sbuf_printf(b, "  transfer: ");
	bytes_text(b, p->stats.rx_bytes);
	sbuf_printf(b, " received (%llu packets), ",
	    (unsigned long long)p->stats.rx_packets);
	bytes_text(b, p->stats.tx_bytes);
	sbuf_printf(b, " sent (%llu packets)\n",
	    (unsigned long long)p->stats.tx_packets);
	sbuf_printf(b, "  drops: ");
	drops_text(b, &p->stats);
	sbuf_printf(b, "\n");
}

int
show_text(const struct tm_ctx *ctx, const char *name, struct sbuf *b)
{
	char		 key[KEY_B64_LEN + 1], a[INET6_ADDRSTRLEN], m[18];
	uint64_t	 now = event_now_ns();
	size_t		 i, up = 0;

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
	drops_text(b, &ctx->stats);
	sbuf_printf(b, "\n  offload: %s, %llu TCP super frames cut into %llu "
	    "frames, %llu frames joined into %llu, partial checksums: %llu "
	    "sent, %llu received", ctx->tap.offload ? "on" : "off",
	    (unsigned long long)ctx->offload.tso_frames,
	    (unsigned long long)ctx->offload.tso_segments,
	    (unsigned long long)ctx->offload.gro_segments,
	    (unsigned long long)ctx->offload.gro_frames,
	    (unsigned long long)ctx->offload.partial_tx,
	    (unsigned long long)ctx->offload.partial_rx);
	sbuf_printf(b, "\n  control: %llu connections refused, %llu bad "
	    "requests\n", (unsigned long long)ctx->control.refused,
	    (unsigned long long)ctx->control.bad_requests);
	for (i = 0; i < ctx->peers.npeers; i++)
		if (selected(ctx->peers.peers[i], name))
			peer_text(ctx, ctx->peers.peers[i], now, b);
	return 0;
}

static void
drops_json(struct sbuf *b, const struct peer_stats *st)
{
	int	 r;

	sbuf_printf(b, "{");
	for (r = 0; r < DROP_MAX; r++)
		sbuf_printf(b, "%s\"%s\": %llu", r ? ", " : "",
		    peer_drop_name((enum drop_reason)r),
		    (unsigned long long)st->drops[r]);
	sbuf_printf(b, "}");
}

static void
peer_json(const struct peer *p, uint64_t now, struct sbuf *b)
{
	char		 key[KEY_B64_LEN + 1], a[INET6_ADDRSTRLEN + 8], m[18];
	struct tm_addr	 na;
	size_t		 i;

	key_b64_encode(p->conf.public_key, key);
	sbuf_printf(b, "    {\"name\": ");
	sbuf_json_str(b, p->conf.name);
	sbuf_printf(b, ", \"public_key\": \"%s\", \"state\": \"%s\", "
	    "\"addresses\": [", key, peer_state(p));
	for (i = 0; i < p->conf.naddrs; i++) {
		na = p->conf.addrs[i];
		sbuf_printf(b, "%s\"%s\"", i ? ", " : "",
		    addr_ntop(&na, a, sizeof(a)));
	}
	peer_neigh_addr(p, p->conf.naddrs, &na);
	sbuf_printf(b, "], \"link_local\": \"%s\", \"mac\": \"%s\", ",
	    addr_ntop(&na, a, sizeof(a)), mac_ntop(p->conf.mac, m, sizeof(m)));
	if (p->path.has_endpoint)
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
		if (pa->probes_answered > 0)
			sbuf_printf(b, "\"rtt_us\": %llu, ",
			    (unsigned long long)(pa->rtt_ns / 1000));
		else
			sbuf_printf(b, "\"rtt_us\": null, ");
		sbuf_printf(b, "\"probes_sent\": %llu, \"probes_answered\": "
		    "%llu}", (unsigned long long)pa->probes_sent,
		    (unsigned long long)pa->probes_answered);
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
	if (p->kp_current != NULL)
		sbuf_printf(b, "\"cipher\": \"%s\", ",
		    aead_alg_name(p->kp_current->send.alg));
	else
		sbuf_printf(b, "\"cipher\": null, ");
	if (p->last_handshake_ns != 0)
		sbuf_printf(b, "\"latest_handshake_age_ms\": %llu, ",
		    (unsigned long long)((now - p->last_handshake_ns) /
		    1000000ULL));
	else
		sbuf_printf(b, "\"latest_handshake_age_ms\": null, ");
	if (p->handshake_rtt_ns != 0)
		sbuf_printf(b, "\"handshake_rtt_us\": %llu, ",
		    (unsigned long long)(p->handshake_rtt_ns / 1000));
	else
		sbuf_printf(b, "\"handshake_rtt_us\": null, ");
	sbuf_printf(b, "\"rx_packets\": %llu, \"rx_bytes\": %llu, "
	    "\"tx_packets\": %llu, \"tx_bytes\": %llu, "
	    "\"handshakes_sent\": %llu, \"handshakes_done\": %llu, "
	    "\"drops\": ",
	    (unsigned long long)p->stats.rx_packets,
	    (unsigned long long)p->stats.rx_bytes,
	    (unsigned long long)p->stats.tx_packets,
	    (unsigned long long)p->stats.tx_bytes,
	    (unsigned long long)p->stats.handshakes_sent,
	    (unsigned long long)p->stats.handshakes_done);
	drops_json(b, &p->stats);
	sbuf_printf(b, "}");
}

int
show_json(const struct tm_ctx *ctx, const char *name, struct sbuf *b)
{
	char		 key[KEY_B64_LEN + 1], a[INET6_ADDRSTRLEN], m[18];
	uint64_t	 now = event_now_ns();
	size_t		 i;
	int		 first = 1;

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
	drops_json(b, &ctx->stats);
	sbuf_printf(b, ", \"offload\": {\"on\": %s, \"tso_frames\": %llu, "
	    "\"tso_segments\": %llu, \"gro_frames\": %llu, "
	    "\"gro_segments\": %llu, \"partial_tx\": %llu, "
	    "\"partial_rx\": %llu}", ctx->tap.offload ? "true" : "false",
	    (unsigned long long)ctx->offload.tso_frames,
	    (unsigned long long)ctx->offload.tso_segments,
	    (unsigned long long)ctx->offload.gro_frames,
	    (unsigned long long)ctx->offload.gro_segments,
	    (unsigned long long)ctx->offload.partial_tx,
	    (unsigned long long)ctx->offload.partial_rx);
	sbuf_printf(b, ", \"control_refused\": %llu, \"control_bad_requests\": "
	    "%llu},\n  \"peers\": [\n", (unsigned long long)ctx->control.refused,
	    (unsigned long long)ctx->control.bad_requests);
	for (i = 0; i < ctx->peers.npeers; i++) {
		if (!selected(ctx->peers.peers[i], name))
			continue;
		sbuf_printf(b, "%s", first ? "" : ",\n");
		peer_json(ctx->peers.peers[i], now, b);
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

/* One counter of every peer, as name{interface,peer} value. */
static void
metric_peers(const struct tm_ctx *ctx, struct sbuf *b, const char *name,
    const char *type, const char *help, size_t off)
{
	size_t	 i;

	metric_head(b, name, type, help);
	for (i = 0; i < ctx->peers.npeers; i++) {
		const struct peer *p = ctx->peers.peers[i];
		uint64_t	 v;

		memcpy(&v, (const char *)&p->stats + off, sizeof(v));
		sbuf_printf(b, "%s{interface=\"%s\",peer=\"%s\"} %llu\n", name,
		    ctx->conf.interface, p->conf.name, (unsigned long long)v);
	}
}

void
show_metrics(const struct tm_ctx *ctx, struct sbuf *b)
{
	const struct {
		const char	*kind;
		uint64_t	 v;
	}		 off[] = {
		{ "tso", ctx->offload.tso_frames },
		{ "tso_segments", ctx->offload.tso_segments },
		{ "gro", ctx->offload.gro_frames },
		{ "gro_segments", ctx->offload.gro_segments },
		{ "partial_tx", ctx->offload.partial_tx },
		{ "partial_rx", ctx->offload.partial_rx },
	};
	uint64_t	 now = event_now_ns();
	size_t		 i;
	int		 r;

	metric_head(b, "tapmesh_peer_up", "gauge",
	    "1 while authenticated packets arrive from the peer, else 0.");
	for (i = 0; i < ctx->peers.npeers; i++)
		sbuf_printf(b, "tapmesh_peer_up{interface=\"%s\",peer=\"%s\"} "
		    "%d\n", ctx->conf.interface, ctx->peers.peers[i]->conf.name,
		    ctx->peers.peers[i]->up ? 1 : 0);
	metric_peers(ctx, b, "tapmesh_peer_rx_packets_total", "counter",
	    "Frames received from the peer.",
	    offsetof(struct peer_stats, rx_packets));
	metric_peers(ctx, b, "tapmesh_peer_rx_bytes_total", "counter",
	    "Bytes of frames received from the peer.",
	    offsetof(struct peer_stats, rx_bytes));
	metric_peers(ctx, b, "tapmesh_peer_tx_packets_total", "counter",
	    "Frames sent to the peer.",
	    offsetof(struct peer_stats, tx_packets));
	metric_peers(ctx, b, "tapmesh_peer_tx_bytes_total", "counter",
	    "Bytes of frames sent to the peer.",
	    offsetof(struct peer_stats, tx_bytes));
	metric_peers(ctx, b, "tapmesh_peer_handshakes_total", "counter",
	    "Sessions established with the peer.",
	    offsetof(struct peer_stats, handshakes_done));
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
	metric_head(b, "tapmesh_peer_drops_total", "counter",
	    "Packets of the peer dropped, by reason.");
	for (i = 0; i < ctx->peers.npeers; i++)
		for (r = 0; r < DROP_MAX; r++)
			sbuf_printf(b, "tapmesh_peer_drops_total{interface="
			    "\"%s\",peer=\"%s\",reason=\"%s\"} %llu\n",
			    ctx->conf.interface, ctx->peers.peers[i]->conf.name,
			    peer_drop_name((enum drop_reason)r),
			    (unsigned long long)
			    ctx->peers.peers[i]->stats.drops[r]);
	metric_head(b, "tapmesh_drops_total", "counter",
	    "Packets dropped before a peer was known, by reason.");
	for (r = 0; r < DROP_MAX; r++)
		sbuf_printf(b, "tapmesh_drops_total{interface=\"%s\","
		    "reason=\"%s\"} %llu\n", ctx->conf.interface,
		    peer_drop_name((enum drop_reason)r),
		    (unsigned long long)ctx->stats.drops[r]);
	metric_head(b, "tapmesh_offload_total", "counter",
	    "TCP super frames read from the TAP and cut (tso), frames cut "
	    "from them (tso_segments), super frames written (gro), frames "
	    "joined into them (gro_segments), segments sent and received "
	    "with a partial TCP checksum (partial_tx, partial_rx).");
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		sbuf_printf(b, "tapmesh_offload_total{interface=\"%s\","
		    "kind=\"%s\"} %llu\n", ctx->conf.interface, off[i].kind,
		    (unsigned long long)off[i].v);
	metric_head(b, "tapmesh_peers", "gauge", "Configured peers.");
	sbuf_printf(b, "tapmesh_peers{interface=\"%s\"} %zu\n",
	    ctx->conf.interface, ctx->peers.npeers);
}
