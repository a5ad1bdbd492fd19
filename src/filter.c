/*
 * The trust boundary's rules: see filter.h.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "byteorder.h"
#include "daemon.h"
#include "filter.h"
#include "frame.h"
#include "routes.h"

#define IPV6_NXT_HOPOPTS	0
#define IPV6_NXT_ROUTING	43
#define IPV6_NXT_FRAGMENT	44
#define IPV6_NXT_AH		51
#define IPV6_NXT_DSTOPTS	60
#define ICMPV6_TYPE_RS		133	/* RS, RA, NS, NA, Redirect: 133..137 */
#define ICMPV6_TYPE_ND_LAST	137
#define ICMPV6_TYPE_RA		134
#define ICMPV6_RA_LEN		16	/* type .. retrans timer */
#define ND_OPT_SLLA		1
#define ND_OPT_PREFIX		3
#define ND_OPT_MTU		5
#define ND_OPT_ADV_INTERVAL	7

/* The owner of this node's addresses in the owner tables. */
static const char	 filter_self;
#define SELF		((void *)&filter_self)

static enum filter_kind
inspect_ipv4(const uint8_t *ip, size_t len, const uint8_t **src)
{
	size_t	 hlen;

	if (len < IPV4_HDR_MIN || (ip[0] >> 4) != 4)
		return FILTER_MALFORMED;
	hlen = (size_t)(ip[0] & 0x0f) * 4;
	if (hlen < IPV4_HDR_MIN || hlen > len)
		return FILTER_MALFORMED;
	*src = ip + 12;
	return FILTER_IPV4;
}

/*
 * A router advertisement that may cross the segment: right behind the
 * IPv6 header, hop limit 255, and no option other than the source
 * link-layer address, MTU, prefix information and advertisement
 * interval (no route, DNS or unknown option).  FRR's BGP "unnumbered"
 * sessions find their neighbour's link-local address from the RAs zebra
 * sends (with the interface's prefixes), so such RAs cross; the TAP's
 * accept_ra = 0 and autoconf = 0 keep the kernel from taking a route or
 * an address from one, and the source rules still hold the sender to
 * its own link-local address.  Any other RA, and every RS, NS, NA and
 * Redirect, is neighbour discovery and stays local.
 */
static int
ra_may_cross(const uint8_t *ip6, const uint8_t *icmp, size_t len)
{
	size_t	 off = ICMPV6_RA_LEN, olen;

	if (len < ICMPV6_RA_LEN || icmp[0] != ICMPV6_TYPE_RA || icmp[1] != 0 ||
	    ip6[7] != 255)
		return 0;
	while (off < len) {
		if (len - off < 8 || icmp[off + 1] == 0)
			return 0;
		olen = (size_t)icmp[off + 1] * 8;
		if (olen > len - off)
			return 0;
		switch (icmp[off]) {
		case ND_OPT_SLLA:
		case ND_OPT_MTU:
		case ND_OPT_PREFIX:
		case ND_OPT_ADV_INTERVAL:
			break;
		default:
			return 0;
		}
		off += olen;
	}
	return 1;
}

/*
 * The walk stops at the first header that is not an extension header it
 * knows: that is the upper layer.  ESP hides what follows; the kernel
 * decrypts it, but a peer's ND inside ESP would need keys shared with
 * this node, which the peer does not have unless we gave them.
 */
static enum filter_kind
inspect_ipv6(const uint8_t *ip, size_t len, const uint8_t **src)
{
	size_t		 off = IPV6_HDR_LEN, plen, hlen;
	unsigned int	 i;
	uint8_t		 nxt;

	if (len < IPV6_HDR_LEN || (ip[0] >> 4) != 6)
		return FILTER_MALFORMED;
	/* Ethernet may pad; the payload length says where the packet ends. */
	plen = get_be16(ip + 4);
	if (plen > len - IPV6_HDR_LEN)
		return FILTER_MALFORMED;
	len = IPV6_HDR_LEN + plen;
	*src = ip + 8;
	nxt = ip[6];
	for (i = 0; i <= FILTER_MAX_EXT; i++) {
		switch (nxt) {
		case IPV6_NXT_HOPOPTS:
		case IPV6_NXT_ROUTING:
		case IPV6_NXT_DSTOPTS:
		case IPV6_NXT_AH:
		case IPV6_NXT_FRAGMENT:
			break;
		case IPV6_NXT_ICMPV6:
			if (off >= len)
				return FILTER_MALFORMED;
			if (i == 0 && ra_may_cross(ip, ip + off, len - off))
				return FILTER_IPV6;
			if (ip[off] >= ICMPV6_TYPE_RS &&
			    ip[off] <= ICMPV6_TYPE_ND_LAST)
				return FILTER_ND;
			return FILTER_IPV6;
		default:
			return FILTER_IPV6;
		}
		if (i == FILTER_MAX_EXT || len - off < 8)
			return FILTER_MALFORMED;
		if (nxt == IPV6_NXT_FRAGMENT) {
			/* A later fragment: no upper-layer header in it. */
			if ((get_be16(ip + off + 2) & 0xfff8) != 0)
				return FILTER_IPV6;
			hlen = 8;
		} else if (nxt == IPV6_NXT_AH)
			hlen = ((size_t)ip[off + 1] + 2) * 4;
		else
			hlen = ((size_t)ip[off + 1] + 1) * 8;
		nxt = ip[off];
		if (hlen > len - off)
			return FILTER_MALFORMED;
		off += hlen;
	}
	return FILTER_MALFORMED;
}

enum filter_kind
filter_inspect(const uint8_t *frame, size_t len, const uint8_t **src)
{
	if (len < ETH_HDR_LEN)
		return FILTER_MALFORMED;
	switch (get_be16(frame + 12)) {
	case ETHERTYPE_IPV4_TM:
		return inspect_ipv4(frame + ETH_HDR_LEN, len - ETH_HDR_LEN,
		    src);
	case ETHERTYPE_IPV6_TM:
		return inspect_ipv6(frame + ETH_HDR_LEN, len - ETH_HDR_LEN,
		    src);
	default:
		return FILTER_OTHER;
	}
}

void
filter_init(struct filter *f)
{
	lpm_init(&f->owners4, 32);
	lpm_init(&f->owners6, 128);
}

void
filter_free(struct filter *f)
{
	lpm_free(&f->owners4, NULL);
	lpm_free(&f->owners6, NULL);
}

static int
owner_add(struct filter *f, const struct tm_addr *a, void *owner)
{
	void	**slot;

	if (a->family == AF_INET)
		slot = lpm_slot(&f->owners4, (const uint8_t *)&a->u.v4, 32);
	else
		slot = lpm_slot(&f->owners6, a->u.v6.s6_addr, 128);
	if (slot == NULL)
		return -1;
	*slot = owner;
	return 0;
}

static int
owner_add_ll(struct filter *f, const struct in6_addr *ll, void *owner)
{
	struct tm_addr	 a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET6;
	a.u.v6 = *ll;
	return owner_add(f, &a, owner);
}

int
filter_build(struct filter *f, const struct tm_config *conf,
    struct peer *const *peers, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < conf->naddrs; i++)
		if (owner_add(f, &conf->addrs[i].addr, SELF) == -1)
			goto fail;
	if (owner_add_ll(f, &conf->lladdr, SELF) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		const struct peer_conf *pc = &conf->peers[i];

		for (j = 0; j < pc->naddrs; j++)
			if (owner_add(f, &pc->addrs[j], peers[i]) == -1)
				goto fail;
		if (owner_add_ll(f, &pc->lladdr, peers[i]) == -1)
			goto fail;
	}
	return 0;
 fail:
	filter_free(f);
	filter_init(f);
	return -1;
}

static void
log_drop(struct tm_ctx *ctx, const struct peer *p, int family,
    const uint8_t *src, const char *why)
{
	char		 a[INET6_ADDRSTRLEN];
	uint64_t	 suppressed = 0;

	if (!log_ratelimit_ok(&ctx->rl_filter, &suppressed))
		return;
	if (src == NULL || inet_ntop(family, src, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	log_warnx("peer %s: dropped a packet from %s: %s%s", p->conf.name, a,
	    why, suppressed ? " (and more not logged)" : "");
}

/* True if src lies in one of p's allowed_sources. */
static int
allowed_source(const struct peer *p, int family, const uint8_t *src)
{
	struct tm_addr	 a;
	size_t		 i;

	memset(&a, 0, sizeof(a));
	a.family = family;
	memcpy(&a.u, src, family == AF_INET ? 4 : 16);
	for (i = 0; i < p->conf.nallowed; i++)
		if (prefix_contains(&p->conf.allowed[i], &a))
			return 1;
	return 0;
}

int
filter_from_peer(struct tm_ctx *ctx, struct peer *p, const uint8_t *frame,
    size_t len)
{
	const uint8_t	*src = NULL;
	const char	*why;
	void		*owner;
	int		 family;

	switch (filter_inspect(frame, len, &src)) {
	case FILTER_OTHER:
		return 0;
	case FILTER_MALFORMED:
		count_drop(ctx, p, DROP_MALFORMED);
		return -1;
	case FILTER_ND:
		count_drop(ctx, p, DROP_ND_FROM_PEER);
		log_drop(ctx, p, AF_INET6, src, "neighbour or router "
		    "discovery stays on its own link");
		return -1;
	case FILTER_IPV4:
		family = AF_INET;
		owner = lpm_lookup(&ctx->filter.owners4, src, NULL);
		break;
	case FILTER_IPV6:
		family = AF_INET6;
		owner = lpm_lookup(&ctx->filter.owners6, src, NULL);
		break;
	default:
		return -1;
	}
	if (owner == p)
		return 0;
	if (owner == SELF)
		why = "an address of this node";
	else if (owner != NULL)
		why = "another peer's address";
	else if (family == AF_INET6 && src[0] == 0xfe &&
	    (src[1] & 0xc0) == 0x80)
		why = "a link-local address not its own";
	else {
		switch (p->conf.source_check) {
		case TM_SOURCE_LOOSE:
			return 0;
		case TM_SOURCE_PREFIXES:
			if (allowed_source(p, family, src))
				return 0;
			why = "outside its allowed_sources";
			break;
		case TM_SOURCE_STRICT:
			if (routes_feasible(&ctx->routes, family, src, p))
				return 0;
			why = "no route through the TAP leads there via it";
			break;
		default:
			why = "unknown source_check";
			break;
		}
	}
	count_drop(ctx, p, DROP_SPOOFED_SOURCE);
	log_drop(ctx, p, family, src, why);
	return -1;
}

int
filter_to_peers(struct tm_ctx *ctx, const uint8_t *frame, size_t len)
{
	const uint8_t	*src;

	if (filter_inspect(frame, len, &src) != FILTER_ND)
		return 0;
	count_drop(ctx, NULL, DROP_NDP);
	return -1;
}
