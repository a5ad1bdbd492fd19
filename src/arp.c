/*
 * ARP responder for peers.
 *
 * Only the kernel on the TAP talks to this code, but the frame is still
 * treated as untrusted input: its length is checked once, the headers are
 * copied into stack structs and every field is checked before the lookup.
 * Because everything needed for the reply is copied out of the request
 * first, the reply may be written over the request in the same buffer.
 */
#include <string.h>

#include "addr.h"
#include "arp.h"
#include "csum.h"
#include "frame.h"

#define ARP_HTYPE_ETHER		1
#define ARP_OP_REQUEST		1
#define ARP_OP_REPLY		2
#define ARP_IPV4_ALEN		4

/* All members are byte arrays, so this struct has no padding. */
struct arp_ipv4_pkt {
	uint8_t		 htype[2];
	uint8_t		 ptype[2];
	uint8_t		 hlen;
	uint8_t		 plen;
	uint8_t		 op[2];
	uint8_t		 sha[ETH_ALEN_TM];
	uint8_t		 spa[ARP_IPV4_ALEN];
	uint8_t		 tha[ETH_ALEN_TM];
	uint8_t		 tpa[ARP_IPV4_ALEN];
};

_Static_assert(sizeof(struct tm_eth_hdr) + sizeof(struct arp_ipv4_pkt) ==
    ARP_FRAME_LEN, "ARP frame layout");

ssize_t
arp_respond(const uint8_t *frame, size_t len, resp_lookup_fn lookup,
    void *arg, uint8_t *out, size_t outlen)
{
	struct tm_eth_hdr	 eth, reth;
	struct arp_ipv4_pkt	 arp, rarp;
	struct tm_addr		 target;
	uint8_t			 mac[ETH_ALEN_TM];

	if (frame == NULL || len < ARP_FRAME_LEN)
		return -1;
	memcpy(&eth, frame, sizeof(eth));
	memcpy(&arp, frame + sizeof(eth), sizeof(arp));

	if (get_be16(eth.type) != ETHERTYPE_ARP_TM ||
	    get_be16(arp.htype) != ARP_HTYPE_ETHER ||
	    get_be16(arp.ptype) != ETHERTYPE_IPV4_TM ||
	    arp.hlen != ETH_ALEN_TM || arp.plen != ARP_IPV4_ALEN)
		return -1;
	switch (get_be16(arp.op)) {
	case ARP_OP_REQUEST:
		break;
	case ARP_OP_REPLY:
		/* The kernel answering for its own address: nothing to do. */
		return 0;
	default:
		return -1;
	}

	/*
	 * The reply goes to the sender hardware address, so it has to be the
	 * unicast address the frame came from; anything else would make us
	 * answer somebody who did not ask, or a whole group.
	 */
	if (memcmp(arp.sha, eth.src, ETH_ALEN_TM) != 0 || mac_is_group(arp.sha))
		return -1;

	/* Gratuitous ARP announces the sender's own address; no answer. */
	if (memcmp(arp.spa, arp.tpa, ARP_IPV4_ALEN) == 0)
		return 0;

	memset(&target, 0, sizeof(target));
	target.family = AF_INET;
	memcpy(&target.u.v4, arp.tpa, ARP_IPV4_ALEN);
	if (lookup == NULL || lookup(arg, &target, mac) != 1)
		return 0;

	if (out == NULL || outlen < ARP_FRAME_LEN)
		return -1;

	memcpy(reth.dst, arp.sha, ETH_ALEN_TM);
	memcpy(reth.src, mac, ETH_ALEN_TM);
	put_be16(reth.type, ETHERTYPE_ARP_TM);

	put_be16(rarp.htype, ARP_HTYPE_ETHER);
	put_be16(rarp.ptype, ETHERTYPE_IPV4_TM);
	rarp.hlen = ETH_ALEN_TM;
	rarp.plen = ARP_IPV4_ALEN;
	put_be16(rarp.op, ARP_OP_REPLY);
	memcpy(rarp.sha, mac, ETH_ALEN_TM);
	memcpy(rarp.spa, arp.tpa, ARP_IPV4_ALEN);
	memcpy(rarp.tha, arp.sha, ETH_ALEN_TM);
	memcpy(rarp.tpa, arp.spa, ARP_IPV4_ALEN);

	memcpy(out, &reth, sizeof(reth));
	memcpy(out + sizeof(reth), &rarp, sizeof(rarp));
	return ARP_FRAME_LEN;
}
