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

#include <netinet/in.h>
#include <stdint.h>

#include "offload.h"
#include "slotq.h"
#include "tapq.h"
#include "wire.h"

struct tm_ctx;

/* Underlay IPv6 + UDP headers: the worst case the default MTU allows for. */
#define UNDERLAY_OVERHEAD	(40 + 8)
#define UNDERLAY_MTU		1500
/* The default TAP MTU: what fits in one 1500-byte underlay packet. */
#define TAP_MTU_DEFAULT		(UNDERLAY_MTU - UNDERLAY_OVERHEAD - \
				 WIRE_DATA_OVERHEAD - 14)

/*
 * Bytes of queued bulk frames sealed, or of datagrams opened, in one
 * round of the event loop: at about 1 GB per core-second (the daemon's
 * cost per GB, bench/README) some 0.13 ms of work, the longest a frame
 * of another flow, or of the other direction, waits for the daemon's
 * bulk work (see tapq.h).
 */
#define DATAPATH_ROUND_BYTES	(128 * 1024)

/* The TAP side: what is read from it, and replies written back into it. */
struct tapio {
	struct tapq		 q;		/* read ahead, see tapq.h */
	uint8_t			 reply[1536];	/* ARP, NA, ICMP */
};

/*
 * The UDP side's read-ahead: each round the socket is read as far as the
 * slots go, like the TAP (tapq.h), so that a datagram of at most
 * RX_AHEAD_MAX bytes that came alone (a ping, a TCP ACK, a routing
 * protocol's hello, a voice frame) is opened and delivered at once
 * instead of behind the bulk data of a saturating flow.  Reads of bulk
 * data wait in the slots, in order, and are opened DATAPATH_ROUND_BYTES
 * per round.  Only 4 slots (256 KiB): reading further ahead, 32 slots
 * (2 MiB), had the bulk reads go cold in the caches before they were
 * opened and cost bench/run's TCP1 up to a third (bench/README).
 */
#define RX_SLOTS		4		/* at most SLOTQ_MAX */
#define RX_AHEAD_MAX		UDP_EXPRESS_MAX

struct rx_slot {
	size_t			 len;
	size_t			 seglen;	/* with UDP GRO */
	struct sockaddr_in6	 from;
	uint8_t			 tos;
	uint8_t			 buf[65536];	/* datagrams, with UDP GRO */
};

/* The UDP side: datagrams read, and the segments joined for the TAP. */
struct rx {
	struct slotq		 order;		/* queued and free slots */
	struct rx_slot		 slot[RX_SLOTS];
	struct rx_slot		 express;	/* express socket */
	struct gro		 gro;
};

/* Event callback: drains the TAP (ctx as the argument). */
void	 datapath_tap_readable(int, uint32_t, void *);

/* Event callback: drains the UDP socket (ctx as the argument). */
void	 datapath_udp_readable(int, uint32_t, void *);

#endif
