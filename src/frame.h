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

#define ETH_HDR_LEN		14
#define ETH_FRAME_MIN		ETH_HDR_LEN
#define ETHERTYPE_IPV4_TM	0x0800
#define ETHERTYPE_ARP_TM	0x0806
#define ETHERTYPE_IPV6_TM	0x86dd

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
