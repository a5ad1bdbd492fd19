/*
 * The daemon's runtime state, in one struct passed explicitly to every
 * handler, so nothing of it lives in globals.
 */
#ifndef TAPMESH_DAEMON_H
#define TAPMESH_DAEMON_H

#include <stdint.h>

#include "config.h"
#include "event.h"
#include "log.h"
#include "nl.h"
#include "peer.h"
#include "tap.h"

/*
 * Data message: u8 type, u8 reserved[3], le32 receiver index, le64
 * counter, the Ethernet frame, a 16-byte authentication tag.
 */
#define MSG_DATA		4
#define DATA_HDR_LEN		16
#define DATA_TAG_LEN		16
#define DATA_OVERHEAD		(DATA_HDR_LEN + DATA_TAG_LEN)
/* Underlay IPv6 + UDP headers: the worst case the default MTU allows for. */
#define UNDERLAY_OVERHEAD	(40 + 8)
#define UNDERLAY_MTU		1500
/* The default TAP MTU: what fits in one 1500-byte underlay packet. */
#define TAP_MTU_DEFAULT		(UNDERLAY_MTU - UNDERLAY_OVERHEAD - \
				 DATA_OVERHEAD - 14)
/* The largest frame the TAP may hand us: MTU_MAX plus a VLAN header. */
#define FRAME_MAX		(TM_MTU_MAX + 18)
#define PKT_BUF_LEN		(DATA_HDR_LEN + FRAME_MAX + DATA_TAG_LEN)

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
	struct peer_table	 peers;
	struct peer_stats	 stats;		/* not attributable to a peer */
	struct log_ratelimit	 rl_drop;
	/* Packet buffers, with headroom for the tunnel header. */
	uint8_t			 tx_buf[PKT_BUF_LEN];
	uint8_t			 rx_buf[PKT_BUF_LEN];
	uint8_t			 reply_buf[128];
};

#endif
