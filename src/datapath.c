#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "arp.h"
#include "daemon.h"
#include "datapath.h"
#include "frame.h"
#include "ndp.h"
#include "udp.h"

/* Reads per wake-up, so one busy direction cannot starve the other. */
#define DATAPATH_BUDGET	64

static void
drop(struct tm_ctx *ctx, struct peer *p, enum drop_reason r)
{
	if (p != NULL)
		p->stats.drops[r]++;
	else
		ctx->stats.drops[r]++;
}

static int
responder_lookup(void *arg, const struct tm_addr *a, uint8_t mac[ETH_ALEN_TM])
{
	struct tm_ctx	*ctx = arg;
	struct peer	*p;

	if ((p = peer_find_by_addr(&ctx->peers, a)) == NULL)
		return 0;
	memcpy(mac, p->conf.mac, ETH_ALEN_TM);
	return 1;
}

/*
 * ARP requests and Neighbour Solicitations never cross the tunnel: those
 * for peers are answered here, everything else of ARP/NDP is dropped.
 */
static void
answer_locally(struct tm_ctx *ctx, const uint8_t *frame, size_t len,
    enum frame_class cls)
{
	ssize_t	 n;

	if (cls == FRAME_ARP)
		n = arp_respond(frame, len, responder_lookup, ctx,
		    ctx->reply_buf, sizeof(ctx->reply_buf));
	else
		n = ndp_respond(frame, len, responder_lookup, ctx,
		    ctx->reply_buf, sizeof(ctx->reply_buf));
	if (n < 0) {
		drop(ctx, NULL, DROP_MALFORMED);
		return;
	}
	if (n == 0) {
		drop(ctx, NULL, DROP_NDP);
		return;
	}
	if (write(ctx->tap.fd, ctx->reply_buf, (size_t)n) != n)
		drop(ctx, NULL, DROP_IO);
}

/*
 * Sends the frame that sits at ctx->tx_buf + DATA_HDR_LEN to one peer.
 * The header is written in front of it and the tag space behind it, in
 * place, so the frame is never copied.
 */
static void
send_to_peer(struct tm_ctx *ctx, struct peer *p, size_t flen)
{
	uint8_t	*pkt = ctx->tx_buf;
	size_t	 len = DATA_HDR_LEN + flen + DATA_TAG_LEN;

	if (!p->has_endpoint) {
		drop(ctx, p, DROP_NO_ENDPOINT);
		return;
	}
	memset(pkt, 0, DATA_HDR_LEN);
	pkt[0] = MSG_DATA;
	memset(pkt + DATA_HDR_LEN + flen, 0, DATA_TAG_LEN);
	if (sendto(ctx->udpfd, pkt, len, 0, (struct sockaddr *)&p->endpoint,
	    sizeof(p->endpoint)) != (ssize_t)len) {
		drop(ctx, p, DROP_IO);
		return;
	}
	p->stats.tx_packets++;
	p->stats.tx_bytes += flen;
}

static void
tap_frame(struct tm_ctx *ctx, size_t flen)
{
	const uint8_t	*frame = ctx->tx_buf + DATA_HDR_LEN;
	enum frame_class cls;
	struct peer	*p;
	size_t		 i;

	if (flen > (size_t)ctx->mtu + 18) {
		drop(ctx, NULL, DROP_TOO_BIG);
		return;
	}
	cls = frame_classify(frame, flen);
	switch (cls) {
	case FRAME_MALFORMED:
		drop(ctx, NULL, DROP_MALFORMED);
		break;
	case FRAME_ARP:
	case FRAME_NDP:
		answer_locally(ctx, frame, flen, cls);
		break;
	case FRAME_REDIRECT:
		drop(ctx, NULL, DROP_REDIRECT);
		break;
	case FRAME_GROUP:
		/* Pseudo-broadcast: every peer gets its own copy. */
		for (i = 0; i < ctx->peers.npeers; i++)
			send_to_peer(ctx, &ctx->peers.peers[i], flen);
		break;
	case FRAME_UNICAST:
		if ((p = peer_find_by_mac(&ctx->peers, frame)) == NULL)
			drop(ctx, NULL, DROP_NO_PEER);
		else
			send_to_peer(ctx, p, flen);
		break;
	}
}

void
datapath_tap_readable(int fd, uint32_t events, void *arg)
{
	struct tm_ctx	*ctx = arg;
	ssize_t		 n;
	int		 i;

	(void)events;
	for (i = 0; i < DATAPATH_BUDGET; i++) {
		n = read(fd, ctx->tx_buf + DATA_HDR_LEN, FRAME_MAX);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("read %s", ctx->tap.name);
			return;
		}
		tap_frame(ctx, (size_t)n);
	}
}

/*
 * Until sessions exist, a datagram belongs to the peer whose configured
 * endpoint sent it.
 */
static struct peer *
peer_by_source(struct tm_ctx *ctx, const struct sockaddr_in6 *from)
{
	size_t	 i, j;

	for (i = 0; i < ctx->peers.npeers; i++) {
		struct peer	*p = &ctx->peers.peers[i];

		for (j = 0; j < p->conf.nendpoints; j++)
			if (udp_endpoint_eq(&p->conf.endpoints[j].sa, from))
				return p;
	}
	return NULL;
}

static void
udp_packet(struct tm_ctx *ctx, size_t len, const struct sockaddr_in6 *from)
{
	uint8_t		*frame = ctx->rx_buf + DATA_HDR_LEN;
	struct peer	*p;
	size_t		 flen;
	enum frame_class cls;

	if (len < DATA_OVERHEAD + ETH_HDR_LEN || ctx->rx_buf[0] != MSG_DATA) {
		drop(ctx, NULL, DROP_MALFORMED);
		return;
	}
	if ((p = peer_by_source(ctx, from)) == NULL) {
		drop(ctx, NULL, DROP_NO_SESSION);
		return;
	}
	flen = len - DATA_OVERHEAD;
	cls = frame_classify(frame, flen);
	if (cls == FRAME_ARP || cls == FRAME_NDP || cls == FRAME_REDIRECT) {
		drop(ctx, p, cls == FRAME_REDIRECT ? DROP_REDIRECT : DROP_NDP);
		return;
	}
	/*
	 * The peer decides nothing about the Ethernet header: the source is
	 * always its own MAC and the destination ours unless it is a group.
	 */
	if (!mac_is_group(frame))
		memcpy(frame, ctx->conf.mac, ETH_ALEN_TM);
	memcpy(frame + ETH_ALEN_TM, p->conf.mac, ETH_ALEN_TM);
	if (write(ctx->tap.fd, frame, flen) != (ssize_t)flen) {
		drop(ctx, p, DROP_IO);
		return;
	}
	p->stats.rx_packets++;
	p->stats.rx_bytes += flen;
}

void
datapath_udp_readable(int fd, uint32_t events, void *arg)
{
	struct tm_ctx		*ctx = arg;
	struct sockaddr_in6	 from;
	socklen_t		 fromlen;
	ssize_t			 n;
	int			 i;

	(void)events;
	for (i = 0; i < DATAPATH_BUDGET; i++) {
		fromlen = sizeof(from);
		n = recvfrom(fd, ctx->rx_buf, sizeof(ctx->rx_buf), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("recvfrom");
			return;
		}
		if (fromlen != sizeof(from) || from.sin6_family != AF_INET6) {
			drop(ctx, NULL, DROP_MALFORMED);
			continue;
		}
		udp_packet(ctx, (size_t)n, &from);
	}
}
