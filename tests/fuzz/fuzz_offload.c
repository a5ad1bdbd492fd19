/*
 * Fuzzes segmentation offload, the way the daemon uses it: the input is
 * a struct virtio_net_hdr and a frame, as read from a TAP with
 * IFF_VNET_HDR.  A super frame is cut with tso_begin/tso_next, a partial
 * checksum finished with offload_csum, and every frame that results is
 * offered to gro_offer as if it had come back from a peer.  Checked: the
 * segments lie inside the frame, are no longer than headers plus
 * gso_size, carry valid checksums and together exactly the payload; what
 * gro_finish gives back fits its buffer and, cut again, gives exactly
 * the frames it took; cut with partial checksums, the segments are the
 * same but for the checksum, and gro_parse_partial reads them safely.  Checksums are verified with a byte-by-byte sum of
 * the harness's own, not with csum.c.
 */
#include <assert.h>
#include <endian.h>

#include "csum.h"
#include "fuzz.h"
#include "offload.h"

/* Copies of the frames the pending super frame took, in order. */
struct taken {
	uint8_t		**f;
	size_t		 *len;
	size_t		  n, cap;
};

static uint8_t *
dup_exact(const uint8_t *p, size_t len)
{
	uint8_t	*d;

	if ((d = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(d, p, len);
	return d;
}

static void
taken_clear(struct taken *t)
{
	while (t->n > 0)
		free(t->f[--t->n]);
}

static void
taken_add(struct taken *t, const uint8_t *f, size_t len)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		if ((t->f = realloc(t->f, t->cap * sizeof(*t->f))) == NULL ||
		    (t->len = realloc(t->len, t->cap * sizeof(*t->len))) ==
		    NULL)
			abort();
	}
	t->f[t->n] = dup_exact(f, len);
	t->len[t->n++] = len;
}

/* RFC 1071, one byte at a time; folded, not complemented. */
static uint16_t
naive_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		sum += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* True if the TCP checksum of the segment at l4 verifies. */
static int
tcp_valid(const uint8_t *f, size_t l3, size_t l4, size_t len, int v6)
{
	uint8_t	 pre[40];
	size_t	 n;

	memset(pre, 0, sizeof(pre));
	if (v6) {
		memcpy(pre, f + l3 + 8, 32);
		put_be32(pre + 32, (uint32_t)(len - l4));
		pre[39] = 6;
		n = 40;
	} else {
		memcpy(pre, f + l3 + 12, 8);
		pre[9] = 6;
		put_be16(pre + 10, (uint16_t)(len - l4));
		n = 12;
	}
	return naive_sum(naive_sum(0, pre, n), f + l4, len - l4) == 0xffff;
}

/*
 * Finishes the pending super frame and checks it: one frame comes back
 * as it was taken; more come back as a super frame that tso cuts into
 * exactly the frames taken.
 */
static void
flush(struct gro *g, struct taken *t)
{
	struct virtio_net_hdr	 vh;
	struct tso		 ts;
	uint8_t			*f, *seg;
	size_t			 n, len, i = 0, seglen;

	n = gro_finish(g);
	assert(gro_finish(g) == 0);
	if (t->n == 0) {
		assert(n == 0);
		return;
	}
	assert(n > VNET_HDR_LEN && n <= sizeof(g->buf));
	memcpy(&vh, g->buf, sizeof(vh));
	len = n - VNET_HDR_LEN;
	if (t->n == 1) {
		assert(vh.flags == VIRTIO_NET_HDR_F_DATA_VALID &&
		    vh.gso_type == VIRTIO_NET_HDR_GSO_NONE);
		assert(len == t->len[0] &&
		    memcmp(g->buf + VNET_HDR_LEN, t->f[0], len) == 0);
		taken_clear(t);
		return;
	}
	assert(vh.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert(le16toh(vh.csum_offset) == 16);
	assert(le16toh(vh.hdr_len) + le16toh(vh.gso_size) == t->len[0]);
	f = dup_exact(g->buf + VNET_HDR_LEN, len);
	assert(tso_begin(&ts, &vh, f, len) == 0);
	while ((seglen = tso_next(&ts, &seg)) > 0) {
		assert(i < t->n && seglen == t->len[i] &&
		    memcmp(seg, t->f[i], seglen) == 0);
		i++;
	}
	assert(i == t->n);
	free(f);
	taken_clear(t);
}

/* Offers a frame the way to_tap in datapath.c does. */
static void
offer(struct gro *g, struct taken *t, const uint8_t *frame, size_t len)
{
	uint8_t	*f = dup_exact(frame, len);
	int	 r;

	r = gro_offer(g, f, len);
	if (r != 1) {
		flush(g, t);
		/* Refused only because of the pending one: now taken. */
		if (r == -1) {
			r = gro_offer(g, f, len);
			assert(r == 1);
		}
	}
	if (r == 1)
		taken_add(t, f, len);
	free(f);
}

/* Cuts the super frame in f (a copy of orig) and checks the segments. */
static void
cut(const struct virtio_net_hdr *vh, uint8_t *f, const uint8_t *orig,
    size_t len, struct gro *g, struct taken *t)
{
	struct tso	 ts;
	uint8_t		*seg;
	size_t		 n, hlen, mss = le16toh(vh->gso_size), total = 0;
	unsigned int	 nseg = 0;

	if (tso_begin(&ts, vh, f, len) == -1)
		return;
	hlen = ts.hlen;
	assert(hlen < len && hlen <= OFFLOAD_HDR_MAX && ts.l4 + 20 <= hlen);
	assert(ts.v6 ? ts.l4 >= ts.l3 + 40 :
	    ts.l4 == ts.l3 + (size_t)(orig[ts.l3] & 0xf) * 4);
	while ((n = tso_next(&ts, &seg)) > 0) {
		assert(seg >= f && seg + n <= f + len);
		assert(n > hlen && n <= hlen + mss);
		/* Only the last may be shorter. */
		assert(n == hlen + mss || total + n - hlen == len - hlen);
		assert(memcmp(seg, orig, ts.l3) == 0);
		assert(memcmp(seg + hlen, orig + hlen + total, n - hlen) == 0);
		if (ts.v6)
			assert(get_be16(seg + ts.l3 + 4) == n - ts.l3 - 40);
		else {
			assert(get_be16(seg + ts.l3 + 2) == n - ts.l3);
			assert(naive_sum(0, seg + ts.l3, ts.l4 - ts.l3) ==
			    0xffff);
		}
		assert(tcp_valid(seg, ts.l3, ts.l4, n, ts.v6));
		total += n - hlen;
		nseg++;
		offer(g, t, seg, n);
	}
	assert(total == len - hlen);
	assert(nseg == (len - hlen + mss - 1) / mss);
}

/*
 * Cuts the super frame again with partial checksums, beside a cut with
 * full ones: each partial segment differs only in its checksum, which
 * offload_tcp_csum finishes into a valid one over the same bytes, and
 * gro_parse_partial (what a receiver runs on it) finds the same TCP
 * header or refuses it, reading nothing past it.
 */
static void
cut_partial(const struct virtio_net_hdr *vh, const uint8_t *orig, size_t len)
{
	struct tso	 tf, tp;
	struct gro_seg	 gs;
	uint8_t		*ff = dup_exact(orig, len), *fp = dup_exact(orig, len);
	uint8_t		*sf, *sp, *c;
	size_t		 nf, np;
	int		 r;

	if (tso_begin(&tf, vh, ff, len) == -1) {
		free(ff);
		free(fp);
		return;
	}
	assert(tso_begin(&tp, vh, fp, len) == 0);
	tp.partial = 1;
	while ((nf = tso_next(&tf, &sf)) > 0) {
		np = tso_next(&tp, &sp);
		assert(np == nf);
		assert(memcmp(sp, sf, tp.l4 + 16) == 0);
		assert(memcmp(sp + tp.l4 + 18, sf + tp.l4 + 18,
		    np - tp.l4 - 18) == 0);
		c = dup_exact(sp, np);
		r = gro_parse_partial(c, np, &gs);
		assert(r >= -1 && r <= 1);
		/* What the sender leaves partial, the receiver takes. */
		assert(r >= 0 || !tso_partial_ok(&tp));
		if (r >= 0)
			assert(gs.l4 == tp.l4 && gs.partial == 1);
		offload_tcp_csum(c, np, tp.l4);
		assert(tcp_valid(c, tp.l3, tp.l4, np, tp.v6));
		free(c);
	}
	assert(tso_next(&tp, &sp) == 0);
	free(ff);
	free(fp);
}

/* Finishes a partial checksum in f (a copy of orig) and checks it. */
static void
finish_csum(const struct virtio_net_hdr *vh, uint8_t *f, const uint8_t *orig,
    size_t len)
{
	size_t	 start = le16toh(vh->csum_start);
	size_t	 off = le16toh(vh->csum_offset);

	if (offload_csum(vh, f, len) == -1) {
		assert(start + off + 2 > len);
		return;
	}
	assert(start + off + 2 <= len);
	assert(memcmp(f, orig, start + off) == 0);
	assert(memcmp(f + start + off + 2, orig + start + off + 2,
	    len - start - off - 2) == 0);
	assert(get_be16(f + start + off) != 0);
	/*
	 * The field held the pseudo-header sum: with it added back, the
	 * data verifies (when the field is word-aligned, as it always is
	 * from the kernel).
	 */
	if (off % 2 == 0)
		assert(naive_sum(get_be16(orig + start + off), f + start,
		    len - start) == 0xffff);
}

/*
 * Seeds: super frames as the TAP hands them over (IPv4 with timestamps,
 * IPv4 behind a VLAN tag, IPv6, IPv4 of 64 KB behind two tags), a UDP
 * datagram with a partial checksum and a plain TCP segment.
 */
static size_t
seed_frame(uint8_t *b, int v6, int vlans, size_t plen, int super,
    uint8_t proto)
{
	struct virtio_net_hdr	*vh = (struct virtio_net_hdr *)b;
	uint8_t			*f = b + VNET_HDR_LEN, *ip, *l4p;
	size_t			 l3 = 14 + 4 * (size_t)vlans, i;
	size_t			 iphl = v6 ? 40 : 20, thl = proto == 6 ? 32 : 8;
	size_t			 len = l3 + iphl + thl + plen;
	uint32_t		 sum;

	memset(b, 0, VNET_HDR_LEN + len);
	memcpy(f, "\x02\x00\x0a\xff\x00\x02\x02\x00\x0a\xff\x00\x01", 12);
	for (i = 0; i < (size_t)vlans; i++) {
		put_be16(f + 12 + 4 * i, vlans == 2 && i == 0 ? 0x88a8 : 0x8100);
		put_be16(f + 14 + 4 * i, 100);
	}
	put_be16(f + l3 - 2, v6 ? 0x86dd : 0x0800);
	ip = f + l3;
	l4p = ip + iphl;
	if (v6) {
		ip[0] = 0x60;
		put_be16(ip + 4, (uint16_t)(thl + plen));
		ip[6] = proto;
		ip[7] = 64;
		ip[8] = ip[24] = 0xfd;
		ip[23] = 1;
		ip[39] = 2;
		sum = csum_add(0, ip + 8, 32);
	} else {
		ip[0] = 0x45;
		put_be16(ip + 2, (uint16_t)(iphl + thl + plen));
		put_be16(ip + 4, 0x1234);
		ip[6] = 0x40;
		ip[8] = 64;
		ip[9] = proto;
		ip[12] = ip[16] = 10;
		ip[15] = 1;
		ip[19] = 2;
		put_be16(ip + 10, (uint16_t)~csum_fold(csum_add(0, ip, 20)));
		sum = csum_add(0, ip + 12, 8);
	}
	sum += proto + (uint32_t)(thl + plen);
	put_be16(l4p, 40000);
	put_be16(l4p + 2, 5201);
	for (i = 0; i < plen; i++)
		l4p[thl + i] = (uint8_t)(i * 7 + i / 251);
	if (proto == 6) {
		put_be32(l4p + 4, 0xfffff000);
		put_be32(l4p + 8, 0x01020304);
		l4p[12] = 8 << 4;
		l4p[13] = 0x18;		/* PSH, ACK */
		put_be16(l4p + 14, 501);
		memcpy(l4p + 20, "\x01\x01\x08\x0a\x11\x22\x33\x44"
		    "\x55\x66\x77\x88", 12);
	} else
		put_be16(l4p + 4, (uint16_t)(thl + plen));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = htole16((uint16_t)(l3 + iphl));
	vh->csum_offset = htole16(proto == 6 ? 16 : 6);
	/* The pseudo-header sum where the checksum goes, as partial. */
	put_be16(l4p + le16toh(vh->csum_offset), csum_fold(sum));
	if (super) {
		vh->gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
		    VIRTIO_NET_HDR_GSO_TCPV4;
		vh->hdr_len = htole16((uint16_t)(l3 + iphl + thl));
		vh->gso_size = htole16((uint16_t)super);
	}
	return VNET_HDR_LEN + len;
}

static void
write_seeds(const char *dir)
{
	static uint8_t	 b[VNET_HDR_LEN + OFFLOAD_FRAME_MAX];
	size_t		 n;

	n = seed_frame(b, 0, 0, 3 * 1448 + 100, 1448, 6);
	fuzz_seed_write(dir, "tcpv4-super", b, n);
	n = seed_frame(b, 0, 1, 2 * 1444, 1444, 6);
	fuzz_seed_write(dir, "tcpv4-vlan-super", b, n);
	n = seed_frame(b, 1, 0, 2 * 1428 + 1, 1428, 6);
	fuzz_seed_write(dir, "tcpv6-super", b, n);
	/* As long as the TAP buffer holds: the end of gro's buffer too. */
	n = seed_frame(b, 0, 2, OFFLOAD_FRAME_MAX - 22 - 52, 8000, 6);
	fuzz_seed_write(dir, "tcpv4-qinq-64k", b, n);
	n = seed_frame(b, 0, 0, 333, 0, 17);
	fuzz_seed_write(dir, "udp4-partial", b, n);
	n = seed_frame(b, 1, 0, 1000, 0, 6);
	fuzz_seed_write(dir, "tcpv6-partial", b, n);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_seeds_only(argc, argv, write_seeds);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct virtio_net_hdr	 vh;
	struct taken		 t = { 0 };
	struct gro		*g;
	const uint8_t		*orig = data + VNET_HDR_LEN;
	uint8_t			*f;

	if (len < VNET_HDR_LEN)
		return 0;
	memcpy(&vh, data, sizeof(vh));
	len -= VNET_HDR_LEN;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return 0;
	/* An exactly sized copy, so ASan sees any access past the frame. */
	f = dup_exact(orig, len);
	if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		cut(&vh, f, orig, len, g, &t);
		cut_partial(&vh, orig, len);
	} else {
		struct gro_seg	 gs;

		/* As a frame a peer flagged partial; an exact copy. */
		(void)gro_parse_partial(f, len, &gs);
		if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
			finish_csum(&vh, f, orig, len);
		offer(g, &t, f, len);
	}
	flush(g, &t);
	free(t.f);
	free(t.len);
	free(f);
	free(g);
	return 0;
}
