/*
 * The IP TOS / traffic class byte across the tunnel: the outer UDP
 * packet takes its DSCP (copied or zeroed, `dscp` in tapmesh.conf(5))
 * and its ECN field from the inner packet, and on receive the outer ECN
 * field is folded back into the inner one as RFC 6040 (normal mode)
 * says, so congestion marked in the underlay reaches the endpoints.
 *
 * Pure functions over bytes, so the mapping is unit-tested on its own.
 */
#ifndef TAPMESH_TOS_H
#define TAPMESH_TOS_H

#include <stddef.h>
#include <stdint.h>

/* The ECN field: the TOS byte's two low bits (RFC 3168). */
#define TOS_ECN_MASK		0x03
#define TOS_NOT_ECT		0x00
#define TOS_ECT1		0x01
#define TOS_ECT0		0x02
#define TOS_CE			0x03

/*
 * The outer TOS for a packet of inner TOS: the ECN field copied (RFC
 * 6040 normal mode), the DSCP copied if dscp_copy, else zero.
 */
uint8_t	 tos_encap(uint8_t inner, int dscp_copy);

/*
 * The inner ECN field after decapsulation from an outer one (RFC 6040,
 * figure 4), or -1 when the packet must be dropped: a CE outer over a
 * not-ECT inner, whose congestion mark could not be passed on otherwise.
 */
int	 tos_decap_ecn(uint8_t inner_ecn, uint8_t outer_ecn);

/*
 * Finds the IP header in an Ethernet frame (behind at most one 802.1Q /
 * 802.1ad tag): returns 4 or 6 with its offset in *off, or 0 when the
 * frame carries none whose fixed header (an IPv4 header whole, options
 * included) lies inside it.
 */
int	 tos_ip_header(const uint8_t *frame, size_t len, size_t *off);

/*
 * The TOS (IPv4) or traffic class (IPv6) byte of the IP packet in an
 * Ethernet frame (behind at most one 802.1Q / 802.1ad tag), or -1 when
 * the frame carries no IP packet it can be read from.
 */
int	 tos_frame_get(const uint8_t *frame, size_t len);

/*
 * Applies tos_decap_ecn to the IP packet in frame for an outer TOS,
 * fixing the IPv4 header checksum (RFC 1624) when the field changes.
 * Returns 1 when the field changed, 0 when not (or the frame carries no
 * IP packet: it has no ECN field, and is never sent ECN-capable), -1
 * when the frame must be dropped.
 */
int	 tos_frame_decap(uint8_t *frame, size_t len, uint8_t outer);

#endif
