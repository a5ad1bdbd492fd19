/*
 * Unit tests for the Internet checksum (csum.c) and segmentation offload
 * (offload.c): TSO of TCP super frames as the TAP hands them over with
 * IFF_VNET_HDR, completion of partial checksums, and GRO of received
 * segments back into super frames.
 *
 * Frames are built byte by byte from a flow description; every checksum
 * is made and verified with the test's own byte-by-byte RFC 1071 sum over
 * a pseudo-header laid out in a buffer, independently of csum.c.  Frames
 * are handed over in exactly sized heap copies so that sanitizers and
 * valgrind see any overread.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "csum.h"
#include "offload.h"
#include "pkt.h"
#include "refsum.h"

#define TH_FIN		0x01
#define TH_SYN		0x02
#define TH_RST		0x04
#define TH_PSH		0x08
#define TH_ACK		0x10
#define TH_URG		0x20
#define TH_ECE		0x40
#define TH_CWR		0x80
#define SEGS_MAX	256

/* A small deterministic generator (xorshift32), so failures reproduce. */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * The pseudo-header sum for an upper-layer packet of len bytes: RFC 793
 * section 3.1 (IPv4) or RFC 8200 section 8.1 (IPv6), laid out as such.
 */
static uint32_t
ref_pseudo(const uint8_t *ip, int v6, uint8_t proto, size_t len)
{
	uint8_t	 pre[40];
	size_t	 n;

	if (v6)
		n = pseudo6(pre, ip + 8, ip + 24, len, proto);
	else
		n = pseudo4(pre, ip + 12, ip + 16, len, proto);
	return ref_sum(0, pre, n);
}

/* True if the checksum over the pseudo-header and l4..len verifies. */
static int
l4_valid(const uint8_t *f, size_t l3, size_t l4, size_t len, int v6,
    uint8_t proto)
{
	return ref_fold(ref_pseudo(f + l3, v6, proto, len - l4) +
	    ref_sum(0, f + l4, len - l4)) == 0xffff;
}

static int
ip4_valid(const uint8_t *ip)
{
	return ref_fold(ref_sum(0, ip, (size_t)(ip[0] & 0xf) * 4)) == 0xffff;
}

/* The payload byte at offset k of the TCP stream. */
static uint8_t
pat(size_t k)
{
	return (uint8_t)(((uint32_t)k * 2654435761U) >> 24);
}

/* What a TCP segment or super frame looks like, field by field. */
struct flow {
	int		 v6;
	int		 vlans;		/* 0, 1 or 2 VLAN tags */
	int		 ext6;		/* an IPv6 hop-by-hop header */
	int		 topt;		/* the timestamps option */
	uint8_t		 tos, ttl;
	uint16_t	 id, frag;	/* IPv4 */
	uint8_t		 src[16], dst[16];
	uint16_t	 sport, dport;
	uint32_t	 seq, ack, tsval;
	uint16_t	 win;
	uint8_t		 flags;
	uint8_t		 mac_last;	/* the destination MAC's last byte */
};

static void
flow_init(struct flow *fl, int v6)
{
	memset(fl, 0, sizeof(*fl));
	fl->v6 = v6;
	fl->topt = 1;
	fl->ttl = 64;
	fl->id = 0xfffe;	/* wraps within a run */
	fl->frag = 0x4000;	/* DF */
	if (v6) {
		assert_int_equal(inet_pton(AF_INET6, "fd00:255::1", fl->src), 1);
		assert_int_equal(inet_pton(AF_INET6, "fd00:255::2", fl->dst), 1);
	} else {
		assert_int_equal(inet_pton(AF_INET, "10.255.0.1", fl->src), 1);
		assert_int_equal(inet_pton(AF_INET, "10.255.0.2", fl->dst), 1);
	}
	fl->sport = 40000;
	fl->dport = 5201;
	fl->seq = 0xfffff000;	/* wraps within a run */
	fl->ack = 0x01020304;
	fl->tsval = 0x11223344;
	fl->win = 501;
	fl->flags = TH_ACK | TH_PSH;
	fl->mac_last = mac_peer[5];
}

static size_t
fl_l3(const struct flow *fl)
{
	return 14 + 4 * (size_t)fl->vlans;
}

static size_t
fl_l4(const struct flow *fl)
{
	return fl_l3(fl) + (fl->v6 ? 40 + (fl->ext6 ? 8 : 0) : 20);
}

static size_t
fl_hlen(const struct flow *fl)
{
	return fl_l4(fl) + (fl->topt ? 32 : 20);
}

/*
 * Builds the frame of fl with plen payload bytes taken from the stream at
 * offset off (sequence number fl->seq + off).  A super frame carries the
 * pseudo-header sum in the TCP checksum field, as the TAP hands it over;
 * a segment carries a complete checksum.  Returns a heap buffer of
 * exactly *lenp bytes.
 */
static uint8_t *
build(const struct flow *fl, uint32_t off, size_t plen, int super,
    size_t *lenp)
{
	size_t	 l3 = fl_l3(fl), l4 = fl_l4(fl), hlen = fl_hlen(fl);
	size_t	 len = hlen + plen, i;
	uint8_t	*f, *ip, *th;
	uint32_t sum;

	assert_non_null(f = calloc(1, len));
	memcpy(f, mac_peer, 6);
	f[5] = fl->mac_last;
	memcpy(f + 6, mac_tap, 6);
	for (i = 0; i < (size_t)fl->vlans; i++) {
		put16(f + 12 + 4 * i, fl->vlans == 2 && i == 0 ? 0x88a8 :
		    0x8100);
		put16(f + 14 + 4 * i, 100 + (unsigned int)i);
	}
	put16(f + l3 - 2, fl->v6 ? 0x86dd : 0x0800);
	ip = f + l3;
	th = f + l4;
	if (fl->v6) {
		ip[0] = (uint8_t)(0x60 | fl->tos >> 4);
		ip[1] = (uint8_t)(fl->tos << 4 | 0x0a);
		ip[2] = 0xbc;
		ip[3] = 0xde;
		put16(ip + 4, (unsigned int)(len - l3 - 40));
		ip[6] = fl->ext6 ? 0 : 6;
		ip[7] = fl->ttl;
		memcpy(ip + 8, fl->src, 16);
		memcpy(ip + 24, fl->dst, 16);
		if (fl->ext6) {
			/* Hop-by-hop with a PadN of four bytes. */
			ip[40] = 6;
			ip[42] = 1;
			ip[43] = 4;
		}
	} else {
		ip[0] = 0x45;
		ip[1] = fl->tos;
		put16(ip + 2, (unsigned int)(len - l3));
		put16(ip + 4, fl->id);
		put16(ip + 6, fl->frag);
		ip[8] = fl->ttl;
		ip[9] = 6;
		memcpy(ip + 12, fl->src, 4);
		memcpy(ip + 16, fl->dst, 4);
		put16(ip + 10, (uint16_t)~ref_fold(ref_sum(0, ip, 20)));
	}
	put16(th, fl->sport);
	put16(th + 2, fl->dport);
	put32(th + 4, fl->seq + off);
	put32(th + 8, fl->ack);
	th[12] = (uint8_t)((hlen - l4) / 4 << 4);
	th[13] = fl->flags;
	put16(th + 14, fl->win);
	if (fl->topt) {
		th[20] = th[21] = 1;
		th[22] = 8;
		th[23] = 10;
		put32(th + 24, fl->tsval);
		put32(th + 28, 0x55667788);
	}
	for (i = 0; i < plen; i++)
		f[hlen + i] = pat(off + i);
	sum = ref_pseudo(ip, fl->v6, 6, len - l4);
	if (super)
		put16(th + 16, ref_fold(sum));
	else
		put16(th + 16, (uint16_t)~ref_fold(ref_sum(sum, th, len - l4)));
	*lenp = len;
	return f;
}

/* The virtio header the TAP puts before a super frame of fl. */
static void
vh_tso(struct virtio_net_hdr *vh, const struct flow *fl, size_t mss)
{
	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = fl->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
	    VIRTIO_NET_HDR_GSO_TCPV4;
	vh->hdr_len = htole16((uint16_t)fl_hlen(fl));
	vh->gso_size = htole16((uint16_t)mss);
	vh->csum_start = htole16((uint16_t)fl_l4(fl));
	vh->csum_offset = htole16(16);
}

/* Frames as exactly sized heap copies. */
struct segs {
	size_t		 n;
	uint8_t		*f[SEGS_MAX];
	size_t		 len[SEGS_MAX];
};

static void
segs_add(struct segs *s, const uint8_t *f, size_t len)
{
	assert_true(s->n < SEGS_MAX);
	s->f[s->n] = dup_exact(f, len);
	s->len[s->n++] = len;
}

static void
segs_free(struct segs *s)
{
	while (s->n > 0)
		free(s->f[--s->n]);
}

/*
 * Cuts an exactly sized copy of a super frame and keeps copies of the
 * segments, checking that each lies inside the frame.
 */
static void
tso_run(const struct virtio_net_hdr *vh, const uint8_t *frame, size_t len,
    struct segs *out)
{
	struct tso	 t;
	uint8_t		*f = dup_exact(frame, len), *seg;
	size_t		 n;

	assert_int_equal(tso_begin(&t, vh, f, len), 0);
	while ((n = tso_next(&t, &seg)) > 0) {
		assert_true(seg >= f && seg + n <= f + len);
		segs_add(out, seg, n);
	}
	assert_int_equal(tso_next(&t, &seg), 0);
	free(f);
}

static void
segs_equal(const struct segs *a, const struct segs *b)
{
	size_t	 i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->len[i], b->len[i]);
		assert_memory_equal(a->f[i], b->f[i], a->len[i]);
	}
}

/*
 * Checks segment i of a run over fl field by field with the test's own
 * checksum, then byte for byte against the segment built independently.
 */
static void
check_seg(const struct flow *fl, size_t mss, size_t plen, size_t i,
    const uint8_t *f, size_t len)
{
	size_t		 l3 = fl_l3(fl), l4 = fl_l4(fl), hlen = fl_hlen(fl);
	size_t		 pl = plen - i * mss < mss ? plen - i * mss : mss;
	const uint8_t	*ip = f + l3, *th = f + l4;
	struct flow	 e = *fl;
	uint8_t		*want;
	size_t		 wlen, k;
	int		 last = (i + 1) * mss >= plen;

	assert_int_equal(len, hlen + pl);
	if (fl->v6)
		assert_int_equal(get16(ip + 4), len - l3 - 40);
	else {
		assert_int_equal(get16(ip + 2), len - l3);
		assert_int_equal(get16(ip + 4), (uint16_t)(fl->id + i));
		assert_true(ip4_valid(ip));
	}
	assert_int_equal(get32(th + 4), (uint32_t)(fl->seq + i * mss));
	assert_int_equal(!!(th[13] & TH_FIN), last && (fl->flags & TH_FIN));
	assert_int_equal(!!(th[13] & TH_PSH), last && (fl->flags & TH_PSH));
	assert_int_equal(!!(th[13] & TH_CWR), i == 0 && (fl->flags & TH_CWR));
	assert_true(l4_valid(f, l3, l4, len, fl->v6, 6));
	for (k = 0; k < pl; k++)
		assert_int_equal(f[hlen + k], pat(i * mss + k));

	e.id = (uint16_t)(fl->id + i);
	if (!last)
		e.flags &= (uint8_t)~(TH_FIN | TH_PSH);
	if (i > 0)
		e.flags &= (uint8_t)~TH_CWR;
	want = build(&e, (uint32_t)(i * mss), pl, 0, &wlen);
	assert_int_equal(wlen, len);
	assert_memory_equal(f, want, len);
	free(want);
}

/*
 * Builds the super frame of fl with plen payload bytes, cuts it at mss
 * and checks every segment; the segments are left in *out.
 */
static void
check_tso(const struct flow *fl, size_t plen, size_t mss, struct segs *out)
{
	struct virtio_net_hdr	 vh;
	uint8_t			*super;
	size_t			 slen, i, total = 0;

	super = build(fl, 0, plen, 1, &slen);
	vh_tso(&vh, fl, mss);
	tso_run(&vh, super, slen, out);
	assert_int_equal(out->n, (plen + mss - 1) / mss);
	for (i = 0; i < out->n; i++) {
		check_seg(fl, mss, plen, i, out->f[i], out->len[i]);
		total += out->len[i] - fl_hlen(fl);
	}
	assert_int_equal(total, plen);
	if (plen % mss != 0)
		assert_true(out->len[out->n - 1] < out->len[0] || out->n == 1);
	free(super);
}

static void
tso_case(const struct flow *fl, size_t plen, size_t mss)
{
	struct segs	 s = { 0 };

	check_tso(fl, plen, mss, &s);
	segs_free(&s);
}

static void
test_csum_add_lengths(void **state)
{
	uint32_t	 r = 0x9e3779b9, sum, want;
	uint8_t		*buf;
	size_t		 len, off, c, i, align;
	int		 trial;

	(void)state;
	for (len = 0; len <= 300; len++) {
		for (trial = 0; trial < 8; trial++) {
			/* The data at every alignment, ending the heap block. */
			align = (size_t)trial;
			assert_non_null(buf = malloc(align + len + 1));
			for (i = 0; i < len; i++)
				buf[align + i] = (uint8_t)rnd(&r);
			sum = trial == 0 ? 0 : rnd(&r) & 0xfffff;
			want = ref_sum(sum, buf + align, len);

			assert_int_equal(ref_fold(csum_add(sum, buf + align,
			    len)), ref_fold(want));
			/* Even chunks of random lengths, then the rest. */
			for (off = 0; off < len; off += c) {
				c = (rnd(&r) % 40) & ~(size_t)1;
				if (c > len - off || rnd(&r) % 8 == 0)
					c = len - off;
				sum = csum_add(sum, buf + align + off, c);
			}
			assert_int_equal(ref_fold(sum), ref_fold(want));
			free(buf);
		}
	}
}

static void
test_csum_add_patterns(void **state)
{
	size_t	 lens[] = { 1, 2, 3, 15, 16, 17, 4095, 65535, 65536 };
	uint8_t	*buf;
	size_t	 i;
	int	 fill;

	(void)state;
	/* All ones and all zeros: carries and the two zeros of the sum. */
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (fill = 0; fill <= 0xff; fill += 0xff) {
			assert_non_null(buf = malloc(lens[i]));
			memset(buf, fill, lens[i]);
			assert_int_equal(ref_fold(csum_add(0, buf, lens[i])),
			    ref_fold(ref_sum(0, buf, lens[i])));
			free(buf);
		}
	}
	assert_int_equal(csum_add(0, "", 0), 0);
	assert_int_equal(csum_fold(csum_add(0, "\x12", 1)), 0x1200);
	assert_int_equal(csum_fold(csum_add(0, "\x12\x34\x56", 3)), 0x6834);
	assert_int_equal(csum_fold(csum_add(0x10000, "\xff\xff", 2)), 0x0001);
}

static void
test_csum_fold(void **state)
{
	uint32_t	 r = 12345, v;
	int		 i;

	(void)state;
	assert_int_equal(csum_fold(0), 0);
	assert_int_equal(csum_fold(0xffff), 0xffff);
	assert_int_equal(csum_fold(0x10000), 1);
	assert_int_equal(csum_fold(0x1fffe), 0xffff);
	assert_int_equal(csum_fold(0xffffffff), 0xffff);
	assert_int_equal(csum_fold(0x12345678), 0x68ac);
	for (i = 0; i < 10000; i++) {
		v = rnd(&r);
		assert_int_equal(csum_fold(v), ref_fold(v));
	}
}

static void
test_be_fields(void **state)
{
	uint8_t	 b[4];

	(void)state;
	put_be16(b, 0xa1b2);
	assert_memory_equal(b, "\xa1\xb2", 2);
	assert_int_equal(get_be16(b), 0xa1b2);
	put_be32(b, 0xc1d2e3f4);
	assert_memory_equal(b, "\xc1\xd2\xe3\xf4", 4);
	assert_int_equal(get_be32(b), 0xc1d2e3f4);
}

static void
test_tso_v4(void **state)
{
	struct flow	 fl;

	(void)state;
	flow_init(&fl, 0);
	fl.flags = TH_CWR | TH_PSH | TH_FIN | TH_ACK;
	tso_case(&fl, 5 * 1448 + 700, 1448);	/* the last one shorter */
	tso_case(&fl, 4 * 1000, 1000);		/* an exact multiple */
	tso_case(&fl, 500, 1448);		/* a single segment */
	tso_case(&fl, 1448, 1448);
	tso_case(&fl, 101, 7);			/* mss below the headers */
	tso_case(&fl, 3, 1);
	fl.topt = 0;
	tso_case(&fl, 3 * 1460 + 1, 1460);
	fl.topt = 1;
	fl.flags = TH_ACK;
	tso_case(&fl, 65535 - 52, 1448);	/* the largest */
}

static void
test_tso_v6(void **state)
{
	struct flow	 fl;

	(void)state;
	flow_init(&fl, 1);
	fl.flags = TH_CWR | TH_PSH | TH_FIN | TH_ACK;
	fl.tos = 0xb8;
	tso_case(&fl, 3 * 1428 + 1, 1428);
	tso_case(&fl, 2 * 1428, 1428);
	tso_case(&fl, 1, 1428);
	tso_case(&fl, 65535 - 32, 1428);
	/* Behind a hop-by-hop header, csum_start says where TCP begins. */
	fl.ext6 = 1;
	tso_case(&fl, 2 * 1420 + 5, 1420);
}

static void
test_tso_vlan(void **state)
{
	struct flow	 fl;

	(void)state;
	flow_init(&fl, 0);
	fl.flags = TH_CWR | TH_PSH | TH_FIN | TH_ACK;
	fl.vlans = 1;
	tso_case(&fl, 4 * 1444 + 17, 1444);
	fl.vlans = 2;
	tso_case(&fl, 4 * 1440 + 3, 1440);
	flow_init(&fl, 1);
	fl.vlans = 1;
	tso_case(&fl, 3 * 1424 + 9, 1424);
}

static void
test_tso_ecn(void **state)
{
	struct virtio_net_hdr	 vh;
	struct segs		 s = { 0 }, e = { 0 };
	struct flow		 fl;
	uint8_t			*super;
	size_t			 slen;

	(void)state;
	/* The ECN bit of gso_type changes nothing here. */
	flow_init(&fl, 0);
	fl.flags = TH_CWR | TH_ECE | TH_ACK;
	check_tso(&fl, 3000, 1000, &e);
	super = build(&fl, 0, 3000, 1, &slen);
	vh_tso(&vh, &fl, 1000);
	vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	tso_run(&vh, super, slen, &s);
	segs_equal(&s, &e);
	free(super);
	segs_free(&s);
	segs_free(&e);
}

/* Expects tso_begin to refuse an exactly sized copy of f. */
static void
tso_refused(const struct virtio_net_hdr *vh, const uint8_t *f, size_t len)
{
	struct tso	 t;
	uint8_t		*c = dup_exact(f, len);

	assert_int_equal(tso_begin(&t, vh, c, len), -1);
	free(c);
}

static void
test_tso_refused(void **state)
{
	struct virtio_net_hdr	 vh, v;
	struct flow		 fl;
	uint8_t			*f, *g;
	size_t			 len, glen, l3, l4;

	(void)state;
	flow_init(&fl, 0);
	f = build(&fl, 0, 3000, 1, &len);
	l3 = fl_l3(&fl);
	l4 = fl_l4(&fl);
	vh_tso(&vh, &fl, 1000);

	v = vh;
	v.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	tso_refused(&v, f, len);
	v.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	tso_refused(&v, f, len);
	v.gso_type = VIRTIO_NET_HDR_GSO_ECN;
	tso_refused(&v, f, len);
	/* The wrong IP version for the frame. */
	v.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	tso_refused(&v, f, len);
	v = vh;
	v.flags = 0;
	tso_refused(&v, f, len);
	v.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	tso_refused(&v, f, len);
	v = vh;
	v.gso_size = 0;
	tso_refused(&v, f, len);

	/* csum_start too small, inside the IP header, beyond the frame. */
	v = vh;
	v.csum_start = 0;
	tso_refused(&v, f, len);
	v.csum_start = htole16((uint16_t)(l3 + 19));
	tso_refused(&v, f, len);
	v.csum_start = htole16((uint16_t)(l4 - 4));
	tso_refused(&v, f, len);
	v.csum_start = htole16((uint16_t)(l4 + 4));
	tso_refused(&v, f, len);
	v.csum_start = htole16((uint16_t)(len - 19));
	tso_refused(&v, f, len);
	v.csum_start = htole16((uint16_t)len);
	tso_refused(&v, f, len);
	v.csum_start = htole16(0xffff);
	tso_refused(&v, f, len);

	/* TCP data offsets below 5, and reaching the end of the frame. */
	f[l4 + 12] = 4 << 4;
	tso_refused(&vh, f, len);
	f[l4 + 12] = 0;
	tso_refused(&vh, f, len);
	f[l4 + 12] = 8 << 4;
	g = build(&fl, 0, 12, 1, &glen);	/* 32 + 12 bytes of TCP */
	g[l4 + 12] = 11 << 4;
	tso_refused(&vh, g, glen);
	g[l4 + 12] = 15 << 4;
	tso_refused(&vh, g, glen);
	g[l4 + 12] = 10 << 4;			/* header 40, payload 4 */
	assert_int_equal(tso_begin(&(struct tso){ 0 }, &vh, g, glen), 0);
	free(g);

	/* An IPv4 header length other than csum_start says. */
	f[l3] = 0x46;
	tso_refused(&vh, f, len);
	f[l3] = 0x44;
	tso_refused(&vh, f, len);
	f[l3] = 0x65;
	tso_refused(&vh, f, len);
	f[l3] = 0x45;
	f[l3 + 9] = 17;
	tso_refused(&vh, f, len);
	f[l3 + 9] = 6;

	/* Another ethertype than the gso type says. */
	put16(f + 12, 0x86dd);
	tso_refused(&vh, f, len);
	put16(f + 12, 0x0806);
	tso_refused(&vh, f, len);
	put16(f + 12, 0x0800);
	assert_int_equal(tso_begin(&(struct tso){ 0 }, &vh, f, len), 0);
	free(f);

	/* IPv6: the same, and a TCP next header csum_start skips past. */
	flow_init(&fl, 1);
	f = build(&fl, 0, 3000, 1, &len);
	l3 = fl_l3(&fl);
	l4 = fl_l4(&fl);
	vh_tso(&vh, &fl, 1000);
	v = vh;
	v.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	tso_refused(&v, f, len);
	v = vh;
	v.csum_start = htole16((uint16_t)(l3 + 39));
	tso_refused(&v, f, len);
	v.csum_start = htole16((uint16_t)(l3 + 20));
	tso_refused(&v, f, len);
	/* Where a data offset of 5 would be found at csum_start. */
	v.csum_start = htole16((uint16_t)(l4 + 8));
	f[l4 + 20] = 5 << 4;
	tso_refused(&v, f, len);
	f[l4 + 20] = 1;
	f[l3 + 6] = 17;
	tso_refused(&vh, f, len);
	f[l3 + 6] = 6;
	f[l3] = 0x40;
	tso_refused(&vh, f, len);
	f[l3] = 0x60;
	put16(f + 12, 0x0800);
	tso_refused(&vh, f, len);
	put16(f + 12, 0x86dd);
	assert_int_equal(tso_begin(&(struct tso){ 0 }, &vh, f, len), 0);
	free(f);
}

/*
 * A super frame longer than a 64 KB IP packet is refused: the length
 * fields of its segments could not hold it.
 */
static void
test_tso_oversized(void **state)
{
	struct virtio_net_hdr	 vh;
	struct flow		 fl;
	uint8_t			*f;
	size_t			 len;
	int			 v6;

	(void)state;
	for (v6 = 0; v6 <= 1; v6++) {
		flow_init(&fl, v6);
		f = build(&fl, 0, 65536 - (fl_hlen(&fl) - fl_l4(&fl)) -
		    (v6 ? 0 : 20), 1, &len);
		assert_int_equal(len - fl_l3(&fl) - (v6 ? 40 : 0), 65536);
		vh_tso(&vh, &fl, 0xffff);
		tso_refused(&vh, f, len);
		vh_tso(&vh, &fl, 1448);
		tso_refused(&vh, f, len);
		free(f);
	}
}

/* Every prefix of a super frame up to its headers is refused. */
static void
tso_truncated(const struct flow *fl)
{
	struct virtio_net_hdr	 vh;
	uint8_t			*f;
	size_t			 len, n;

	f = build(fl, 0, 2000, 1, &len);
	vh_tso(&vh, fl, 1000);
	for (n = 0; n <= fl_hlen(fl); n++)
		tso_refused(&vh, f, n);
	/* One payload byte is a super frame of one segment. */
	tso_case(fl, 1, 1000);
	free(f);
}

static void
test_tso_truncated(void **state)
{
	struct flow	 fl;

	(void)state;
	flow_init(&fl, 0);
	tso_truncated(&fl);
	fl.vlans = 2;
	tso_truncated(&fl);
	flow_init(&fl, 1);
	tso_truncated(&fl);
	fl.vlans = 1;
	fl.topt = 0;
	tso_truncated(&fl);
}

/*
 * A UDP datagram with a partial checksum, as the kernel hands it over:
 * the pseudo-header sum in the checksum field.  Returns its length.
 */
static uint8_t *
build_udp(int v6, size_t plen, size_t *lenp, size_t *l4p)
{
	struct flow	 fl;
	uint8_t		*f, *ip, *uh;
	size_t		 len, l4, i;

	flow_init(&fl, v6);
	fl.topt = 0;
	/* A TCP frame of the same size turned into UDP. */
	f = build(&fl, 0, plen + 12, 0, &len);
	ip = f + fl_l3(&fl);
	l4 = fl_l4(&fl);
	uh = f + l4;
	if (v6)
		ip[6] = 17;
	else {
		ip[9] = 17;
		ip[10] = ip[11] = 0;
		put16(ip + 10, (uint16_t)~ref_fold(ref_sum(0, ip, 20)));
	}
	put16(uh + 4, (unsigned int)(len - l4));
	for (i = 8; i < len - l4; i++)
		uh[i] = pat(i);
	put16(uh + 6, ref_fold(ref_pseudo(ip, v6, 17, len - l4)));
	*lenp = len;
	*l4p = l4;
	return f;
}

static void
vh_csum(struct virtio_net_hdr *vh, size_t start, size_t off)
{
	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = htole16((uint16_t)start);
	vh->csum_offset = htole16((uint16_t)off);
}

/* Completes an exactly sized copy of f and checks only the field moved. */
static void
csum_case(const uint8_t *f, size_t len, size_t l4, size_t off, int v6,
    uint8_t proto)
{
	struct virtio_net_hdr	 vh;
	uint8_t			*c = dup_exact(f, len);

	vh_csum(&vh, l4, off);
	assert_int_equal(offload_csum(&vh, c, len), 0);
	assert_true(l4_valid(c, l4 - (v6 ? 40 : 20), l4, len, v6, proto));
	assert_int_not_equal(get16(c + l4 + off), 0);
	assert_memory_equal(c, f, l4 + off);
	assert_memory_equal(c + l4 + off + 2, f + l4 + off + 2,
	    len - l4 - off - 2);
	free(c);
}

static void
test_offload_csum_udp(void **state)
{
	uint8_t	*f;
	size_t	 len, l4, plen;

	(void)state;
	for (plen = 0; plen < 40; plen++) {
		f = build_udp(0, plen, &len, &l4);
		csum_case(f, len, l4, 6, 0, 17);
		free(f);
		f = build_udp(1, plen * 37, &len, &l4);
		csum_case(f, len, l4, 6, 1, 17);
		free(f);
	}
}

static void
test_offload_csum_tcp(void **state)
{
	struct flow	 fl;
	uint8_t		*f;
	size_t		 len, plen;

	(void)state;
	for (plen = 1; plen < 1500; plen += 97) {
		flow_init(&fl, 0);
		f = build(&fl, 0, plen, 1, &len);
		csum_case(f, len, fl_l4(&fl), 16, 0, 6);
		free(f);
		flow_init(&fl, 1);
		fl.vlans = 1;
		f = build(&fl, 0, plen, 1, &len);
		csum_case(f, len, fl_l4(&fl), 16, 1, 6);
		free(f);
	}
}

static void
test_offload_csum_range(void **state)
{
	struct virtio_net_hdr	 vh;
	uint8_t			*f;
	size_t			 len, l4;

	(void)state;
	f = build_udp(0, 10, &len, &l4);
	vh_csum(&vh, len + 1, 0);
	assert_int_equal(offload_csum(&vh, f, len), -1);
	vh_csum(&vh, len, 0);
	assert_int_equal(offload_csum(&vh, f, len), -1);
	vh_csum(&vh, len - 1, 0);
	assert_int_equal(offload_csum(&vh, f, len), -1);
	vh_csum(&vh, l4, len - l4 - 1);
	assert_int_equal(offload_csum(&vh, f, len), -1);
	vh_csum(&vh, l4, 0xffff);
	assert_int_equal(offload_csum(&vh, f, len), -1);
	vh_csum(&vh, 0xffff, 0xffff);
	assert_int_equal(offload_csum(&vh, f, len), -1);
	vh_csum(&vh, 0, 0);
	assert_int_equal(offload_csum(&vh, f, 0), -1);
	assert_int_equal(offload_csum(&vh, f, 1), -1);
	/* The field in the last two bytes still fits. */
	vh_csum(&vh, l4, len - l4 - 2);
	assert_int_equal(offload_csum(&vh, f, len), 0);
	vh_csum(&vh, len - 2, 0);
	assert_int_equal(offload_csum(&vh, f, len), 0);
	free(f);
}

static void
test_offload_csum_zero(void **state)
{
	struct virtio_net_hdr	 vh;
	uint8_t			*f;
	size_t			 len, l4;
	uint16_t		 s;

	(void)state;
	/*
	 * Choose two payload bytes so that the data sums to 0xffff: the
	 * checksum then comes out 0, which UDP must send as 0xffff.
	 */
	f = build_udp(0, 20, &len, &l4);
	put16(f + l4 + 8, 0);
	s = ref_fold(ref_sum(0, f + l4, len - l4));
	put16(f + l4 + 8, (uint16_t)(0xffff - s));
	assert_int_equal(ref_fold(ref_sum(0, f + l4, len - l4)), 0xffff);
	vh_csum(&vh, l4, 6);
	assert_int_equal(offload_csum(&vh, f, len), 0);
	assert_int_equal(get16(f + l4 + 6), 0xffff);
	assert_true(l4_valid(f, l4 - 20, l4, len, 0, 17));
	free(f);
}

static struct gro *
gro_new(void)
{
	struct gro	*g;

	assert_non_null(g = calloc(1, sizeof(*g)));
	return g;
}

static int
offer(struct gro *g, const uint8_t *f, size_t len)
{
	uint8_t	*c = dup_exact(f, len);
	int	 r;

	r = gro_offer(g, c, len);
	free(c);
	return r;
}

/* Offers the segments of s from the first on; all must be taken. */
static void
offer_all(struct gro *g, const struct segs *s, size_t first)
{
	size_t	 i;

	for (i = first; i < s->n; i++)
		assert_int_equal(offer(g, s->f[i], s->len[i]), 1);
}

/* Expects gro_finish to give back frame f as it came. */
static void
finish_single(struct gro *g, const uint8_t *f, size_t len)
{
	struct virtio_net_hdr	 vh, want;
	size_t			 n;

	n = gro_finish(g);
	assert_int_equal(n, VNET_HDR_LEN + len);
	memcpy(&vh, g->buf, sizeof(vh));
	memset(&want, 0, sizeof(want));
	want.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	want.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	assert_memory_equal(&vh, &want, sizeof(vh));
	assert_memory_equal(g->buf + VNET_HDR_LEN, f, len);
	assert_int_equal(gro_finish(g), 0);
}

/*
 * Finishes the pending super frame of fl (plen payload bytes cut at mss)
 * and checks it against the super frame the TAP would have handed over,
 * then cuts it again: the segments must be those in s.
 */
static void
check_gro(struct gro *g, const struct flow *fl, size_t plen, size_t mss,
    const struct segs *s)
{
	struct virtio_net_hdr	 vh;
	struct segs		 again = { 0 };
	size_t			 l3 = fl_l3(fl), l4 = fl_l4(fl), n, len;
	uint8_t			*f, *want;

	n = gro_finish(g);
	assert_int_equal(gro_finish(g), 0);
	assert_true(n > VNET_HDR_LEN && n <= sizeof(g->buf));
	memcpy(&vh, g->buf, sizeof(vh));
	f = g->buf + VNET_HDR_LEN;
	len = n - VNET_HDR_LEN;
	assert_int_equal(len, fl_hlen(fl) + plen);

	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(vh.gso_type, fl->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
	    VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(le16toh(vh.gso_size), mss);
	assert_int_equal(le16toh(vh.hdr_len), fl_hlen(fl));
	assert_int_equal(le16toh(vh.csum_start), l4);
	assert_int_equal(le16toh(vh.csum_offset), 16);
	if (fl->v6)
		assert_int_equal(get16(f + l3 + 4), len - l3 - 40);
	else {
		assert_int_equal(get16(f + l3 + 2), len - l3);
		assert_true(ip4_valid(f + l3));
		/* The first segment's identification. */
		assert_int_equal(get16(f + l3 + 4), fl->id);
	}
	assert_int_equal(get16(f + l4 + 16),
	    ref_fold(ref_pseudo(f + l3, fl->v6, 6, len - l4)));
	/* All of it, as the TAP would have handed it over. */
	want = build(fl, 0, plen, 1, &n);
	assert_int_equal(n, len);
	assert_memory_equal(f, want, len);
	free(want);

	/* Round trip, IPv4 identification included. */
	tso_run(&vh, f, len, &again);
	segs_equal(&again, s);
	segs_free(&again);
}

static void
gro_roundtrip(const struct flow *fl, size_t plen, size_t mss)
{
	struct segs	 s = { 0 };
	struct gro	*g = gro_new();

	check_tso(fl, plen, mss, &s);
	offer_all(g, &s, 0);
	if (s.n == 1)
		finish_single(g, s.f[0], s.len[0]);
	else
		check_gro(g, fl, plen, mss, &s);
	segs_free(&s);
	free(g);
}

static void
test_gro_v4(void **state)
{
	struct flow	 fl;

	(void)state;
	flow_init(&fl, 0);
	gro_roundtrip(&fl, 5 * 1448 + 700, 1448);
	gro_roundtrip(&fl, 4 * 1448, 1448);
	fl.flags = TH_ACK;
	gro_roundtrip(&fl, 4 * 1448, 1448);
	gro_roundtrip(&fl, 2 * 1448 + 1, 1448);
	fl.topt = 0;
	gro_roundtrip(&fl, 7 * 1460 + 13, 1460);
	fl.vlans = 2;
	fl.tos = 0x10;
	gro_roundtrip(&fl, 7 * 1452 + 13, 1452);
	gro_roundtrip(&fl, 200, 1);
}

static void
test_gro_v6(void **state)
{
	struct flow	 fl;

	(void)state;
	flow_init(&fl, 1);
	gro_roundtrip(&fl, 5 * 1428 + 9, 1428);
	gro_roundtrip(&fl, 2 * 1428, 1428);
	fl.flags = TH_ACK;
	fl.vlans = 1;
	fl.tos = 0x2e;
	gro_roundtrip(&fl, 3 * 1424 + 1, 1424);
}

static void
test_gro_single(void **state)
{
	struct flow	 fl;
	struct gro	*g = gro_new();
	uint8_t		*f;
	size_t		 len;
	int		 v6;

	(void)state;
	assert_int_equal(gro_finish(g), 0);
	for (v6 = 0; v6 <= 1; v6++) {
		flow_init(&fl, v6);
		f = build(&fl, 0, 1000, 0, &len);
		assert_int_equal(offer(g, f, len), 1);
		finish_single(g, f, len);
		/* Without PSH, and one byte. */
		free(f);
		fl.flags = TH_ACK;
		f = build(&fl, 0, 1, 0, &len);
		assert_int_equal(offer(g, f, len), 1);
		finish_single(g, f, len);
		free(f);
		gro_roundtrip(&fl, 100, 1448);
	}
	free(g);
}

/* Expects an exactly sized copy of f to be refused by an empty gro. */
static void
not_coalesced(struct gro *g, const uint8_t *f, size_t len)
{
	assert_int_equal(offer(g, f, len), 0);
	assert_int_equal(gro_finish(g), 0);
}

/* A segment of fl as built, then mutated at byte at by xor x. */
static void
not_coalesced_xor(struct gro *g, const struct flow *fl, size_t at, uint8_t x)
{
	uint8_t	*f;
	size_t	 len;

	f = build(fl, 0, 1000, 0, &len);
	f[at] ^= x;
	not_coalesced(g, f, len);
	free(f);
}

static void
test_gro_not_coalesced(void **state)
{
	static const uint8_t bad_flags[] = {
		TH_SYN | TH_ACK, TH_FIN | TH_ACK, TH_RST | TH_ACK,
		TH_URG | TH_ACK, TH_CWR | TH_ACK, TH_ECE | TH_ACK, 0,
		TH_SYN, TH_PSH, TH_FIN | TH_PSH | TH_ACK,
	};
	struct flow	 fl, bad;
	struct gro	*g = gro_new();
	uint8_t		*f, *pending;
	size_t		 len, plen, i, l3, l4;

	(void)state;
	flow_init(&fl, 0);
	l3 = fl_l3(&fl);
	l4 = fl_l4(&fl);
	/* The pending segment is not disturbed by what is refused. */
	fl.flags = TH_ACK;
	pending = build(&fl, 0, 1000, 0, &plen);
	assert_int_equal(offer(g, pending, plen), 1);

	/* Checksums: TCP's (field or data), IPv4 header's. */
	f = build(&fl, 1000, 1000, 0, &len);
	f[l4 + 17] ^= 1;
	assert_int_equal(offer(g, f, len), 0);
	f[l4 + 17] ^= 1;
	f[len - 1] ^= 0x80;
	assert_int_equal(offer(g, f, len), 0);
	f[len - 1] ^= 0x80;
	f[l3 + 11] ^= 1;
	assert_int_equal(offer(g, f, len), 0);
	f[l3 + 11] ^= 1;
	assert_int_equal(offer(g, f, len), 1);
	free(f);
	free(pending);
	assert_int_equal(gro_finish(g), VNET_HDR_LEN + fl_hlen(&fl) + 2000);

	/* A pure ACK. */
	f = build(&fl, 0, 0, 0, &len);
	not_coalesced(g, f, len);
	free(f);
	fl.flags = TH_PSH | TH_ACK;
	f = build(&fl, 0, 0, 0, &len);
	not_coalesced(g, f, len);
	free(f);

	for (i = 0; i < sizeof(bad_flags); i++) {
		bad = fl;
		bad.flags = bad_flags[i];
		f = build(&bad, 0, 1000, 0, &len);
		not_coalesced(g, f, len);
		free(f);
	}

	/* Fragments: MF, an offset, both. */
	bad = fl;
	bad.frag = 0x2000;
	f = build(&bad, 0, 1000, 0, &len);
	not_coalesced(g, f, len);
	free(f);
	bad.frag = 0x0001;
	f = build(&bad, 0, 1000, 0, &len);
	not_coalesced(g, f, len);
	free(f);
	bad.frag = 0x20b9;
	f = build(&bad, 0, 1000, 0, &len);
	not_coalesced(g, f, len);
	free(f);
	/* Without DF, it is not a fragment and coalesces. */
	bad.frag = 0;
	f = build(&bad, 0, 1000, 0, &len);
	assert_int_equal(offer(g, f, len), 1);
	finish_single(g, f, len);
	free(f);

	/* Not IP, not TCP, not IPv4 in an IPv4 ethertype. */
	not_coalesced_xor(g, &fl, 12, 0x08);		/* 0x0000 */
	not_coalesced_xor(g, &fl, 13, 0x06);		/* ARP */
	not_coalesced_xor(g, &fl, l3, 0x20);		/* version 6 */
	not_coalesced_xor(g, &fl, l3, 0x01);		/* IHL 4 */

	/* Ethernet padding: the frame is longer than the IP packet. */
	f = build(&fl, 0, 1000, 0, &len);
	pending = calloc(1, len + 6);
	assert_non_null(pending);
	memcpy(pending, f, len);
	not_coalesced(g, pending, len + 6);
	free(pending);
	free(f);

	/* IPv6 with an extension header, or a wrong length or checksum. */
	flow_init(&bad, 1);
	bad.ext6 = 1;
	f = build(&bad, 0, 1000, 0, &len);
	assert_true(l4_valid(f, fl_l3(&bad), fl_l4(&bad), len, 1, 6));
	not_coalesced(g, f, len);
	free(f);
	bad.ext6 = 0;
	not_coalesced_xor(g, &bad, fl_l3(&bad) + 5, 0x01);
	not_coalesced_xor(g, &bad, fl_l4(&bad) + 16, 0x01);
	not_coalesced_xor(g, &bad, fl_l3(&bad) + 6, 17 ^ 6);
	free(g);
}

/* Every prefix of a valid segment is refused, without an overread. */
static void
test_gro_truncated(void **state)
{
	struct flow	 fl;
	struct gro	*g = gro_new();
	uint8_t		*f;
	size_t		 len, n;
	int		 v6;

	(void)state;
	for (v6 = 0; v6 <= 1; v6++) {
		flow_init(&fl, v6);
		fl.vlans = 1 + v6;
		f = build(&fl, 0, 40, 0, &len);
		for (n = 0; n < len; n++)
			not_coalesced(g, f, n);
		assert_int_equal(offer(g, f, len), 1);
		finish_single(g, f, len);
		free(f);
	}
	free(g);
}

/*
 * Expects segment b (plb bytes at stream offset boff) not to join a
 * pending segment a (pla bytes at offset 0): gro_offer returns -1, the
 * pending one comes out unchanged, and b then starts one of its own.
 */
static void
join_refused(const struct flow *a, size_t pla, const struct flow *b,
    uint32_t boff, size_t plb)
{
	struct gro	*g = gro_new();
	uint8_t		*fa, *fb;
	size_t		 la, lb;

	fa = build(a, 0, pla, 0, &la);
	fb = build(b, boff, plb, 0, &lb);
	assert_int_equal(offer(g, fa, la), 1);
	assert_int_equal(offer(g, fb, lb), -1);
	finish_single(g, fa, la);
	assert_int_equal(offer(g, fb, lb), 1);
	finish_single(g, fb, lb);
	free(fa);
	free(fb);
	free(g);
}

static void
join_refused_v(int v6)
{
	struct flow	 a, b;

	flow_init(&a, v6);
	a.flags = TH_ACK;
#define REFUSED(change) do {						\
		b = a;							\
		change;							\
		join_refused(&a, 1000, &b, 1000, 1000);			\
	} while (0)
	/* A gap, a retransmission, a step back. */
	b = a;
	join_refused(&a, 1000, &b, 1001, 1000);
	join_refused(&a, 1000, &b, 999, 1000);
	join_refused(&a, 1000, &b, 0, 1000);
	/* Longer than the first. */
	join_refused(&a, 1000, &b, 1000, 1001);
	/* Another flow. */
	REFUSED(b.sport++);
	REFUSED(b.dport--);
	REFUSED(b.src[3] ^= 1);
	REFUSED(b.dst[v6 ? 15 : 3] ^= 0x80);
	REFUSED(b.mac_last ^= 1);
	REFUSED(b.vlans = 1);
	REFUSED(b.v6 = !v6; memcpy(b.src, a.src, 16));
	/* Other IP fields. */
	REFUSED(b.ttl--);
	REFUSED(b.tos = 0x04);
	REFUSED(b.tos = 0x01);				/* ECN CE */
	if (!v6)
		REFUSED(b.frag = 0);
	/* Other TCP fields: timestamps, options, ack, window. */
	REFUSED(b.tsval++);
	REFUSED(b.topt = 0);
	REFUSED(b.ack++);
	REFUSED(b.win++);
#undef REFUSED
}

static void
test_gro_join_refused(void **state)
{
	(void)state;
	join_refused_v(0);
	join_refused_v(1);
}

static void
test_gro_closed(void **state)
{
	struct flow	 fl, psh;
	struct gro	*g = gro_new();
	uint8_t		*f[3];
	size_t		 len[3], i;

	(void)state;
	flow_init(&fl, 0);
	fl.flags = TH_ACK;
	psh = fl;
	psh.flags = TH_ACK | TH_PSH;

	/* After PSH nothing joins: a first segment with PSH. */
	f[0] = build(&psh, 0, 1000, 0, &len[0]);
	f[1] = build(&fl, 1000, 1000, 0, &len[1]);
	assert_int_equal(offer(g, f[0], len[0]), 1);
	assert_int_equal(offer(g, f[1], len[1]), -1);
	finish_single(g, f[0], len[0]);
	free(f[0]);
	free(f[1]);

	/* ... and a later one, which ends the super frame with PSH. */
	f[0] = build(&fl, 0, 1000, 0, &len[0]);
	f[1] = build(&psh, 1000, 1000, 0, &len[1]);
	f[2] = build(&fl, 2000, 1000, 0, &len[2]);
	assert_int_equal(offer(g, f[0], len[0]), 1);
	assert_int_equal(offer(g, f[1], len[1]), 1);
	assert_int_equal(offer(g, f[2], len[2]), -1);
	assert_int_equal(gro_finish(g), VNET_HDR_LEN + fl_hlen(&fl) + 2000);
	assert_true(g->buf[VNET_HDR_LEN + fl_l4(&fl) + 13] & TH_PSH);
	for (i = 0; i < 3; i++)
		free(f[i]);

	/* After a shorter segment nothing joins, not even a shorter one. */
	f[0] = build(&fl, 0, 1000, 0, &len[0]);
	f[1] = build(&fl, 1000, 999, 0, &len[1]);
	f[2] = build(&fl, 1999, 1, 0, &len[2]);
	assert_int_equal(offer(g, f[0], len[0]), 1);
	assert_int_equal(offer(g, f[1], len[1]), 1);
	assert_int_equal(offer(g, f[2], len[2]), -1);
	assert_int_equal(gro_finish(g), VNET_HDR_LEN + fl_hlen(&fl) + 1999);
	for (i = 0; i < 3; i++)
		free(f[i]);
	free(g);
}

/*
 * Offers full segments of mss bytes until one is refused: the super
 * frame must stay within 64 KB of IP packet and the gro's buffer, and
 * come out right.  Returns the number of segments joined.
 */
static size_t
gro_fill(const struct flow *fl, size_t mss)
{
	struct virtio_net_hdr	 vh;
	struct segs		 s = { 0 }, again = { 0 };
	struct gro		*g = gro_new();
	struct flow		 e;
	uint8_t			*f;
	size_t			 len, n, i, l3 = fl_l3(fl);
	int			 r;

	for (i = 0;; i++) {
		/* IPv4 identifications as TSO makes them, for the round trip. */
		e = *fl;
		e.id = (uint16_t)(fl->id + i);
		f = build(&e, (uint32_t)(i * mss), mss, 0, &len);
		r = offer(g, f, len);
		if (r == 1)
			segs_add(&s, f, len);
		free(f);
		if (r != 1)
			break;
	}
	assert_int_equal(r, -1);
	n = gro_finish(g);
	assert_true(n <= sizeof(g->buf));
	assert_int_equal(n, VNET_HDR_LEN + fl_hlen(fl) + s.n * mss);
	f = g->buf + VNET_HDR_LEN;
	len = n - VNET_HDR_LEN;
	if (fl->v6)
		assert_int_equal(get16(f + l3 + 4) + 40, len - l3);
	else
		assert_int_equal(get16(f + l3 + 2), len - l3);
	assert_true(len - l3 <= 65535);
	/* The next segment would not have fit. */
	assert_true(len + mss - l3 > 65535 || len + mss > OFFLOAD_FRAME_MAX);
	memcpy(&vh, g->buf, sizeof(vh));
	tso_run(&vh, f, len, &again);
	segs_equal(&again, &s);
	n = s.n;
	segs_free(&again);
	segs_free(&s);
	free(g);
	return n;
}

static void
test_gro_64k(void **state)
{
	struct flow	 fl;

	(void)state;
	flow_init(&fl, 0);
	fl.flags = TH_ACK;
	/* 20 + 32 + 11 * 5953 = 65535 exactly, then 11 bytes over. */
	assert_int_equal(gro_fill(&fl, 5953), 11);
	assert_int_equal(gro_fill(&fl, 5954), 10);
	assert_int_equal(gro_fill(&fl, 1448), 45);
	flow_init(&fl, 1);
	fl.flags = TH_ACK;
	/* The limit counts the IPv6 header: 40 + 32 + 3 * 21821. */
	assert_int_equal(gro_fill(&fl, 21821), 3);
	assert_int_equal(gro_fill(&fl, 21822), 2);
	/*
	 * Behind two VLAN tags a 64 KB packet is 4 bytes longer than
	 * OFFLOAD_FRAME_MAX: the buffer's end must hold too.
	 */
	flow_init(&fl, 0);
	fl.flags = TH_ACK;
	fl.vlans = 2;
	assert_true(gro_fill(&fl, 5953) >= 10);
	fl.vlans = 1;
	assert_int_equal(gro_fill(&fl, 5953), 11);
}

/* A frame longer than the buffer is refused, never copied. */
static void
test_gro_oversized(void **state)
{
	struct flow	 fl;
	struct gro	*g = gro_new();
	uint8_t		*f;
	size_t		 len;

	(void)state;
	flow_init(&fl, 1);
	fl.flags = TH_ACK;
	fl.vlans = 2;
	/* An IPv6 payload of 65535 bytes: 22 + 40 + 65535. */
	f = build(&fl, 0, 65535 - 32, 0, &len);
	assert_true(len > OFFLOAD_FRAME_MAX);
	assert_int_equal(offer(g, f, len), 0);
	assert_int_equal(gro_finish(g), 0);
	free(f);
	free(g);
}

/*
 * Partial checksums (tso.partial, gro_parse_partial): cut with partial
 * set, every segment is the one check_tso checked but for the TCP
 * checksum, which holds that segment's pseudo-header sum, and
 * offload_tcp_csum finishes it into that segment exactly.  The receiver
 * takes the segments with gro_parse_partial (gro_parse refuses them: the
 * checksum does not verify) and joins them into the super frame the TAP
 * would have handed over; a lone one goes out with NEEDS_CSUM.
 */
static void
partial_case(const struct flow *fl, size_t plen, size_t mss)
{
	struct virtio_net_hdr	 vh;
	struct segs		 full = { 0 }, part = { 0 };
	struct gro		*g = gro_new();
	struct gro_seg		 gs;
	struct tso		 t;
	uint8_t			*super, *seg, *c;
	size_t			 slen, n, i, len, l3 = fl_l3(fl), l4 = fl_l4(fl);
	int			 joinable = 1, r;

	check_tso(fl, plen, mss, &full);
	super = build(fl, 0, plen, 1, &slen);
	vh_tso(&vh, fl, mss);
	assert_int_equal(tso_begin(&t, &vh, super, slen), 0);
	t.partial = 1;
	while ((n = tso_next(&t, &seg)) > 0)
		segs_add(&part, seg, n);
	free(super);
	assert_int_equal(part.n, full.n);
	for (i = 0; i < part.n; i++) {
		len = part.len[i];
		assert_int_equal(len, full.len[i]);
		assert_memory_equal(part.f[i], full.f[i], l4 + 16);
		assert_memory_equal(part.f[i] + l4 + 18, full.f[i] + l4 + 18,
		    len - l4 - 18);
		assert_int_equal(get16(part.f[i] + l4 + 16), ref_fold(
		    ref_pseudo(part.f[i] + l3, fl->v6, 6, len - l4)));
		c = dup_exact(part.f[i], len);
		assert_int_equal(gro_parse(c, len, &gs), -1);
		r = (c[l4 + 13] & (uint8_t)~TH_PSH) == TH_ACK;
		joinable &= r;
		assert_int_equal(gro_parse_partial(c, len, &gs), r);
		assert_int_equal(gs.l4, l4);
		assert_int_equal(gs.partial, 1);
		if (joinable)
			assert_int_equal(gro_add(g, c, len, &gs), 1);
		offload_tcp_csum(c, len, l4);
		assert_true(l4_valid(c, l3, l4, len, fl->v6, 6));
		assert_memory_equal(c, full.f[i], len);
		free(c);
	}
	if (joinable && part.n > 1)
		check_gro(g, fl, plen, mss, &full);
	else if (joinable) {
		/* One segment: the kernel is to finish its checksum. */
		n = gro_finish(g);
		assert_int_equal(n, VNET_HDR_LEN + part.len[0]);
		memcpy(&vh, g->buf, sizeof(vh));
		assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
		assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		assert_int_equal(le16toh(vh.csum_start), l4);
		assert_int_equal(le16toh(vh.csum_offset), 16);
		assert_memory_equal(g->buf + VNET_HDR_LEN, part.f[0],
		    part.len[0]);
	}
	segs_free(&full);
	segs_free(&part);
	free(g);
}

static void
test_partial_cut_and_join(void **state)
{
	struct flow	 fl;
	int		 v6;

	(void)state;
	for (v6 = 0; v6 <= 1; v6++) {
		flow_init(&fl, v6);
		fl.flags = TH_ACK | TH_PSH;
		partial_case(&fl, 5 * 1400 + 333, 1400);
		partial_case(&fl, 3 * 1400, 1400);
		partial_case(&fl, 700, 1400);		/* a single segment */
		fl.flags = TH_ACK;
		fl.vlans = 2;
		partial_case(&fl, 45 * 1380 + 1, 1380);
		fl.vlans = 0;
		partial_case(&fl, 47 * 1380, 1380);	/* near 64 KB */
		/* FIN and CWR: valid, but not coalesced. */
		fl.flags = TH_CWR | TH_PSH | TH_FIN | TH_ACK;
		partial_case(&fl, 4 * 1400 + 1, 1400);
	}
}

/* Expects tso_partial_ok on fl's super frame to say ok. */
static void
partial_ok(const struct flow *fl, int ok)
{
	struct virtio_net_hdr	 vh;
	struct tso		 t;
	uint8_t			*super;
	size_t			 slen;

	super = build(fl, 0, 3000, 1, &slen);
	vh_tso(&vh, fl, 1400);
	assert_int_equal(tso_begin(&t, &vh, super, slen), 0);
	assert_int_equal(tso_partial_ok(&t), ok);
	free(super);
}

/* What gro_parse_partial refuses, and what it only passes alone. */
static void
test_partial_refused(void **state)
{
	struct flow		 fl;
	struct gro_seg		 gs;
	uint8_t			*f, *c;
	size_t			 len, cut;
	int			 v6;

	(void)state;
	for (v6 = 0; v6 <= 1; v6++) {
		flow_init(&fl, v6);
		fl.flags = TH_SYN | TH_ACK;
		f = build(&fl, 0, 100, 0, &len);
		assert_int_equal(gro_parse_partial(f, len, &gs), -1);
		free(f);
		/* The sender never leaves them partial either. */
		partial_ok(&fl, 0);
		fl.flags = TH_RST | TH_ACK;
		partial_ok(&fl, 0);
		fl.flags = TH_FIN | TH_PSH | TH_ACK | TH_CWR | TH_ECE | TH_URG;
		partial_ok(&fl, 1);
		fl.ext6 = v6;	/* behind a hop-by-hop header: not taken */
		partial_ok(&fl, !v6);
		fl.ext6 = 0;
		fl.flags = TH_RST | TH_ACK;
		f = build(&fl, 0, 100, 0, &len);
		assert_int_equal(gro_parse_partial(f, len, &gs), -1);
		free(f);
		fl.flags = TH_URG | TH_ACK;
		f = build(&fl, 0, 100, 0, &len);
		assert_int_equal(gro_parse_partial(f, len, &gs), 0);
		free(f);
		/* Every truncation, and one byte too many, is refused. */
		fl.flags = TH_ACK;
		f = build(&fl, 0, 100, 0, &len);
		assert_int_equal(gro_parse_partial(f, len, &gs), 1);
		for (cut = 0; cut < len; cut++) {
			c = dup_exact(f, cut);
			assert_int_equal(gro_parse_partial(c, cut, &gs), -1);
			free(c);
		}
		assert_non_null(c = malloc(len + 1));
		memcpy(c, f, len);
		c[len] = 0;
		assert_int_equal(gro_parse_partial(c, len + 1, &gs), -1);
		free(c);
		free(f);
	}
	/* Not TCP: an IPv4 UDP packet. */
	flow_init(&fl, 0);
	fl.flags = TH_ACK;
	f = build(&fl, 0, 100, 0, &len);
	f[fl_l3(&fl) + 9] = 17;
	assert_int_equal(gro_parse_partial(f, len, &gs), -1);
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_add_lengths),
		cmocka_unit_test(test_csum_add_patterns),
		cmocka_unit_test(test_csum_fold),
		cmocka_unit_test(test_be_fields),
		cmocka_unit_test(test_tso_v4),
		cmocka_unit_test(test_tso_v6),
		cmocka_unit_test(test_tso_vlan),
		cmocka_unit_test(test_tso_ecn),
		cmocka_unit_test(test_tso_refused),
		cmocka_unit_test(test_tso_oversized),
		cmocka_unit_test(test_tso_truncated),
		cmocka_unit_test(test_offload_csum_udp),
		cmocka_unit_test(test_offload_csum_tcp),
		cmocka_unit_test(test_offload_csum_range),
		cmocka_unit_test(test_offload_csum_zero),
		cmocka_unit_test(test_gro_v4),
		cmocka_unit_test(test_gro_v6),
		cmocka_unit_test(test_gro_single),
		cmocka_unit_test(test_gro_not_coalesced),
		cmocka_unit_test(test_gro_truncated),
		cmocka_unit_test(test_gro_join_refused),
		cmocka_unit_test(test_gro_closed),
		cmocka_unit_test(test_gro_64k),
		cmocka_unit_test(test_gro_oversized),
		cmocka_unit_test(test_partial_cut_and_join),
		cmocka_unit_test(test_partial_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
