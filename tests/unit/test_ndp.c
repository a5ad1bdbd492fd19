/*
 * Unit tests for the Neighbour Solicitation responder and the ICMPv6
 * checksum.  Solicitations are built byte by byte with a checksum
 * computed here, independently of icmp6_checksum; expected replies are
 * built the same way and compared byte for byte.  One solicitation and
 * its advertisement are also given as literal bytes whose checksums were
 * checked by tcpdump ("[icmp6 sum ok]").
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
#include "ndp.h"
#include "pkt.h"
#include "refsum.h"

#define NS_MAX	256

static const uint8_t mac_allnodes[6] = { 0x33, 0x33, 0, 0, 0, 0x01 };

/*
 * fd00:255::1 / 02:00:0a:ff:00:01 is the TAP; fd00:255::2 and its EUI-64
 * link-local fe80::aff:feff:2 belong to the peer 02:00:0a:ff:00:02.
 */
static const uint8_t ns_vector[86] = {
	0x33, 0x33, 0xff, 0x00, 0x00, 0x02, 0x02, 0x00,
	0x0a, 0xff, 0x00, 0x01, 0x86, 0xdd, 0x60, 0x00,
	0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0xfd, 0x00,
	0x02, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x02,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0xff, 0x00, 0x00, 0x02, 0x87, 0x00,
	0x6d, 0xee, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x00,
	0x02, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0x01,
	0x02, 0x00, 0x0a, 0xff, 0x00, 0x01,
};
#define NS_VECTOR_CKSUM	0x6dee

static const uint8_t na_vector[86] = {
	0x02, 0x00, 0x0a, 0xff, 0x00, 0x01, 0x02, 0x00,
	0x0a, 0xff, 0x00, 0x02, 0x86, 0xdd, 0x60, 0x00,
	0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0xfd, 0x00,
	0x02, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xfd, 0x00,
	0x02, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0x00,
	0x8a, 0x9b, 0xe0, 0x00, 0x00, 0x00, 0xfd, 0x00,
	0x02, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x01,
	0x02, 0x00, 0x0a, 0xff, 0x00, 0x02,
};
#define NA_VECTOR_CKSUM	0x8a9b

/* The test's own checksum over the pseudo-header and the message. */
static uint16_t
ref_cksum(const uint8_t *src, const uint8_t *dst, const uint8_t *msg,
    size_t len)
{
	uint8_t		 pre[40];

	assert_true(len <= NS_MAX);
	pseudo6(pre, src, dst, len, 58);
	return (uint16_t)~ref_fold(ref_sum(ref_sum(0, pre, sizeof(pre)), msg,
	    len));
}

struct ns_spec {
	uint8_t		 edst[6];
	uint8_t		 esrc[6];
	uint8_t		 version;
	uint8_t		 nxt;
	uint8_t		 hlim;
	const char	*src;
	const char	*dst;
	uint8_t		 type;
	uint8_t		 code;
	const char	*target;
	bool		 slla;
	uint8_t		 slla_mac[6];
	const uint8_t	*opts;		/* more options, raw */
	size_t		 optlen;
	size_t		 pad;		/* Ethernet padding after the packet */
	int		 plen_adjust;	/* added to the true payload length */
	bool		 bad_cksum;
};

/* The TAP asks the solicited-node group for fd00:255::2. */
static void
spec_default(struct ns_spec *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->edst, (uint8_t [6]){ 0x33, 0x33, 0xff, 0, 0, 0x02 }, 6);
	memcpy(s->esrc, mac_tap, 6);
	s->version = 6;
	s->nxt = 58;
	s->hlim = 255;
	s->src = "fd00:255::1";
	s->dst = "ff02::1:ff00:2";
	s->type = 135;
	s->target = "fd00:255::2";
	s->slla = true;
	memcpy(s->slla_mac, mac_tap, 6);
}

static size_t
build_ns(uint8_t *buf, const struct ns_spec *s)
{
	struct in6_addr	 src, dst, target;
	uint8_t		*ip = buf + 14, *icmp = buf + 54;
	size_t		 plen = 24, i;
	uint16_t	 c;

	pton6(s->src, &src);
	pton6(s->dst, &dst);
	pton6(s->target, &target);
	put_eth(buf, s->edst, s->esrc, 0x86dd);

	icmp[0] = s->type;
	icmp[1] = s->code;
	icmp[2] = icmp[3] = 0;
	icmp[4] = icmp[5] = icmp[6] = icmp[7] = 0;
	memcpy(icmp + 8, &target, 16);
	if (s->slla) {
		icmp[plen] = 1;
		icmp[plen + 1] = 1;
		memcpy(icmp + plen + 2, s->slla_mac, 6);
		plen += 8;
	}
	assert_true(plen + s->optlen + s->pad <= NS_MAX);
	if (s->optlen > 0)
		memcpy(icmp + plen, s->opts, s->optlen);
	plen += s->optlen;
	c = ref_cksum(src.s6_addr, dst.s6_addr, icmp, plen);
	if (s->bad_cksum)
		c ^= 0x0100;
	icmp[2] = c >> 8;
	icmp[3] = c & 0xff;

	ip[0] = s->version << 4;
	ip[1] = ip[2] = ip[3] = 0;
	ip[4] = (plen + s->plen_adjust) >> 8;
	ip[5] = (plen + s->plen_adjust) & 0xff;
	ip[6] = s->nxt;
	ip[7] = s->hlim;
	memcpy(ip + 8, &src, 16);
	memcpy(ip + 24, &dst, 16);
	for (i = 0; i < s->pad; i++)
		icmp[plen + i] = 0;
	return 54 + plen + s->pad;
}

/*
 * Builds the advertisement the responder should send, byte by byte, with
 * the reference checksum.
 */
static void
build_na(uint8_t *buf, const uint8_t edst[6], const uint8_t esrc[6],
    const char *src, const char *dst, uint8_t flags, const char *target)
{
	struct in6_addr	 s, d, t;
	uint8_t		*icmp = buf + 54;
	uint16_t	 c;

	pton6(src, &s);
	pton6(dst, &d);
	pton6(target, &t);
	put_eth(buf, edst, esrc, 0x86dd);
	buf[14] = 0x60;
	buf[15] = buf[16] = buf[17] = 0;
	buf[18] = 0;
	buf[19] = 32;
	buf[20] = 58;
	buf[21] = 255;
	memcpy(buf + 22, &s, 16);
	memcpy(buf + 38, &d, 16);
	icmp[0] = 136;
	icmp[1] = 0;
	icmp[2] = icmp[3] = 0;
	icmp[4] = flags;
	icmp[5] = icmp[6] = icmp[7] = 0;
	memcpy(icmp + 8, &t, 16);
	icmp[24] = 2;
	icmp[25] = 1;
	memcpy(icmp + 26, esrc, 6);
	c = ref_cksum(s.s6_addr, d.s6_addr, icmp, 32);
	icmp[2] = c >> 8;
	icmp[3] = c & 0xff;
}

/* The reply's checksum, recomputed over the reply, must verify. */
static void
check_reply_cksum(const uint8_t *out)
{
	struct in6_addr	 s, d;

	assert_int_equal(ref_cksum(out + 22, out + 38, out + 54, 32), 0);
	memcpy(&s, out + 22, 16);
	memcpy(&d, out + 38, 16);
	assert_int_equal(icmp6_checksum(&s, &d, out + 54, 32), 0);
}

/*
 * Runs the responder on a copy of the frame in an exactly sized buffer
 * (so that sanitizers see overreads) and returns its result.
 */
static ssize_t
respond_exact(const uint8_t *frame, size_t len, struct lookup_ctx *ctx,
    uint8_t *out, size_t outlen)
{
	uint8_t	*copy = dup_exact(frame, len);
	ssize_t	 r;

	r = ndp_respond(copy, len, test_lookup, ctx, out, outlen);
	free(copy);
	return r;
}

/* Expects ret from the responder for a spec; out must stay untouched. */
static void
expect_spec(const struct ns_spec *s, ssize_t ret, int calls)
{
	struct lookup_ctx	 ctx = { 0 };
	uint8_t			 frame[NS_MAX], out[128], untouched[128];
	size_t			 len;

	len = build_ns(frame, s);
	memset(out, 0xaa, sizeof(out));
	memset(untouched, 0xaa, sizeof(untouched));
	assert_int_equal(respond_exact(frame, len, &ctx, out, sizeof(out)),
	    ret);
	assert_int_equal(ctx.calls, calls);
	assert_memory_equal(out, untouched, sizeof(out));
}

/* Expects an advertisement for a spec and compares all of it. */
static void
expect_na(const struct ns_spec *s, const uint8_t edst[6],
    const uint8_t esrc[6], const char *src, const char *dst, uint8_t flags)
{
	struct lookup_ctx	 ctx = { 0 };
	struct in6_addr		 t;
	uint8_t			 frame[NS_MAX], out[128];
	uint8_t			 want[NDP_NA_FRAME_LEN];
	size_t			 len;

	len = build_ns(frame, s);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(respond_exact(frame, len, &ctx, out, sizeof(out)),
	    NDP_NA_FRAME_LEN);
	build_na(want, edst, esrc, src, dst, flags, s->target);
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(out[NDP_NA_FRAME_LEN], 0xaa);
	check_reply_cksum(out);
	assert_int_equal(ctx.calls, 1);
	assert_int_equal(ctx.last.family, AF_INET6);
	pton6(s->target, &t);
	assert_memory_equal(&ctx.last.u.v6, &t, sizeof(t));
}

static void
test_checksum_vectors(void **state)
{
	struct in6_addr	 s, d, zero;
	uint8_t		 msg[32];
	static const uint8_t	 one = 0x01;

	(void)state;
	/* Checksums as stored verify to 0. */
	memcpy(&s, ns_vector + 22, 16);
	memcpy(&d, ns_vector + 38, 16);
	assert_int_equal(icmp6_checksum(&s, &d, ns_vector + 54, 32), 0);
	memcpy(msg, ns_vector + 54, 32);
	msg[2] = msg[3] = 0;
	assert_int_equal(icmp6_checksum(&s, &d, msg, 32), NS_VECTOR_CKSUM);

	memcpy(&s, na_vector + 22, 16);
	memcpy(&d, na_vector + 38, 16);
	assert_int_equal(icmp6_checksum(&s, &d, na_vector + 54, 32), 0);
	memcpy(msg, na_vector + 54, 32);
	msg[2] = msg[3] = 0;
	assert_int_equal(icmp6_checksum(&s, &d, msg, 32), NA_VECTOR_CKSUM);

	/*
	 * By hand: ::, ::, one byte 0x01.  The sum is the length 1, the next
	 * header 58 and the byte padded to 0x0100: 0x013b, complement 0xfec4.
	 */
	memset(&zero, 0, sizeof(zero));
	assert_int_equal(icmp6_checksum(&zero, &zero, &one, 1), 0xfec4);
	assert_int_equal(ref_cksum(zero.s6_addr, zero.s6_addr, &one, 1),
	    0xfec4);
}

static void
test_checksum_matches_reference(void **state)
{
	struct in6_addr	 s, d;
	uint8_t		 msg[NS_MAX];
	size_t		 len, i;

	(void)state;
	pton6("fe80::aff:feff:1", &s);
	pton6("ff02::1:ffff:2", &d);
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 37 + 11);
	/* Odd and even lengths, with carries folding more than once. */
	for (len = 0; len <= sizeof(msg); len++)
		assert_int_equal(icmp6_checksum(&s, &d, msg, len),
		    ref_cksum(s.s6_addr, d.s6_addr, msg, len));
	memset(msg, 0xff, sizeof(msg));
	for (len = 0; len <= sizeof(msg); len++)
		assert_int_equal(icmp6_checksum(&s, &d, msg, len),
		    ref_cksum(s.s6_addr, d.s6_addr, msg, len));
}

static void
test_builder_matches_vector(void **state)
{
	struct ns_spec	 s;
	uint8_t		 frame[NS_MAX], na[NDP_NA_FRAME_LEN];

	(void)state;
	spec_default(&s);
	assert_int_equal(build_ns(frame, &s), sizeof(ns_vector));
	assert_memory_equal(frame, ns_vector, sizeof(ns_vector));
	build_na(na, mac_tap, mac_peer, "fd00:255::2", "fd00:255::1", 0xe0,
	    "fd00:255::2");
	assert_memory_equal(na, na_vector, sizeof(na_vector));
}

static void
test_vector_reply(void **state)
{
	struct lookup_ctx	 ctx = { 0 };
	uint8_t			 out[NDP_NA_FRAME_LEN];

	(void)state;
	assert_int_equal(respond_exact(ns_vector, sizeof(ns_vector), &ctx,
	    out, sizeof(out)), NDP_NA_FRAME_LEN);
	assert_memory_equal(out, na_vector, sizeof(na_vector));
}

static void
test_global_target(void **state)
{
	struct ns_spec	 s;

	(void)state;
	spec_default(&s);
	expect_na(&s, mac_tap, mac_peer, "fd00:255::2", "fd00:255::1", 0xe0);
	/* Another peer: its own MAC in Ethernet source and option. */
	s.target = "fd00:255::3";
	s.dst = "ff02::1:ff00:3";
	s.edst[5] = 0x03;
	expect_na(&s, mac_tap, mac_peer3, "fd00:255::3", "fd00:255::1", 0xe0);
}

static void
test_linklocal_target(void **state)
{
	struct ns_spec	 s;

	(void)state;
	spec_default(&s);
	memcpy(s.edst, (uint8_t [6]){ 0x33, 0x33, 0xff, 0xff, 0, 0x02 }, 6);
	s.src = "fe80::aff:feff:1";
	s.dst = "ff02::1:ffff:2";
	s.target = "fe80::aff:feff:2";
	expect_na(&s, mac_tap, mac_peer, "fe80::aff:feff:2",
	    "fe80::aff:feff:1", 0xe0);
}

static void
test_unicast_nud(void **state)
{
	struct ns_spec	 s;

	(void)state;
	/* Unreachability detection: unicast, no source link-layer option. */
	spec_default(&s);
	memcpy(s.edst, mac_peer, 6);
	s.dst = "fd00:255::2";
	s.slla = false;
	expect_na(&s, mac_tap, mac_peer, "fd00:255::2", "fd00:255::1", 0xe0);
}

static void
test_slla_preferred(void **state)
{
	static const uint8_t	 other[6] = { 0x02, 0, 0, 0, 0, 0x42 };
	struct ns_spec		 s;

	(void)state;
	/* The option names the MAC to answer, not the Ethernet source. */
	spec_default(&s);
	memcpy(s.slla_mac, other, 6);
	expect_na(&s, other, mac_peer, "fd00:255::2", "fd00:255::1", 0xe0);
}

static void
test_other_options_skipped(void **state)
{
	/* A nonce option (RFC 3971) and an unknown one of 16 bytes. */
	static const uint8_t	 opts[] = {
		14, 1, 1, 2, 3, 4, 5, 6,
		200, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct ns_spec		 s;

	(void)state;
	spec_default(&s);
	s.opts = opts;
	s.optlen = sizeof(opts);
	expect_na(&s, mac_tap, mac_peer, "fd00:255::2", "fd00:255::1", 0xe0);
}

static void
test_dad(void **state)
{
	struct ns_spec	 s;

	(void)state;
	spec_default(&s);
	s.src = "::";
	s.slla = false;
	expect_na(&s, mac_allnodes, mac_peer, "fd00:255::2", "ff02::1", 0xa0);

	/* DAD must not carry a source link-layer address. */
	spec_default(&s);
	s.src = "::";
	expect_spec(&s, -1, 0);

	/* DAD must go to a solicited-node group. */
	spec_default(&s);
	s.src = "::";
	s.slla = false;
	s.dst = "ff02::1";
	expect_spec(&s, -1, 0);
	s.dst = "fd00:255::2";
	expect_spec(&s, -1, 0);
}

static void
test_unknown_target(void **state)
{
	struct ns_spec	 s;

	(void)state;
	spec_default(&s);
	s.target = "fd00:255::9";
	s.dst = "ff02::1:ff00:9";
	expect_spec(&s, 0, 1);
	s.target = "fe80::1";
	expect_spec(&s, 0, 1);
}

static void
test_bad_checksum(void **state)
{
	struct lookup_ctx	 ctx = { 0 };
	struct ns_spec		 s;
	uint8_t			 frame[NS_MAX], out[128];
	size_t			 len;

	(void)state;
	spec_default(&s);
	s.bad_cksum = true;
	expect_spec(&s, -1, 0);

	/* The checksum covers the pseudo-header's addresses. */
	spec_default(&s);
	len = build_ns(frame, &s);
	frame[37] ^= 0x01;	/* the last byte of the IPv6 source */
	assert_int_equal(respond_exact(frame, len, &ctx, out, sizeof(out)),
	    -1);
	/* And the target. */
	len = build_ns(frame, &s);
	frame[54 + 8 + 15] ^= 0x02;
	assert_int_equal(respond_exact(frame, len, &ctx, out, sizeof(out)),
	    -1);
	assert_int_equal(ctx.calls, 0);
}

static void
test_hop_limit(void **state)
{
	struct ns_spec	 s;

	(void)state;
	spec_default(&s);
	s.hlim = 64;
	expect_spec(&s, -1, 0);
	s.hlim = 254;
	expect_spec(&s, -1, 0);
}

static void
test_code(void **state)
{
	struct ns_spec	 s;

	(void)state;
	spec_default(&s);
	s.code = 1;
	expect_spec(&s, -1, 0);
}

static void
test_bad_options(void **state)
{
	static const uint8_t	 zero_len[] = { 14, 0, 1, 2, 3, 4, 5, 6 };
	static const uint8_t	 past_end[] = { 14, 2, 1, 2, 3, 4, 5, 6 };
	static const uint8_t	 one_byte[] = { 14 };
	static const uint8_t	 second_slla[] = { 1, 1, 2, 0, 0, 0, 0, 9 };
	static const uint8_t	 long_slla[] = {
		1, 2, 2, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t	 group_slla[] = { 1, 1, 1, 0, 0x5e, 0, 0, 1 };
	struct ns_spec		 s;

	(void)state;
	spec_default(&s);
	s.opts = zero_len;
	s.optlen = sizeof(zero_len);
	expect_spec(&s, -1, 0);

	s.opts = past_end;
	s.optlen = sizeof(past_end);
	expect_spec(&s, -1, 0);
	/* Padding behind the packet does not make room for the option. */
	s.pad = 8;
	expect_spec(&s, -1, 0);
	s.pad = 0;

	s.opts = one_byte;
	s.optlen = sizeof(one_byte);
	expect_spec(&s, -1, 0);

	s.opts = second_slla;
	s.optlen = sizeof(second_slla);
	expect_spec(&s, -1, 0);

	spec_default(&s);
	s.slla = false;
	s.opts = long_slla;
	s.optlen = sizeof(long_slla);
	expect_spec(&s, -1, 0);

	s.opts = group_slla;
	s.optlen = sizeof(group_slla);
	expect_spec(&s, -1, 0);
}

static void
test_multicast_addresses(void **state)
{
	struct ns_spec	 s;

	(void)state;
	spec_default(&s);
	s.target = "ff02::1";
	expect_spec(&s, -1, 0);
	s.target = "ff02::1:ff00:2";
	expect_spec(&s, -1, 0);
	/* A multicast source cannot be answered either. */
	spec_default(&s);
	s.src = "ff02::2";
	expect_spec(&s, -1, 0);
	/* Nor a group Ethernet source. */
	spec_default(&s);
	s.slla = false;
	memcpy(s.esrc, (uint8_t [6]){ 0x33, 0x33, 0, 0, 0, 1 }, 6);
	expect_spec(&s, -1, 0);
}

static void
test_payload_length(void **state)
{
	struct ns_spec	 s;

	(void)state;
	spec_default(&s);
	s.plen_adjust = 1;
	expect_spec(&s, -1, 0);
	s.plen_adjust = 8;
	expect_spec(&s, -1, 0);
	/* Longer than the frame even though padding follows. */
	s.pad = 4;
	expect_spec(&s, -1, 0);
	/* Too short for an NS: the checksum is over 24 bytes only. */
	spec_default(&s);
	s.slla = false;
	s.plen_adjust = -1;
	s.pad = 1;
	expect_spec(&s, -1, 0);
	s.plen_adjust = -24;
	s.pad = 24;
	expect_spec(&s, -1, 0);
}

static void
test_short_ns_valid_checksum(void **state)
{
	struct lookup_ctx	 ctx = { 0 };
	struct ns_spec		 s;
	uint8_t			 frame[NS_MAX], out[128];
	uint16_t		 c;
	size_t			 plen;

	(void)state;
	/*
	 * A solicitation cut inside its target, with a payload length and
	 * checksum that agree with the cut and the frame ending right there:
	 * nothing may be read beyond the payload.
	 */
	for (plen = 1; plen < 24; plen++) {
		spec_default(&s);
		s.slla = false;
		build_ns(frame, &s);
		frame[18] = 0;
		frame[19] = (uint8_t)plen;
		frame[54 + 2] = frame[54 + 3] = 0;
		c = ref_cksum(frame + 22, frame + 38, frame + 54, plen);
		if (plen > 2)
			frame[54 + 2] = c >> 8;
		if (plen > 3)
			frame[54 + 3] = c & 0xff;
		assert_int_equal(respond_exact(frame, 54 + plen, &ctx, out,
		    sizeof(out)), -1);
	}
	assert_int_equal(ctx.calls, 0);
}

static void
test_truncated(void **state)
{
	struct lookup_ctx	 ctx = { 0 };
	struct ns_spec		 s;
	uint8_t			 frame[NS_MAX], out[128];
	size_t			 len, l;
	ssize_t			 r;
	int			 pass;

	(void)state;
	for (pass = 0; pass < 3; pass++) {
		spec_default(&s);
		if (pass == 1)
			s.slla = false;
		if (pass == 2) {
			s.src = "::";
			s.slla = false;
		}
		len = build_ns(frame, &s);
		for (l = 0; l < len; l++) {
			/* Every cut falls short of the payload length. */
			r = respond_exact(frame, l, &ctx, out, sizeof(out));
			assert_int_equal(r, -1);
		}
		assert_int_equal(respond_exact(frame, len, &ctx, out,
		    sizeof(out)), NDP_NA_FRAME_LEN);
	}
	assert_int_equal(ndp_respond(NULL, 86, test_lookup, &ctx, out,
	    sizeof(out)), -1);
}

static void
test_padding_accepted(void **state)
{
	struct ns_spec	 s;

	(void)state;
	/*
	 * Bytes behind the IPv6 packet (Ethernet padding) are neither part
	 * of the message nor a reason to refuse it.
	 */
	spec_default(&s);
	s.pad = 10;
	expect_na(&s, mac_tap, mac_peer, "fd00:255::2", "fd00:255::1", 0xe0);
	s.slla = false;
	s.pad = 1;
	expect_na(&s, mac_tap, mac_peer, "fd00:255::2", "fd00:255::1", 0xe0);
}

static void
test_not_ns(void **state)
{
	struct ns_spec	 s;

	(void)state;
	spec_default(&s);
	s.type = 136;		/* an NA from the kernel */
	expect_spec(&s, 0, 0);
	s.type = 133;		/* RS */
	expect_spec(&s, 0, 0);
	s.type = 128;		/* echo request */
	expect_spec(&s, 0, 0);
	spec_default(&s);
	s.nxt = 0;		/* hop-by-hop header in front */
	expect_spec(&s, 0, 0);
	/* Not IPv6 at all. */
	spec_default(&s);
	s.version = 4;
	expect_spec(&s, -1, 0);
}

static void
test_not_ipv6_ethertype(void **state)
{
	struct lookup_ctx	 ctx = { 0 };
	uint8_t			 frame[NS_MAX], out[128];

	(void)state;
	memcpy(frame, ns_vector, sizeof(ns_vector));
	frame[12] = 0x08;
	frame[13] = 0x00;
	assert_int_equal(respond_exact(frame, sizeof(ns_vector), &ctx, out,
	    sizeof(out)), -1);
	frame[12] = 0x81;	/* 802.1Q: not looked into */
	assert_int_equal(respond_exact(frame, sizeof(ns_vector), &ctx, out,
	    sizeof(out)), -1);
	assert_int_equal(ctx.calls, 0);
}

static void
test_small_out(void **state)
{
	struct lookup_ctx	 ctx = { 0 };
	uint8_t			 out[128];

	(void)state;
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(respond_exact(ns_vector, sizeof(ns_vector), &ctx,
	    out, NDP_NA_FRAME_LEN - 1), -1);
	assert_int_equal(out[0], 0xaa);
	assert_int_equal(respond_exact(ns_vector, sizeof(ns_vector), &ctx,
	    NULL, sizeof(out)), -1);
}

static void
test_in_place(void **state)
{
	struct lookup_ctx	 ctx = { 0 };
	uint8_t			 buf[NS_MAX];

	(void)state;
	memcpy(buf, ns_vector, sizeof(ns_vector));
	assert_int_equal(ndp_respond(buf, sizeof(ns_vector), test_lookup,
	    &ctx, buf, sizeof(buf)), NDP_NA_FRAME_LEN);
	assert_memory_equal(buf, na_vector, sizeof(na_vector));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_vectors),
		cmocka_unit_test(test_checksum_matches_reference),
		cmocka_unit_test(test_builder_matches_vector),
		cmocka_unit_test(test_vector_reply),
		cmocka_unit_test(test_global_target),
		cmocka_unit_test(test_linklocal_target),
		cmocka_unit_test(test_unicast_nud),
		cmocka_unit_test(test_slla_preferred),
		cmocka_unit_test(test_other_options_skipped),
		cmocka_unit_test(test_dad),
		cmocka_unit_test(test_unknown_target),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_hop_limit),
		cmocka_unit_test(test_code),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_multicast_addresses),
		cmocka_unit_test(test_payload_length),
		cmocka_unit_test(test_short_ns_valid_checksum),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_padding_accepted),
		cmocka_unit_test(test_not_ns),
		cmocka_unit_test(test_not_ipv6_ethertype),
		cmocka_unit_test(test_small_out),
		cmocka_unit_test(test_in_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
