/*
 * Unit tests for filter_inspect: where the IPv6 extension-header walk
 * finds neighbour and router discovery, where it gives up, and that it
 * points at the right source address.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "filter.h"

/* An Ethernet + IPv6 frame: the header, then the chain given. */
static size_t
ip6_frame(uint8_t *f, uint8_t nxt, const uint8_t *chain, size_t clen)
{
	memset(f, 0, 54);
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[18] = (uint8_t)(clen >> 8);
	f[19] = (uint8_t)clen;
	f[20] = nxt;
	f[21] = 255;
	inet_pton(AF_INET6, "fe80::1", f + 22);
	inet_pton(AF_INET6, "ff02::1", f + 38);
	memcpy(f + 54, chain, clen);
	return 54 + clen;
}

/* An 8-byte hop-by-hop / destination options / routing header. */
static void
ext8(uint8_t *p, uint8_t nxt)
{
	memset(p, 0, 8);
	p[0] = nxt;
	p[2] = 1;	/* PadN */
	p[3] = 4;
}

static void
test_icmpv6_types(void **state)
{
	uint8_t		 f[256], c[16] = { 0 };
	const uint8_t	*src = NULL;
	unsigned int	 t;

	(void)state;
	for (t = 128; t <= 140; t++) {
		c[0] = (uint8_t)t;
		size_t n = ip6_frame(f, 58, c, 8);
		assert_int_equal(filter_inspect(f, n, &src),
		    t >= 133 && t <= 137 ? FILTER_ND : FILTER_IPV6);
	}
	c[0] = 128;
	assert_int_equal(filter_inspect(f, ip6_frame(f, 58, c, 8), &src),
	    FILTER_IPV6);
	assert_ptr_equal(src, f + 22);
}

static void
test_behind_extension_headers(void **state)
{
	uint8_t		 f[256], c[64];
	const uint8_t	*src;

	(void)state;
	/* NS behind hop-by-hop, then destination options. */
	ext8(c, 60);
	ext8(c + 8, 58);
	c[16] = 135;
	assert_int_equal(filter_inspect(f, ip6_frame(f, 0, c, 24), &src),
	    FILTER_ND);
	/* RA behind a routing header. */
	ext8(c, 58);
	c[8] = 134;
	assert_int_equal(filter_inspect(f, ip6_frame(f, 43, c, 16), &src),
	    FILTER_ND);
	/* RA behind AH (length in 4-byte units, minus 2): 12 bytes. */
	memset(c, 0, sizeof(c));
	c[0] = 58;
	c[1] = 1;
	c[12] = 134;
	assert_int_equal(filter_inspect(f, ip6_frame(f, 51, c, 20), &src),
	    FILTER_ND);
	/* Echo behind hop-by-hop: an ordinary packet. */
	ext8(c, 58);
	c[8] = 128;
	assert_int_equal(filter_inspect(f, ip6_frame(f, 0, c, 16), &src),
	    FILTER_IPV6);
	/* UDP behind hop-by-hop. */
	ext8(c, 17);
	assert_int_equal(filter_inspect(f, ip6_frame(f, 0, c, 16), &src),
	    FILTER_IPV6);
}

static void
test_fragments(void **state)
{
	uint8_t		 f[256], c[64];
	const uint8_t	*src;

	(void)state;
	/* A first fragment (offset 0, more to come) holding an RA. */
	memset(c, 0, sizeof(c));
	c[0] = 58;
	c[3] = 1;
	c[8] = 134;
	assert_int_equal(filter_inspect(f, ip6_frame(f, 44, c, 16), &src),
	    FILTER_ND);
	/* A first fragment cut before the ICMPv6 type. */
	assert_int_equal(filter_inspect(f, ip6_frame(f, 44, c, 8), &src),
	    FILTER_MALFORMED);
	/* A later fragment of ICMPv6: no header to see, it passes. */
	c[2] = 0x05;
	c[3] = 0x68;	/* offset 173 * 8 */
	c[8] = 134;	/* payload bytes, not a type */
	assert_int_equal(filter_inspect(f, ip6_frame(f, 44, c, 16), &src),
	    FILTER_IPV6);
}

static void
test_cut_short(void **state)
{
	uint8_t		 f[256], c[128];
	const uint8_t	*src;
	size_t		 n, i;

	(void)state;
	/* Hop-by-hop claiming 16 bytes in an 8-byte payload. */
	ext8(c, 58);
	c[1] = 1;
	assert_int_equal(filter_inspect(f, ip6_frame(f, 0, c, 8), &src),
	    FILTER_MALFORMED);
	/* A payload length beyond the frame. */
	c[0] = 135;
	n = ip6_frame(f, 58, c, 8);
	f[19] = 200;
	assert_int_equal(filter_inspect(f, n, &src), FILTER_MALFORMED);
	/* Ethernet padding after the packet is not part of it. */
	n = ip6_frame(f, 0, c, 0);
	memset(f + n, 0, 16);
	assert_int_equal(filter_inspect(f, n + 16, &src), FILTER_MALFORMED);
	/* More extension headers than the walk follows. */
	for (i = 0; i <= FILTER_MAX_EXT; i++)
		ext8(c + i * 8, 60);
	c[FILTER_MAX_EXT * 8] = 58;
	c[(FILTER_MAX_EXT + 1) * 8] = 128;
	assert_int_equal(filter_inspect(f, ip6_frame(f, 60, c,
	    (FILTER_MAX_EXT + 1) * 8 + 8), &src), FILTER_MALFORMED);
	/* Exactly FILTER_MAX_EXT of them is fine. */
	c[(FILTER_MAX_EXT - 1) * 8] = 58;
	c[FILTER_MAX_EXT * 8] = 134;
	assert_int_equal(filter_inspect(f, ip6_frame(f, 60, c,
	    FILTER_MAX_EXT * 8 + 8), &src), FILTER_ND);
	/* Shorter than the IPv6 header. */
	assert_int_equal(filter_inspect(f, 14 + 39, &src), FILTER_MALFORMED);
}

static void
test_ipv4_and_others(void **state)
{
	uint8_t		 f[64];
	const uint8_t	*src = NULL;

	(void)state;
	memset(f, 0, sizeof(f));
	f[12] = 0x08;
	f[14] = 0x45;
	inet_pton(AF_INET, "192.0.2.7", f + 26);
	assert_int_equal(filter_inspect(f, 34, &src), FILTER_IPV4);
	assert_ptr_equal(src, f + 26);
	f[14] = 0x4f;	/* 60-byte header in a 20-byte packet */
	assert_int_equal(filter_inspect(f, 34, &src), FILTER_MALFORMED);
	f[14] = 0x65;
	assert_int_equal(filter_inspect(f, 34, &src), FILTER_MALFORMED);
	f[12] = 0x08;
	f[13] = 0x06;	/* ARP */
	assert_int_equal(filter_inspect(f, 42, &src), FILTER_OTHER);
	f[12] = 0x00;
	f[13] = 0x40;	/* an 802.3 length: LLC */
	assert_int_equal(filter_inspect(f, 42, &src), FILTER_OTHER);
	assert_int_equal(filter_inspect(f, 13, &src), FILTER_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icmpv6_types),
		cmocka_unit_test(test_behind_extension_headers),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_cut_short),
		cmocka_unit_test(test_ipv4_and_others),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
