/*
 * DSCP and ECN between the inner and the outer header: see tos.h.
 */
#include "byteorder.h"
#include "frame.h"
#include "tos.h"

#define ETHERTYPE_VLAN_TM	0x8100
#define ETHERTYPE_QINQ_TM	0x88a8
#define VLAN_TAG_LEN		4

uint8_t
tos_encap(uint8_t inner, int dscp_copy)
{
	return dscp_copy ? inner : (uint8_t)(inner & TOS_ECN_MASK);
}

int
tos_decap_ecn(uint8_t inner, uint8_t outer)
{
	inner &= TOS_ECN_MASK;
	outer &= TOS_ECN_MASK;
	if (outer == TOS_CE)
		return inner == TOS_NOT_ECT ? -1 : TOS_CE;
	/* Not-ECT, or an outer ECT(1) over an inner ECT(0), says more. */
	if (outer == TOS_ECT1 && inner == TOS_ECT0)
		return TOS_ECT1;
	return inner;
}

int
tos_ip_header(const uint8_t *frame, size_t len, size_t *off)
{
	size_t		 l3 = ETH_HDR_LEN;
	uint16_t	 type;

	if (frame == NULL || len < ETH_HDR_LEN)
		return 0;
	type = get_be16(frame + 12);
	if (type == ETHERTYPE_VLAN_TM || type == ETHERTYPE_QINQ_TM) {
		if (len < ETH_HDR_LEN + VLAN_TAG_LEN)
			return 0;
		type = get_be16(frame + 16);
		l3 += VLAN_TAG_LEN;
	}
	*off = l3;
	if (type == ETHERTYPE_IPV4_TM && len >= l3 + IPV4_HDR_MIN &&
	    (frame[l3] >> 4) == 4 && (frame[l3] & 0x0f) >= 5 &&
	    len >= l3 + (size_t)(frame[l3] & 0x0f) * 4)
		return 4;
	if (type == ETHERTYPE_IPV6_TM && len >= l3 + IPV6_HDR_LEN &&
	    (frame[l3] >> 4) == 6)
		return 6;
	return 0;
}

int
tos_frame_get(const uint8_t *frame, size_t len)
{
	size_t	 off;

	switch (tos_ip_header(frame, len, &off)) {
	case 4:
		return frame[off + 1];
	case 6:
		return (frame[off] & 0x0f) << 4 | frame[off + 1] >> 4;
	default:
		return -1;
	}
}

int
tos_frame_decap(uint8_t *frame, size_t len, uint8_t outer)
{
	uint8_t		*ip;
	uint32_t	 sum;
	uint16_t	 old, new;
	size_t		 off;
	int		 v, tos, ecn;

	if ((v = tos_ip_header(frame, len, &off)) == 0 ||
	    (tos = tos_frame_get(frame, len)) == -1)
		return 0;
	if ((ecn = tos_decap_ecn((uint8_t)tos, outer)) == -1)
		return -1;
	if (ecn == (tos & TOS_ECN_MASK))
		return 0;
	ip = frame + off;
	if (v == 6) {
		/* The ECN bits are bits 4 and 5 of the second byte. */
		ip[1] = (uint8_t)((ip[1] & ~(TOS_ECN_MASK << 4)) | ecn << 4);
		return 1;
	}
	/* RFC 1624: HC' = ~(~HC + ~m + m') over the word holding TOS. */
	old = get_be16(ip);
	ip[1] = (uint8_t)((ip[1] & ~TOS_ECN_MASK) | ecn);
	new = get_be16(ip);
	sum = (uint32_t)(uint16_t)~get_be16(ip + 10) + (uint16_t)~old + new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	put_be16(ip + 10, (uint16_t)~sum);
	return 1;
}
