/*
 * IPv6 Neighbour Solicitation responder for peers.
 *
 * Like the ARP responder: a solicitation from the kernel for a peer's
 * global or link-local address is answered locally with a Neighbour
 * Advertisement carrying the peer's synthetic MAC.
 */
#ifndef TAPMESH_NDP_H
#define TAPMESH_NDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "arp.h"

/* Ethernet + IPv6 + NA + target link-layer address option. */
#define NDP_NA_FRAME_LEN	(14 + 40 + 24 + 8)

/*
 * Answers a Neighbour Solicitation frame.  Validates the IPv6 header (the
 * payload length against the frame, hop limit 255), the ICMPv6 checksum,
 * code 0, that the target is not multicast, and the options (no zero
 * length, no source link-layer option when the source is unspecified).  On
 * success writes the Neighbour Advertisement frame into out and returns
 * its length; returns 0 if nothing is to be answered (not an NS, an
 * unknown target) or -1 if the packet is malformed or out is shorter than
 * NDP_NA_FRAME_LEN.  A solicitation whose Ethernet source or source
 * link-layer address is a group address is malformed too.  The reply goes
 * to the source link-layer address if the solicitation carries one, else
 * to the Ethernet source.  A solicitation from the unspecified address
 * (DAD) is answered to ff02::1 without the Solicited flag, as RFC 4861
 * section 7.2.4 asks.  The Router flag is always set: peers stand in for
 * routers.  The lookup is called at most once, with an AF_INET6 address.
 * out may be the frame's own buffer: the request is read completely
 * before the reply is written.
 */
ssize_t	 ndp_respond(const uint8_t *, size_t, resp_lookup_fn, void *,
	    uint8_t *, size_t);

#endif
