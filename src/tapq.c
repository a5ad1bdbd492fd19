/*
 * The TAP's read-ahead queue: see tapq.h.
 */
#include <string.h>

#include "byteorder.h"
#include "frame.h"
#include "tapq.h"
#include "tos.h"

#define PROTO_TCP	6
#define PROTO_UDP	17
#define PROTO_SCTP	132

/* FNV-1a over the bytes that name a flow. */
static uint32_t
tapq_hash(uint32_t h, const uint8_t *p, size_t len)
{
	while (len-- > 0) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}

static int
tapq_has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP;
}

unsigned int
tapq_flow(const uint8_t *frame, size_t len)
{
	uint32_t	 h = 2166136261u;
	const uint8_t	*ip;
	size_t		 l3, ihl;

	if (len < ETH_HDR_LEN)
		return 0;
	h = tapq_hash(h, frame + 12, 2);
	switch (tos_ip_header(frame, len, &l3)) {
	case 4:
		ip = frame + l3;
		ihl = (size_t)(ip[0] & 0x0f) * 4;
		/* Addresses and protocol. */
		h = tapq_hash(h, ip + 9, 1);
		h = tapq_hash(h, ip + 12, 8);
		/*
		 * Ports, unless this is a fragment: all fragments of a
		 * packet then share its addresses' bucket.
		 */
		if (tapq_has_ports(ip[9]) &&
		    (get_be16(ip + 6) & 0x3fff) == 0 && len >= l3 + ihl + 4)
			h = tapq_hash(h, ip + ihl, 4);
		break;
	case 6:
		ip = frame + l3;
		/* A fragment's next header is 44: no ports, as above. */
		h = tapq_hash(h, ip + 6, 1);
		h = tapq_hash(h, ip + 8, 32);
		if (tapq_has_ports(ip[6]) && len >= l3 + IPV6_HDR_LEN + 4)
			h = tapq_hash(h, ip + IPV6_HDR_LEN, 4);
		break;
	default:
		/* Anything else: one flow per destination. */
		h = tapq_hash(h, frame, 6);
	}
	return (h ^ (h >> 8) ^ (h >> 16) ^ (h >> 24)) % TAPQ_FLOWS;
}

void
tapq_init(struct tapq *q, int vnet)
{
	q->vnet = vnet;
	slotq_init(&q->order, TAPQ_SLOTS);
	memset(q->pending, 0, sizeof(q->pending));
}

uint8_t *
tapq_free_slot(struct tapq *q)
{
	int	 i = slotq_next(&q->order);

	return i == -1 ? NULL : q->slot[i].buf;
}

int
tapq_add(struct tapq *q, size_t len)
{
	int			 i = slotq_next(&q->order);
	struct tapq_slot	*s;
	const uint8_t		*frame;
	size_t			 n = len;
	int			 super = 0;

	if (i == -1)
		return 1;	/* no read was made into a slot */
	s = &q->slot[i];
	frame = s->buf;
	if (q->vnet) {
		struct virtio_net_hdr	 vh;

		if (len < VNET_HDR_LEN)
			return 1;	/* malformed: dropped at once */
		memcpy(&vh, s->buf, sizeof(vh));
		super = vh.gso_type != VIRTIO_NET_HDR_GSO_NONE;
		frame += VNET_HDR_LEN;
		len -= VNET_HDR_LEN;
	}
	s->flow = (uint8_t)tapq_flow(frame, len);
	if (!super && q->pending[s->flow] == 0)
		return 1;
	s->len = n;
	q->pending[s->flow]++;
	slotq_push(&q->order);
	return 0;
}

uint8_t *
tapq_pop(struct tapq *q, size_t *len)
{
	struct tapq_slot	*s;
	int			 i = slotq_pop(&q->order);

	if (i == -1)
		return NULL;
	s = &q->slot[i];
	q->pending[s->flow]--;
	*len = s->len;
	return s->buf;
}
