/*
 * Ethernet frame classification.
 *
 * This runs once per frame read from the TAP, so it allocates nothing,
 * reads only the handful of bytes that decide the class and reads them
 * straight from the frame after a length check.  It does not validate
 * what it does not need: the ARP and NDP responders check their packets
 * completely, and everything else is the peers' business.
 */
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "csum.h"
#include "frame.h"


#define ICMPV6_TYPE_REDIRECT	137

static enum frame_class
frame_by_dst(const uint8_t *frame)
{
	return mac_is_group(frame) ? FRAME_GROUP : FRAME_UNICAST;
}

/*
 * IPv4: only an ICMP redirect is special.  A fragment other than the
 * first carries no ICMP header at its start, so it is never taken for
 * one; a header length below the minimum or beyond the frame means the
 * packet cannot be inspected and it falls back to the MAC's class.
 */
static enum frame_class
frame_classify_ipv4(const uint8_t *frame, size_t len)
{
	const uint8_t	*ip = frame + ETH_HDR_LEN;
	size_t		 iplen = len - ETH_HDR_LEN, hlen;

	if (iplen < IPV4_HDR_MIN || (ip[0] >> 4) != 4)
		return frame_by_dst(frame);
	hlen = (size_t)(ip[0] & 0x0f) * 4;
	if (hlen < IPV4_HDR_MIN || hlen >= iplen)
		return frame_by_dst(frame);
	if ((get_be16(ip + 6) & 0x1fff) != 0)
		return frame_by_dst(frame);
	if (ip[9] == IPV4_PROTO_ICMP && ip[hlen] == ICMP_TYPE_REDIRECT)
		return FRAME_REDIRECT;
	return frame_by_dst(frame);
}

/*
 * IPv6: NS/NA and redirects are recognised only when ICMPv6 follows the
 * fixed header directly.  The kernel never puts extension headers in
 * front of the neighbour discovery messages it sends, and RFC 4861
 * receivers are not required to look behind them either.
 */
static enum frame_class
frame_classify_ipv6(const uint8_t *frame, size_t len)
{
	const uint8_t	*ip = frame + ETH_HDR_LEN;
	size_t		 iplen = len - ETH_HDR_LEN;

	if (iplen <= IPV6_HDR_LEN || (ip[0] >> 4) != 6 ||
	    ip[6] != IPV6_NXT_ICMPV6)
		return frame_by_dst(frame);
	switch (ip[IPV6_HDR_LEN]) {
	case ICMPV6_TYPE_NS:
	case ICMPV6_TYPE_NA:
		return FRAME_NDP;
	case ICMPV6_TYPE_REDIRECT:
		return FRAME_REDIRECT;
	default:
		return frame_by_dst(frame);
	}
}

enum frame_class
frame_classify(const uint8_t *frame, size_t len)
{
	if (frame == NULL || len < ETH_FRAME_MIN)
		return FRAME_MALFORMED;

	/*
	 * 802.1Q tags and 802.3 length fields (LLC, e.g. IS-IS) end up in
	 * the default case: only the destination MAC matters for them.
	 */
	switch (get_be16(frame + 12)) {
	case ETHERTYPE_ARP_TM:
		return FRAME_ARP;
	case ETHERTYPE_IPV4_TM:
		return frame_classify_ipv4(frame, len);
	case ETHERTYPE_IPV6_TM:
		return frame_classify_ipv6(frame, len);
	default:
		return frame_by_dst(frame);
	}
}

const char *
frame_class_name(enum frame_class class)
{
	switch (class) {
	case FRAME_MALFORMED:
		return "malformed";
	case FRAME_ARP:
		return "arp";
	case FRAME_NDP:
		return "ndp";
	case FRAME_REDIRECT:
		return "redirect";
	case FRAME_GROUP:
		return "group";
	case FRAME_UNICAST:
		return "unicast";
	}
	return "unknown";
}
