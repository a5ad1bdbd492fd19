/*
 * Unit tests for the ARP responder.  Requests are built byte by byte; the
 * expected reply of the main case is written out in full by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "arp.h"
#include "pkt.h"

/* Runs the responder on a spec and expects ret and calls lookups. */
static void
expect_spec(const struct arp_spec *s, ssize_t ret, int calls)
{
	struct lookup_ctx	 ctx = { 0 };
	uint8_t			 frame[64], out[64];
	size_t			 len;

	len = build_arp(frame, s);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(arp_respond(frame, len, test_lookup, &ctx, out,
	    sizeof(out)), ret);
	assert_int_equal(ctx.calls, calls);
	if (ret <= 0) {
		uint8_t	 untouched[64];

		memset(untouched, 0xaa, sizeof(untouched));
		assert_memory_equal(out, untouched, sizeof(out));
	}
}

static const uint8_t request_bytes[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* Ethernet dst */
	0x02, 0x00, 0x0a, 0xff, 0x00, 0x01,	/* Ethernet src */
	0x08, 0x06,				/* ARP */
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04,	/* Ethernet, IPv4, 6, 4 */
	0x00, 0x01,				/* request */
	0x02, 0x00, 0x0a, 0xff, 0x00, 0x01,	/* sha */
	0x0a, 0xff, 0x00, 0x01,			/* spa 10.255.0.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* tha */
	0x0a, 0xff, 0x00, 0x02,			/* tpa 10.255.0.2 */
};

static const uint8_t reply_bytes[42] = {
	0x02, 0x00, 0x0a, 0xff, 0x00, 0x01,	/* to the requester */
	0x02, 0x00, 0x0a, 0xff, 0x00, 0x02,	/* from the peer */
	0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04,
	0x00, 0x02,				/* reply */
	0x02, 0x00, 0x0a, 0xff, 0x00, 0x02,	/* sha: the peer */
	0x0a, 0xff, 0x00, 0x02,			/* spa: the target */
	0x02, 0x00, 0x0a, 0xff, 0x00, 0x01,	/* tha: the requester */
	0x0a, 0xff, 0x00, 0x01,			/* tpa: the requester */
};

static void
test_builder_matches_bytes(void **state)
{
	struct arp_spec	 s;
	uint8_t		 frame[64];

	(void)state;
	arp_spec_default(&s);
	assert_int_equal(build_arp(frame, &s), sizeof(request_bytes));
	assert_memory_equal(frame, request_bytes, sizeof(request_bytes));
}

static void
test_valid_request(void **state)
{
	struct lookup_ctx	 ctx = { 0 };
	struct in_addr		 want;
	uint8_t			 out[64];

	(void)state;
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(arp_respond(request_bytes, sizeof(request_bytes),
	    test_lookup, &ctx, out, sizeof(out)), ARP_FRAME_LEN);
	assert_memory_equal(out, reply_bytes, sizeof(reply_bytes));
	/* Nothing is written past the reply. */
	assert_int_equal(out[ARP_FRAME_LEN], 0xaa);
	assert_int_equal(ctx.calls, 1);
	assert_int_equal(ctx.last.family, AF_INET);
	assert_int_equal(inet_pton(AF_INET, "10.255.0.2", &want), 1);
	assert_int_equal(ctx.last.u.v4.s_addr, want.s_addr);
}

static void
test_other_peer_unicast_padded(void **state)
{
	struct lookup_ctx	 ctx = { 0 };
	struct arp_spec		 s;
	uint8_t			 frame[64], out[42];
	size_t			 len;

	(void)state;
	/* A unicast refresh for 10.255.0.3, padded to Ethernet's minimum. */
	arp_spec_default(&s);
	memcpy(s.edst, (uint8_t [6]){ 2, 0, 10, 255, 0, 3 }, 6);
	s.tpa = "10.255.0.3";
	len = build_arp(frame, &s);
	memset(frame + len, 0, 60 - len);
	assert_int_equal(arp_respond(frame, 60, test_lookup, &ctx, out,
	    sizeof(out)), 42);
	assert_memory_equal(out, reply_bytes, 6);
	assert_memory_equal(out + 6, ((uint8_t [6]){ 2, 0, 10, 255, 0, 3 }),
	    6);
	assert_memory_equal(out + 22, ((uint8_t [6]){ 2, 0, 10, 255, 0, 3 }),
	    6);
	assert_memory_equal(out + 28, ((uint8_t [4]){ 10, 255, 0, 3 }), 4);
	assert_memory_equal(out + 32, reply_bytes + 32, 10);
}

static void
test_in_place(void **state)
{
	struct lookup_ctx	 ctx = { 0 };
	uint8_t			 buf[42];

	(void)state;
	memcpy(buf, request_bytes, sizeof(buf));
	assert_int_equal(arp_respond(buf, sizeof(buf), test_lookup, &ctx,
	    buf, sizeof(buf)), 42);
	assert_memory_equal(buf, reply_bytes, sizeof(buf));
}

static void
test_unknown_target(void **state)
{
	struct arp_spec	 s;

	(void)state;
	arp_spec_default(&s);
	s.tpa = "10.255.0.9";
	expect_spec(&s, 0, 1);
}

static void
test_reply_opcode(void **state)
{
	struct arp_spec	 s;

	(void)state;
	arp_spec_default(&s);
	s.op = 2;
	expect_spec(&s, 0, 0);
}

static void
test_bad_fields(void **state)
{
	struct arp_spec	 s;
	static const uint16_t	 bad_ops[] = { 0, 3, 4, 8, 9, 0x0100, 0xffff };
	size_t		 i;

	(void)state;
	arp_spec_default(&s);
	s.etype = 0x0800;
	expect_spec(&s, -1, 0);
	arp_spec_default(&s);
	s.htype = 6;	/* IEEE 802 */
	expect_spec(&s, -1, 0);
	arp_spec_default(&s);
	s.htype = 0x0100;
	expect_spec(&s, -1, 0);
	arp_spec_default(&s);
	s.ptype = 0x86dd;
	expect_spec(&s, -1, 0);
	arp_spec_default(&s);
	s.hlen = 8;
	expect_spec(&s, -1, 0);
	arp_spec_default(&s);
	s.plen = 16;
	expect_spec(&s, -1, 0);
	for (i = 0; i < sizeof(bad_ops) / sizeof(bad_ops[0]); i++) {
		arp_spec_default(&s);
		s.op = bad_ops[i];
		expect_spec(&s, -1, 0);
	}
}

static void
test_truncated(void **state)
{
	struct lookup_ctx	 ctx = { 0 };
	uint8_t			 out[64], *copy;
	size_t			 len;

	(void)state;
	for (len = 0; len < ARP_FRAME_LEN; len++) {
		/* Exactly len bytes, so a sanitizer catches any overread. */
		copy = dup_exact(request_bytes, len);
		assert_int_equal(arp_respond(copy, len, test_lookup, &ctx,
		    out, sizeof(out)), -1);
		free(copy);
	}
	assert_int_equal(arp_respond(NULL, 42, test_lookup, &ctx, out,
	    sizeof(out)), -1);
	assert_int_equal(ctx.calls, 0);
}

static void
test_gratuitous(void **state)
{
	struct arp_spec	 s;

	(void)state;
	arp_spec_default(&s);
	s.spa = "10.255.0.1";
	s.tpa = "10.255.0.1";
	expect_spec(&s, 0, 0);
	/* Even one claiming a peer's address is not answered. */
	s.spa = "10.255.0.2";
	s.tpa = "10.255.0.2";
	expect_spec(&s, 0, 0);
}

static void
test_spoofed_sender(void **state)
{
	struct arp_spec	 s;

	(void)state;
	arp_spec_default(&s);
	memcpy(s.sha, (uint8_t [6]){ 2, 0, 10, 255, 0, 7 }, 6);
	expect_spec(&s, -1, 0);
	/* A group sender would have the reply go to a whole group. */
	arp_spec_default(&s);
	memcpy(s.sha, mac_bcast, 6);
	memcpy(s.esrc, mac_bcast, 6);
	expect_spec(&s, -1, 0);
}

static void
test_small_out(void **state)
{
	struct lookup_ctx	 ctx = { 0 };
	uint8_t			 out[64];

	(void)state;
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(arp_respond(request_bytes, sizeof(request_bytes),
	    test_lookup, &ctx, out, ARP_FRAME_LEN - 1), -1);
	assert_int_equal(out[0], 0xaa);
	assert_int_equal(arp_respond(request_bytes, sizeof(request_bytes),
	    test_lookup, &ctx, NULL, 64), -1);
	assert_int_equal(arp_respond(request_bytes, sizeof(request_bytes),
	    test_lookup, &ctx, out, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builder_matches_bytes),
		cmocka_unit_test(test_valid_request),
		cmocka_unit_test(test_other_peer_unicast_padded),
		cmocka_unit_test(test_in_place),
		cmocka_unit_test(test_unknown_target),
		cmocka_unit_test(test_reply_opcode),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_gratuitous),
		cmocka_unit_test(test_spoofed_sender),
		cmocka_unit_test(test_small_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
