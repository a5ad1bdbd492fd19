/*
 * Unit tests for the TAP's read-ahead queue (tapq.h): flow buckets of
 * IPv4, IPv6, VLAN-tagged and other frames, fragments kept with their
 * packet; which frames go ahead and which wait behind their flow; first
 * in, first out; a full queue; garbage reads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tapq.h"
#include "pkt.h"

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x0a, 0xff, 0x00, 0x02 };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x0a, 0xff, 0x00, 0x03 };

/*
 * An IPv4 packet (20-byte header) of protocol proto from 10.0.0.src:sport
 * to 10.0.0.9:dport.
 */
static size_t
ip4(uint8_t *buf, int vlan, uint8_t proto, uint8_t src, uint16_t sport,
    uint16_t dport, uint16_t frag, size_t payload)
{
	size_t	 off;

	off = put_eth_vlan(buf, mac_a, mac_b, vlan ? 7 : 0, 0x0800);
	memset(buf + off, 0, 20);
	buf[off] = 0x45;
	put16(buf + off + 2, (unsigned int)(20 + 8 + payload));
	put16(buf + off + 6, frag);
	buf[off + 8] = 64;
	buf[off + 9] = proto;
	pton4("10.0.0.0", buf + off + 12);
	buf[off + 15] = src;
	pton4("10.0.0.9", buf + off + 16);
	put16(buf + off + 20, sport);
	put16(buf + off + 22, dport);
	memset(buf + off + 24, 0xab, 4 + payload);
	return off + 28 + payload;
}

/* An IPv6 packet, next header nh, from fd00::src:sport to fd00::9:dport. */
static size_t
ip6(uint8_t *buf, uint8_t nh, uint8_t src, uint16_t sport, uint16_t dport)
{
	size_t	 off = put_eth(buf, mac_a, mac_b, 0x86dd);

	memset(buf + off, 0, 40);
	buf[off] = 0x60;
	put16(buf + off + 4, 8);
	buf[off + 6] = nh;
	buf[off + 7] = 64;
	pton6("fd00::", buf + off + 8);
	buf[off + 23] = src;
	pton6("fd00::9", buf + off + 24);
	put16(buf + off + 40, sport);
	put16(buf + off + 42, dport);
	put32(buf + off + 44, 0);
	return off + 48;
}

static void
test_flow_buckets(void **state)
{
	uint8_t		 f[256], g[256];
	size_t		 n, m;
	unsigned int	 a;

	(void)state;
	/* Same addresses and ports: same bucket, whatever the payload. */
	n = ip4(f, 0, 6, 1, 40000, 5201, 0, 10);
	m = ip4(g, 0, 6, 1, 40000, 5201, 0, 100);
	assert_int_equal(tapq_flow(f, n), tapq_flow(g, m));
	assert_true(tapq_flow(f, n) < TAPQ_FLOWS);
	/* Another source port, another source, another protocol. */
	a = tapq_flow(f, n);
	m = ip4(g, 0, 6, 1, 40001, 5201, 0, 10);
	assert_int_not_equal(a, tapq_flow(g, m));
	m = ip4(g, 0, 6, 2, 40000, 5201, 0, 10);
	assert_int_not_equal(a, tapq_flow(g, m));
	m = ip4(g, 0, 17, 1, 40000, 5201, 0, 10);
	assert_int_not_equal(a, tapq_flow(g, m));
	/* Every fragment of one packet in one bucket, ports or not. */
	n = ip4(f, 0, 17, 1, 40000, 5201, 0x2000, 10);	/* first, MF */
	m = ip4(g, 0, 17, 1, 1, 2, 0x0010, 10);		/* later */
	assert_int_equal(tapq_flow(f, n), tapq_flow(g, m));
	/* A VLAN-tagged frame is read through its tag. */
	n = ip4(f, 1, 6, 1, 40000, 5201, 0, 10);
	m = ip4(g, 1, 6, 1, 40001, 5201, 0, 10);
	assert_int_not_equal(tapq_flow(f, n), tapq_flow(g, m));
	/* IPv6: ports count for TCP and UDP. */
	n = ip6(f, 6, 1, 40000, 179);
	m = ip6(g, 6, 1, 40000, 179);
	assert_int_equal(tapq_flow(f, n), tapq_flow(g, m));
	m = ip6(g, 6, 1, 40002, 179);
	assert_int_not_equal(tapq_flow(f, n), tapq_flow(g, m));
	/* Fragments (next header 44): the addresses only. */
	n = ip6(f, 44, 1, 1, 2);
	m = ip6(g, 44, 1, 3, 4);
	assert_int_equal(tapq_flow(f, n), tapq_flow(g, m));
}

static void
test_flow_garbage(void **state)
{
	uint8_t		 f[128];
	size_t		 n, cut;
	unsigned int	 i;

	(void)state;
	/* Every truncation of IPv4, VLAN and IPv6 frames, on exact buffers. */
	for (i = 0; i < 3; i++) {
		n = i == 2 ? ip6(f, 6, 1, 1, 2) : ip4(f, (int)i, 6, 1, 1, 2, 0, 0);
		for (cut = 0; cut <= n; cut++) {
			uint8_t	*d = dup_exact(f, cut);

			assert_true(tapq_flow(d, cut) < TAPQ_FLOWS);
			free(d);
		}
	}
	/* An IPv4 header length of 0 or past the end. */
	n = ip4(f, 0, 6, 1, 1, 2, 0, 0);
	f[14] = 0x40;
	assert_true(tapq_flow(f, n) < TAPQ_FLOWS);
	f[14] = 0x4f;
	assert_true(tapq_flow(f, n) < TAPQ_FLOWS);
}

/* Reads the frame (len bytes) into q, as the daemon does. */
static int
add(struct tapq *q, const uint8_t *frame, size_t len, int gso)
{
	uint8_t			*slot = tapq_free_slot(q);
	struct virtio_net_hdr	 vh;

	assert_non_null(slot);
	memset(&vh, 0, sizeof(vh));
	vh.gso_type = gso ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_NONE;
	memcpy(slot, &vh, sizeof(vh));
	memcpy(slot + VNET_HDR_LEN, frame, len);
	return tapq_add(q, VNET_HDR_LEN + len);
}

/* Pops the oldest read and checks it is frame. */
static void
pop_is(struct tapq *q, const uint8_t *frame, size_t len)
{
	uint8_t	*buf;
	size_t	 n;

	assert_non_null(buf = tapq_pop(q, &n));
	assert_int_equal(n, VNET_HDR_LEN + len);
	assert_memory_equal(buf + VNET_HDR_LEN, frame, len);
}

static void
test_ahead_and_order(void **state)
{
	static struct tapq	 q;
	uint8_t			 bulk1[128], bulk2[128], tail[128], ping[128];
	size_t			 n1, n2, nt, np;
	uint8_t			*buf;
	size_t			 n;

	(void)state;
	tapq_init(&q, 1);
	assert_null(tapq_pop(&q, &n));
	/* A TCP flow's super frames always wait, in order. */
	n1 = ip4(bulk1, 0, 6, 1, 40000, 5201, 0, 60);
	n2 = ip4(bulk2, 0, 6, 1, 40000, 5201, 0, 70);
	assert_int_equal(add(&q, bulk1, n1, 1), 0);
	assert_int_equal(add(&q, bulk2, n2, 1), 0);
	/* A lone segment of that flow waits behind them. */
	nt = ip4(tail, 0, 6, 1, 40000, 5201, 0, 5);
	assert_int_equal(add(&q, tail, nt, 0), 0);
	/* Another flow's frame goes ahead, and again. */
	np = ip4(ping, 0, 1, 1, 0x0800, 1, 0, 56);
	assert_int_equal(add(&q, ping, np, 0), 1);
	assert_int_equal(add(&q, ping, np, 0), 1);
	assert_int_equal(q.order.n, 3);
	/* First in, first out. */
	pop_is(&q, bulk1, n1);
	pop_is(&q, bulk2, n2);
	/* Still one of the flow queued: its next lone segment waits. */
	assert_int_equal(add(&q, tail, nt, 0), 0);
	pop_is(&q, tail, nt);
	pop_is(&q, tail, nt);
	assert_null(tapq_pop(&q, &n));
	/* Nothing of the flow queued: its lone segment may go ahead. */
	assert_int_equal(add(&q, tail, nt, 0), 1);
	/* A super frame never goes ahead, even of an idle flow. */
	assert_int_equal(add(&q, bulk1, n1, 1), 0);
	pop_is(&q, bulk1, n1);
	/* The slot of a frame that went ahead is the next read's. */
	buf = tapq_free_slot(&q);
	assert_int_equal(add(&q, ping, np, 0), 1);
	assert_ptr_equal(tapq_free_slot(&q), buf);
}

/* Reads land in the slots freed last: a few buffers, still in cache. */
static void
test_hot_slots(void **state)
{
	static struct tapq	 q;
	uint8_t			 f[128], *first, *b;
	size_t			 n, len, i;

	(void)state;
	tapq_init(&q, 1);
	n = ip4(f, 0, 6, 1, 40000, 5201, 0, 60);
	first = tapq_free_slot(&q);
	for (i = 0; i < 3 * TAPQ_SLOTS; i++) {
		assert_ptr_equal(tapq_free_slot(&q), first);
		assert_int_equal(add(&q, f, n, 1), 0);
		assert_ptr_equal(b = tapq_pop(&q, &len), first);
		assert_int_equal(len, VNET_HDR_LEN + n);
	}
	/* Two queued: the second read takes another slot, then both again. */
	assert_int_equal(add(&q, f, n, 1), 0);
	b = tapq_free_slot(&q);
	assert_ptr_not_equal(b, first);
	assert_int_equal(add(&q, f, n, 1), 0);
	assert_ptr_equal(tapq_pop(&q, &len), first);
	assert_ptr_equal(tapq_pop(&q, &len), b);
	assert_ptr_equal(tapq_free_slot(&q), b);
}

static void
test_full(void **state)
{
	static struct tapq	 q;
	uint8_t			 f[128];
	size_t			 n, len, i;

	(void)state;
	tapq_init(&q, 1);
	n = ip4(f, 0, 6, 1, 40000, 5201, 0, 60);
	for (i = 0; i < TAPQ_SLOTS; i++) {
		f[n - 1] = (uint8_t)i;
		assert_int_equal(add(&q, f, n, 1), 0);
	}
	assert_null(tapq_free_slot(&q));
	/* Wraps around the ring, in order. */
	for (i = 0; i < TAPQ_SLOTS / 2; i++)
		assert_non_null(tapq_pop(&q, &len));
	for (i = 0; i < TAPQ_SLOTS / 2; i++) {
		f[n - 1] = (uint8_t)(TAPQ_SLOTS + i);
		assert_int_equal(add(&q, f, n, 1), 0);
	}
	assert_null(tapq_free_slot(&q));
	for (i = 0; i < TAPQ_SLOTS; i++) {
		uint8_t	*b = tapq_pop(&q, &len);

		assert_non_null(b);
		assert_int_equal(b[VNET_HDR_LEN + n - 1], TAPQ_SLOTS / 2 + i);
	}
	assert_null(tapq_pop(&q, &len));
}

static void
test_garbage_reads(void **state)
{
	static struct tapq	 q;
	uint8_t			*slot;
	size_t			 len, n;

	(void)state;
	/* Shorter than a virtio-net header: handled (dropped) at once. */
	tapq_init(&q, 1);
	for (len = 0; len < VNET_HDR_LEN; len++) {
		slot = tapq_free_slot(&q);
		memset(slot, 0xff, VNET_HDR_LEN);
		assert_int_equal(tapq_add(&q, len), 1);
	}
	assert_int_equal(q.order.n, 0);
	/* Without a virtio-net header, any bytes. */
	tapq_init(&q, 0);
	for (len = 0; len < 80; len++) {
		slot = tapq_free_slot(&q);
		memset(slot, (int)len, len);
		if (tapq_add(&q, len) == 0)
			assert_non_null(tapq_pop(&q, &n));
	}
	assert_int_equal(q.order.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_buckets),
		cmocka_unit_test(test_flow_garbage),
		cmocka_unit_test(test_ahead_and_order),
		cmocka_unit_test(test_hot_slots),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_garbage_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
