/*
 * The packet path, in both directions, as the stages' files name it:
 *
 * TAP read (datapath) -> TSO cut (offload) -> classify (frame; ARP/NDP
 * answered locally: arp, ndp) -> peer by MAC (peer) -> PMTU and MSS
 * (pmtu) -> seal (send) -> batch + GSO (tx) -> UDP (udp);
 * UDP (udp) -> session by index, replay + open (receive) -> classify
 * (frame) -> rebuild the Ethernet header -> GRO join (offload) -> TAP
 * write (datapath).
 */
#ifndef TAPMESH_DATAPATH_H
#define TAPMESH_DATAPATH_H

#include <stdint.h>

#include "offload.h"
#include "wire.h"

struct tm_ctx;

/* Underlay IPv6 + UDP headers: the worst case the default MTU allows for. */
#define UNDERLAY_OVERHEAD	(40 + 8)
#define UNDERLAY_MTU		1500
/* The default TAP MTU: what fits in one 1500-byte underlay packet. */
#define TAP_MTU_DEFAULT		(UNDERLAY_MTU - UNDERLAY_OVERHEAD - \
				 WIRE_DATA_OVERHEAD - 14)

/* The TAP side: what is read from it, and replies written back into it. */
struct tapio {
	uint8_t			 buf[VNET_HDR_LEN + OFFLOAD_FRAME_MAX];
	uint8_t			 reply[1536];	/* ARP, NA, ICMP */
};

/* The UDP side: datagrams read, and the segments joined for the TAP. */
struct rx {
	uint8_t			 buf[65536];	/* datagrams, with UDP GRO */
	struct gro		 gro;
};

/* Event callback: drains the TAP (ctx as the argument). */
void	 datapath_tap_readable(int, uint32_t, void *);

/* Event callback: drains the UDP socket (ctx as the argument). */
void	 datapath_udp_readable(int, uint32_t, void *);

#endif
