/*
 * Path MTU help for the packet path: ICMP "too big" replies and TCP MSS
 * clamping.
 *
 * Both run on frames the kernel wrote into the TAP, which are still
 * treated as untrusted: lengths are checked before anything is read, the
 * fixed headers are copied into stack structs, and only options and the
 * quoted packet are read in place, each after its own bounds check.  A
 * reply is built only after everything it needs has been copied out of
 * the request, so it may overwrite the request in the same buffer.
 */
#include <stdbool.h>
#include <string.h>

#include "addr.h"
#include "csum.h"
#include "frame.h"
#include "pmtu.h"

#define IPV4_VERSION		4
#define IPV4_FLAG_DF		0x4000
#define IPV4_FLAG_MF		0x2000
#define IPV4_OFF_MASK		0x1fff
#define IPV4_TTL		64
#define IPV4_TOS_INTERNETCONTROL 0xc0	/* precedence 6, as routers use */
#define IPV4_ERROR_MAX		576	/* RFC 1812 section 4.3.2.3 */

#define ICMP_HDR_LEN		8
#define ICMP_TYPE_UNREACH	3
#define ICMP_TYPE_SOURCEQUENCH	4
#define ICMP_TYPE_TIMXCEED	11
#define ICMP_TYPE_PARAMPROB	12
#define ICMP_CODE_NEEDFRAG	4

#define IPV6_VERSION		6
#define IPV6_NXT_HOPOPTS	0
#define IPV6_NXT_ROUTING	43
#define IPV6_NXT_FRAGMENT	44
#define IPV6_NXT_AH		51
#define IPV6_NXT_DSTOPTS	60
#define IPV6_FRAG_HDR_LEN	8
#define IPV6_FRAG_OFF_MASK	0xfff8
#define IPV6_HOP_LIMIT		64
#define IPV6_ERROR_MAX		1280	/* RFC 4443 section 2.4 (c) */

#define ICMPV6_TYPE_PTB		2
#define ICMPV6_INFO_MIN		128	/* lower types are errors */

#define TCP_HDR_MIN		20
#define TCP_FLAG_SYN		0x02
#define TCPOPT_EOL		0
#define TCPOPT_NOP		1
#define TCPOPT_MSS		2
#define TCPOLEN_MSS		4

/* All members are byte arrays, so these structs have no padding. */
struct pmtu_ip4_hdr {
	uint8_t		 vhl;		/* version, header length in words */
	uint8_t		 tos;
	uint8_t		 len[2];
	uint8_t		 id[2];
	uint8_t		 off[2];	/* flags, fragment offset */
	uint8_t		 ttl;
	uint8_t		 proto;
	uint8_t		 cksum[2];
	uint8_t		 src[4];
	uint8_t		 dst[4];
};

/* The header shared by ICMP and ICMPv6 error messages. */
struct pmtu_icmp_hdr {
	uint8_t		 type;
	uint8_t		 code;
	uint8_t		 cksum[2];
	uint8_t		 data[4];	/* unused and next-hop MTU, or MTU */
};

struct pmtu_tcp_hdr {
	uint8_t		 sport[2];
	uint8_t		 dport[2];
	uint8_t		 seq[4];
	uint8_t		 ack[4];
	uint8_t		 off;		/* data offset in words, reserved */
	uint8_t		 flags;
	uint8_t		 win[2];
	uint8_t		 cksum[2];
	uint8_t		 urp[2];
};

_Static_assert(sizeof(struct pmtu_ip4_hdr) == IPV4_HDR_MIN, "IPv4 layout");
_Static_assert(sizeof(struct pmtu_icmp_hdr) == ICMP_HDR_LEN, "ICMP layout");
_Static_assert(sizeof(struct pmtu_tcp_hdr) == TCP_HDR_MIN, "TCP layout");

/* What an IPv4 reply may quote, and what an IPv6 reply may. */
#define PMTU_QUOTE4_MAX	(IPV4_ERROR_MAX - IPV4_HDR_MIN - ICMP_HDR_LEN)
#define PMTU_QUOTE6_MAX	(IPV6_ERROR_MAX - IPV6_HDR_LEN - ICMP_HDR_LEN)

_Static_assert(ETH_HDR_LEN + IPV4_ERROR_MAX == PMTU_REPLY4_MAX, "v4 max");
_Static_assert(ETH_HDR_LEN + IPV6_ERROR_MAX == PMTU_REPLY6_MAX, "v6 max");

/*
 * Copies the IPv4 header at pkt (len bytes up to the end of the frame)
 * into ip and returns its header and total lengths.  Returns 0, or -1 if
 * the version is not 4, or the header length or the total length do not
 * fit each other or len.  Ethernet may pad a short packet, so len may
 * exceed the total length, but never fall short of it.
 */
static int
pmtu_ip4_parse(const uint8_t *pkt, size_t len, struct pmtu_ip4_hdr *ip,
    size_t *hlen, size_t *tlen)
{
	if (len < sizeof(*ip))
		return -1;
	memcpy(ip, pkt, sizeof(*ip));
	if ((ip->vhl >> 4) != IPV4_VERSION)
		return -1;
	*hlen = (size_t)(ip->vhl & 0x0f) * 4;
	*tlen = get_be16(ip->len);
	if (*hlen < IPV4_HDR_MIN || *hlen > *tlen || *tlen > len)
		return -1;
	return 0;
}

/*
 * Whether an IPv4 source names a single host that may be sent an error
 * (RFC 1122 section 3.2.2): not 0/8, loopback, multicast or class E,
 * which holds the limited broadcast address.
 */
static bool
pmtu_ip4_src_ok(const uint8_t a[4])
{
	return a[0] != 0 && a[0] != 127 && a[0] < 224;
}

static bool
pmtu_ip4_is_group(const uint8_t a[4])
{
	return a[0] >= 224;
}

static bool
pmtu_icmp_is_error(uint8_t type)
{
	switch (type) {
	case ICMP_TYPE_UNREACH:
	case ICMP_TYPE_SOURCEQUENCH:
	case ICMP_TYPE_REDIRECT:
	case ICMP_TYPE_TIMXCEED:
	case ICMP_TYPE_PARAMPROB:
		return true;
	default:
		return false;
	}
}

/* The Ethernet header of a reply from src_mac to the sender of req. */
static void
pmtu_reply_eth(struct tm_eth_hdr *r, const struct tm_eth_hdr *req,
    const uint8_t *src_mac, uint16_t type)
{
	memcpy(r->dst, req->src, ETH_ALEN_TM);
	memcpy(r->src, src_mac, ETH_ALEN_TM);
	put_be16(r->type, type);
}

static ssize_t
pmtu_too_big4(const struct tm_eth_hdr *eth, const uint8_t *pkt, size_t len,
    int mtu, const uint8_t *src_mac, const struct tm_addr *src4,
    uint8_t *out, size_t outsz)
{
	struct pmtu_ip4_hdr	 ip, rip;
	struct pmtu_icmp_hdr	 icmp;
	struct tm_eth_hdr	 reth;
	size_t			 hlen, tlen, quote, rlen;
	uint16_t		 off;
	uint32_t		 sum;

	if (pmtu_ip4_parse(pkt, len, &ip, &hlen, &tlen) == -1)
		return -1;
	if (csum_fold(csum_add(0, pkt, hlen)) != 0xffff)
		return -1;

	off = get_be16(ip.off);
	if ((off & IPV4_FLAG_DF) == 0 || (off & IPV4_OFF_MASK) != 0)
		return 0;
	if (mtu < PMTU_IP4_MIN || tlen <= (size_t)mtu)
		return 0;
	if (!pmtu_ip4_src_ok(ip.src) || pmtu_ip4_is_group(ip.dst) ||
	    mac_is_group(eth->dst))
		return 0;
	/* Never an error about an error, lest two nodes loop on them. */
	if (ip.proto == IPV4_PROTO_ICMP && tlen > hlen &&
	    pmtu_icmp_is_error(pkt[hlen]))
		return 0;
	if (src4 == NULL)
		return 0;
	if (src4->family != AF_INET)
		return -1;

	quote = tlen < PMTU_QUOTE4_MAX ? tlen : PMTU_QUOTE4_MAX;
	rlen = sizeof(reth) + sizeof(rip) + sizeof(icmp) + quote;
	if (out == NULL || outsz < rlen)
		return -1;

	/* Everything from the request is copied before out is written. */
	pmtu_reply_eth(&reth, eth, src_mac, ETHERTYPE_IPV4_TM);

	memset(&rip, 0, sizeof(rip));
	rip.vhl = IPV4_VERSION << 4 | IPV4_HDR_MIN / 4;
	rip.tos = IPV4_TOS_INTERNETCONTROL;
	put_be16(rip.len, (uint16_t)(rlen - sizeof(reth)));
	rip.ttl = IPV4_TTL;
	rip.proto = IPV4_PROTO_ICMP;
	memcpy(rip.src, &src4->u.v4, sizeof(rip.src));
	memcpy(rip.dst, ip.src, sizeof(rip.dst));
	put_be16(rip.cksum,
	    (uint16_t)~csum_fold(csum_add(0, (uint8_t *)&rip, sizeof(rip))));

	memset(&icmp, 0, sizeof(icmp));
	icmp.type = ICMP_TYPE_UNREACH;
	icmp.code = ICMP_CODE_NEEDFRAG;
	put_be16(icmp.data + 2, (uint16_t)mtu);

	/* memmove: out may be the frame, and the quote overlaps its start. */
	memmove(out + sizeof(reth) + sizeof(rip) + sizeof(icmp), pkt, quote);
	sum = csum_add(0, (uint8_t *)&icmp, sizeof(icmp));
	sum = csum_add(sum, out + sizeof(reth) + sizeof(rip) + sizeof(icmp),
	    quote);
	put_be16(icmp.cksum, (uint16_t)~csum_fold(sum));

	memcpy(out, &reth, sizeof(reth));
	memcpy(out + sizeof(reth), &rip, sizeof(rip));
	memcpy(out + sizeof(reth) + sizeof(rip), &icmp, sizeof(icmp));
	return (ssize_t)rlen;
}

/*
 * Finds the upper-layer header behind the IPv6 extension headers in the
 * payload p of len bytes.  Returns 0 with its protocol in *nxt and its
 * offset in *off, 1 if it cannot be told (a non-first fragment), or -1 if
 * an extension header runs past the payload.  Every header is at least
 * 8 bytes long, so the walk ends.
 */
static int
pmtu_ip6_upper(const uint8_t *p, size_t len, uint8_t nxt0, uint8_t *nxt,
    size_t *off)
{
	size_t	 o = 0, hl;
	uint8_t	 n = nxt0;

	for (;;) {
		switch (n) {
		case IPV6_NXT_HOPOPTS:
		case IPV6_NXT_ROUTING:
		case IPV6_NXT_DSTOPTS:
			if (len - o < 2)
				return -1;
			hl = ((size_t)p[o + 1] + 1) * 8;
			break;
		case IPV6_NXT_AH:
			if (len - o < 2)
				return -1;
			hl = ((size_t)p[o + 1] + 2) * 4;
			break;
		case IPV6_NXT_FRAGMENT:
			if (len - o < IPV6_FRAG_HDR_LEN)
				return -1;
			if ((get_be16(p + o + 2) & IPV6_FRAG_OFF_MASK) != 0)
				return 1;
			hl = IPV6_FRAG_HDR_LEN;
			break;
		default:
			*nxt = n;
			*off = o;
			return 0;
		}
		if (hl > len - o)
			return -1;
		n = p[o];
		o += hl;
	}
}

static bool
pmtu_ip6_is_unspecified(const uint8_t a[16])
{
	static const uint8_t	 zero[16];

	return memcmp(a, zero, sizeof(zero)) == 0;
}

static ssize_t
pmtu_too_big6(const struct tm_eth_hdr *eth, const uint8_t *pkt, size_t len,
    int mtu, const uint8_t *src_mac, const struct tm_addr *src6,
    uint8_t *out, size_t outsz)
{
	struct tm_ip6_hdr	 ip6, rip6;
	struct pmtu_icmp_hdr	 icmp;
	struct tm_eth_hdr	 reth;
	struct in6_addr		 rsrc, rdst;
	uint8_t			*msg;
	size_t			 plen, tlen, quote, rlen, uoff;
	uint8_t			 unxt;

	if (len < sizeof(ip6))
		return -1;
	memcpy(&ip6, pkt, sizeof(ip6));
	if ((ip6.vtcfl[0] >> 4) != IPV6_VERSION)
		return -1;
	plen = get_be16(ip6.plen);
	if (plen > len - sizeof(ip6))
		return -1;
	tlen = sizeof(ip6) + plen;

	if (mtu < PMTU_IP6_MIN || tlen <= (size_t)mtu)
		return 0;
	if (pmtu_ip6_is_unspecified(ip6.src) || ip6.src[0] == 0xff)
		return 0;
	switch (pmtu_ip6_upper(pkt + sizeof(ip6), plen, ip6.nxt, &unxt,
	    &uoff)) {
	case -1:
		return -1;
	case 0:
		if (unxt != IPV6_NXT_ICMPV6)
			break;
		if (uoff >= plen)
			return -1;
		/* RFC 4443 section 2.4 (e.1): never answer an error. */
		if (pkt[sizeof(ip6) + uoff] < ICMPV6_INFO_MIN)
			return 0;
		break;
	default:
		break;
	}
	if (src6 == NULL)
		return 0;
	if (src6->family != AF_INET6)
		return -1;

	quote = tlen < PMTU_QUOTE6_MAX ? tlen : PMTU_QUOTE6_MAX;
	rlen = sizeof(reth) + sizeof(rip6) + sizeof(icmp) + quote;
	if (out == NULL || outsz < rlen)
		return -1;

	pmtu_reply_eth(&reth, eth, src_mac, ETHERTYPE_IPV6_TM);

	memset(&rip6, 0, sizeof(rip6));
	rip6.vtcfl[0] = IPV6_VERSION << 4;
	put_be16(rip6.plen, (uint16_t)(sizeof(icmp) + quote));
	rip6.nxt = IPV6_NXT_ICMPV6;
	rip6.hlim = IPV6_HOP_LIMIT;
	memcpy(rip6.src, &src6->u.v6, sizeof(rip6.src));
	memcpy(rip6.dst, ip6.src, sizeof(rip6.dst));
	memcpy(&rsrc, rip6.src, sizeof(rsrc));
	memcpy(&rdst, rip6.dst, sizeof(rdst));

	memset(&icmp, 0, sizeof(icmp));
	icmp.type = ICMPV6_TYPE_PTB;
	put_be32(icmp.data, (uint32_t)mtu);

	/*
	 * The quote goes first, as out may be the frame; the checksum is then
	 * taken over the message where it lies in out.
	 */
	msg = out + sizeof(reth) + sizeof(rip6);
	memmove(msg + sizeof(icmp), pkt, quote);
	memcpy(out, &reth, sizeof(reth));
	memcpy(out + sizeof(reth), &rip6, sizeof(rip6));
	memcpy(msg, &icmp, sizeof(icmp));
	put_be16(msg + offsetof(struct pmtu_icmp_hdr, cksum),
	    icmp6_checksum(&rsrc, &rdst, msg, sizeof(icmp) + quote));
	return (ssize_t)rlen;
}

ssize_t
pmtu_too_big(const uint8_t *frame, size_t len, int mtu,
    const uint8_t *src_mac, const struct tm_addr *src4,
    const struct tm_addr *src6, uint8_t *out, size_t outsz)
{
	struct tm_eth_hdr	 eth;
	uint8_t			 mac[ETH_ALEN_TM];

	if (frame == NULL || src_mac == NULL || len < sizeof(eth))
		return -1;
	memcpy(&eth, frame, sizeof(eth));
	/* The reply goes to the frame's source, so that must be a host. */
	if (mac_is_group(eth.src))
		return -1;
	/* src_mac may point into the frame, which the reply may overwrite. */
	memcpy(mac, src_mac, sizeof(mac));

	switch (get_be16(eth.type)) {
	case ETHERTYPE_IPV4_TM:
		return pmtu_too_big4(&eth, frame + sizeof(eth),
		    len - sizeof(eth), mtu, mac, src4, out, outsz);
	case ETHERTYPE_IPV6_TM:
		return pmtu_too_big6(&eth, frame + sizeof(eth),
		    len - sizeof(eth), mtu, mac, src6, out, outsz);
	default:
		return 0;
	}
}

/*
 * Replaces the 16-bit value at off in the TCP segment and updates its
 * checksum as RFC 1624 equation 3 does: HC' = ~(~HC + ~m + m').  NOPs may
 * put the value at an odd offset, across two 16-bit words of the sum, so
 * each byte is accounted for in its own word: as the high byte at an even
 * offset, as the low byte at an odd one.  The segment starts at an even
 * offset of the checksummed data, as both pseudo-headers are even.
 */
static void
pmtu_tcp_rewrite(uint8_t *tcp, size_t off, uint16_t v)
{
	uint8_t		*ck = tcp + offsetof(struct pmtu_tcp_hdr, cksum);
	uint8_t		 nb[2];
	uint32_t	 sum;
	size_t		 i;
	int		 shift;

	put_be16(nb, v);
	sum = (uint16_t)~get_be16(ck);
	for (i = 0; i < sizeof(nb); i++) {
		shift = ((off + i) & 1) ? 0 : 8;
		sum += (uint16_t)~((uint32_t)tcp[off + i] << shift);
		sum += (uint32_t)nb[i] << shift;
		tcp[off + i] = nb[i];
	}
	put_be16(ck, (uint16_t)~csum_fold(sum));
}

/*
 * Walks the options of a TCP header of hlen bytes.  Returns -1 if one is
 * malformed, else whether an MSS option is larger than mss; with apply,
 * such options are also lowered to mss.  The caller walks once without
 * apply first, so that a malformed header is never half rewritten.
 */
static int
pmtu_tcp_options(uint8_t *tcp, size_t hlen, uint16_t mss, bool apply)
{
	size_t	 off, olen;
	int	 found = 0;

	for (off = TCP_HDR_MIN; off < hlen; off += olen) {
		if (tcp[off] == TCPOPT_EOL)
			break;
		if (tcp[off] == TCPOPT_NOP) {
			olen = 1;
			continue;
		}
		if (hlen - off < 2)
			return -1;
		olen = tcp[off + 1];
		if (olen < 2 || olen > hlen - off)
			return -1;
		if (tcp[off] != TCPOPT_MSS)
			continue;
		if (olen != TCPOLEN_MSS)
			return -1;
		if (get_be16(tcp + off + 2) <= mss)
			continue;
		found = 1;
		if (apply)
			pmtu_tcp_rewrite(tcp, off + 2, mss);
	}
	return found;
}

static int
pmtu_clamp_tcp(uint8_t *tcp, size_t len, uint16_t mss)
{
	struct pmtu_tcp_hdr	 th;
	size_t			 hlen;
	int			 r;

	if (len < sizeof(th))
		return -1;
	memcpy(&th, tcp, sizeof(th));
	hlen = (size_t)(th.off >> 4) * 4;
	if (hlen < TCP_HDR_MIN || hlen > len)
		return -1;
	if ((th.flags & TCP_FLAG_SYN) == 0 || mss == 0)
		return 0;
	if ((r = pmtu_tcp_options(tcp, hlen, mss, false)) != 1)
		return r;
	return pmtu_tcp_options(tcp, hlen, mss, true);
}

int
pmtu_clamp_mss(uint8_t *frame, size_t len, uint16_t mss4, uint16_t mss6)
{
	struct tm_eth_hdr	 eth;
	struct pmtu_ip4_hdr	 ip;
	struct tm_ip6_hdr	 ip6;
	uint8_t			*pkt;
	size_t			 hlen, tlen, plen;

	if (frame == NULL || len < sizeof(eth))
		return -1;
	memcpy(&eth, frame, sizeof(eth));
	pkt = frame + sizeof(eth);
	len -= sizeof(eth);

	switch (get_be16(eth.type)) {
	case ETHERTYPE_IPV4_TM:
		if (pmtu_ip4_parse(pkt, len, &ip, &hlen, &tlen) == -1)
			return -1;
		if (ip.proto != IPV4_PROTO_TCP)
			return 0;
		/* Fragments are left alone, the first one too. */
		if ((get_be16(ip.off) & (IPV4_FLAG_MF | IPV4_OFF_MASK)) != 0)
			return 0;
		return pmtu_clamp_tcp(pkt + hlen, tlen - hlen, mss4);
	case ETHERTYPE_IPV6_TM:
		if (len < sizeof(ip6))
			return -1;
		memcpy(&ip6, pkt, sizeof(ip6));
		if ((ip6.vtcfl[0] >> 4) != IPV6_VERSION)
			return -1;
		plen = get_be16(ip6.plen);
		if (plen > len - sizeof(ip6))
			return -1;
		if (ip6.nxt != IPV6_NXT_TCP)
			return 0;
		return pmtu_clamp_tcp(pkt + sizeof(ip6), plen, mss6);
	default:
		return 0;
	}
}

int
pmtu_learned(int cur, int mtu, int ipv6)
{
	int	 floor = ipv6 ? PMTU_LEARNED_MIN6 : PMTU_LEARNED_MIN4;

	if (mtu < floor)
		mtu = floor;
	if (cur != 0 && mtu >= cur)
		return 0;
	return mtu;
}

int
pmtu_expired(uint64_t learned_ns, uint64_t now)
{
	return learned_ns != 0 && now - learned_ns >= PMTU_EXPIRE_NS;
}
