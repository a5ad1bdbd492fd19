#include <endian.h>
#include <string.h>

#include "csum.h"
#include "frame.h"
#include "offload.h"

#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define TCP_CWR		0x80

/* The offset of the IP header behind up to two VLAN tags. */
static int
l3_offset(const uint8_t *f, size_t len, size_t *l3, uint16_t *type)
{
	size_t	 off = ETH_HDR_LEN;
	int	 tags;

	if (len < off)
		return -1;
	*type = get_be16(f + 12);
	for (tags = 0; tags < 2 && (*type == 0x8100 || *type == 0x88a8);
	    tags++) {
		if (len < off + 4)
			return -1;
		*type = get_be16(f + off + 2);
		off += 4;
	}
	*l3 = off;
	return 0;
}

/* The TCP pseudo-header sum for a segment of tcplen bytes. */
static uint32_t
pseudo_sum(const uint8_t *ip, int v6, size_t tcplen)
{
	uint32_t	 sum;

	if (v6)
		sum = csum_add(0, ip + 8, 32);
	else
		sum = csum_add(0, ip + 12, 8);
	return sum + IPV4_PROTO_TCP + (uint32_t)tcplen;
}

static void
ip4_checksum(uint8_t *ip, size_t ihl)
{
	ip[10] = ip[11] = 0;
	put_be16(ip + 10, (uint16_t)~csum_fold(csum_add(0, ip, ihl)));
}

/* Finishes the checksum at f + start + off, seeded with what it holds. */
static void
csum_finish(uint8_t *f, size_t len, size_t start, size_t off)
{
	uint16_t	 c;

	c = (uint16_t)~csum_fold(csum_add(0, f + start, len - start));
	/* As the kernel does: 0 would mean "no checksum" to UDP. */
	put_be16(f + start + off, c == 0 ? 0xffff : c);
}

int
offload_csum(const struct virtio_net_hdr *vh, uint8_t *f, size_t len)
{
	size_t		 start = le16toh(vh->csum_start);
	size_t		 off = le16toh(vh->csum_offset);

	if (start > len || off + 2 > len - start)
		return -1;
	csum_finish(f, len, start, off);
	return 0;
}

void
offload_tcp_csum(uint8_t *f, size_t len, size_t l4)
{
	csum_finish(f, len, l4, 16);
}

int
tso_begin(struct tso *t, const struct virtio_net_hdr *vh, uint8_t *f,
    size_t len)
{
	uint8_t		 type = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	uint16_t	 et;
	size_t		 l3, l4, thl;

	if ((type != VIRTIO_NET_HDR_GSO_TCPV4 &&
	    type != VIRTIO_NET_HDR_GSO_TCPV6) ||
	    !(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
	    l3_offset(f, len, &l3, &et) == -1)
		return -1;
	l4 = le16toh(vh->csum_start);
	if (l4 < l3 + 20 || l4 + 20 > len)
		return -1;
	thl = (size_t)(f[l4 + 12] >> 4) * 4;
	if (thl < 20 || l4 + thl >= len || l4 + thl > OFFLOAD_HDR_MAX)
		return -1;
	if (type == VIRTIO_NET_HDR_GSO_TCPV4) {
		if (et != ETHERTYPE_IPV4_TM || f[l3] >> 4 != 4 ||
		    (size_t)(f[l3] & 0xf) * 4 != l4 - l3 ||
		    f[l3 + 9] != IPV4_PROTO_TCP)
			return -1;
	} else if (et != ETHERTYPE_IPV6_TM || f[l3] >> 4 != 6 ||
	    l4 - l3 < IPV6_HDR_LEN ||
	    (l4 - l3 == IPV6_HDR_LEN) != (f[l3 + 6] == IPV6_NXT_TCP))
		return -1;
	/* Longer than a 64 KB IP packet, the segments' lengths would wrap. */
	if (len - l3 - (type == VIRTIO_NET_HDR_GSO_TCPV6 ? IPV6_HDR_LEN : 0) >
	    65535)
		return -1;
	if ((t->mss = le16toh(vh->gso_size)) == 0)
		return -1;
	t->frame = f;
	t->len = len;
	t->l3 = l3;
	t->l4 = l4;
	t->hlen = l4 + thl;
	t->next = t->hlen;
	t->seg = 0;
	t->v6 = type == VIRTIO_NET_HDR_GSO_TCPV6;
	t->partial = 0;
	memcpy(t->hdr, f, t->hlen);
	return 0;
}

size_t
tso_next(struct tso *t, uint8_t **out)
{
	uint8_t		*s, *ip, *th;
	size_t		 pl, tcplen;
	uint8_t		 flags;

	if (t->next >= t->len)
		return 0;
	pl = t->len - t->next < t->mss ? t->len - t->next : t->mss;
	s = t->frame + t->next - t->hlen;
	if (t->seg > 0)
		memcpy(s, t->hdr, t->hlen);
	ip = s + t->l3;
	th = s + t->l4;
	tcplen = t->hlen - t->l4 + pl;
	if (t->v6)
		put_be16(ip + 4, (uint16_t)(t->l4 - t->l3 - IPV6_HDR_LEN +
		    tcplen));
	else {
		put_be16(ip + 2, (uint16_t)(t->l4 - t->l3 + tcplen));
		put_be16(ip + 4, (uint16_t)(get_be16(t->hdr + t->l3 + 4) +
		    t->seg));
		ip4_checksum(ip, t->l4 - t->l3);
	}
	put_be32(th + 4, get_be32(t->hdr + t->l4 + 4) +
	    (uint32_t)(t->seg * t->mss));
	flags = t->hdr[t->l4 + 13];
	if (t->next + pl < t->len)
		flags &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (t->seg > 0)
		flags &= (uint8_t)~TCP_CWR;
	th[13] = flags;
	if (t->partial)
		put_be16(th + 16, csum_fold(pseudo_sum(ip, t->v6, tcplen)));
	else {
		th[16] = th[17] = 0;
		put_be16(th + 16, (uint16_t)~csum_fold(csum_add(pseudo_sum(ip,
		    t->v6, tcplen), th, tcplen)));
	}
	t->next += pl;
	t->seg++;
	*out = s;
	return t->hlen + pl;
}

/*
 * The IP and TCP headers of a segment, for gro_parse and
 * gro_parse_partial: IPv4 without fragmentation (header checksum
 * verified) or IPv6 without extension headers, lengths that match the
 * frame, a payload.  Returns 0 and fills s, or -1.
 */
static int
tcp_segment(const uint8_t *f, size_t len, struct gro_seg *s)
{
	const uint8_t	*ip;
	uint16_t	 et;
	size_t		 ihl;

	/* Two VLAN tags or an IPv6 header can take a packet past buf. */
	if (len > OFFLOAD_FRAME_MAX || l3_offset(f, len, &s->l3, &et) == -1 ||
	    len < s->l3 + IPV6_HDR_LEN)
		return -1;
	ip = f + s->l3;
	if (et == ETHERTYPE_IPV4_TM) {
		ihl = (size_t)(ip[0] & 0xf) * 4;
		if (ip[0] >> 4 != 4 || ihl < IPV4_HDR_MIN ||
		    ip[9] != IPV4_PROTO_TCP ||
		    s->l3 + get_be16(ip + 2) != len ||
		    (get_be16(ip + 6) & 0x3fff) != 0 || len < s->l3 + ihl ||
		    csum_fold(csum_add(0, ip, ihl)) != 0xffff)
			return -1;
		s->v6 = 0;
	} else if (et == ETHERTYPE_IPV6_TM) {
		ihl = IPV6_HDR_LEN;
		if (ip[0] >> 4 != 6 || ip[6] != IPV6_NXT_TCP ||
		    s->l3 + IPV6_HDR_LEN + get_be16(ip + 4) != len)
			return -1;
		s->v6 = 1;
	} else
		return -1;
	s->l4 = s->l3 + ihl;
	if (len < s->l4 + 20)
		return -1;
	s->thl = (size_t)(f[s->l4 + 12] >> 4) * 4;
	if (s->thl < 20 || s->l4 + s->thl >= len ||
	    s->l4 + s->thl > OFFLOAD_HDR_MAX)
		return -1;
	return 0;
}

/* A cut segment carries neither: its checksum may be left partial. */
static int
tcp_partial_flags_ok(uint8_t flags)
{
	return (flags & (TCP_SYN | TCP_RST)) == 0;
}

/* Only ACK, and PSH on a last segment: what may be coalesced. */
static int
tcp_joinable(const uint8_t *f, const struct gro_seg *s)
{
	return (f[s->l4 + 13] & (uint8_t)~TCP_PSH) == TCP_ACK;
}

int
tso_partial_ok(const struct tso *t)
{
	if (!tcp_partial_flags_ok(t->hdr[t->l4 + 13]))
		return 0;
	if (t->v6)
		return t->l4 == t->l3 + IPV6_HDR_LEN;
	/* No fragment bits, which the kernel never sets on TSO anyway. */
	return (get_be16(t->hdr + t->l3 + 6) & 0x3fff) == 0;
}

int
gro_parse(const uint8_t *f, size_t len, struct gro_seg *s)
{
	if (tcp_segment(f, len, s) == -1 || !tcp_joinable(f, s))
		return -1;
	s->partial = 0;
	if (csum_fold(csum_add(pseudo_sum(f + s->l3, s->v6, len - s->l4),
	    f + s->l4, len - s->l4)) != 0xffff)
		return -1;
	return 0;
}

int
gro_parse_partial(const uint8_t *f, size_t len, struct gro_seg *s)
{
	if (tcp_segment(f, len, s) == -1 ||
	    !tcp_partial_flags_ok(f[s->l4 + 13]))
		return -1;
	s->partial = 1;
	return tcp_joinable(f, s);
}

/* A vnet header asking the kernel to finish the TCP checksum at l4. */
static void
vh_tcp_partial(struct virtio_net_hdr *vh, size_t l4)
{
	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = htole16((uint16_t)l4);
	vh->csum_offset = htole16(16);
}

void
offload_partial_hdr(struct virtio_net_hdr *vh, const struct gro_seg *s)
{
	vh_tcp_partial(vh, s->l4);
}

/* True if hdr (a new segment's) matches the pending one's headers. */
static int
gro_same(const struct gro *g, const uint8_t *f)
{
	const uint8_t	*p = g->buf + VNET_HDR_LEN;
	const uint8_t	*ip = f + g->l3, *pip = p + g->l3;
	const uint8_t	*th = f + g->l4, *pth = p + g->l4;

	if (memcmp(f, p, g->l3) != 0)
		return 0;
	if (g->v6) {
		if (memcmp(ip, pip, 4) != 0 ||
		    memcmp(ip + 6, pip + 6, IPV6_HDR_LEN - 6) != 0)
			return 0;
	} else if (memcmp(ip, pip, 2) != 0 || memcmp(ip + 6, pip + 6, 4) != 0 ||
	    memcmp(ip + 12, pip + 12, g->l4 - g->l3 - 12) != 0)
		return 0;
	/* Ports, acknowledgment, offset, window, options; not seq, sum. */
	return memcmp(th, pth, 4) == 0 && memcmp(th + 8, pth + 8, 5) == 0 &&
	    (th[13] & (uint8_t)~TCP_PSH) == pth[13] &&
	    memcmp(th + 14, pth + 14, 2) == 0 &&
	    memcmp(th + 18, pth + 18, g->hlen - g->l4 - 18) == 0;
}

int
gro_offer(struct gro *g, const uint8_t *f, size_t len)
{
	struct gro_seg	 s;

	if (gro_parse(f, len, &s) == -1)
		return 0;
	return gro_add(g, f, len, &s);
}

int
gro_add(struct gro *g, const uint8_t *f, size_t len, const struct gro_seg *s)
{
	size_t		 l3 = s->l3, l4 = s->l4, thl = s->thl, pl;
	uint8_t		*p = g->buf + VNET_HDR_LEN;
	int		 v6 = s->v6;

	pl = len - l4 - thl;
	if (g->nseg == 0) {
		memcpy(p, f, len);
		g->len = len;
		g->l3 = l3;
		g->l4 = l4;
		g->hlen = l4 + thl;
		g->mss = pl;
		g->v6 = v6;
		g->next_seq = get_be32(f + l4 + 4) + (uint32_t)pl;
		g->nseg = 1;
		g->partial = s->partial;
		g->closed = (f[l4 + 13] & TCP_PSH) != 0;
		return 1;
	}
	if (g->closed || v6 != g->v6 || l3 != g->l3 || l4 != g->l4 ||
	    l4 + thl != g->hlen || pl > g->mss ||
	    get_be32(f + l4 + 4) != g->next_seq ||
	    g->len - g->l3 + pl > 65535 || g->len + pl > OFFLOAD_FRAME_MAX ||
	    !gro_same(g, f))
		return -1;
	memcpy(p + g->len, f + g->hlen, pl);
	g->len += pl;
	g->next_seq += (uint32_t)pl;
	g->nseg++;
	if (f[l4 + 13] & TCP_PSH) {
		p[g->l4 + 13] |= TCP_PSH;
		g->closed = 1;
	}
	if (pl < g->mss)
		g->closed = 1;
	return 1;
}

size_t
gro_finish(struct gro *g)
{
	struct virtio_net_hdr	*vh = (struct virtio_net_hdr *)g->buf;
	uint8_t			*p = g->buf + VNET_HDR_LEN;
	uint8_t			*ip = p + g->l3, *th = p + g->l4;
	size_t			 n;

	if (g->nseg == 0)
		return 0;
	memset(vh, 0, sizeof(*vh));
	if (g->nseg == 1 && g->partial)
		/* The kernel finishes the checksum, if anyone needs it. */
		vh_tcp_partial(vh, g->l4);
	else if (g->nseg == 1)
		/* Checked by gro_parse: the kernel need not check it again. */
		vh->flags = VIRTIO_NET_HDR_F_DATA_VALID;
	else {
		if (g->v6)
			put_be16(ip + 4, (uint16_t)(g->len - g->l4));
		else {
			put_be16(ip + 2, (uint16_t)(g->len - g->l3));
			ip4_checksum(ip, g->l4 - g->l3);
		}
		/* A partial checksum: the pseudo-header sum, as TSO has it. */
		put_be16(th + 16, csum_fold(pseudo_sum(ip, g->v6,
		    g->len - g->l4)));
		vh_tcp_partial(vh, g->l4);
		vh->gso_type = g->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
		    VIRTIO_NET_HDR_GSO_TCPV4;
		vh->hdr_len = htole16((uint16_t)g->hlen);
		vh->gso_size = htole16((uint16_t)g->mss);
	}
	n = VNET_HDR_LEN + g->len;
	g->nseg = 0;
	g->len = 0;
	return n;
}
