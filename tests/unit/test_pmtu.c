/*
 * Unit tests for the ICMP "too big" replies and TCP MSS clamping.
 * Frames are built byte by byte; every checksum is verified with the
 * test's own one's complement sum over a pseudo-header laid out in a
 * buffer, independently of the code under test, and ICMPv6 checksums also
 * with icmp6_checksum.  Frames are handed over in exactly sized heap
 * copies so that sanitizers and valgrind see any overread.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "csum.h"
#include "pmtu.h"
#include "pkt.h"
#include "refsum.h"

#define FRAME_MAX	2048

#define TAP4	"10.255.0.1"
#define PEER4	"10.255.0.2"
#define TAP6	"fd00:255::1"
#define PEER6	"fd00:255::2"
#define PEER6LL	"fe80::aff:feff:2"

/* Linux's SYN options: MSS 1460, SACK permitted, timestamps, window scale. */
static const uint8_t linux_syn_opts[20] = {
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
	0x00, 0x11, 0x22, 0x33, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x03, 0x03, 0x07,
};

static void
peer_addrs(struct tm_addr *a4, struct tm_addr *a6)
{
	memset(a4, 0, sizeof(*a4));
	memset(a6, 0, sizeof(*a6));
	a4->family = AF_INET;
	pton4(PEER4, (uint8_t *)&a4->u.v4);
	a6->family = AF_INET6;
	pton6(PEER6LL, a6->u.v6.s6_addr);
}

/*
 * The test's own Internet checksum over the pseudo-header (or nothing,
 * an even number of bytes) and the data.  Over data with a correct
 * checksum field it returns 0.
 */
static uint16_t
ref_cksum(const uint8_t *pre, size_t prelen, const uint8_t *p, size_t len)
{
	assert_true(prelen % 2 == 0 && len <= FRAME_MAX);
	return (uint16_t)~ref_fold(ref_sum(ref_sum(0, pre, prelen), p, len));
}

static void
fix_ip4_cksum(uint8_t *frame)
{
	uint8_t	*ip = frame + 14;
	size_t	 hl = (size_t)(ip[0] & 0x0f) * 4;

	ip[10] = ip[11] = 0;
	put16(ip + 10, ref_cksum(NULL, 0, ip, hl));
}

struct ip4_spec {
	size_t		 tlen;		/* IPv4 total length */
	uint8_t		 ihl;		/* header length in words */
	uint16_t	 off;		/* flags and fragment offset */
	uint8_t		 proto;
	const char	*src;
	const char	*dst;
	uint8_t		 edst[6];
};

/* A 1400-byte UDP packet with DF from the TAP to the peer. */
static void
spec4_default(struct ip4_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->tlen = 1400;
	s->ihl = 5;
	s->off = 0x4000;
	s->proto = 17;
	s->src = TAP4;
	s->dst = PEER4;
	memcpy(s->edst, mac_peer, 6);
}

static size_t
build4(uint8_t *buf, const struct ip4_spec *s)
{
	uint8_t	*ip = buf + 14;
	size_t	 hl = (size_t)s->ihl * 4, i;

	assert_true(14 + s->tlen <= FRAME_MAX && hl >= 20 && hl <= 60);
	put_eth(buf, s->edst, mac_tap, 0x0800);
	ip[0] = (uint8_t)(0x40 | s->ihl);
	ip[1] = 0x10;
	put16(ip + 2, (unsigned)s->tlen);
	put16(ip + 4, 0x1234);
	put16(ip + 6, s->off);
	ip[8] = 63;
	ip[9] = s->proto;
	pton4(s->src, ip + 12);
	pton4(s->dst, ip + 16);
	/* IP options, if any, are NOPs (type 1). */
	for (i = 20; i < hl; i++)
		ip[i] = 0x01;
	for (i = hl; i < s->tlen; i++)
		ip[i] = (uint8_t)(i * 7 + 3);
	fix_ip4_cksum(buf);
	return 14 + s->tlen;
}

struct ip6_spec {
	size_t		 tlen;		/* 40 + payload length */
	uint8_t		 nxt;
	const char	*src;
	const char	*dst;
	const uint8_t	*l4;		/* first payload bytes, raw */
	size_t		 l4len;
};

/* A 1400-byte UDP packet from the TAP to the peer. */
static void
spec6_default(struct ip6_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->tlen = 1400;
	s->nxt = 17;
	s->src = TAP6;
	s->dst = PEER6;
}

static size_t
build6(uint8_t *buf, const struct ip6_spec *s)
{
	uint8_t	*ip = buf + 14;
	size_t	 i;

	assert_true(14 + s->tlen <= FRAME_MAX && s->l4len <= s->tlen - 40);
	put_eth(buf, mac_peer, mac_tap, 0x86dd);
	ip[0] = 0x6a;		/* traffic class and flow label set */
	ip[1] = 0xbc;
	ip[2] = 0xde;
	ip[3] = 0xf0;
	put16(ip + 4, (unsigned)(s->tlen - 40));
	ip[6] = s->nxt;
	ip[7] = 64;
	pton6(s->src, ip + 8);
	pton6(s->dst, ip + 24);
	for (i = 40; i < s->tlen; i++)
		ip[i] = (uint8_t)(i * 13 + 5);
	if (s->l4len > 0)
		memcpy(ip + 40, s->l4, s->l4len);
	return 14 + s->tlen;
}

/*
 * Runs pmtu_too_big on an exactly sized heap copy of the frame, with the
 * peer's addresses and MAC, into out (outsz bytes, preset to 0xaa).
 */
static ssize_t
too_big_exact(const uint8_t *frame, size_t len, int mtu, uint8_t *out,
    size_t outsz)
{
	struct tm_addr	 a4, a6;
	uint8_t		*copy = dup_exact(frame, len);
	ssize_t		 r;

	peer_addrs(&a4, &a6);
	memset(out, 0xaa, outsz);
	r = pmtu_too_big(copy, len, mtu, mac_peer, &a4, &a6, out, outsz);
	free(copy);
	return r;
}

/* Expects no reply, and out untouched. */
static void
expect_none(const uint8_t *frame, size_t len, int mtu, ssize_t ret)
{
	uint8_t	 out[PMTU_REPLY_MAX], untouched[PMTU_REPLY_MAX];

	memset(untouched, 0xaa, sizeof(untouched));
	assert_int_equal(too_big_exact(frame, len, mtu, out, sizeof(out)),
	    ret);
	assert_memory_equal(out, untouched, sizeof(out));
}

/* Checks every field of a Fragmentation Needed reply to frame. */
static void
check_frag_needed(const uint8_t *out, ssize_t r, const uint8_t *frame,
    int mtu)
{
	const uint8_t	*ip = out + 14, *icmp = out + 34;
	uint8_t		 peer[4], copy[20];
	size_t		 tlen = get16(frame + 16), quote;

	quote = tlen < 548 ? tlen : 548;
	assert_int_equal(r, 14 + 20 + 8 + quote);
	assert_true(r <= PMTU_REPLY4_MAX);

	assert_memory_equal(out, frame + 6, 6);
	assert_memory_equal(out + 6, mac_peer, 6);
	assert_int_equal(get16(out + 12), 0x0800);

	assert_int_equal(ip[0], 0x45);
	assert_int_equal(ip[1], 0xc0);
	assert_int_equal(get16(ip + 2), 20 + 8 + quote);
	assert_int_equal(get16(ip + 4), 0);
	assert_int_equal(get16(ip + 6), 0);	/* DF clear, no offset */
	assert_int_equal(ip[8], 64);
	assert_int_equal(ip[9], 1);
	pton4(PEER4, peer);
	assert_memory_equal(ip + 12, peer, 4);
	assert_memory_equal(ip + 16, frame + 14 + 12, 4);
	/* The header checksum verifies, and equals one computed afresh. */
	assert_int_equal(ref_cksum(NULL, 0, ip, 20), 0);
	memcpy(copy, ip, 20);
	copy[10] = copy[11] = 0;
	assert_int_equal(get16(ip + 10), ref_cksum(NULL, 0, copy, 20));

	assert_int_equal(icmp[0], 3);
	assert_int_equal(icmp[1], 4);
	assert_int_equal(get16(icmp + 4), 0);
	assert_int_equal(get16(icmp + 6), mtu);
	assert_int_equal(ref_cksum(NULL, 0, icmp, 8 + quote), 0);
	assert_memory_equal(icmp + 8, frame + 14, quote);
	assert_int_equal(out[r], 0xaa);
}

/* Checks every field of a Packet Too Big reply to frame. */
static void
check_ptb(const uint8_t *out, ssize_t r, const uint8_t *frame, int mtu)
{
	const uint8_t	*ip = out + 14, *icmp = out + 54;
	uint8_t		 peer[16], pre[40];
	struct in6_addr	 s, d;
	size_t		 tlen = 40 + (size_t)get16(frame + 18), quote;

	quote = tlen < 1232 ? tlen : 1232;
	assert_int_equal(r, 14 + 40 + 8 + quote);
	assert_true(r <= PMTU_REPLY6_MAX);

	assert_memory_equal(out, frame + 6, 6);
	assert_memory_equal(out + 6, mac_peer, 6);
	assert_int_equal(get16(out + 12), 0x86dd);

	assert_int_equal(ip[0], 0x60);
	assert_int_equal(ip[1], 0);
	assert_int_equal(ip[2], 0);
	assert_int_equal(ip[3], 0);
	assert_int_equal(get16(ip + 4), 8 + quote);
	assert_int_equal(ip[6], 58);
	assert_int_equal(ip[7], 64);
	pton6(PEER6LL, peer);
	assert_memory_equal(ip + 8, peer, 16);
	assert_memory_equal(ip + 24, frame + 14 + 8, 16);

	assert_int_equal(icmp[0], 2);
	assert_int_equal(icmp[1], 0);
	assert_int_equal(get16(icmp + 4), 0);
	assert_int_equal(get16(icmp + 6), mtu);
	pseudo6(pre, ip + 8, ip + 24, 8 + quote, 58);
	assert_int_equal(ref_cksum(pre, 40, icmp, 8 + quote), 0);
	memcpy(&s, ip + 8, 16);
	memcpy(&d, ip + 24, 16);
	assert_int_equal(icmp6_checksum(&s, &d, icmp, 8 + quote), 0);
	assert_memory_equal(icmp + 8, frame + 14, quote);
	assert_int_equal(out[r], 0xaa);
}

/*
 * A packet of the default spec, changed as a row says, and the reply
 * expected from pmtu_too_big: a Fragmentation Needed or Packet Too Big of
 * len bytes, checked field by field, or none (len 0) with out untouched.
 */
struct too_big_case {
	const char	*what;
	bool		 v6;
	size_t		 tlen;
	uint8_t		 ihl;		/* IPv4 only */
	uint16_t	 off;		/* IPv4 only */
	int		 mtu;
	ssize_t		 len;
};

#define V4(what, tlen, ihl, off, mtu, len) \
	{ what, false, tlen, ihl, off, mtu, len }
#define V6(what, tlen, mtu, len) \
	{ what, true, tlen, 0, 0, mtu, len }

static const struct too_big_case too_big_cases[] = {
	V4("v4 frag needed", 1400, 5, 0x4000, 1300, 14 + 576),
	/* Smaller than 548 bytes: quoted whole, and an odd length. */
	V4("v4 short quote", 301, 5, 0x4000, 300, 14 + 28 + 301),
	V4("v4 short quote, smallest IPv4 MTU", 301, 5, 0x4000, 68,
	    14 + 28 + 301),
	/* The reply's own header has no options (check_frag_needed). */
	V4("v4 IP options quoted", 1400, 15, 0x4000, 1280, 14 + 576),
	V4("v4 fits", 1400, 5, 0x4000, 1400, 0),
	V4("v4 fits a larger MTU", 1400, 5, 0x4000, 1500, 0),
	/* A nonsensical MTU is not reported to the sender. */
	V4("v4 MTU 67", 1400, 5, 0x4000, 67, 0),
	V4("v4 MTU 0", 1400, 5, 0x4000, 0, 0),
	V4("v4 MTU -1", 1400, 5, 0x4000, -1, 0),
	V4("v4 no DF", 1400, 5, 0, 1300, 0),
	V4("v4 first fragment without DF", 1400, 5, 0x2000, 1300, 0),
	V4("v4 last fragment", 1400, 5, 0x4000 | 185, 1300, 0),
	V4("v4 middle fragment", 1400, 5, 0x4000 | 0x2000 | 1, 1300, 0),
	/* Capped at 1280 bytes of IPv6. */
	V6("v6 packet too big", 1400, 1300, 14 + 1280),
	V6("v6 smallest IPv6 MTU", 1400, 1280, 14 + 1280),
	V6("v6 one byte over the smallest IPv6 MTU", 1281, 1280, 14 + 1280),
	V6("v6 fits", 1400, 1400, 0),
	V6("v6 fits a jumbo MTU", 1400, 9000, 0),
	/* Below the IPv6 minimum the tunnel must cope itself. */
	V6("v6 MTU 1279", 1400, 1279, 0),
	V6("v6 MTU 576", 1400, 576, 0),
};

#define NTOOBIG	(sizeof(too_big_cases) / sizeof(too_big_cases[0]))

static void
run_too_big_case(void **state)
{
	const struct too_big_case	*c = *state;
	struct ip4_spec			 s4;
	struct ip6_spec			 s6;
	uint8_t				 frame[FRAME_MAX];
	uint8_t				 out[PMTU_REPLY_MAX + 1];
	size_t				 len;
	ssize_t				 r;

	if (c->v6) {
		spec6_default(&s6);
		s6.tlen = c->tlen;
		len = build6(frame, &s6);
	} else {
		spec4_default(&s4);
		s4.tlen = c->tlen;
		s4.ihl = c->ihl;
		s4.off = c->off;
		len = build4(frame, &s4);
	}
	if (c->len == 0) {
		expect_none(frame, len, c->mtu, 0);
		return;
	}
	r = too_big_exact(frame, len, c->mtu, out, sizeof(out));
	assert_int_equal(r, c->len);
	if (c->v6)
		check_ptb(out, r, frame, c->mtu);
	else
		check_frag_needed(out, r, frame, c->mtu);
}

static void
test_v4_icmp_errors(void **state)
{
	static const uint8_t	 errors[] = { 3, 4, 5, 11, 12 };
	static const uint8_t	 infos[] = { 0, 8, 13, 14 };
	struct ip4_spec		 s;
	uint8_t			 frame[FRAME_MAX], out[PMTU_REPLY_MAX + 1];
	size_t			 len, i;
	ssize_t			 r;

	(void)state;
	spec4_default(&s);
	s.proto = 1;
	len = build4(frame, &s);
	for (i = 0; i < sizeof(errors); i++) {
		frame[34] = errors[i];
		expect_none(frame, len, 1300, 0);
	}
	/* Echo and other queries are answered like any packet. */
	for (i = 0; i < sizeof(infos); i++) {
		frame[34] = infos[i];
		r = too_big_exact(frame, len, 1300, out, sizeof(out));
		check_frag_needed(out, r, frame, 1300);
	}
	/* With options, the ICMP type is found behind them. */
	s.ihl = 8;
	len = build4(frame, &s);
	frame[14 + 32] = 11;
	expect_none(frame, len, 1300, 0);
}

static void
test_v4_bad_addresses(void **state)
{
	static const char	*srcs[] = {
		"0.0.0.0", "0.1.2.3", "127.0.0.1", "224.0.0.5",
		"239.255.255.255", "240.0.0.1", "255.255.255.255",
	};
	static const char	*dsts[] = {
		"224.0.0.1", "239.1.2.3", "255.255.255.255",
	};
	struct ip4_spec		 s;
	uint8_t			 frame[FRAME_MAX];
	size_t			 len, i;

	(void)state;
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		spec4_default(&s);
		s.src = srcs[i];
		len = build4(frame, &s);
		expect_none(frame, len, 1300, 0);
	}
	for (i = 0; i < sizeof(dsts) / sizeof(dsts[0]); i++) {
		spec4_default(&s);
		s.dst = dsts[i];
		len = build4(frame, &s);
		expect_none(frame, len, 1300, 0);
	}
	/* A frame sent to a group MAC is not answered either. */
	spec4_default(&s);
	memcpy(s.edst, (uint8_t [6]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 6);
	len = build4(frame, &s);
	expect_none(frame, len, 1300, 0);
	/* A group source MAC cannot be replied to: malformed. */
	spec4_default(&s);
	len = build4(frame, &s);
	frame[6] = 0x01;
	expect_none(frame, len, 1300, -1);
}

static void
test_v4_malformed(void **state)
{
	struct ip4_spec	 s;
	uint8_t		 frame[FRAME_MAX];
	size_t		 len;

	(void)state;
	spec4_default(&s);
	len = build4(frame, &s);

	frame[24] ^= 0x01;		/* header checksum */
	expect_none(frame, len, 1300, -1);
	frame[24] ^= 0x01;

	frame[14] = 0x55;		/* version 5 */
	fix_ip4_cksum(frame);
	expect_none(frame, len, 1300, -1);

	frame[14] = 0x44;		/* IHL 4 */
	expect_none(frame, len, 1300, -1);

	frame[14] = 0x45;
	put16(frame + 16, 1401);	/* longer than the frame */
	fix_ip4_cksum(frame);
	expect_none(frame, len, 1300, -1);

	put16(frame + 16, 19);		/* shorter than the header */
	fix_ip4_cksum(frame);
	expect_none(frame, len, 1300, -1);

	frame[14] = 0x4f;		/* header longer than the packet */
	put16(frame + 16, 40);
	expect_none(frame, len, 1300, -1);
}

static void
test_v4_padding_accepted(void **state)
{
	struct ip4_spec	 s;
	uint8_t		 frame[FRAME_MAX], out[PMTU_REPLY_MAX + 1];
	size_t		 len;
	ssize_t		 r;

	(void)state;
	spec4_default(&s);
	s.tlen = 200;
	len = build4(frame, &s);
	memset(frame + len, 0, 30);
	r = too_big_exact(frame, len + 30, 100, out, sizeof(out));
	check_frag_needed(out, r, frame, 100);
}

static void
test_v4_addresses_needed(void **state)
{
	struct ip4_spec	 s;
	struct tm_addr	 a4, a6;
	uint8_t		 frame[FRAME_MAX], out[PMTU_REPLY_MAX];
	size_t		 len;

	(void)state;
	spec4_default(&s);
	len = build4(frame, &s);
	peer_addrs(&a4, &a6);
	/* A peer without an IPv4 address: nothing can be sent. */
	assert_int_equal(pmtu_too_big(frame, len, 1300, mac_peer, NULL, &a6,
	    out, sizeof(out)), 0);
	/* The wrong family is the caller's mistake. */
	assert_int_equal(pmtu_too_big(frame, len, 1300, mac_peer, &a6, &a6,
	    out, sizeof(out)), -1);
	assert_int_equal(pmtu_too_big(NULL, len, 1300, mac_peer, &a4, &a6,
	    out, sizeof(out)), -1);
	assert_int_equal(pmtu_too_big(frame, len, 1300, NULL, &a4, &a6,
	    out, sizeof(out)), -1);
}

static void
test_small_out(void **state)
{
	struct ip4_spec	 s4;
	struct ip6_spec	 s6;
	struct tm_addr	 a4, a6;
	uint8_t		 frame[FRAME_MAX], out[PMTU_REPLY_MAX + 1];
	size_t		 len;
	ssize_t		 r;

	(void)state;
	spec4_default(&s4);
	len = build4(frame, &s4);
	assert_int_equal(too_big_exact(frame, len, 1300, out, 14 + 575), -1);
	r = too_big_exact(frame, len, 1300, out, 14 + 576);
	assert_int_equal(r, 14 + 576);
	peer_addrs(&a4, &a6);
	assert_int_equal(pmtu_too_big(frame, len, 1300, mac_peer, &a4, &a6,
	    NULL, 0), -1);

	spec6_default(&s6);
	len = build6(frame, &s6);
	assert_int_equal(too_big_exact(frame, len, 1280, out, 14 + 1279), -1);
	r = too_big_exact(frame, len, 1280, out, 14 + 1280);
	assert_int_equal(r, 14 + 1280);
}

static void
test_in_place(void **state)
{
	struct ip4_spec	 s4;
	struct ip6_spec	 s6;
	struct tm_addr	 a4, a6;
	uint8_t		 frame[FRAME_MAX], buf[FRAME_MAX];
	uint8_t		 out[PMTU_REPLY_MAX + 1];
	size_t		 len;
	ssize_t		 r;

	(void)state;
	peer_addrs(&a4, &a6);

	/* src_mac points at the frame's destination, the peer's MAC. */
	spec4_default(&s4);
	len = build4(frame, &s4);
	memcpy(buf, frame, len);
	r = pmtu_too_big(buf, len, 1300, buf, &a4, &a6, buf, sizeof(buf));
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(r, 14 + 576);
	memcpy(out, buf, (size_t)r);
	check_frag_needed(out, r, frame, 1300);

	spec6_default(&s6);
	len = build6(frame, &s6);
	memcpy(buf, frame, len);
	r = pmtu_too_big(buf, len, 1300, buf, &a4, &a6, buf, sizeof(buf));
	assert_int_equal(r, 14 + 1280);
	memset(out, 0xaa, sizeof(out));
	memcpy(out, buf, (size_t)r);
	check_ptb(out, r, frame, 1300);
}

static void
test_v6_icmp_errors(void **state)
{
	static const uint8_t	 dstopts[8] = { 58, 0, 1, 4, 0, 0, 0, 0 };
	struct ip6_spec		 s;
	uint8_t			 frame[FRAME_MAX], out[PMTU_REPLY_MAX + 1];
	uint8_t			 l4[16];
	size_t			 len;
	unsigned		 t;
	ssize_t			 r;

	(void)state;
	spec6_default(&s);
	s.nxt = 58;
	s.l4 = l4;
	s.l4len = 8;
	memset(l4, 0, sizeof(l4));
	for (t = 0; t < 256; t++) {
		l4[0] = (uint8_t)t;
		len = build6(frame, &s);
		if (t < 128) {
			expect_none(frame, len, 1300, 0);
			continue;
		}
		r = too_big_exact(frame, len, 1300, out, sizeof(out));
		check_ptb(out, r, frame, 1300);
	}

	/* An error behind a destination options header is still found. */
	memcpy(l4, dstopts, 8);
	l4[8] = 1;			/* Destination Unreachable */
	s.nxt = 60;
	s.l4len = 16;
	len = build6(frame, &s);
	expect_none(frame, len, 1300, 0);
	l4[8] = 128;			/* Echo Request */
	len = build6(frame, &s);
	r = too_big_exact(frame, len, 1300, out, sizeof(out));
	check_ptb(out, r, frame, 1300);
}

static void
test_v6_extension_headers(void **state)
{
	static const uint8_t	 nexts[] = { 0, 43, 44, 51, 58, 60 };
	struct ip6_spec		 s;
	uint8_t			 frame[FRAME_MAX], out[PMTU_REPLY_MAX + 1];
	uint8_t			 l4[32];
	size_t			 len, i;
	ssize_t			 r;

	(void)state;
	spec6_default(&s);
	s.l4 = l4;
	memset(l4, 0, sizeof(l4));

	/* Hop-by-hop, then a first fragment, then an ICMPv6 error. */
	s.nxt = 0;
	l4[0] = 44;			/* HBH: next fragment, 8 bytes */
	l4[8] = 58;			/* fragment: next ICMPv6, offset 0, M */
	put16(l4 + 10, 0x0001);
	l4[16] = 3;			/* Time Exceeded */
	s.l4len = 24;
	len = build6(frame, &s);
	expect_none(frame, len, 1300, 0);

	/* A non-first fragment cannot be told apart: answered. */
	put16(l4 + 10, 0x0100);
	len = build6(frame, &s);
	r = too_big_exact(frame, len, 1300, out, sizeof(out));
	check_ptb(out, r, frame, 1300);

	/* AH counts in 4-byte units plus 2: (4 + 2) * 4 = 24 bytes. */
	s.nxt = 51;
	memset(l4, 0, sizeof(l4));
	l4[0] = 58;
	l4[1] = 4;
	l4[24] = 4;			/* Parameter Problem */
	s.l4len = 32;
	len = build6(frame, &s);
	expect_none(frame, len, 1300, 0);

	/* A routing header running past the payload is malformed. */
	s.nxt = 43;
	memset(l4, 0, sizeof(l4));
	l4[0] = 58;
	l4[1] = 255;			/* 2048 bytes */
	s.l4len = 8;
	len = build6(frame, &s);
	expect_none(frame, len, 1300, -1);

	/*
	 * A hop-by-hop header filling the whole payload (170 * 8 = 1360
	 * bytes), naming a next header that is not there.
	 */
	s.nxt = 0;
	l4[1] = 169;
	for (i = 0; i < sizeof(nexts); i++) {
		l4[0] = nexts[i];
		len = build6(frame, &s);
		expect_none(frame, len, 1300, -1);
	}
	/* Nothing after it is fine for anything but ICMPv6. */
	l4[0] = 59;
	len = build6(frame, &s);
	r = too_big_exact(frame, len, 1300, out, sizeof(out));
	check_ptb(out, r, frame, 1300);
}

static void
test_v6_bad_sources(void **state)
{
	static const char	*srcs[] = { "::", "ff02::1", "ff05::2" };
	struct ip6_spec		 s;
	uint8_t			 frame[FRAME_MAX], out[PMTU_REPLY_MAX + 1];
	size_t			 len, i;
	ssize_t			 r;

	(void)state;
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		spec6_default(&s);
		s.src = srcs[i];
		len = build6(frame, &s);
		expect_none(frame, len, 1300, 0);
	}
	/* A multicast destination is fine (RFC 4443 section 2.4 (e.2)). */
	spec6_default(&s);
	s.dst = "ff0e::101";
	len = build6(frame, &s);
	r = too_big_exact(frame, len, 1300, out, sizeof(out));
	check_ptb(out, r, frame, 1300);
	/* A link-local source is answered too. */
	spec6_default(&s);
	s.src = "fe80::aff:feff:1";
	len = build6(frame, &s);
	r = too_big_exact(frame, len, 1300, out, sizeof(out));
	check_ptb(out, r, frame, 1300);
}

static void
test_v6_malformed(void **state)
{
	struct ip6_spec	 s;
	struct tm_addr	 a4, a6;
	uint8_t		 frame[FRAME_MAX], out[PMTU_REPLY_MAX];
	size_t		 len;

	(void)state;
	spec6_default(&s);
	len = build6(frame, &s);
	put16(frame + 18, 1361);	/* past the frame */
	expect_none(frame, len, 1300, -1);
	put16(frame + 18, 1360);
	frame[14] = 0x4a;		/* version 4 */
	expect_none(frame, len, 1300, -1);
	frame[14] = 0x60;
	peer_addrs(&a4, &a6);
	assert_int_equal(pmtu_too_big(frame, len, 1300, mac_peer, &a4, NULL,
	    out, sizeof(out)), 0);
	assert_int_equal(pmtu_too_big(frame, len, 1300, mac_peer, &a4, &a4,
	    out, sizeof(out)), -1);
}

static void
test_other_ethertypes(void **state)
{
	uint8_t		 frame[64];

	(void)state;
	memset(frame, 0, sizeof(frame));
	memcpy(frame, mac_peer, 6);
	memcpy(frame + 6, mac_tap, 6);
	frame[12] = 0x08;
	frame[13] = 0x06;		/* ARP */
	expect_none(frame, sizeof(frame), 1300, 0);
	assert_int_equal(pmtu_clamp_mss(frame, sizeof(frame), 1300, 1300), 0);
	expect_none(frame, 13, 1300, -1);
	expect_none(frame, 0, 1300, -1);
}

static void
test_truncated_too_big(void **state)
{
	struct ip4_spec	 s4;
	struct ip6_spec	 s6;
	uint8_t		 frame[FRAME_MAX];
	size_t		 len, n;

	(void)state;
	/* Cut anywhere, the packet is longer than its frame. */
	spec4_default(&s4);
	len = build4(frame, &s4);
	for (n = 0; n < len; n++)
		expect_none(frame, n, 1300, -1);
	spec6_default(&s6);
	len = build6(frame, &s6);
	for (n = 0; n < len; n++)
		expect_none(frame, n, 1300, -1);
}

/*
 * TCP segments: Ethernet, IPv4 (DF) or IPv6, and a TCP header with the
 * given flags and raw options (a multiple of 4 bytes), then datalen bytes
 * of data, with correct checksums.
 */
static size_t
build_tcp(uint8_t *buf, bool v6, uint8_t flags, const uint8_t *opts,
    size_t optlen, size_t datalen, uint32_t seq)
{
	uint8_t	*tcp;
	size_t	 seglen = 20 + optlen + datalen, i, len;

	assert_true(optlen % 4 == 0 && optlen <= 40);
	put_eth(buf, mac_peer, mac_tap, v6 ? 0x86dd : 0x0800);
	if (v6) {
		buf[14] = 0x60;
		buf[15] = buf[16] = buf[17] = 0;
		put16(buf + 18, (unsigned)seglen);
		buf[20] = 6;
		buf[21] = 64;
		pton6(TAP6, buf + 22);
		pton6(PEER6, buf + 38);
		tcp = buf + 54;
	} else {
		buf[14] = 0x45;
		buf[15] = 0;
		put16(buf + 16, (unsigned)(20 + seglen));
		put16(buf + 18, 0x4321);
		put16(buf + 20, 0x4000);
		buf[22] = 64;
		buf[23] = 6;
		pton4(TAP4, buf + 26);
		pton4(PEER4, buf + 30);
		fix_ip4_cksum(buf);
		tcp = buf + 34;
	}
	put16(tcp, 49153);
	put16(tcp + 2, 443);
	put16(tcp + 4, seq >> 16);
	put16(tcp + 6, seq & 0xffff);
	put16(tcp + 8, 0);
	put16(tcp + 10, 0);
	tcp[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	tcp[13] = flags;
	put16(tcp + 14, 64240);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	if (optlen > 0)
		memcpy(tcp + 20, opts, optlen);
	for (i = 0; i < datalen; i++)
		tcp[20 + optlen + i] = (uint8_t)(seq + i * 11);
	len = (size_t)(tcp - buf) + seglen;
	return len;
}

/*
 * The TCP checksum of the segment in frame, computed from scratch with
 * the checksum field taken as zero.
 */
static uint16_t
ref_tcp_cksum(const uint8_t *frame)
{
	uint8_t		 pre[40], seg[FRAME_MAX];
	size_t		 prelen, seglen, hl;
	const uint8_t	*tcp;

	if (get16(frame + 12) == 0x86dd) {
		seglen = get16(frame + 18);
		tcp = frame + 54;
		prelen = pseudo6(pre, frame + 22, frame + 38, seglen, 6);
	} else {
		hl = (size_t)(frame[14] & 0x0f) * 4;
		seglen = get16(frame + 16) - hl;
		tcp = frame + 14 + hl;
		prelen = pseudo4(pre, frame + 26, frame + 30, seglen, 6);
	}
	memcpy(seg, tcp, seglen);
	seg[16] = seg[17] = 0;
	return ref_cksum(pre, prelen, seg, seglen);
}

static size_t
tcp_off(const uint8_t *frame)
{
	if (get16(frame + 12) == 0x86dd)
		return 54;
	return 14 + (size_t)(frame[14] & 0x0f) * 4;
}

static void
set_tcp_cksum(uint8_t *frame)
{
	put16(frame + tcp_off(frame) + 16, ref_tcp_cksum(frame));
}

static void
check_tcp_cksum(const uint8_t *frame)
{
	assert_int_equal(get16(frame + tcp_off(frame) + 16),
	    ref_tcp_cksum(frame));
}

/* Runs pmtu_clamp_mss on an exactly sized heap copy, copied back. */
static int
clamp_exact(uint8_t *frame, size_t len, uint16_t mss4, uint16_t mss6)
{
	uint8_t	*copy = dup_exact(frame, len);
	int	 r;

	r = pmtu_clamp_mss(copy, len, mss4, mss6);
	memcpy(frame, copy, len);
	free(copy);
	return r;
}

/* Expects ret and an unchanged frame. */
static void
expect_unclamped(uint8_t *frame, size_t len, int ret)
{
	uint8_t	 before[FRAME_MAX];

	memcpy(before, frame, len);
	assert_int_equal(clamp_exact(frame, len, 1300, 1240), ret);
	assert_memory_equal(frame, before, len);
}

/* Expects the MSS at option offset moff (of the TCP header) set to mss. */
static void
expect_clamped(uint8_t *frame, size_t len, size_t moff, uint16_t mss)
{
	uint8_t	 before[FRAME_MAX];
	size_t	 t = tcp_off(frame), i;

	memcpy(before, frame, len);
	assert_int_equal(clamp_exact(frame, len, 1300, 1240), 1);
	assert_int_equal(get16(frame + t + moff + 2), mss);
	check_tcp_cksum(frame);
	/* Nothing but the MSS value and the checksum changed. */
	for (i = 0; i < len; i++) {
		if (i == t + 16 || i == t + 17 || i == t + moff + 2 ||
		    i == t + moff + 3)
			continue;
		assert_int_equal(frame[i], before[i]);
	}
}

static void
test_clamp_v4(void **state)
{
	uint8_t	 frame[FRAME_MAX];
	size_t	 len;

	(void)state;
	len = build_tcp(frame, false, 0x02, linux_syn_opts,
	    sizeof(linux_syn_opts), 0, 0x1234abcd);
	set_tcp_cksum(frame);
	assert_int_equal(get16(frame + 34 + 22), 1460);
	expect_clamped(frame, len, 20, 1300);
	/* Clamping again changes nothing. */
	expect_unclamped(frame, len, 0);

	/* A SYN-ACK with data is clamped too. */
	len = build_tcp(frame, false, 0x12, linux_syn_opts,
	    sizeof(linux_syn_opts), 33, 0x0badf00d);
	set_tcp_cksum(frame);
	expect_clamped(frame, len, 20, 1300);
}

static void
test_clamp_v6(void **state)
{
	uint8_t	 frame[FRAME_MAX];
	size_t	 len;

	(void)state;
	len = build_tcp(frame, true, 0x02, linux_syn_opts,
	    sizeof(linux_syn_opts), 0, 0xfeedbeef);
	set_tcp_cksum(frame);
	expect_clamped(frame, len, 20, 1240);
	expect_unclamped(frame, len, 0);
}

static void
test_clamp_smaller_left(void **state)
{
	uint8_t	 frame[FRAME_MAX], opts[4] = { 0x02, 0x04, 0, 0 };
	size_t	 len;

	(void)state;
	put16(opts + 2, 1300);		/* equal: left alone */
	len = build_tcp(frame, false, 0x02, opts, 4, 0, 1);
	set_tcp_cksum(frame);
	expect_unclamped(frame, len, 0);
	put16(opts + 2, 536);
	len = build_tcp(frame, true, 0x02, opts, 4, 0, 1);
	set_tcp_cksum(frame);
	expect_unclamped(frame, len, 0);
	/* 1300 is above the IPv6 limit of 1240 though. */
	put16(opts + 2, 1300);
	len = build_tcp(frame, true, 0x02, opts, 4, 0, 1);
	set_tcp_cksum(frame);
	expect_clamped(frame, len, 20, 1240);
}

static void
test_clamp_no_mss(void **state)
{
	static const uint8_t	 opts[12] = {
		0x01, 0x01, 0x04, 0x02, 0x01, 0x03, 0x03, 0x07,
		0x01, 0x01, 0x01, 0x00,
	};
	uint8_t			 frame[FRAME_MAX];
	size_t			 len;

	(void)state;
	len = build_tcp(frame, false, 0x02, NULL, 0, 0, 7);
	set_tcp_cksum(frame);
	expect_unclamped(frame, len, 0);
	len = build_tcp(frame, false, 0x02, opts, sizeof(opts), 0, 7);
	set_tcp_cksum(frame);
	expect_unclamped(frame, len, 0);
}

static void
test_clamp_option_walk(void **state)
{
	/* NOP-padded SACK-permitted, timestamps, then MSS, then EOL. */
	static const uint8_t	 walk[20] = {
		0x01, 0x01, 0x04, 0x02, 0x08, 0x0a, 0, 0,
		0, 1, 0, 0, 0, 2, 0x02, 0x04,
		0x23, 0x28, 0x00, 0x00,
	};
	/* An MSS after EOL is not an option any more. */
	static const uint8_t	 after_eol[8] = {
		0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
	};
	/* SACK blocks (kind 5) of 10 bytes, then MSS. */
	static const uint8_t	 sack[16] = {
		0x01, 0x01, 0x05, 0x0a, 1, 2, 3, 4,
		5, 6, 7, 8, 0x02, 0x04, 0xff, 0xff,
	};
	uint8_t			 frame[FRAME_MAX];
	size_t			 len;

	(void)state;
	len = build_tcp(frame, false, 0x02, walk, sizeof(walk), 0, 99);
	set_tcp_cksum(frame);
	expect_clamped(frame, len, 34, 1300);

	len = build_tcp(frame, false, 0x02, after_eol, sizeof(after_eol), 0,
	    99);
	set_tcp_cksum(frame);
	expect_unclamped(frame, len, 0);

	len = build_tcp(frame, true, 0x02, sack, sizeof(sack), 0, 99);
	set_tcp_cksum(frame);
	expect_clamped(frame, len, 32, 1240);
}

static void
test_clamp_odd_offset(void **state)
{
	/* One NOP: the MSS value straddles two 16-bit words of the sum. */
	uint8_t		 opts[8] = { 0x01, 0x02, 0x04, 0, 0, 0x01, 0x01, 0x00 };
	uint8_t		 frame[FRAME_MAX];
	size_t		 len;
	uint32_t	 seq, v;

	(void)state;
	/* Many values and checksums, so that carries happen both ways. */
	for (seq = 0; seq < 4000; seq += 7) {
		v = 1301 + (seq * 2654435761u) % (65536 - 1301);
		put16(opts + 3, v);
		len = build_tcp(frame, seq & 1, 0x02, opts, sizeof(opts),
		    seq % 5, seq * 40503u);
		set_tcp_cksum(frame);
		expect_clamped(frame, len, 21, (seq & 1) ? 1240 : 1300);
	}
	/* Even offsets across the same range. */
	opts[0] = 0x02;
	opts[1] = 0x04;
	opts[4] = 0x01;
	for (seq = 0; seq < 4000; seq += 7) {
		v = 1301 + (seq * 2654435761u) % (65536 - 1301);
		put16(opts + 2, v);
		len = build_tcp(frame, seq & 1, 0x02, opts, sizeof(opts),
		    seq % 5, seq * 40503u);
		set_tcp_cksum(frame);
		expect_clamped(frame, len, 20, (seq & 1) ? 1240 : 1300);
	}
}

static void
test_clamp_two_mss(void **state)
{
	static const uint8_t	 opts[8] = {
		0x02, 0x04, 0x05, 0xb4, 0x02, 0x04, 0x23, 0x28,
	};
	uint8_t			 frame[FRAME_MAX];
	size_t			 len, t;

	(void)state;
	len = build_tcp(frame, false, 0x02, opts, sizeof(opts), 0, 5);
	set_tcp_cksum(frame);
	assert_int_equal(clamp_exact(frame, len, 1300, 1240), 1);
	t = tcp_off(frame);
	assert_int_equal(get16(frame + t + 22), 1300);
	assert_int_equal(get16(frame + t + 26), 1300);
	check_tcp_cksum(frame);
}

static void
test_clamp_bad_options(void **state)
{
	/*
	 * Length 0, length 1, two running past the header, MSS lengths 3
	 * and 5, and a last option without its length byte.
	 */
	static const uint8_t	 bad[][8] = {
		{ 0x08, 0x00, 0, 0, 0, 0, 0, 0 },
		{ 0x01, 0x05, 0x01, 0, 0, 0, 0, 0 },
		{ 0x01, 0x08, 0x0a, 0, 0, 0, 0, 0 },
		{ 0x02, 0x09, 0x05, 0xb4, 0, 0, 0, 0 },
		{ 0x02, 0x03, 0x05, 0x01, 0, 0, 0, 0 },
		{ 0x02, 0x05, 0x05, 0xb4, 0, 0x01, 0, 0 },
		{ 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x1e },
	};
	uint8_t		 frame[FRAME_MAX];
	size_t		 len, i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = build_tcp(frame, i & 1, 0x02, bad[i], 8, 0, 3);
		set_tcp_cksum(frame);
		expect_unclamped(frame, len, -1);
	}
	/* A bad option after a good MSS: nothing is half rewritten. */
	len = build_tcp(frame, false, 0x02, (const uint8_t [8]){
	    0x02, 0x04, 0x05, 0xb4, 0x03, 0x00, 0, 0 }, 8, 0, 3);
	set_tcp_cksum(frame);
	expect_unclamped(frame, len, -1);
}

static void
test_clamp_bad_tcp_header(void **state)
{
	uint8_t	 frame[FRAME_MAX];
	size_t	 len, t;

	(void)state;
	len = build_tcp(frame, false, 0x02, linux_syn_opts,
	    sizeof(linux_syn_opts), 0, 3);
	set_tcp_cksum(frame);
	t = tcp_off(frame);
	frame[t + 12] = 0x40;		/* data offset 4 */
	expect_unclamped(frame, len, -1);
	frame[t + 12] = 0xb0;		/* 44 bytes, past the segment */
	expect_unclamped(frame, len, -1);

	/* The IPv4 total length leaves less than a TCP header. */
	len = build_tcp(frame, false, 0x02, NULL, 0, 0, 3);
	put16(frame + 16, 20 + 19);
	fix_ip4_cksum(frame);
	expect_unclamped(frame, len, -1);

	len = build_tcp(frame, true, 0x02, NULL, 0, 0, 3);
	put16(frame + 18, 19);
	expect_unclamped(frame, len, -1);
	put16(frame + 18, 21);		/* past the frame */
	expect_unclamped(frame, len, -1);
}

static void
test_clamp_left_alone(void **state)
{
	uint8_t	 frame[FRAME_MAX];
	size_t	 len;

	(void)state;
	/* Not a SYN. */
	len = build_tcp(frame, false, 0x10, linux_syn_opts,
	    sizeof(linux_syn_opts), 0, 3);
	set_tcp_cksum(frame);
	expect_unclamped(frame, len, 0);
	len = build_tcp(frame, true, 0x18, linux_syn_opts,
	    sizeof(linux_syn_opts), 10, 3);
	set_tcp_cksum(frame);
	expect_unclamped(frame, len, 0);

	/* IPv4 fragments, first or not. */
	len = build_tcp(frame, false, 0x02, linux_syn_opts,
	    sizeof(linux_syn_opts), 0, 3);
	set_tcp_cksum(frame);
	put16(frame + 20, 0x2000);
	fix_ip4_cksum(frame);
	expect_unclamped(frame, len, 0);
	put16(frame + 20, 0x0003);
	fix_ip4_cksum(frame);
	expect_unclamped(frame, len, 0);

	/* Not TCP, or TCP behind an IPv6 extension header. */
	len = build_tcp(frame, false, 0x02, linux_syn_opts,
	    sizeof(linux_syn_opts), 0, 3);
	frame[23] = 17;
	fix_ip4_cksum(frame);
	expect_unclamped(frame, len, 0);
	len = build_tcp(frame, true, 0x02, linux_syn_opts,
	    sizeof(linux_syn_opts), 0, 3);
	frame[20] = 0;
	expect_unclamped(frame, len, 0);

	/* Clamping turned off with 0. */
	len = build_tcp(frame, false, 0x02, linux_syn_opts,
	    sizeof(linux_syn_opts), 0, 3);
	set_tcp_cksum(frame);
	assert_int_equal(clamp_exact(frame, len, 0, 1240), 0);
	len = build_tcp(frame, true, 0x02, linux_syn_opts,
	    sizeof(linux_syn_opts), 0, 3);
	set_tcp_cksum(frame);
	assert_int_equal(clamp_exact(frame, len, 1300, 0), 0);
}

static void
test_clamp_truncated(void **state)
{
	uint8_t		 frame[FRAME_MAX], cut[FRAME_MAX];
	size_t		 len, n;
	int		 r, v6;

	(void)state;
	assert_int_equal(pmtu_clamp_mss(NULL, 0, 1300, 1240), -1);
	for (v6 = 0; v6 < 2; v6++) {
		len = build_tcp(frame, v6, 0x02, linux_syn_opts,
		    sizeof(linux_syn_opts), 0, 3);
		set_tcp_cksum(frame);
		/* Cut anywhere, the packet is longer than its frame. */
		for (n = 0; n < len; n++) {
			memcpy(cut, frame, n);
			expect_unclamped(cut, n, -1);
		}
		/*
		 * Cut with consistent IP lengths: the TCP header or its
		 * options end early.
		 */
		for (n = tcp_off(frame); n < len; n++) {
			memcpy(cut, frame, n);
			if (v6)
				put16(cut + 18, (unsigned)(n - 54));
			else {
				put16(cut + 16, (unsigned)(n - 14));
				fix_ip4_cksum(cut);
			}
			expect_unclamped(cut, n, -1);
		}
		memcpy(cut, frame, len);
		r = clamp_exact(cut, len, 1300, 1240);
		assert_int_equal(r, 1);
	}
}

/*
 * Random double byte mutations of a valid frame, within its first span
 * bytes: whatever the result, nothing is read outside the exact copy
 * (sanitizers, valgrind), a reply never exceeds PMTU_REPLY_MAX, and for
 * TCP a clamped frame's checksum still verifies if it did before.
 */
static void
mutate_run(const uint8_t *frame, size_t len, size_t span, bool tcp,
    uint32_t *rng)
{
	uint8_t		 f[FRAME_MAX], g[FRAME_MAX];
	uint8_t		 out[PMTU_REPLY_MAX + 1];
	size_t		 pos;
	ssize_t		 r;
	int		 i, c;

	for (i = 0; i < 5000; i++) {
		memcpy(f, frame, len);
		for (c = 0; c < 2; c++) {
			*rng = *rng * 1103515245u + 12345u;
			pos = (*rng >> 8) % span;
			*rng = *rng * 1103515245u + 12345u;
			f[pos] = (uint8_t)(*rng >> 16);
		}
		r = too_big_exact(f, len, 100 + i % 1300, out, sizeof(out));
		assert_true(r >= -1 && r <= PMTU_REPLY_MAX);
		if (!tcp)
			continue;
		/*
		 * A clamped frame's lengths are sound, so its checksum can be
		 * recomputed from the copy taken before.
		 */
		memcpy(g, f, len);
		if (clamp_exact(f, len, 1300, 1240) == 1 &&
		    get16(g + tcp_off(g) + 16) == ref_tcp_cksum(g))
			check_tcp_cksum(f);
	}
}

static void
test_mutations(void **state)
{
	struct ip4_spec	 s4;
	struct ip6_spec	 s6;
	uint8_t		 frame[FRAME_MAX];
	uint8_t		 l4[8] = { 58, 0, 1, 4, 0, 0, 0, 0 };
	size_t		 len;
	uint32_t	 rng = 12345;

	(void)state;
	spec4_default(&s4);
	s4.tlen = 120;
	s4.proto = 1;
	len = build4(frame, &s4);
	mutate_run(frame, len, 60, false, &rng);

	spec6_default(&s6);
	s6.nxt = 0;
	s6.l4 = l4;
	s6.l4len = sizeof(l4);
	len = build6(frame, &s6);
	mutate_run(frame, len, 80, false, &rng);

	len = build_tcp(frame, false, 0x02, linux_syn_opts,
	    sizeof(linux_syn_opts), 0, 3);
	set_tcp_cksum(frame);
	mutate_run(frame, len, len, true, &rng);
	len = build_tcp(frame, true, 0x02, linux_syn_opts,
	    sizeof(linux_syn_opts), 0, 3);
	set_tcp_cksum(frame);
	mutate_run(frame, len, len, true, &rng);
}

/* A learned MTU: only lower, never below the family's floor. */
static void
test_learned_floor(void **state)
{
	(void)state;
	assert_int_equal(pmtu_learned(0, 1400, 0), 1400);
	assert_int_equal(pmtu_learned(1400, 1300, 0), 1300);
	assert_int_equal(pmtu_learned(1300, 1300, 0), 0);
	assert_int_equal(pmtu_learned(1300, 1400, 0), 0);
	assert_int_equal(pmtu_learned(0, 516, 0), PMTU_LEARNED_MIN4);
	assert_int_equal(pmtu_learned(1400, 68, 0), 576);
	assert_int_equal(pmtu_learned(576, 68, 0), 0);
	/* IPv6: 1280, whatever a forged "packet too big" says. */
	assert_int_equal(pmtu_learned(0, 1000, 1), 1280);
	assert_int_equal(pmtu_learned(1500, 576, 1), 1280);
	assert_int_equal(pmtu_learned(1280, 576, 1), 0);
	assert_int_equal(pmtu_learned(1500, 1400, 1), 1400);
	assert_int_equal(pmtu_learned(1500, -1, 1), 1280);
}

/* Expiry after ten minutes, with the clock passed in. */
static void
test_learned_expiry(void **state)
{
	const uint64_t	 t = 5000ULL * 1000000000ULL;

	(void)state;
	assert_int_equal(PMTU_EXPIRE_NS, 600ULL * 1000000000ULL);
	assert_false(pmtu_expired(0, t));
	assert_false(pmtu_expired(t, t));
	assert_false(pmtu_expired(t, t + PMTU_EXPIRE_NS - 1));
	assert_true(pmtu_expired(t, t + PMTU_EXPIRE_NS));
	assert_true(pmtu_expired(t, t + 100 * PMTU_EXPIRE_NS));
}

int
main(void)
{
	struct CMUnitTest	cases[NTOOBIG];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_icmp_errors),
		cmocka_unit_test(test_v4_bad_addresses),
		cmocka_unit_test(test_v4_malformed),
		cmocka_unit_test(test_v4_padding_accepted),
		cmocka_unit_test(test_v4_addresses_needed),
		cmocka_unit_test(test_small_out),
		cmocka_unit_test(test_in_place),
		cmocka_unit_test(test_v6_icmp_errors),
		cmocka_unit_test(test_v6_extension_headers),
		cmocka_unit_test(test_v6_bad_sources),
		cmocka_unit_test(test_v6_malformed),
		cmocka_unit_test(test_other_ethertypes),
		cmocka_unit_test(test_truncated_too_big),
		cmocka_unit_test(test_clamp_v4),
		cmocka_unit_test(test_clamp_v6),
		cmocka_unit_test(test_clamp_smaller_left),
		cmocka_unit_test(test_clamp_no_mss),
		cmocka_unit_test(test_clamp_option_walk),
		cmocka_unit_test(test_clamp_odd_offset),
		cmocka_unit_test(test_clamp_two_mss),
		cmocka_unit_test(test_clamp_bad_options),
		cmocka_unit_test(test_clamp_bad_tcp_header),
		cmocka_unit_test(test_clamp_left_alone),
		cmocka_unit_test(test_clamp_truncated),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_learned_floor),
		cmocka_unit_test(test_learned_expiry),
	};

	size_t			i;
	int			fails;

	for (i = 0; i < NTOOBIG; i++) {
		memset(&cases[i], 0, sizeof(cases[i]));
		cases[i].name = too_big_cases[i].what;
		cases[i].test_func = run_too_big_case;
		cases[i].initial_state = (void *)&too_big_cases[i];
	}
	fails = cmocka_run_group_tests_name("too_big_cases", cases, NULL,
	    NULL);
	fails += cmocka_run_group_tests(tests, NULL, NULL);
	return fails != 0;
}
