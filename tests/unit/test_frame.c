/*
 * Unit tests for frame_classify: one frame per class and per special
 * case, built byte by byte, and every truncation of each of them on an
 * exactly sized heap buffer so that an overread shows up under valgrind
 * or AddressSanitizer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "frame.h"
#include "pkt.h"

static const uint8_t mac_ospf[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x05 };
static const uint8_t mac_v6_allnodes[6] = { 0x33, 0x33, 0, 0, 0, 0x01 };
static const uint8_t mac_v6_allrouters[6] = { 0x33, 0x33, 0, 0, 0, 0x02 };
static const uint8_t mac_v6_solicited[6] = { 0x33, 0x33, 0xff, 0, 0, 0x02 };
static const uint8_t mac_isis[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x14 };

/*
 * An IPv4 packet with the given header length in 32-bit words, protocol
 * and first payload byte (the ICMP type for protocol 1), followed by
 * seven more payload bytes.
 */
static size_t
build_ipv4(uint8_t *buf, const uint8_t dst[6], uint8_t ihl, uint8_t proto,
    uint8_t first, uint16_t frag)
{
	size_t	 off = put_eth(buf, dst, mac_tap, 0x0800);
	size_t	 hlen = (size_t)ihl * 4, i;

	if (hlen < 20)
		hlen = 20;	/* the bytes exist, the field lies */
	memset(buf + off, 0, hlen);
	buf[off] = 0x40 | ihl;
	buf[off + 2] = 0;
	buf[off + 3] = (uint8_t)(hlen + 8);
	buf[off + 6] = frag >> 8;
	buf[off + 7] = frag & 0xff;
	buf[off + 8] = 64;
	buf[off + 9] = proto;
	buf[off + 12] = 10; buf[off + 13] = 255; buf[off + 14] = 0;
	buf[off + 15] = 1;
	buf[off + 16] = 10; buf[off + 17] = 255; buf[off + 18] = 0;
	buf[off + 19] = 2;
	off += hlen;
	buf[off] = first;
	for (i = 1; i < 8; i++)
		buf[off + i] = (uint8_t)i;
	return off + 8;
}

/* An IPv6 packet with next header nxt and 24 payload bytes. */
static size_t
build_ipv6(uint8_t *buf, const uint8_t dst[6], uint8_t nxt, uint8_t first)
{
	size_t	 off = put_eth(buf, dst, mac_tap, 0x86dd);

	memset(buf + off, 0, 40 + 24);
	buf[off] = 0x60;
	buf[off + 5] = 24;
	buf[off + 6] = nxt;
	buf[off + 7] = 255;
	buf[off + 8] = 0xfd; buf[off + 10] = 0x02; buf[off + 11] = 0x55;
	buf[off + 23] = 1;
	buf[off + 24] = 0xff; buf[off + 25] = 0x02;
	buf[off + 39] = 1;
	off += 40;
	buf[off] = first;
	return off + 24;
}

/* The lab's ARP request (pkt.h), sent to dst. */
static size_t
build_arp_to(uint8_t *buf, const uint8_t dst[6])
{
	struct arp_spec	 s;

	arp_spec_default(&s);
	memcpy(s.edst, dst, 6);
	return build_arp(buf, &s);
}

/*
 * Classifies a copy of the frame in a buffer of exactly len bytes, so
 * that the sanitizers see any read past the end.
 */
static enum frame_class
classify_exact(const uint8_t *frame, size_t len)
{
	uint8_t			*copy = dup_exact(frame, len);
	enum frame_class	 c;

	c = frame_classify(copy, len);
	free(copy);
	return c;
}

/*
 * Checks the class of a frame, and that each of its truncations is
 * classified without overreading into a sane class.
 */
static void
check_class(const uint8_t *frame, size_t len, enum frame_class want)
{
	size_t			 l;
	enum frame_class	 c;

	assert_int_equal(classify_exact(frame, len), want);
	for (l = 0; l < len; l++) {
		c = classify_exact(frame, l);
		if (l < 14)
			assert_int_equal(c, FRAME_MALFORMED);
		else
			assert_true(c >= FRAME_ARP && c <= FRAME_UNICAST);
	}
}

static void
test_arp(void **state)
{
	uint8_t	 buf[128];
	size_t	 len;

	(void)state;
	len = build_arp_to(buf, mac_bcast);
	check_class(buf, len, FRAME_ARP);
	/* A unicast ARP request (the kernel refreshing an entry). */
	len = build_arp_to(buf, mac_peer);
	check_class(buf, len, FRAME_ARP);
	/* Whatever the destination and length: the responder validates. */
	assert_int_equal(classify_exact(buf, 14), FRAME_ARP);
}

static void
test_ns_na(void **state)
{
	uint8_t	 buf[128];
	size_t	 len;

	(void)state;
	len = build_ipv6(buf, mac_v6_solicited, 58, 135);
	check_class(buf, len, FRAME_NDP);
	len = build_ipv6(buf, mac_peer, 58, 135);	/* unicast NUD */
	check_class(buf, len, FRAME_NDP);
	len = build_ipv6(buf, mac_peer, 58, 136);
	check_class(buf, len, FRAME_NDP);
	/* An unsolicited advertisement to all nodes. */
	len = build_ipv6(buf, mac_v6_allnodes, 58, 136);
	check_class(buf, len, FRAME_NDP);
	/* The ICMPv6 type byte itself is the first byte that can tell. */
	assert_int_equal(classify_exact(buf, 14 + 40), FRAME_GROUP);
	assert_int_equal(classify_exact(buf, 14 + 41), FRAME_NDP);
}

static void
test_rs_ra_group(void **state)
{
	uint8_t	 buf[128];
	size_t	 len;

	(void)state;
	len = build_ipv6(buf, mac_v6_allrouters, 58, 133);
	check_class(buf, len, FRAME_GROUP);
	len = build_ipv6(buf, mac_v6_allnodes, 58, 134);
	check_class(buf, len, FRAME_GROUP);
	/* A unicast RA (answer to an RS) is just unicast. */
	len = build_ipv6(buf, mac_peer, 58, 134);
	check_class(buf, len, FRAME_UNICAST);
}

static void
test_redirects(void **state)
{
	uint8_t	 buf[128];
	size_t	 len;

	(void)state;
	len = build_ipv6(buf, mac_peer, 58, 137);
	check_class(buf, len, FRAME_REDIRECT);
	len = build_ipv4(buf, mac_peer, 5, 1, 5, 0);
	check_class(buf, len, FRAME_REDIRECT);
	/* Header with options: the type is read behind them. */
	len = build_ipv4(buf, mac_peer, 6, 1, 5, 0);
	check_class(buf, len, FRAME_REDIRECT);
	/* DF set, still the first fragment: a redirect. */
	len = build_ipv4(buf, mac_peer, 5, 1, 5, 0x4000);
	check_class(buf, len, FRAME_REDIRECT);
}

static void
test_ipv4_not_redirect(void **state)
{
	uint8_t	 buf[128];
	size_t	 len;

	(void)state;
	/* Echo request. */
	len = build_ipv4(buf, mac_peer, 5, 1, 8, 0);
	check_class(buf, len, FRAME_UNICAST);
	/* Type 5 but not ICMP (UDP). */
	len = build_ipv4(buf, mac_peer, 5, 17, 5, 0);
	check_class(buf, len, FRAME_UNICAST);
	/* A later fragment has no ICMP header where the type would be. */
	len = build_ipv4(buf, mac_peer, 5, 1, 5, 0x0001);
	check_class(buf, len, FRAME_UNICAST);
	/* IHL below 5 is insane: not inspected. */
	len = build_ipv4(buf, mac_peer, 4, 1, 5, 0);
	buf[14 + 16] = 5;	/* the byte at a 16-byte header's end */
	check_class(buf, len, FRAME_UNICAST);
	/* IHL 15 (60 bytes) points past this 42-byte frame's end. */
	len = build_ipv4(buf, mac_peer, 5, 1, 5, 0);
	buf[14] = 0x4f;
	check_class(buf, len, FRAME_UNICAST);
	/* Header exactly fills the frame: no type byte to read. */
	len = build_ipv4(buf, mac_peer, 5, 1, 5, 0);
	assert_int_equal(classify_exact(buf, 14 + 20), FRAME_UNICAST);
	assert_int_equal(classify_exact(buf, 14 + 21), FRAME_REDIRECT);
	/* Version 6 in an IPv4 ethertype. */
	buf[14] = 0x65;
	check_class(buf, len, FRAME_UNICAST);
}

static void
test_ipv6_other(void **state)
{
	uint8_t	 buf[128];
	size_t	 len;

	(void)state;
	len = build_ipv6(buf, mac_peer, 6, 135);	/* TCP */
	check_class(buf, len, FRAME_UNICAST);
	len = build_ipv6(buf, mac_peer, 58, 128);	/* echo request */
	check_class(buf, len, FRAME_UNICAST);
	len = build_ipv6(buf, mac_v6_allrouters, 89, 0);	/* OSPFv3 */
	check_class(buf, len, FRAME_GROUP);
	/* Version 4 in an IPv6 ethertype is not inspected. */
	len = build_ipv6(buf, mac_peer, 58, 135);
	buf[14] = 0x40;
	check_class(buf, len, FRAME_UNICAST);
}

static void
test_group_macs(void **state)
{
	uint8_t	 buf[128];
	size_t	 len;

	(void)state;
	len = build_ipv4(buf, mac_bcast, 5, 17, 0, 0);
	check_class(buf, len, FRAME_GROUP);
	len = build_ipv4(buf, mac_ospf, 5, 89, 0, 0);
	check_class(buf, len, FRAME_GROUP);
	len = build_ipv6(buf, mac_v6_allnodes, 17, 0);
	check_class(buf, len, FRAME_GROUP);
	/* An ICMP redirect is dropped even if sent to a group. */
	len = build_ipv4(buf, mac_bcast, 5, 1, 5, 0);
	check_class(buf, len, FRAME_REDIRECT);
}

static void
test_isis_llc(void **state)
{
	static const uint8_t	 llc[] = { 0xfe, 0xfe, 0x03, 0x83, 0x1b, 0x01 };
	uint8_t			 buf[128];
	size_t			 len;

	(void)state;
	/* 802.3 length field, then LLC DSAP/SSAP 0xfe and IS-IS. */
	len = put_eth(buf, mac_isis, mac_tap, 27);
	memcpy(buf + len, llc, sizeof(llc));
	memset(buf + len + sizeof(llc), 0, 21);
	len += sizeof(llc) + 21;
	check_class(buf, len, FRAME_GROUP);
	/* Length 1500, the largest that is not an ethertype. */
	buf[12] = 0x05;
	buf[13] = 0xdc;
	check_class(buf, len, FRAME_GROUP);
	/* The same to a unicast MAC (point-to-point IS-IS). */
	memcpy(buf, mac_peer, 6);
	check_class(buf, len, FRAME_UNICAST);
}

static void
test_vlan(void **state)
{
	uint8_t	 buf[128];
	size_t	 len;

	(void)state;
	/* A tagged ARP request is not looked into. */
	len = put_eth(buf, mac_peer, mac_tap, 0x8100);
	buf[len++] = 0x00;
	buf[len++] = 0x64;
	buf[len++] = 0x08;
	buf[len++] = 0x06;
	memset(buf + len, 0, 28);
	len += 28;
	check_class(buf, len, FRAME_UNICAST);
	memcpy(buf, mac_bcast, 6);
	check_class(buf, len, FRAME_GROUP);
}

static void
test_short(void **state)
{
	uint8_t	 buf[128];
	size_t	 len;

	(void)state;
	len = build_ipv4(buf, mac_peer, 5, 1, 5, 0);
	assert_true(len > 14);
	assert_int_equal(classify_exact(buf, 13), FRAME_MALFORMED);
	assert_int_equal(classify_exact(buf, 0), FRAME_MALFORMED);
	assert_int_equal(frame_classify(NULL, 0), FRAME_MALFORMED);
	/* Exactly a header: the ethertype says IPv4, nothing behind it. */
	assert_int_equal(classify_exact(buf, 14), FRAME_UNICAST);
}

static void
test_class_names(void **state)
{
	(void)state;
	assert_string_equal(frame_class_name(FRAME_MALFORMED), "malformed");
	assert_string_equal(frame_class_name(FRAME_ARP), "arp");
	assert_string_equal(frame_class_name(FRAME_NDP), "ndp");
	assert_string_equal(frame_class_name(FRAME_REDIRECT), "redirect");
	assert_string_equal(frame_class_name(FRAME_GROUP), "group");
	assert_string_equal(frame_class_name(FRAME_UNICAST), "unicast");
	assert_string_equal(frame_class_name((enum frame_class)42),
	    "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_ns_na),
		cmocka_unit_test(test_rs_ra_group),
		cmocka_unit_test(test_redirects),
		cmocka_unit_test(test_ipv4_not_redirect),
		cmocka_unit_test(test_ipv6_other),
		cmocka_unit_test(test_group_macs),
		cmocka_unit_test(test_isis_llc),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_class_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
