/*
 * The daemon's runtime state, in one struct passed explicitly to every
 * handler, so nothing of it lives in globals.  Each part's type belongs
 * to the module that owns it; this struct only groups them.
 */
#ifndef TAPMESH_DAEMON_H
#define TAPMESH_DAEMON_H

#include <stdint.h>

#include "config.h"
#include "control.h"
#include "cookie.h"
#include "datapath.h"
#include "event.h"
#include "filter.h"
#include "handshake.h"
#include "index.h"
#include "log.h"
#include "nl.h"
#include "offload.h"
#include "peer.h"
#include "routes.h"
#include "tap.h"
#include "tx.h"

struct hostnames;
struct neighq;

struct tm_ctx {
	struct tm_config	 conf;
	struct event_loop	 ev;
	struct nl		 nl;
	struct tap		 tap;
	int			 udpfd;		/* data; everything is sent here */
	int			 hsfd;		/* handshakes in, or -1 (udp.h) */
	int			 expfd;	/* short data in, or -1 */
	int			 sigfd;
	int			 mtu;
	int			 exit_code;
	struct event_fd		 tap_ev;
	struct event_fd		 udp_ev;
	struct event_fd		 hs_ev;
	struct event_fd		 exp_ev;
	struct event_fd		 sig_ev;
	struct nl_monitor	 nlmon;		/* neighbour events (neigh.c) */
	struct event_fd		 nlmon_ev;
	struct event_timer	 neigh_timer;
	struct neighq		*neighq;	/* requests (neighq.c) */
	struct control		 control;
	struct peer_table	 peers;
	struct peer_stats	 stats;		/* not attributable to a peer */
	struct log_ratelimit	 rl_drop;
	struct log_ratelimit	 rl_roam;
	struct log_ratelimit	 rl_icmp;	/* ICMP too-big into the TAP */
	struct log_ratelimit	 rl_filter;	/* trust boundary drops */
	struct hostnames	*hostnames;	/* endpoint names (hostname.c) */

	/* The secure channel (session.c, timers.c). */
	struct handshake_local	 hlocal;
	struct index_table	 index;
	struct event_timer	 tick;
	uint64_t		 loop_warned;	/* ev.rounds_100ms then */
	uint64_t		 loop_warned_ns;	/* when; 0: never */
	int			 prefer_aes;
	struct cookie_checker	 hs;		/* handshake admission */

	/* The data path, by direction (datapath.c, tx.c). */
	struct tapio		 tapio;		/* frames from the TAP */
	struct tx		 tx;		/* datagrams to the peers */
	struct rx		 rx;		/* datagrams from the peers */
	uint8_t			 relay_buf[PKT_BUF_LEN]; /* relay.h */
	struct offload_stats	 offload;

	/* The trust boundary (filter.c, routes.c). */
	struct filter		 filter;
	struct routes		 routes;	/* for source_check "strict" */
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
