/*
 * The counters, as the daemon logs them at exit.
 */
#include <stdio.h>

#include "counters.h"
#include "daemon.h"

/* Formats the drop counters as "total=N reason=N ..." into buf. */
static const char *
drops_fmt(const struct peer_stats *st, char *buf, size_t len)
{
	uint64_t	 total = 0;
	size_t		 off;
	int		 r;

	for (r = 0; r < DROP_MAX; r++)
		total += st->drops[r];
	off = (size_t)snprintf(buf, len, "total=%llu",
	    (unsigned long long)total);
	for (r = 0; r < DROP_MAX && off < len; r++)
		off += (size_t)snprintf(buf + off, len - off, " %s=%llu",
		    peer_drop_name((enum drop_reason)r),
		    (unsigned long long)st->drops[r]);
	return buf;
}

/* Logs every counter once, so a run leaves its figures in the log. */
void
counters_log(const struct tm_ctx *ctx)
{
	char	 buf[512];
	size_t	 i;

	for (i = 0; i < ctx->peers.npeers; i++) {
		const struct peer *p = ctx->peers.peers[i];

		log_info("peer %s: %s, handshakes %llu sent %llu done, rx %llu "
		    "packets %llu bytes, tx %llu packets %llu bytes, drops %s",
		    p->conf.name, p->up ? "up" : "down",
		    (unsigned long long)p->stats.handshakes_sent,
		    (unsigned long long)p->stats.handshakes_done,
		    (unsigned long long)p->stats.rx_packets,
		    (unsigned long long)p->stats.rx_bytes,
		    (unsigned long long)p->stats.tx_packets,
		    (unsigned long long)p->stats.tx_bytes,
		    drops_fmt(&p->stats, buf, sizeof(buf)));
	}
	log_info("%s: drops %s", ctx->conf.interface,
	    drops_fmt(&ctx->stats, buf, sizeof(buf)));
	log_info("%s: offload: %llu TCP super frames cut into %llu frames, "
	    "%llu frames joined into %llu super frames, partial checksums "
	    "%llu sent, %llu received", ctx->conf.interface,
	    (unsigned long long)ctx->offload.tso_frames,
	    (unsigned long long)ctx->offload.tso_segments,
	    (unsigned long long)ctx->offload.gro_segments,
	    (unsigned long long)ctx->offload.gro_frames,
	    (unsigned long long)ctx->offload.partial_tx,
	    (unsigned long long)ctx->offload.partial_rx);
}
