/*
 * The counter tables and the renderings every output shares; see
 * counters.h.
 */
#include <stdio.h>
#include <string.h>

#include "counters.h"
#include "daemon.h"
#include "sbuf.h"
#include "udp.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * In the order of the JSON fields.  Metrics are written in this order
 * too; handshakes_sent has none.
 */
static const struct counter peer_counters[] = {
	{ "rx_packets", "tapmesh_peer_rx_packets_total",
	    "Frames received from the peer.",
	    offsetof(struct peer_stats, rx_packets) },
	{ "rx_bytes", "tapmesh_peer_rx_bytes_total",
	    "Bytes of frames received from the peer.",
	    offsetof(struct peer_stats, rx_bytes) },
	{ "tx_packets", "tapmesh_peer_tx_packets_total",
	    "Frames sent to the peer.",
	    offsetof(struct peer_stats, tx_packets) },
	{ "tx_bytes", "tapmesh_peer_tx_bytes_total",
	    "Bytes of frames sent to the peer.",
	    offsetof(struct peer_stats, tx_bytes) },
	{ "handshakes_sent", NULL, NULL,
	    offsetof(struct peer_stats, handshakes_sent) },
	{ "handshakes_done", "tapmesh_peer_handshakes_total",
	    "Sessions established with the peer.",
	    offsetof(struct peer_stats, handshakes_done) },
};

const struct counter_set counters_peer = {
	peer_counters, NELEM(peer_counters), NULL, NULL, NULL
};

/* One metric, tapmesh_offload_total, with a "kind" label per counter. */
static const struct counter offload_counters[] = {
	{ "tso_frames", "tso", NULL,
	    offsetof(struct offload_stats, tso_frames) },
	{ "tso_segments", "tso_segments", NULL,
	    offsetof(struct offload_stats, tso_segments) },
	{ "gro_frames", "gro", NULL,
	    offsetof(struct offload_stats, gro_frames) },
	{ "gro_segments", "gro_segments", NULL,
	    offsetof(struct offload_stats, gro_segments) },
	{ "partial_tx", "partial_tx", NULL,
	    offsetof(struct offload_stats, partial_tx) },
	{ "partial_rx", "partial_rx", NULL,
	    offsetof(struct offload_stats, partial_rx) },
};

const struct counter_set counters_offload = {
	offload_counters, NELEM(offload_counters), "tapmesh_offload_total",
	"TCP super frames read from the TAP and cut (tso), frames cut "
	"from them (tso_segments), super frames written (gro), frames "
	"joined into them (gro_segments), segments sent and received "
	"with a partial TCP checksum (partial_tx, partial_rx).", "kind"
};

/* Not exported as metrics. */
static const struct counter control_counters[] = {
	{ "control_refused", NULL, NULL, offsetof(struct control, refused) },
	{ "control_bad_requests", NULL, NULL,
	    offsetof(struct control, bad_requests) },
};

const struct counter_set counters_control = {
	control_counters, NELEM(control_counters), NULL, NULL, NULL
};

/* One metric, tapmesh_event_loop_slow_rounds_total, with an "over" label. */
static const struct counter loop_counters[] = {
	{ "rounds_over_1ms", "1ms", NULL,
	    offsetof(struct event_loop, rounds_1ms) },
	{ "rounds_over_10ms", "10ms", NULL,
	    offsetof(struct event_loop, rounds_10ms) },
	{ "rounds_over_100ms", "100ms", NULL,
	    offsetof(struct event_loop, rounds_100ms) },
};

const struct counter_set counters_loop = {
	loop_counters, NELEM(loop_counters),
	"tapmesh_event_loop_slow_rounds_total",
	"Rounds of the event loop that took at least 1, 10 or 100 ms: "
	"frames from the TAP and the peers, and the timers, waited that "
	"long.", "over"
};

/* One metric, tapmesh_kernel_drops_total, with a "socket" label. */
static const struct counter kernel_counters[] = {
	{ "data", "data", NULL, offsetof(struct kernel_drops, data) },
	{ "express", "express", NULL,
	    offsetof(struct kernel_drops, express) },
	{ "handshake", "handshake", NULL,
	    offsetof(struct kernel_drops, handshake) },
};

const struct counter_set counters_kernel = {
	kernel_counters, NELEM(kernel_counters), "tapmesh_kernel_drops_total",
	"Datagrams the kernel dropped at the UDP port (receive buffer "
	"full), by socket: bulk data messages, short ones, or handshakes "
	"and the rest.", "socket"
};

void
kernel_drops_read(const struct tm_ctx *ctx, struct kernel_drops *kd)
{
	kd->data = udp_drops(ctx->udpfd);
	kd->express = udp_drops(ctx->expfd);
	kd->handshake = udp_drops(ctx->hsfd);
}

uint64_t
counter_value(const struct counter *c, const void *base)
{
	uint64_t	 v;

	memcpy(&v, (const char *)base + c->off, sizeof(v));
	return v;
}

void
counters_json(struct sbuf *b, const struct counter_set *set,
    const void *base, const char *sep)
{
	size_t	 i;

	for (i = 0; i < set->n; i++, sep = ", ")
		sbuf_printf(b, "%s\"%s\": %llu", sep, set->c[i].name,
		    (unsigned long long)counter_value(&set->c[i], base));
}

/* n in B, or in KiB ... TiB with two decimals. */
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

static const struct counter *
counter_find(const struct counter_set *set, const char *name, size_t len)
{
	size_t	 i;

	for (i = 0; i < set->n; i++)
		if (strlen(set->c[i].name) == len &&
		    strncmp(set->c[i].name, name, len) == 0)
			return &set->c[i];
	return NULL;
}

void
counters_sentence(struct sbuf *b, const char *tmpl,
    const struct counter_set *set, const void *base)
{
	static const char	 as_bytes[] = ":bytes";
	const struct counter	*c;
	const char		*open, *close;
	size_t			 len;
	int			 bytes;

	while ((open = strchr(tmpl, '{')) != NULL &&
	    (close = strchr(open, '}')) != NULL) {
		sbuf_printf(b, "%.*s", (int)(open - tmpl), tmpl);
		len = (size_t)(close - open - 1);
		bytes = len > strlen(as_bytes) && strncmp(close -
		    strlen(as_bytes), as_bytes, strlen(as_bytes)) == 0;
		if (bytes)
			len -= strlen(as_bytes);
		if ((c = counter_find(set, open + 1, len)) == NULL)
			sbuf_printf(b, "{?%.*s}", (int)len, open + 1);
		else if (bytes)
			bytes_text(b, counter_value(c, base));
		else
			sbuf_printf(b, "%llu",
			    (unsigned long long)counter_value(c, base));
		tmpl = close + 1;
	}
	sbuf_printf(b, "%s", tmpl);
}

void
counters_drops(struct sbuf *b, const struct peer_stats *st,
    enum drops_style style)
{
	/*
	 * What opens the list, separates and quotes the reasons, goes
	 * between a reason and its count, closes the list, and stands for
	 * a list with no reason in it.
	 */
	static const struct {
		const char	*first, *sep, *quote, *mid, *last, *none;
		int		 skip_zero;
	} styles[] = {
		[DROPS_TEXT] = { "", ", ", "", " ", "", "none", 1 },
		[DROPS_JSON] = { "{", ", ", "\"", ": ", "}", "{}", 0 },
		[DROPS_LOG] = { " ", " ", "", "=", "", "", 0 },
	};
	uint64_t	 total = 0;
	int		 r, any = 0;

	if (style == DROPS_LOG) {
		for (r = 0; r < DROP_MAX; r++)
			total += st->drops[r];
		sbuf_printf(b, "total=%llu", (unsigned long long)total);
	}
	for (r = 0; r < DROP_MAX; r++) {
		if (styles[style].skip_zero && st->drops[r] == 0)
			continue;
		sbuf_printf(b, "%s%s%s%s%s%llu",
		    any ? styles[style].sep : styles[style].first,
		    styles[style].quote, peer_drop_name((enum drop_reason)r),
		    styles[style].quote, styles[style].mid,
		    (unsigned long long)st->drops[r]);
		any = 1;
	}
	if (any)
		sbuf_printf(b, "%s", styles[style].last);
	else
		sbuf_printf(b, "%s", styles[style].none);
}

/* Logs what b holds and empties it for the next line. */
static void
log_sbuf(struct sbuf *b)
{
	if (b->failed)
		log_warnx("counters: out of memory");
	else if (b->len > 0)
		log_info("%s", b->s);
	b->len = 0;
}

void
counters_log(const struct tm_ctx *ctx)
{
	struct sbuf		 b = { 0 };
	struct kernel_drops	 kd;
	size_t			 i;

	for (i = 0; i < ctx->peers.npeers; i++) {
		const struct peer *p = ctx->peers.peers[i];

		sbuf_printf(&b, "peer %s: %s, ", p->conf.name,
		    p->up ? "up" : "down");
		counters_sentence(&b, "handshakes {handshakes_sent} sent "
		    "{handshakes_done} done, rx {rx_packets} packets "
		    "{rx_bytes} bytes, tx {tx_packets} packets {tx_bytes} "
		    "bytes, drops ", &counters_peer, &p->stats);
		counters_drops(&b, &p->stats, DROPS_LOG);
		log_sbuf(&b);
	}
	sbuf_printf(&b, "%s: drops ", ctx->conf.interface);
	counters_drops(&b, &ctx->stats, DROPS_LOG);
	log_sbuf(&b);
	if (ctx->udpfd != -1) {
		kernel_drops_read(ctx, &kd);
		sbuf_printf(&b, "UDP port %u: ", ctx->conf.listen);
		counters_sentence(&b, "the kernel dropped {data} bulk data, "
		    "{express} short data and {handshake} handshake datagrams "
		    "(receive buffer full)", &counters_kernel, &kd);
		log_sbuf(&b);
	}
	sbuf_printf(&b, "%s: offload: ", ctx->conf.interface);
	counters_sentence(&b, "{tso_frames} TCP super frames cut into "
	    "{tso_segments} frames, {gro_segments} frames joined into "
	    "{gro_frames} super frames, partial checksums {partial_tx} sent, "
	    "{partial_rx} received", &counters_offload, &ctx->offload);
	log_sbuf(&b);
	sbuf_printf(&b, "event loop: longest round %llu us; ",
	    (unsigned long long)(ctx->ev.longest_round_ns / 1000));
	counters_sentence(&b, "{rounds_over_1ms} rounds of 1 ms or more, "
	    "{rounds_over_10ms} of 10 ms, {rounds_over_100ms} of 100 ms",
	    &counters_loop, &ctx->ev);
	log_sbuf(&b);
	sbuf_free(&b);
}
