/*
 * Unit tests for addr.c: parsing, prefix matching and the MAC and
 * link-local derivation every node must agree on.
 */
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "pkt.h"

static struct tm_addr
addr(const char *s)
{
	struct tm_addr	a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static struct tm_prefix
prefix(const char *s)
{
	struct tm_prefix	p;

	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

static void
test_addr_parse(void **state)
{
	static const char *const bad[] = {
		"", "10.1", "10.0.0", "256.0.0.1", "10.0.0.1.", " 10.0.0.1",
		"10.0.0.1 ", "10.0.0.1/24", "host.example", "fe80::1%eth0",
		"fd00:::1", "fd00::1::2", "1:2:3:4:5:6:7:8:9", "0x0a.0.0.1",
	};
	struct tm_addr	a;
	size_t		i;

	(void)state;
	assert_int_equal(addr_parse("10.255.0.1", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(ntohl(a.u.v4.s_addr), 0x0aff0001);

	assert_int_equal(addr_parse("fd00:255::1", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.u.v6.s6_addr[0], 0xfd);
	assert_int_equal(a.u.v6.s6_addr[3], 0x55);
	assert_int_equal(a.u.v6.s6_addr[15], 0x01);

	/* A v4-mapped address is an IPv6 address, not an IPv4 one. */
	assert_int_equal(addr_parse("::ffff:10.0.0.1", &a), 0);
	assert_int_equal(a.family, AF_INET6);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a.family = AF_INET;
		assert_int_equal(addr_parse(bad[i], &a), -1);
		assert_int_equal(a.family, 0);
	}
}

static void
test_prefix_parse(void **state)
{
	static const char *const bad[] = {
		"10.255.0.1", "10.255.0.1/", "/24", "10.255.0.1/33",
		"10.255.0.1/-1", "10.255.0.1/+8", "10.255.0.1/ 8",
		"10.255.0.1/8x", "10.255.0.1/0008", "10.255.0.1/24/24",
		"fd00::1/129", "fd00::1/1000", "10.1/8", "host/24",
		"fd00::1%eth0/64", "",
	};
	struct tm_prefix	p;
	char			buf[INET6_ADDRSTRLEN];
	size_t			i;

	(void)state;
	/* Host bits are kept: this is the interface-address form. */
	p = prefix("10.255.0.1/24");
	assert_int_equal(p.addr.family, AF_INET);
	assert_int_equal(p.plen, 24);
	assert_string_equal(addr_ntop(&p.addr, buf, sizeof(buf)), "10.255.0.1");

	assert_int_equal(prefix("0.0.0.0/0").plen, 0);
	assert_int_equal(prefix("10.0.0.1/32").plen, 32);
	assert_int_equal(prefix("fd00:255::1/64").plen, 64);
	assert_int_equal(prefix("fd00::/128").plen, 128);
	assert_int_equal(prefix("::/0").plen, 0);
	assert_int_equal(prefix("10.0.0.1/08").plen, 8);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.plen = 7;
		assert_int_equal(prefix_parse(bad[i], &p), -1);
		assert_int_equal(p.plen, 0);
		assert_int_equal(p.addr.family, 0);
	}
}

static void
test_addr_eq(void **state)
{
	struct tm_addr	a = addr("10.0.0.1"), b = addr("10.0.0.1");
	struct tm_addr	c = addr("10.0.0.2"), m = addr("::ffff:10.0.0.1");
	struct tm_addr	x = addr("fd00::1"), y = addr("fd00:0::0:1");
	struct tm_addr	none;

	(void)state;
	memset(&none, 0, sizeof(none));
	assert_true(addr_eq(&a, &b));
	assert_false(addr_eq(&a, &c));
	assert_false(addr_eq(&a, &m));
	assert_true(addr_eq(&x, &y));
	assert_false(addr_eq(&x, &a));
	assert_false(addr_eq(&none, &none));
}

static void
test_prefix_contains(void **state)
{
	struct tm_prefix	p24 = prefix("10.255.0.1/24");
	struct tm_prefix	p25 = prefix("10.0.0.0/25");
	struct tm_prefix	p0 = prefix("0.0.0.0/0");
	struct tm_prefix	p32 = prefix("10.0.0.1/32");
	struct tm_prefix	p64 = prefix("fd00:255::1/64");
	struct tm_prefix	p127 = prefix("fd00::2/127");
	struct tm_prefix	p6 = prefix("fd00::/6");
	struct tm_addr		a;

	(void)state;
	a = addr("10.255.0.254");
	assert_true(prefix_contains(&p24, &a));
	a = addr("10.255.1.1");
	assert_false(prefix_contains(&p24, &a));
	a = addr("10.0.0.127");
	assert_true(prefix_contains(&p25, &a));
	a = addr("10.0.0.128");
	assert_false(prefix_contains(&p25, &a));
	a = addr("192.0.2.1");
	assert_true(prefix_contains(&p0, &a));
	assert_false(prefix_contains(&p32, &a));
	a = addr("10.0.0.1");
	assert_true(prefix_contains(&p32, &a));

	a = addr("fd00:255::ffff:1");
	assert_true(prefix_contains(&p64, &a));
	a = addr("fd00:256::1");
	assert_false(prefix_contains(&p64, &a));
	a = addr("fd00::3");
	assert_true(prefix_contains(&p127, &a));
	a = addr("fd00::4");
	assert_false(prefix_contains(&p127, &a));
	a = addr("ff00::1");
	assert_true(prefix_contains(&p6, &a));
	a = addr("f800::1");
	assert_false(prefix_contains(&p6, &a));

	/* Families never mix, not even through v4-mapped addresses. */
	a = addr("::ffff:10.255.0.2");
	assert_false(prefix_contains(&p24, &a));
	assert_false(prefix_contains(&p0, &a));
	a = addr("10.255.0.2");
	assert_false(prefix_contains(&p64, &a));
}

static void
test_addr_ntop(void **state)
{
	struct tm_addr	a = addr("fd00:255:0:0:0:0:0:0001");
	char		buf[INET6_ADDRSTRLEN], small[4];

	(void)state;
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "fd00:255::1");
	a = addr("192.0.2.1");
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "192.0.2.1");
	/* Too small a buffer yields a marker, never an overflow. */
	assert_string_equal(addr_ntop(&a, small, sizeof(small)), "?");
	memset(&a, 0, sizeof(a));
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "?");
}

static void
test_mac_derive(void **state)
{
	struct tm_addr	l[3];
	uint8_t		mac[ETH_ALEN_TM];

	(void)state;
	l[0] = addr("10.255.0.2");
	assert_int_equal(mac_derive(0, l, 1, mac), 0);
	assert_mac(mac, "02:00:0a:ff:00:02");
	assert_int_equal(mac_derive(0x42, l, 1, mac), 0);
	assert_mac(mac, "02:42:0a:ff:00:02");

	/* The first IPv4 address wins even behind an IPv6 one. */
	l[0] = addr("fd00::1:2:3:4");
	l[1] = addr("10.255.0.3");
	l[2] = addr("10.255.0.4");
	assert_int_equal(mac_derive(0, l, 3, mac), 0);
	assert_mac(mac, "02:00:0a:ff:00:03");
	assert_int_equal(mac_source(l, 3), 1);

	/* IPv6 only: the last four bytes of the first address. */
	l[1] = addr("fd00::9:9:9:9");
	assert_int_equal(mac_derive(0, l, 2, mac), 0);
	assert_mac(mac, "02:00:00:03:00:04");
	assert_int_equal(mac_source(l, 2), 0);
	l[0] = addr("fd00:255::aff:2");
	assert_int_equal(mac_derive(0xff, l, 1, mac), 0);
	assert_mac(mac, "02:ff:0a:ff:00:02");

	assert_int_equal(mac_derive(0, l, 0, mac), -1);
	assert_int_equal(mac_source(l, 0), -1);
	assert_mac(mac, "00:00:00:00:00:00");

	/* The result is always locally administered unicast. */
	l[0] = addr("255.255.255.255");
	assert_int_equal(mac_derive(0xff, l, 1, mac), 0);
	assert_false(mac_is_group(mac));
	assert_true((mac[0] & 0x02) != 0);
}

static void
test_mac_to_linklocal(void **state)
{
	/*
	 * Checked against the kernel: a veth with MAC 02:00:0a:ff:00:02
	 * gets fe80::aff:feff:2/64.
	 */
	static const struct {
		uint8_t		 mac[ETH_ALEN_TM];
		const char	*ll;
	} t[] = {
		{ { 0x02, 0x00, 0x0a, 0xff, 0x00, 0x02 }, "fe80::aff:feff:2" },
		{ { 0x02, 0x42, 0x0a, 0xff, 0x00, 0x01 },
		    "fe80::42:aff:feff:1" },
		{ { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 },
		    "fe80::211:22ff:fe33:4455" },
		{ { 0x02, 0x00, 0x00, 0x03, 0x00, 0x04 }, "fe80::ff:fe03:4" },
	};
	struct in6_addr	ll;
	char		buf[INET6_ADDRSTRLEN];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&ll, 0xaa, sizeof(ll));
		mac_to_linklocal(t[i].mac, &ll);
		assert_non_null(inet_ntop(AF_INET6, &ll, buf, sizeof(buf)));
		assert_string_equal(buf, t[i].ll);
	}
}

static void
test_mac_ntop_group(void **state)
{
	static const uint8_t	bc[ETH_ALEN_TM] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t	mc[ETH_ALEN_TM] = {
		0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t	uc[ETH_ALEN_TM] = {
		0x02, 0xab, 0xcd, 0xef, 0x01, 0x23 };
	char			small[9];

	(void)state;
	assert_mac(uc, "02:ab:cd:ef:01:23");
	assert_true(mac_is_group(bc));
	assert_true(mac_is_group(mc));
	assert_false(mac_is_group(uc));
	/* Truncated, never overflowed. */
	assert_string_equal(mac_ntop(uc, small, sizeof(small)), "02:ab:cd");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_addr_parse),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_addr_eq),
		cmocka_unit_test(test_prefix_contains),
		cmocka_unit_test(test_addr_ntop),
		cmocka_unit_test(test_mac_derive),
		cmocka_unit_test(test_mac_to_linklocal),
		cmocka_unit_test(test_mac_ntop_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
