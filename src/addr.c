/*
 * Addresses, prefixes and the synthetic MAC / link-local derivation.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

int
addr_parse(const char *s, struct tm_addr *a)
{
	memset(a, 0, sizeof(*a));
	/*
	 * inet_pton only takes the strict numeric forms: no short IPv4
	 * forms such as "10.1", no hostnames, no IPv6 zone ids.
	 */
	if (inet_pton(AF_INET, s, &a->u.v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->u.v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	memset(a, 0, sizeof(*a));
	return -1;
}

int
prefix_parse(const char *s, struct tm_prefix *p)
{
	char		 buf[INET6_ADDRSTRLEN];
	const char	*slash, *d;
	size_t		 alen;
	int		 plen, max;

	memset(p, 0, sizeof(*p));
	if ((slash = strrchr(s, '/')) == NULL)
		return -1;
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (addr_parse(buf, &p->addr) == -1)
		return -1;

	/*
	 * Digits only, at most three: strtol would also take signs, spaces
	 * and trailing garbage.
	 */
	d = slash + 1;
	if (*d == '\0' || strlen(d) > 3)
		goto bad;
	plen = 0;
	for (; *d != '\0'; d++) {
		if (*d < '0' || *d > '9')
			goto bad;
		plen = plen * 10 + (*d - '0');
	}
	max = p->addr.family == AF_INET ? 32 : 128;
	if (plen > max)
		goto bad;
	p->plen = plen;
	return 0;
 bad:
	memset(p, 0, sizeof(*p));
	return -1;
}

bool
addr_eq(const struct tm_addr *a, const struct tm_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->u.v4.s_addr == b->u.v4.s_addr;
	if (a->family == AF_INET6)
		return memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6)) == 0;
	return false;
}

void
prefix_mask(struct tm_prefix *p)
{
	uint8_t	*b;
	int	 i, bits;

	if (p->addr.family == AF_INET) {
		b = (uint8_t *)&p->addr.u.v4;
		bits = 32;
	} else if (p->addr.family == AF_INET6) {
		b = p->addr.u.v6.s6_addr;
		bits = 128;
	} else
		return;
	for (i = p->plen < 0 ? 0 : p->plen; i < bits; i++)
		b[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

bool
prefix_contains(const struct tm_prefix *p, const struct tm_addr *a)
{
	const uint8_t	*x, *y;
	int		 full, rest;
	uint8_t		 mask;

	if (p->addr.family != a->family)
		return false;
	if (a->family == AF_INET) {
		x = (const uint8_t *)&p->addr.u.v4;
		y = (const uint8_t *)&a->u.v4;
		if (p->plen < 0 || p->plen > 32)
			return false;
	} else if (a->family == AF_INET6) {
		x = p->addr.u.v6.s6_addr;
		y = a->u.v6.s6_addr;
		if (p->plen < 0 || p->plen > 128)
			return false;
	} else
		return false;

	/* Both are in network byte order, so compare bytes, then bits. */
	full = p->plen / 8;
	rest = p->plen % 8;
	if (memcmp(x, y, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (x[full] & mask) == (y[full] & mask);
}

const char *
addr_ntop(const struct tm_addr *a, char *buf, size_t len)
{
	const char	*r = NULL;

	if (a->family == AF_INET || a->family == AF_INET6)
		r = inet_ntop(a->family, &a->u, buf, (socklen_t)len);
	if (r == NULL && len > 0)
		snprintf(buf, len, "?");
	return buf;
}

int
mac_source(const struct tm_addr *addrs, size_t n)
{
	size_t	i;
	int	v6 = -1;

	/*
	 * An IPv4 address always wins, whatever its position, so adding an
	 * IPv6 address to a dual-stack peer never changes its MAC.
	 */
	for (i = 0; i < n; i++) {
		if (addrs[i].family == AF_INET)
			return (int)i;
		if (addrs[i].family == AF_INET6 && v6 == -1)
			v6 = (int)i;
	}
	return v6;
}

int
mac_derive(uint8_t prefix, const struct tm_addr *addrs, size_t n,
    uint8_t mac[ETH_ALEN_TM])
{
	int	i;

	memset(mac, 0, ETH_ALEN_TM);
	if ((i = mac_source(addrs, n)) == -1)
		return -1;
	/*
	 * 02 marks the MAC as locally administered unicast, so it cannot
	 * clash with a real NIC's.
	 */
	mac[0] = 0x02;
	mac[1] = prefix;
	if (addrs[i].family == AF_INET)
		memcpy(mac + 2, &addrs[i].u.v4, 4);
	else
		memcpy(mac + 2, addrs[i].u.v6.s6_addr + 12, 4);
	return 0;
}

void
mac_to_linklocal(const uint8_t mac[ETH_ALEN_TM], struct in6_addr *ll)
{
	uint8_t	*b = ll->s6_addr;

	/*
	 * The modified EUI-64 interface identifier of RFC 4291 appendix A,
	 * as the kernel builds it for an Ethernet device: the universal /
	 * local bit inverted and ff:fe inserted in the middle.
	 */
	memset(ll, 0, sizeof(*ll));
	b[0] = 0xfe;
	b[1] = 0x80;
	b[8] = mac[0] ^ 0x02;
	b[9] = mac[1];
	b[10] = mac[2];
	b[11] = 0xff;
	b[12] = 0xfe;
	b[13] = mac[3];
	b[14] = mac[4];
	b[15] = mac[5];
}

const char *
mac_ntop(const uint8_t mac[ETH_ALEN_TM], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
	    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}
