/*
 * Unit tests for tos.c: the RFC 6040 encapsulation and decapsulation
 * tables cell by cell, reading the TOS / traffic class of IPv4, IPv6 and
 * tagged frames, and rewriting the inner ECN field with a valid IPv4
 * header checksum afterwards; every truncation on exactly sized buffers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "csum.h"
#include "tos.h"
#include "pkt.h"

#define N	TOS_NOT_ECT
#define E0	TOS_ECT0
#define E1	TOS_ECT1
#define CE	TOS_CE
#define DROP	(-1)

/* An IPv4 packet (20-byte header, valid checksum, 8 bytes of UDP). */
static size_t
build4(uint8_t *buf, uint8_t tos, int vlan)
{
	size_t	 off;

	off = put_eth_vlan(buf, mac_peer, mac_tap, vlan ? 7 : 0, 0x0800);
	memset(buf + off, 0, 28);
	buf[off] = 0x45;
	buf[off + 1] = tos;
	put16(buf + off + 2, 28);
	buf[off + 8] = 64;
	buf[off + 9] = 17;
	pton4("10.255.0.1", buf + off + 12);
	pton4("10.255.0.2", buf + off + 16);
	put16(buf + off + 10, (uint16_t)~csum_fold(csum_add(0, buf + off, 20)));
	return off + 28;
}

/* An IPv6 packet with traffic class tc and flow label 0xabcde. */
static size_t
build6(uint8_t *buf, uint8_t tc)
{
	size_t	 off = put_eth(buf, mac_peer, mac_tap, 0x86dd);

	memset(buf + off, 0, 48);
	buf[off] = (uint8_t)(0x60 | tc >> 4);
	buf[off + 1] = (uint8_t)((tc & 0x0f) << 4 | 0x0a);
	buf[off + 2] = 0xbc;
	buf[off + 3] = 0xde;
	put16(buf + off + 4, 8);
	buf[off + 6] = 17;
	buf[off + 7] = 64;
	pton6("fd00:255::1", buf + off + 8);
	pton6("fd00:255::2", buf + off + 24);
	return off + 48;
}

static void
test_encap(void **state)
{
	unsigned int	 t;

	(void)state;
	/* ECN copied whatever it is (normal mode); DSCP copied or zero. */
	for (t = 0; t < 256; t++) {
		assert_int_equal(tos_encap((uint8_t)t, 1), t);
		assert_int_equal(tos_encap((uint8_t)t, 0), t & 3);
	}
	assert_int_equal(tos_encap(0xb8 | CE, 0), CE);
	assert_int_equal(tos_encap(0xc0 | E0, 1), 0xc0 | E0);
}

static void
test_decap_table(void **state)
{
	/* RFC 6040 figure 4: [inner][outer], the cells named. */
	static const int want[4][4] = {
		[N] =  { [N] = N,  [E0] = N,  [E1] = N,  [CE] = DROP },
		[E0] = { [N] = E0, [E0] = E0, [E1] = E1, [CE] = CE },
		[E1] = { [N] = E1, [E0] = E1, [E1] = E1, [CE] = CE },
		[CE] = { [N] = CE, [E0] = CE, [E1] = CE, [CE] = CE },
	};
	int	 in, out;

	(void)state;
	for (in = 0; in < 4; in++)
		for (out = 0; out < 4; out++) {
			assert_int_equal(tos_decap_ecn((uint8_t)in,
			    (uint8_t)out), want[in][out]);
			/* The DSCP bits of either side change nothing. */
			assert_int_equal(tos_decap_ecn((uint8_t)(in | 0xb8),
			    (uint8_t)(out | 0x48)), want[in][out]);
		}
}

static void
test_get(void **state)
{
	uint8_t	 f[128];
	size_t	 n;

	(void)state;
	n = build4(f, 0xb9, 0);
	assert_int_equal(tos_frame_get(f, n), 0xb9);
	n = build4(f, 0x02, 1);
	assert_int_equal(tos_frame_get(f, n), 0x02);
	n = build6(f, 0xc3);
	assert_int_equal(tos_frame_get(f, n), 0xc3);
	/* Not IP: an ARP ethertype, an LLC length, a wrong version. */
	n = build4(f, 0xb9, 0);
	put16(f + 12, 0x0806);
	assert_int_equal(tos_frame_get(f, n), -1);
	put16(f + 12, 0x0030);
	assert_int_equal(tos_frame_get(f, n), -1);
	n = build6(f, 0xc3);
	put16(f + 12, 0x0800);
	assert_int_equal(tos_frame_get(f, n), -1);
	/* An IPv4 header length beyond the frame. */
	n = build4(f, 0xb9, 0);
	f[14] = 0x4f;
	assert_int_equal(tos_frame_get(f, n), -1);
	assert_int_equal(tos_frame_get(NULL, 0), -1);
}

static void
assert_csum4(const uint8_t *ip)
{
	assert_int_equal(csum_fold(csum_add(0, ip, 20)), 0xffff);
}

static void
test_decap_frame4(void **state)
{
	uint8_t		 f[128];
	size_t		 n;
	int		 in, out, dscp, want;

	(void)state;
	for (dscp = 0; dscp < 256; dscp += 4)
		for (in = 0; in < 4; in++)
			for (out = 0; out < 4; out++) {
				n = build4(f, (uint8_t)(dscp | in), dscp & 4);
				want = tos_decap_ecn((uint8_t)in, (uint8_t)out);
				assert_int_equal(tos_frame_decap(f, n,
				    (uint8_t)out), want == -1 ? -1 :
				    want != in);
				if (want == -1)
					continue;
				assert_int_equal(tos_frame_get(f, n),
				    dscp | want);
				assert_csum4(f + n - 28);
			}
}

static void
test_decap_frame6(void **state)
{
	uint8_t		 f[128], g[128];
	size_t		 n;

	(void)state;
	n = build6(f, 0xb8 | E0);
	memcpy(g, f, n);
	assert_int_equal(tos_frame_decap(f, n, CE), 1);
	assert_int_equal(tos_frame_get(f, n), 0xb8 | CE);
	/* Only the two ECN bits changed: version, DSCP and flow label stay. */
	assert_int_equal(f[14], g[14]);
	assert_int_equal(f[15] ^ g[15], 0x10);
	assert_memory_equal(f + 16, g + 16, n - 16);
	n = build6(f, 0xb8 | N);
	assert_int_equal(tos_frame_decap(f, n, CE), -1);
	n = build6(f, 0xb8 | E1);
	assert_int_equal(tos_frame_decap(f, n, E0), 0);
	assert_int_equal(tos_frame_get(f, n), 0xb8 | E1);
}

/* Non-IP frames have no ECN field: they pass unchanged, even under CE. */
static void
test_decap_not_ip(void **state)
{
	uint8_t		 f[64], g[64];

	(void)state;
	memset(f, 0xa5, sizeof(f));
	put_eth(f, mac_peer, mac_tap, 0x0027);
	memcpy(g, f, sizeof(f));
	assert_int_equal(tos_frame_decap(f, sizeof(f), CE), 0);
	assert_memory_equal(f, g, sizeof(f));
}

static void
test_truncated(void **state)
{
	uint8_t		 f[128], *d;
	size_t		 n, len, hdr;
	int		 v;

	(void)state;
	for (v = 0; v < 3; v++) {
		n = v == 2 ? build6(f, E0) : build4(f, E0, v);
		hdr = v == 2 ? 14 + 40 : 14 + 4 * v + 20;
		for (len = 0; len < n; len++) {
			d = dup_exact(f, len);
			assert_int_equal(tos_frame_get(d, len),
			    len >= hdr ? E0 : -1);
			assert_int_equal(tos_frame_decap(d, len, CE),
			    len >= hdr ? 1 : 0);
			free(d);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encap),
		cmocka_unit_test(test_decap_table),
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_decap_frame4),
		cmocka_unit_test(test_decap_frame6),
		cmocka_unit_test(test_decap_not_ip),
		cmocka_unit_test(test_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
