#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "arp.h"
#include "daemon.h"
#include "datapath.h"
#include "frame.h"
#include "ndp.h"
#include "path.h"
#include "pmtu.h"
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

/* The MSS that fits a frame limit (or the TAP MTU) for IPv4 and IPv6. */
static void
mss_for(const struct tm_ctx *ctx, int limit, uint16_t *mss4, uint16_t *mss6)
{
	int	 l3 = limit > 0 && limit - 14 < ctx->mtu ? limit - 14 : ctx->mtu;

	*mss4 = (uint16_t)(l3 - 40);
	*mss6 = (uint16_t)(l3 - 60);
}

/*
 * A unicast frame for peer p: larger than its path carries, it is
 * answered with ICMP "fragmentation needed" / "packet too big" (if its
 * sender asked not to fragment) so the sender's PMTU discovery works
 * through the tunnel; SYNs get their MSS clamped when asked.
 */
static void
to_peer(struct tm_ctx *ctx, struct peer *p, uint8_t *frame, size_t flen)
{
	struct tm_addr	 src4, src6;
	uint16_t	 mss4, mss6;
	int		 limit = path_frame_limit(p);
	ssize_t		 n;
	size_t		 i;

	if (limit > 0 && flen > (size_t)limit) {
		memset(&src4, 0, sizeof(src4));
		for (i = 0; i < p->conf.naddrs; i++)
			if (p->conf.addrs[i].family == AF_INET) {
				src4 = p->conf.addrs[i];
				break;
			}
		peer_neigh_addr(p, p->conf.naddrs, &src6);
		n = pmtu_too_big(frame, flen, limit - 14, p->conf.mac,
		    src4.family == AF_INET ? &src4 : NULL, &src6,
		    ctx->reply_buf, sizeof(ctx->reply_buf));
		if (n > 0) {
			drop(ctx, p, DROP_TOO_BIG);
			if (log_ratelimit_ok(&ctx->rl_icmp, NULL) &&
			    write(ctx->tap.fd, ctx->reply_buf, (size_t)n) != n)
				drop(ctx, p, DROP_IO);
			return;
		}
		/* No DF: the kernel fragments the underlay packet. */
	}
	if (ctx->conf.clamp_mss) {
		mss_for(ctx, limit, &mss4, &mss6);
		(void)pmtu_clamp_mss(frame, flen, mss4, mss6);
	}
	session_send(ctx, p, frame, flen);
}

static void
tap_frame(struct tm_ctx *ctx, size_t flen)
{
	uint8_t		*frame = ctx->tx_buf + DATA_HDR_LEN;
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
			to_peer(ctx, p, frame, flen);
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
	if (ctx->conf.clamp_mss) {
		uint16_t	 mss4, mss6;

		mss_for(ctx, path_frame_limit(p), &mss4, &mss6);
		(void)pmtu_clamp_mss(frame, flen, mss4, mss6);
	}
	if (write(ctx->tap.fd, frame, flen) != (ssize_t)flen) {
		drop(ctx, p, DROP_IO);
		return;
	}
	p->stats.rx_packets++;
	p->stats.rx_bytes += flen;
}

/*
 * Reads the socket's error queue: ICMP errors for datagrams we sent.
 * "Fragmentation needed" / "packet too big" set the path's MTU; the rest
 * (a dead peer's port unreachable) only need to be taken off the queue.
 */
static void
drain_errors(struct tm_ctx *ctx, int fd)
{
	struct sockaddr_in6	 dst;
	int			 i, r, mtu;

	for (i = 0; i < DATAPATH_BUDGET; i++) {
		if ((r = udp_read_error(fd, &dst, &mtu)) == -1)
			break;
		if (r == 1)
			path_mtu_learned(ctx, &dst, mtu);
	}
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

	if (events & EPOLLERR)
		drain_errors(ctx, fd);
	for (i = 0; i < DATAPATH_BUDGET; i++) {
		fromlen = sizeof(from);
		n = recvfrom(fd, ctx->rx_buf, sizeof(ctx->rx_buf), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			/* An ICMP error for an earlier datagram of ours. */
			drain_errors(ctx, fd);
			continue;
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
