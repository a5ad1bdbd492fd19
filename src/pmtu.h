/*
 * Path MTU help for the packet path: ICMP "too big" replies and TCP MSS
 * clamping, and the rules for an underlay MTU learned from ICMP.
 *
 * The tunnel adds its own headers, so the largest inner IP packet that
 * crosses a path can be smaller than what the TAP's MTU lets the kernel
 * send.  An oversized packet is answered the way the next hop would
 * answer it: with an ICMP Fragmentation Needed or an ICMPv6 Packet Too
 * Big that appears to come from the peer, so that the sender lowers its
 * path MTU.  TCP connections are spared that round trip by lowering the
 * MSS option of their SYNs.  Every function is pure: no state, no
 * allocation, no system calls.
 */
#ifndef TAPMESH_PMTU_H
#define TAPMESH_PMTU_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"

#define PMTU_IP4_MIN		68	/* RFC 791: every link carries it */
#define PMTU_IP6_MIN		1280	/* RFC 8200 section 5 */

/*
 * An underlay MTU learned from an ICMP error is never taken below these
 * (the smallest the mtu setting accepts for IPv4; the IPv6 minimum, RFC
 * 8201 section 4), so a forged or broken "too big" cannot shrink a path
 * further, and it is forgotten after PMTU_EXPIRE_NS, as the kernel's
 * ip_rt_mtu_expires does: full-size packets then probe the path again,
 * and one that is still narrow answers with a new ICMP error.
 */
#define PMTU_LEARNED_MIN4	576
#define PMTU_LEARNED_MIN6	PMTU_IP6_MIN
#define PMTU_EXPIRE_NS		(600 * 1000000000ULL)

/*
 * The MTU a path whose MTU is cur (0: unknown) takes when an ICMP error
 * reports mtu for it: mtu raised to its family's floor, or 0 if that
 * does not lower cur (an MTU is only ever lowered by a report).  Pure.
 */
int	 pmtu_learned(int cur, int mtu, int ipv6);

/*
 * True if an MTU learned at learned_ns (0: not learned) has expired at
 * now.  Pure.
 */
int	 pmtu_expired(uint64_t learned_ns, uint64_t now);

/*
 * The longest replies, Ethernet header included: an ICMP error is at most
 * 576 bytes of IPv4 (RFC 1812 section 4.3.2.3), an ICMPv6 error at most
 * 1280 bytes of IPv6 (RFC 4443 section 2.4 (c)).  An out buffer of
 * PMTU_REPLY_MAX bytes is always large enough.
 */
#define PMTU_REPLY4_MAX		(14 + 576)
#define PMTU_REPLY6_MAX		(14 + 1280)
#define PMTU_REPLY_MAX		PMTU_REPLY6_MAX

/*
 * Answers an Ethernet frame read from the TAP whose IP packet is larger
 * than mtu, the largest IP packet (L3 bytes) the path to the peer
 * carries.
 *
 * IPv4: a packet with DF set and a total length above mtu is answered
 * with an ICMP Destination Unreachable, Fragmentation Needed (type 3
 * code 4) whose next-hop MTU is mtu, from src4 to the packet's source,
 * quoting as much of the packet as fits in 576 bytes.  Nothing is sent
 * (0) for a packet without DF, a non-first fragment, an ICMP error
 * (types 3, 4, 5, 11, 12), a source in 0/8, 127/8, 224/4 or 240/4 (which
 * includes 255.255.255.255), a multicast or broadcast destination, a
 * group destination MAC (RFC 1122 section 3.2.2), or an mtu below
 * PMTU_IP4_MIN.  The header checksum must verify.
 *
 * IPv6: a packet longer than mtu is answered with an ICMPv6 Packet Too
 * Big (type 2 code 0) carrying mtu, from src6 to the packet's source,
 * quoting as much of the packet as fits in 1280 bytes.  Nothing is sent
 * for an ICMPv6 error (type below 128, found behind any hop-by-hop,
 * routing, destination options, AH or first-fragment headers), an
 * unspecified or multicast source, or an mtu below PMTU_IP6_MIN.
 *
 * The reply frame goes to the frame's source MAC from src_mac (the
 * peer's MAC).  src4 or src6 may be NULL if the peer has no address of
 * that family: then nothing is sent for it.  Other ethertypes are left
 * alone (0).  Returns the reply's length, 0 if no ICMP is due, or -1 if
 * the frame is malformed (truncated, inconsistent lengths, a bad IPv4
 * header checksum, a group source MAC), if src4 is not AF_INET or src6
 * not AF_INET6, or if out is too short for the reply.  out is written
 * only when a reply is returned, and may be the frame's own buffer.
 */
ssize_t	 pmtu_too_big(const uint8_t *, size_t, int, const uint8_t *,
	    const struct tm_addr *, const struct tm_addr *, uint8_t *, size_t);

/*
 * Lowers the MSS option of a TCP SYN (or SYN-ACK) carried in an Ethernet
 * frame to mss4 for IPv4 or mss6 for IPv6, and updates the TCP checksum
 * incrementally (RFC 1624).  An MSS of 0 turns clamping off for that
 * family.  The options are walked completely before anything is changed;
 * EOL ends them.  IPv4 fragments, IPv6 packets whose next header is not
 * TCP, segments without SYN and other ethertypes are left alone.
 * Returns 1 if the frame was changed, 0 if not, or -1 if it is malformed
 * (truncated, inconsistent IP lengths, a TCP data offset below 5 or past
 * the segment, an option of length 0 or 1 or running past the header, an
 * MSS option that is not 4 bytes long); a malformed frame is not changed.
 */
int	 pmtu_clamp_mss(uint8_t *, size_t, uint16_t, uint16_t);

#endif
