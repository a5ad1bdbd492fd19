/*
 * The daemon's runtime state, in one struct passed explicitly to every
 * handler, so nothing of it lives in globals.
 */
#ifndef TAPMESH_DAEMON_H
#define TAPMESH_DAEMON_H

#include <stdint.h>

#include "config.h"
#include "control.h"
#include "event.h"
#include "handshake.h"
#include "index.h"
#include "log.h"
#include "nl.h"
#include "peer.h"
#include "offload.h"
#include "tap.h"
#include "udp.h"

#include "wire.h"

/* Data messages: see wire.h. */
#define DATA_HDR_LEN		WIRE_DATA_HEADER_LEN
#define DATA_TAG_LEN		WIRE_TAG_LEN
#define DATA_OVERHEAD		WIRE_DATA_OVERHEAD
/* Underlay IPv6 + UDP headers: the worst case the default MTU allows for. */
#define UNDERLAY_OVERHEAD	(40 + 8)
#define UNDERLAY_MTU		1500
/* The default TAP MTU: what fits in one 1500-byte underlay packet. */
#define TAP_MTU_DEFAULT		(UNDERLAY_MTU - UNDERLAY_OVERHEAD - \
				 DATA_OVERHEAD - 14)
/* The largest frame the TAP may hand us: MTU_MAX plus a VLAN header. */
#define FRAME_MAX		(TM_MTU_MAX + 18)
#define PKT_BUF_LEN		(DATA_HDR_LEN + FRAME_MAX + DATA_TAG_LEN)

/*
 * Per-source handshake rate limiting: a fixed table of token buckets
 * indexed by a hash of the source address, so memory stays bounded
 * whatever the number of sources (a collision only shares a bucket).
 */
#define HS_RL_BUCKETS		1024
#define HS_RL_RATE		10	/* handshakes per second per source */
#define HS_RL_BURST		10
/* Above this many handshake messages a second, demand cookies. */
#define HS_LOAD_THRESHOLD	64

/*
 * Data messages sealed while the TAP is read are queued and sent in one
 * system call at the end (session_flush), runs of equal-sized datagrams
 * to one destination as one UDP GSO message.
 */
#define TXQ_LEN			128

struct txq_entry {
	struct peer		*peer;
	struct sockaddr_in6	 to;
	const struct in6_addr	*src;
	size_t			 len;		/* the datagram */
	size_t			 flen;		/* the frame in it */
};

/* What the offloads did (offload.h), for the logs and tapmeshctl show. */
struct offload_stats {
	uint64_t		 tso_frames;	/* super frames read and cut */
	uint64_t		 tso_segments;	/* the frames cut from them */
	uint64_t		 gro_frames;	/* super frames written */
	uint64_t		 gro_segments;	/* the frames joined into them */
	uint64_t		 partial_tx;	/* segments sent, checksum partial */
	uint64_t		 partial_rx;	/* and received so */
};

struct hs_ratelimit {
	struct in6_addr		 addr;
	uint64_t		 last_ns;
	double			 tokens;
};

struct tm_ctx {
	struct tm_config	 conf;
	struct event_loop	 ev;
	struct nl		 nl;
	struct tap		 tap;
	int			 udpfd;
	int			 sigfd;
	int			 mtu;
	int			 exit_code;
	struct event_fd		 tap_ev;
	struct event_fd		 udp_ev;
	struct event_fd		 sig_ev;
	struct nl_monitor	 nlmon;		/* neighbour events (neigh.c) */
	struct event_fd		 nlmon_ev;
	struct event_timer	 neigh_timer;
	struct control		 control;
	struct peer_table	 peers;
	struct peer_stats	 stats;		/* not attributable to a peer */
	struct log_ratelimit	 rl_drop;
	struct log_ratelimit	 rl_roam;
	struct log_ratelimit	 rl_icmp;	/* ICMP too-big into the TAP */

	/* The secure channel (session.c). */
	struct handshake_local	 hlocal;
	struct handshake_cookie_secret cookie_secret;
	struct index_table	 index;
	struct event_timer	 tick;
	int			 prefer_aes;
	uint64_t		 hs_window_ns;	/* start of this second */
	unsigned int		 hs_window_count;
	struct hs_ratelimit	 hs_rl[HS_RL_BUCKETS];
	struct hostnames	*hostnames;	/* endpoint names (hostname.c) */
	/* Packet buffers. */
	uint8_t			 tap_buf[VNET_HDR_LEN + OFFLOAD_FRAME_MAX];
	uint8_t			 rx_buf[65536];	/* datagrams, with UDP GRO */
	uint8_t			 out_buf[PKT_BUF_LEN];
	uint8_t			 reply_buf[1536];	/* ARP, NA, ICMP */
	struct gro		 gro;		/* segments joined for the TAP */
	struct offload_stats	 offload;
	int			 txq_active;	/* queue data, see TXQ_LEN */
	size_t			 txq_n;
	struct txq_entry	 txq[TXQ_LEN];
	uint8_t			 txq_buf[TXQ_LEN][PKT_BUF_LEN];
};

/* Counts a dropped packet against p, or the interface if p is NULL. */
static inline void
count_drop(struct tm_ctx *ctx, struct peer *p, enum drop_reason r)
{
	if (p != NULL)
		p->stats.drops[r]++;
	else
		ctx->stats.drops[r]++;
}

#endif
