/*
 * Unit tests for prio_frame: each kind of routing traffic over IPv4,
 * IPv6 and a VLAN tag, the bulk look-alikes next to them (other ports,
 * other DSCPs, later fragments, the wrong direction for BFD), IS-IS by
 * its group MACs, and every truncation on exactly sized buffers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "prio.h"
#include "pkt.h"

enum fam { V4, V6, V4_VLAN };

/*
 * An IP packet with protocol proto, TOS / traffic class tos, fragment
 * field frag (IPv4) and 8 bytes of transport header from sport to dport.
 */
static size_t
build(uint8_t *buf, enum fam fam, uint8_t proto, uint8_t tos, uint16_t sport,
    uint16_t dport, uint16_t frag)
{
	size_t	 off;

	off = put_eth_vlan(buf, mac_peer, mac_tap, fam == V4_VLAN ? 5 : 0,
	    fam == V6 ? 0x86dd : 0x0800);
	if (fam == V6) {
		memset(buf + off, 0, 40);
		buf[off] = (uint8_t)(0x60 | tos >> 4);
		buf[off + 1] = (uint8_t)(tos << 4);
		put16(buf + off + 4, 8);
		buf[off + 6] = proto;
		buf[off + 7] = 1;
		off += 40;
	} else {
		memset(buf + off, 0, 20);
		buf[off] = 0x45;
		buf[off + 1] = tos;
		put16(buf + off + 2, 28);
		put16(buf + off + 6, frag);
		buf[off + 8] = 1;
		buf[off + 9] = proto;
		off += 20;
	}
	put16(buf + off, sport);
	put16(buf + off + 2, dport);
	memset(buf + off + 4, 0, 4);
	return off + 8;
}

/* What prio_frame must say of each packet, over every family. */
static const struct {
	uint8_t		 proto, tos;
	uint16_t	 sport, dport;
	int		 want;
	const char	*what;
} cases[] = {
	{ 89, 0xc0, 0, 0, 1, "OSPF" },
	{ 112, 0, 0, 0, 1, "VRRP" },
	{ 17, 0, 49152, 3784, 1, "BFD control" },
	{ 17, 0, 3785, 3785, 1, "BFD echo" },
	{ 17, 0, 49152, 4784, 1, "BFD multihop" },
	{ 6, 0, 40000, 179, 1, "BGP to the speaker" },
	{ 6, 0, 179, 40000, 1, "BGP from the speaker" },
	{ 6, 0xc0, 1, 2, 1, "CS6 TCP" },
	{ 17, 0xe2, 1, 2, 1, "CS7 UDP with ECT(0)" },
	{ 1, 0xc1, 0, 0, 1, "CS6 ICMP with ECT(1)" },
	{ 6, 0, 40000, 5201, 0, "bulk TCP" },
	{ 17, 0, 40000, 53, 0, "DNS" },
	{ 17, 0, 3784, 40000, 0, "UDP from a BFD port" },
	{ 6, 0, 1, 3784, 0, "TCP to a BFD port" },
	{ 17, 0, 179, 179, 0, "UDP port 179" },
	{ 17, 0xb8, 1, 2, 0, "EF" },
	{ 17, 0x88, 1, 2, 0, "AF41" },
	{ 17, 0xa0, 1, 2, 0, "CS5" },
	{ 1, 0, 0, 0, 0, "ICMP" },
};

static void
test_cases(void **state)
{
	uint8_t		 f[128];
	size_t		 i, n;
	int		 fam;

	(void)state;
	for (fam = V4; fam <= V4_VLAN; fam++)
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			n = build(f, fam, cases[i].proto, cases[i].tos,
			    cases[i].sport, cases[i].dport, 0);
			if (prio_frame(f, n) != cases[i].want)
				fail_msg("%s, family %d: not %d", cases[i].what,
				    fam, cases[i].want);
		}
}

static void
test_other(void **state)
{
	uint8_t		 f[128];

	(void)state;
	/* A later fragment's payload is no transport header ... */
	assert_false(prio_frame(f, build(f, V4, 6, 0, 179, 179, 0x0010)));
	assert_false(prio_frame(f, build(f, V4, 17, 0, 3784, 3784, 0x2010)));
	/* ... but the first one's is, and OSPF stays OSPF. */
	assert_true(prio_frame(f, build(f, V4, 6, 0, 179, 179, 0x2000)));
	assert_true(prio_frame(f, build(f, V4, 89, 0, 0, 0, 0x0010)));
	/* Not IP: ARP, an IPv4 ethertype over an IPv6 header. */
	build(f, V4, 89, 0, 0, 0, 0);
	put16(f + 12, 0x0806);
	assert_false(prio_frame(f, 42));
	build(f, V6, 89, 0, 0, 0, 0);
	put16(f + 12, 0x0800);
	assert_false(prio_frame(f, 62));
	assert_false(prio_frame(NULL, 0));
}

static void
test_isis(void **state)
{
	static const uint8_t macs[][6] = {
		{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x14 },
		{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x15 },
		{ 0x09, 0x00, 0x2b, 0x00, 0x00, 0x04 },
		{ 0x09, 0x00, 0x2b, 0x00, 0x00, 0x05 },
	};
	static const uint8_t other[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e };
	uint8_t		 f[64];
	size_t		 i;

	(void)state;
	memset(f, 0, sizeof(f));
	for (i = 0; i < sizeof(macs) / sizeof(macs[0]); i++) {
		/* 802.3 length, LLC fe fe 03 (OSI). */
		put_eth(f, macs[i], mac_tap, 50);
		f[14] = 0xfe; f[15] = 0xfe; f[16] = 0x03;
		assert_true(prio_frame(f, sizeof(f)));
		/* An ethertype to the same MAC is something else. */
		put16(f + 12, 0x88cc);
		assert_false(prio_frame(f, sizeof(f)));
	}
	put_eth(f, other, mac_tap, 50);
	assert_false(prio_frame(f, sizeof(f)));
	put_eth(f, mac_bcast, mac_tap, 50);
	assert_false(prio_frame(f, sizeof(f)));
}

static void
test_truncated(void **state)
{
	uint8_t		 f[128], *d;
	size_t		 n, len, hdr;
	int		 fam;

	(void)state;
	for (fam = V4; fam <= V4_VLAN; fam++) {
		n = build(f, fam, 17, 0, 49152, 3784, 0);
		hdr = n - 8;
		for (len = 0; len <= n; len++) {
			d = dup_exact(f, len);
			/* The ports must be there to tell. */
			assert_int_equal(prio_frame(d, len), len >= hdr + 4);
			free(d);
		}
	}
}

/* What a relay goes by: the outer TOS, CS6 and CS7 only, any ECN. */
static void
test_tos(void **state)
{
	unsigned	 t;

	(void)state;
	for (t = 0; t < 256; t++)
		assert_int_equal(prio_tos((uint8_t)t), t >> 2 == 48 ||
		    t >> 2 == 56);
	assert_true(prio_tos(0xc0) && prio_tos(0xc3) && prio_tos(0xe0));
	assert_false(prio_tos(0xb8) || prio_tos(0x00) || prio_tos(0xbc));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_other),
		cmocka_unit_test(test_isis),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_tos),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
