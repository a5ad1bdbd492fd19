/*
 * Routing traffic first: see prio.h.
 */
#include <string.h>

#include "byteorder.h"
#include "frame.h"
#include "prio.h"
#include "tos.h"

#define PROTO_TCP		6
#define PROTO_UDP		17
#define PROTO_OSPF		89
#define PROTO_VRRP		112
#define PORT_BGP		179
#define PORT_BFD		3784	/* single hop control (RFC 5881) */
#define PORT_BFD_ECHO		3785
#define PORT_BFD_MULTIHOP	4784	/* RFC 5883 */
#define DSCP_CS6		48
#define DSCP_CS7		56
#define ETH_LEN_MAX		1500	/* a type field above: not 802.3 */

/* All Level 1 / Level 2 ISs, All ISs and All ESs of ES-IS. */
static const uint8_t isis_macs[][ETH_ALEN_TM] = {
	{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x14 },
	{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x15 },
	{ 0x09, 0x00, 0x2b, 0x00, 0x00, 0x04 },
	{ 0x09, 0x00, 0x2b, 0x00, 0x00, 0x05 },
};

static int
isis(const uint8_t *frame)
{
	size_t	 i;

	if (get_be16(frame + 12) > ETH_LEN_MAX)
		return 0;
	for (i = 0; i < sizeof(isis_macs) / sizeof(isis_macs[0]); i++)
		if (memcmp(frame, isis_macs[i], ETH_ALEN_TM) == 0)
			return 1;
	return 0;
}

/* The transport protocol proto at l4 (len bytes of frame in all). */
static int
transport(uint8_t proto, const uint8_t *frame, size_t len, size_t l4)
{
	uint16_t	 sport, dport;

	if (proto == PROTO_OSPF || proto == PROTO_VRRP)
		return 1;
	if ((proto != PROTO_TCP && proto != PROTO_UDP) || len < l4 + 4)
		return 0;
	sport = get_be16(frame + l4);
	dport = get_be16(frame + l4 + 2);
	if (proto == PROTO_TCP)
		return sport == PORT_BGP || dport == PORT_BGP;
	return dport == PORT_BFD || dport == PORT_BFD_ECHO ||
	    dport == PORT_BFD_MULTIHOP;
}

int
prio_tos(uint8_t tos)
{
	return tos >> 2 == DSCP_CS6 || tos >> 2 == DSCP_CS7;
}

int
prio_frame(const uint8_t *frame, size_t len)
{
	const uint8_t	*ip;
	size_t		 l3;
	int		 tos;

	if (frame == NULL || len < ETH_HDR_LEN)
		return 0;
	if (isis(frame))
		return 1;
	if ((tos = tos_frame_get(frame, len)) == -1 ||
	    tos_ip_header(frame, len, &l3) == 0)
		return 0;
	if (prio_tos((uint8_t)tos))
		return 1;
	ip = frame + l3;
	if ((ip[0] >> 4) == 6)
		return transport(ip[6], frame, len, l3 + IPV6_HDR_LEN);
	/* Later fragments carry no transport header. */
	if ((get_be16(ip + 6) & 0x1fff) != 0)
		return ip[9] == PROTO_OSPF || ip[9] == PROTO_VRRP;
	return transport(ip[9], frame, len, l3 + (size_t)(ip[0] & 0x0f) * 4);
}
