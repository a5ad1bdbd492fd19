/*
 * Routing traffic first: the frames that keep adjacencies and sessions
 * of routing protocols alive, which must not wait behind bulk data in
 * the daemon's batches (a BFD session at 50 ms x 3 fails after 150 ms).
 *
 * A pure function over the frame's bytes, unit-tested on its own.
 */
#ifndef TAPMESH_PRIO_H
#define TAPMESH_PRIO_H

#include <stddef.h>
#include <stdint.h>

/*
 * True if the frame carries routing or network control traffic: OSPF
 * (IP protocol 89), VRRP (112), BFD (UDP to port 3784, 4784 or 3785),
 * BGP (TCP from or to port 179), IS-IS (802.3 frames to the IS-IS and
 * ES-IS group MACs) or any IPv4 / IPv6 packet with DSCP CS6 or CS7.
 * The IPv6 protocol is the fixed header's next header (routing
 * protocols send no extension headers); ports are read only from the
 * first fragment.
 */
int	 prio_frame(const uint8_t *frame, size_t len);

/*
 * True if the IP TOS / traffic class tos carries DSCP CS6 or CS7: what a
 * relay, which cannot read the frame it passes on, goes by.
 */
int	 prio_tos(uint8_t tos);

#endif
