/*
 * Ethernet frame classification.
 *
 * Every frame the kernel writes into the TAP is sorted into one class
 * before anything else looks at it, so the packet path can be read as a
 * switch over the class: ARP and Neighbour Solicitations are answered
 * locally, ICMP redirects are dropped (a node forwarding between two
 * peers on the same link must not send them), group frames go to every
 * live peer, and unicast frames go to the peer owning the destination MAC.
 */
#ifndef TAPMESH_FRAME_H
#define TAPMESH_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define ETH_HDR_LEN		14
#define ETH_FRAME_MIN		ETH_HDR_LEN
#define ETHERTYPE_IPV4_TM	0x0800
#define ETHERTYPE_ARP_TM	0x0806
#define ETHERTYPE_IPV6_TM	0x86dd

/* IP numbers shared by the modules that read or build packets. */
#define IPV4_HDR_MIN		20
#define IPV4_PROTO_ICMP		1
#define IPV4_PROTO_TCP		6
#define ICMP_TYPE_REDIRECT	5
#define IPV6_HDR_LEN		40
#define IPV6_NXT_TCP		6
#define IPV6_NXT_ICMPV6		58
#define ICMPV6_TYPE_NS		135
#define ICMPV6_TYPE_NA		136

/*
 * The Ethernet and IPv6 headers as they are on the wire.  All members are
 * byte arrays, so the structs have no padding.
 */
struct tm_eth_hdr {
	uint8_t		 dst[ETH_ALEN_TM];
	uint8_t		 src[ETH_ALEN_TM];
	uint8_t		 type[2];
};

struct tm_ip6_hdr {
	uint8_t		 vtcfl[4];	/* version, traffic class, flow label */
	uint8_t		 plen[2];
	uint8_t		 nxt;
	uint8_t		 hlim;
	uint8_t		 src[16];
	uint8_t		 dst[16];
};

_Static_assert(sizeof(struct tm_eth_hdr) == ETH_HDR_LEN, "Ethernet layout");
_Static_assert(sizeof(struct tm_ip6_hdr) == IPV6_HDR_LEN, "IPv6 layout");

enum frame_class {
	FRAME_MALFORMED = 0,	/* shorter than an Ethernet header */
	FRAME_ARP,		/* ethertype ARP: answered locally, never sent */
	FRAME_NDP,		/* IPv6 NS/NA (and only those): local, never sent */
	FRAME_REDIRECT,		/* ICMP / ICMPv6 redirect: dropped */
	FRAME_GROUP,		/* group destination MAC: to every live peer */
	FRAME_UNICAST,		/* to the peer owning the destination MAC */
};

/*
 * Classifies a frame read from the TAP.  Only the fields needed to pick
 * the class are inspected; the responders validate the rest.  An IPv6
 * packet is FRAME_NDP only if its next header is ICMPv6 and the ICMPv6
 * type is 135 or 136; anything too short to tell falls back to the
 * destination MAC's class.
 */
enum frame_class frame_classify(const uint8_t *, size_t);

/* A short name of the class, for logs and counters. */
const char	*frame_class_name(enum frame_class);

#endif
