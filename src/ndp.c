/*
 * IPv6 Neighbour Solicitation responder for peers.
 *
 * The solicitation is validated as RFC 4861 section 7.1.1 asks of any
 * node before the lookup, so that nothing malformed is ever answered.
 * The headers are copied into stack structs after one length check, and
 * everything the reply needs is copied out of the request before the
 * reply is written, so the reply may overwrite the request in place.
 */
#include <string.h>

#include "addr.h"
#include "csum.h"
#include "frame.h"
#include "ndp.h"

#define NDP_HOP_LIMIT		255


#define ND_OPT_SLLA		1	/* source link-layer address */
#define ND_OPT_TLLA		2	/* target link-layer address */
#define ND_OPT_UNIT		8	/* option lengths count 8-byte units */

#define NA_FLAG_ROUTER		0x80
#define NA_FLAG_SOLICITED	0x40
#define NA_FLAG_OVERRIDE	0x20

/* All members are byte arrays, so these structs have no padding. */
/* The fixed part shared by NS and NA: the flags are NA only. */
struct ndp_msg {
	uint8_t		 type;
	uint8_t		 code;
	uint8_t		 cksum[2];
	uint8_t		 flags;
	uint8_t		 reserved[3];
	uint8_t		 target[16];
};

struct ndp_lla_opt {
	uint8_t		 type;
	uint8_t		 len;
	uint8_t		 mac[ETH_ALEN_TM];
};

struct ndp_na_frame {
	struct tm_eth_hdr	 eth;
	struct tm_ip6_hdr	 ip6;
	struct ndp_msg		 msg;
	struct ndp_lla_opt	 tlla;
};

_Static_assert(sizeof(struct ndp_msg) == 24, "NS/NA layout");
_Static_assert(sizeof(struct ndp_lla_opt) == ND_OPT_UNIT, "option layout");
_Static_assert(sizeof(struct ndp_na_frame) == NDP_NA_FRAME_LEN,
    "NA frame layout");

/* ff02::1, and the MAC it maps to (RFC 2464 section 7). */
static const uint8_t ndp_all_nodes[16] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
};
static const uint8_t ndp_all_nodes_mac[ETH_ALEN_TM] = {
	0x33, 0x33, 0, 0, 0, 0x01
};

/* ff02::1:ff00:0/104, the solicited-node multicast prefix. */
static const uint8_t ndp_solicited_prefix[13] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff
};

/*
 * Walks the options after the fixed part of the solicitation.  Returns 0
 * and sets *slla to the source link-layer address option's MAC (or NULL
 * if there is none), or -1 if an option is empty, runs past the end of
 * the message, or a source link-layer address option is repeated or is
 * not the 8 bytes of an Ethernet address (RFC 2464 section 8).
 */
static int
ndp_parse_options(const uint8_t *opt, size_t len, const uint8_t **slla)
{
	struct ndp_lla_opt	 lla;
	size_t			 off, olen;

	*slla = NULL;
	for (off = 0; off < len; off += olen) {
		if (len - off < 2)
			return -1;
		olen = (size_t)opt[off + 1] * ND_OPT_UNIT;
		if (olen == 0 || olen > len - off)
			return -1;
		if (opt[off] != ND_OPT_SLLA)
			continue;
		if (*slla != NULL || olen != sizeof(lla))
			return -1;
		*slla = opt + off + offsetof(struct ndp_lla_opt, mac);
	}
	return 0;
}

static bool
ndp_is_unspecified(const uint8_t a[16])
{
	static const uint8_t	 zero[16];

	return memcmp(a, zero, sizeof(zero)) == 0;
}

static bool
ndp_is_multicast(const uint8_t a[16])
{
	return a[0] == 0xff;
}

ssize_t
ndp_respond(const uint8_t *frame, size_t len, resp_lookup_fn lookup,
    void *arg, uint8_t *out, size_t outlen)
{
	struct tm_eth_hdr	 eth;
	struct tm_ip6_hdr	 ip6;
	struct ndp_msg		 ns;
	struct ndp_na_frame	 na;
	struct tm_addr		 target;
	struct in6_addr		 nsrc, ndst;
	const uint8_t		*icmp, *slla;
	uint8_t			 mac[ETH_ALEN_TM], rdst[ETH_ALEN_TM];
	size_t			 plen;
	uint16_t		 sum;
	bool			 dad;

	if (frame == NULL || len < ETH_HDR_LEN + IPV6_HDR_LEN)
		return -1;
	memcpy(&eth, frame, sizeof(eth));
	memcpy(&ip6, frame + sizeof(eth), sizeof(ip6));
	if (get_be16(eth.type) != ETHERTYPE_IPV6_TM || (ip6.vtcfl[0] >> 4) != 6)
		return -1;

	/* Ethernet may pad a short packet, but never cut one short. */
	plen = get_be16(ip6.plen);
	if (plen > len - ETH_HDR_LEN - IPV6_HDR_LEN)
		return -1;
	icmp = frame + ETH_HDR_LEN + IPV6_HDR_LEN;

	/* Whatever is not an NS is not ours to answer, nor malformed. */
	if (ip6.nxt != IPV6_NXT_ICMPV6)
		return 0;
	if (plen < 1)
		return -1;
	if (icmp[0] != ICMPV6_TYPE_NS)
		return 0;

	if (plen < sizeof(ns))
		return -1;
	memcpy(&ns, icmp, sizeof(ns));

	/*
	 * A hop limit of 255 proves the solicitation was not forwarded by a
	 * router from another link (RFC 4861 section 7.1.1).
	 */
	if (ip6.hlim != NDP_HOP_LIMIT || ns.code != 0)
		return -1;
	if (ndp_is_multicast(ns.target) || ndp_is_multicast(ip6.src))
		return -1;

	memcpy(&nsrc, ip6.src, sizeof(nsrc));
	memcpy(&ndst, ip6.dst, sizeof(ndst));
	if (icmp6_checksum(&nsrc, &ndst, icmp, plen) != 0)
		return -1;

	if (ndp_parse_options(icmp + sizeof(ns), plen - sizeof(ns),
	    &slla) == -1)
		return -1;

	/*
	 * Duplicate address detection: the sender has no address yet, so it
	 * can only have asked the solicited-node group, and it cannot have
	 * put a link-layer address to remember into the solicitation.
	 */
	dad = ndp_is_unspecified(ip6.src);
	if (dad && (slla != NULL || memcmp(ip6.dst, ndp_solicited_prefix,
	    sizeof(ndp_solicited_prefix)) != 0))
		return -1;

	/*
	 * The reply goes to a unicast MAC (or to all nodes for DAD), never to
	 * a group address the requester could not have as its own.
	 */
	if (mac_is_group(eth.src) || (slla != NULL && mac_is_group(slla)))
		return -1;
	if (dad)
		memcpy(rdst, ndp_all_nodes_mac, ETH_ALEN_TM);
	else if (slla != NULL)
		memcpy(rdst, slla, ETH_ALEN_TM);
	else
		memcpy(rdst, eth.src, ETH_ALEN_TM);

	memset(&target, 0, sizeof(target));
	target.family = AF_INET6;
	memcpy(&target.u.v6, ns.target, sizeof(ns.target));
	if (lookup == NULL || lookup(arg, &target, mac) != 1)
		return 0;

	if (out == NULL || outlen < NDP_NA_FRAME_LEN)
		return -1;

	memset(&na, 0, sizeof(na));
	memcpy(na.eth.dst, rdst, ETH_ALEN_TM);
	memcpy(na.eth.src, mac, ETH_ALEN_TM);
	put_be16(na.eth.type, ETHERTYPE_IPV6_TM);

	na.ip6.vtcfl[0] = 6 << 4;
	put_be16(na.ip6.plen, sizeof(na.msg) + sizeof(na.tlla));
	na.ip6.nxt = IPV6_NXT_ICMPV6;
	na.ip6.hlim = NDP_HOP_LIMIT;
	memcpy(na.ip6.src, ns.target, sizeof(na.ip6.src));
	memcpy(na.ip6.dst, dad ? ndp_all_nodes : ip6.src, sizeof(na.ip6.dst));

	/* Peers stand in for routers in tapmesh's model: R is always set. */
	na.msg.type = ICMPV6_TYPE_NA;
	na.msg.flags = NA_FLAG_ROUTER | NA_FLAG_OVERRIDE;
	if (!dad)
		na.msg.flags |= NA_FLAG_SOLICITED;
	memcpy(na.msg.target, ns.target, sizeof(na.msg.target));
	na.tlla.type = ND_OPT_TLLA;
	na.tlla.len = 1;
	memcpy(na.tlla.mac, mac, ETH_ALEN_TM);

	/* The struct has no padding, so msg and tlla are one contiguous run. */
	memcpy(&nsrc, na.ip6.src, sizeof(nsrc));
	memcpy(&ndst, na.ip6.dst, sizeof(ndst));
	sum = icmp6_checksum(&nsrc, &ndst,
	    (const uint8_t *)&na + offsetof(struct ndp_na_frame, msg),
	    sizeof(na.msg) + sizeof(na.tlla));
	put_be16(na.msg.cksum, sum);

	memcpy(out, &na, sizeof(na));
	return NDP_NA_FRAME_LEN;
}
