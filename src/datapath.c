#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "arp.h"
#include "daemon.h"
#include "datapath.h"
#include "frame.h"
#include "ndp.h"
#include "session.h"
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

	/* A dead peer gets no answer, so the kernel fails fast. */
	if ((p = peer_find_by_addr(&ctx->peers, a)) == NULL || !p->up)
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
			session_send(ctx, ctx->peers.peers[i], frame, flen);
		break;
	case FRAME_UNICAST:
		if ((p = peer_find_by_mac(&ctx->peers, frame)) == NULL)
			drop(ctx, NULL, DROP_NO_PEER);
		else
			session_send(ctx, p, frame, flen);
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

/* Delivers a decrypted frame from peer p into the TAP. */
static void
deliver(struct tm_ctx *ctx, struct peer *p, uint8_t *frame, size_t flen)
{
	enum frame_class cls;

	cls = frame_classify(frame, flen);
	if (cls == FRAME_MALFORMED) {
		drop(ctx, p, DROP_MALFORMED);
		return;
	}
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
	struct peer		*p;
	uint8_t			*frame;
	size_t			 flen;
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
		p = session_recv(ctx, ctx->rx_buf, (size_t)n, &from, &frame,
		    &flen);
		if (p != NULL)
			deliver(ctx, p, frame, flen);
	}
}
