/*
 * Helpers shared by the unit tests, one definition each: hex for the
 * known-answer vectors, big-endian fields, exactly sized heap copies,
 * the test lab's addresses and MACs, frame builders, pseudo-headers for
 * the tests' own checksums (refsum.h) and the neighbour table that the
 * ARP and NDP responders consult.
 *
 * Every test program is a single file that includes this header, so
 * everything here is static inline.  The helpers assert with cmocka:
 * include this header after <cmocka.h>.
 */
#ifndef TAPMESH_PKT_H
#define TAPMESH_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "addr.h"

/*
 * Decodes the hex string s into out (cap bytes at most) and returns the
 * number of bytes.
 */
static inline size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t		 n = strlen(s) / 2, i;
	unsigned int	 v;

	assert_true(n <= cap);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

/* An address from its text form, into 4 (pton4) or 16 (pton6) bytes. */
static inline void
pton4(const char *s, void *a)
{
	assert_int_equal(inet_pton(AF_INET, s, a), 1);
}

static inline void
pton6(const char *s, void *a)
{
	assert_int_equal(inet_pton(AF_INET6, s, a), 1);
}

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static inline void
put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/*
 * An exactly sized heap copy (one byte for an empty one), so that
 * sanitizers and valgrind see any read past the end.
 */
static inline uint8_t *
dup_exact(const void *p, size_t len)
{
	uint8_t	*d;

	assert_non_null(d = malloc(len ? len : 1));
	if (len > 0)
		memcpy(d, p, len);
	return d;
}

static inline void
assert_mac(const uint8_t *mac, const char *want)
{
	char	buf[18];

	assert_string_equal(mac_ntop(mac, buf, sizeof(buf)), want);
}

/*
 * The lab: the TAP is 10.255.0.1 / fd00:255::1 with 02:00:0a:ff:00:01;
 * peers 2 and 3 have 10.255.0.<n>, fd00:255::<n> and 02:00:0a:ff:00:0<n>,
 * and peer 2 also its EUI-64 link-local address fe80::aff:feff:2.
 */
static const uint8_t mac_tap[6] = { 0x02, 0x00, 0x0a, 0xff, 0x00, 0x01 };
static const uint8_t mac_peer[6] = { 0x02, 0x00, 0x0a, 0xff, 0x00, 0x02 };
static const uint8_t mac_peer3[6] = { 0x02, 0x00, 0x0a, 0xff, 0x00, 0x03 };
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* The Ethernet header; returns its length. */
static inline size_t
put_eth(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6],
    uint16_t type)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = type >> 8;
	buf[13] = type & 0xff;
	return 14;
}

/*
 * The Ethernet header with an 802.1Q tag of VLAN vid in front of type, or
 * without a tag when vid is 0; returns its length.
 */
static inline size_t
put_eth_vlan(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6],
    unsigned int vid, uint16_t type)
{
	size_t	 off;

	if (vid == 0)
		return put_eth(buf, dst, src, type);
	off = put_eth(buf, dst, src, 0x8100);
	put16(buf + off, vid);
	put16(buf + off + 2, type);
	return off + 4;
}

/* An ARP packet in an Ethernet frame, field by field. */
struct arp_spec {
	uint8_t		 edst[6];
	uint8_t		 esrc[6];
	uint16_t	 etype;
	uint16_t	 htype;
	uint16_t	 ptype;
	uint8_t		 hlen;
	uint8_t		 plen;
	uint16_t	 op;
	uint8_t		 sha[6];
	const char	*spa;
	const char	*tpa;
};

/* 10.255.0.1 (the TAP) asks for 10.255.0.2 by broadcast. */
static inline void
arp_spec_default(struct arp_spec *s)
{
	memcpy(s->edst, mac_bcast, 6);
	memcpy(s->esrc, mac_tap, 6);
	s->etype = 0x0806;
	s->htype = 1;
	s->ptype = 0x0800;
	s->hlen = 6;
	s->plen = 4;
	s->op = 1;
	memcpy(s->sha, mac_tap, 6);
	s->spa = "10.255.0.1";
	s->tpa = "10.255.0.2";
}

/* Builds the frame of s (42 bytes) and returns its length. */
static inline size_t
build_arp(uint8_t *buf, const struct arp_spec *s)
{
	put_eth(buf, s->edst, s->esrc, s->etype);
	buf[14] = s->htype >> 8;
	buf[15] = s->htype & 0xff;
	buf[16] = s->ptype >> 8;
	buf[17] = s->ptype & 0xff;
	buf[18] = s->hlen;
	buf[19] = s->plen;
	buf[20] = s->op >> 8;
	buf[21] = s->op & 0xff;
	memcpy(buf + 22, s->sha, 6);
	pton4(s->spa, buf + 28);
	memset(buf + 32, 0, 6);
	pton4(s->tpa, buf + 38);
	return 42;
}

/* The IPv6 pseudo-header of RFC 8200 section 8.1; returns its length. */
static inline size_t
pseudo6(uint8_t *pre, const uint8_t *src, const uint8_t *dst, size_t len,
    uint8_t nxt)
{
	memcpy(pre, src, 16);
	memcpy(pre + 16, dst, 16);
	pre[32] = (uint8_t)(len >> 24);
	pre[33] = (uint8_t)(len >> 16);
	pre[34] = (uint8_t)(len >> 8);
	pre[35] = (uint8_t)len;
	pre[36] = pre[37] = pre[38] = 0;
	pre[39] = nxt;
	return 40;
}

/* The IPv4 pseudo-header of RFC 793 section 3.1; returns its length. */
static inline size_t
pseudo4(uint8_t *pre, const uint8_t *src, const uint8_t *dst, size_t len,
    uint8_t proto)
{
	memcpy(pre, src, 4);
	memcpy(pre + 4, dst, 4);
	pre[8] = 0;
	pre[9] = proto;
	pre[10] = (uint8_t)(len >> 8);
	pre[11] = (uint8_t)len;
	return 12;
}

/* How a responder used the neighbour table: how often, and the last key. */
struct lookup_ctx {
	int		 calls;
	struct tm_addr	 last;
};

/*
 * The neighbour table of the lab for the ARP and NDP responders: peers
 * 2 and 3 by their IPv4 and IPv6 addresses, and peer 2 by its link-local
 * address.  arg is a struct lookup_ctx that records every call.
 */
static inline int
test_lookup(void *arg, const struct tm_addr *a, uint8_t mac[ETH_ALEN_TM])
{
	static const struct {
		int		 family;
		const char	*addr;
		const uint8_t	*mac;
	} table[] = {
		{ AF_INET, "10.255.0.2", mac_peer },
		{ AF_INET, "10.255.0.3", mac_peer3 },
		{ AF_INET6, "fd00:255::2", mac_peer },
		{ AF_INET6, "fe80::aff:feff:2", mac_peer },
		{ AF_INET6, "fd00:255::3", mac_peer3 },
	};
	struct lookup_ctx	*ctx = arg;
	uint8_t			 t[16];
	size_t			 i;

	ctx->calls++;
	ctx->last = *a;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].family != a->family)
			continue;
		if (a->family == AF_INET) {
			pton4(table[i].addr, t);
			if (memcmp(t, &a->u.v4, 4) != 0)
				continue;
		} else {
			pton6(table[i].addr, t);
			if (memcmp(t, &a->u.v6, 16) != 0)
				continue;
		}
		memcpy(mac, table[i].mac, ETH_ALEN_TM);
		return 1;
	}
	return 0;
}

#endif
