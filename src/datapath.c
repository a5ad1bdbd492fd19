#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "arp.h"
#include "daemon.h"
#include "datapath.h"
#include "filter.h"
#include "frame.h"
#include "ndp.h"
#include "neigh.h"
#include "offload.h"
#include "path.h"
#include "pmtu.h"
#include "prio.h"
#include "receive.h"
#include "relay.h"
#include "replay.h"
#include "send.h"
#include "session.h"
#include "tos.h"
#include "tx.h"
#include "udp.h"

/* Reads per wake-up, so one busy direction cannot starve the other. */
#define DATAPATH_BUDGET	64

static int
responder_lookup(void *arg, const struct tm_addr *a, uint8_t mac[ETH_ALEN_TM])
{
	struct tm_ctx	*ctx = arg;
	struct peer	*p;

	if ((p = peer_find_by_addr(&ctx->peers, a)) == NULL)
		return 0;
	/*
	 * A dead peer gets no answer, so the kernel fails fast; but somebody
	 * wants to reach it, so its handshakes stop backing off.
	 */
	if (!p->up) {
		session_kick(p);
		return 0;
	}
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
		    ctx->tapio.reply, sizeof(ctx->tapio.reply));
	else
		n = ndp_respond(frame, len, responder_lookup, ctx,
		    ctx->tapio.reply, sizeof(ctx->tapio.reply));
	if (n < 0) {
		count_drop(ctx, NULL, DROP_MALFORMED);
		return;
	}
	if (n == 0) {
		count_drop(ctx, NULL, DROP_NDP);
		return;
	}
	if (tap_write(&ctx->tap, ctx->tapio.reply, (size_t)n) == -1)
		count_drop(ctx, NULL, DROP_IO);
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
to_peer(struct tm_ctx *ctx, struct peer *p, uint8_t *frame, size_t flen,
    size_t csum_start)
{
	struct tm_addr	 src4, src6;
	uint16_t	 mss4, mss6;
	int		 limit = path_relayed(&p->path) ? relay_frame_limit(p) :
			    path_frame_limit(&p->path);
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
		    ctx->tapio.reply, sizeof(ctx->tapio.reply));
		if (n > 0) {
			count_drop(ctx, p, DROP_TOO_BIG);
			if (log_ratelimit_ok(&ctx->rl_icmp, NULL) &&
			    tap_write(&ctx->tap, ctx->tapio.reply,
			    (size_t)n) == -1)
				count_drop(ctx, p, DROP_IO);
			return;
		}
		/* No DF: the kernel fragments the underlay packet. */
	}
	if (ctx->conf.clamp_mss) {
		mss_for(ctx, limit, &mss4, &mss6);
		(void)pmtu_clamp_mss(frame, flen, mss4, mss6);
	}
	if (csum_start != 0)
		send_frame_partial(ctx, p, frame, flen, csum_start);
	else
		send_frame(ctx, p, frame, flen);
}

/*
 * A frame from the TAP.  csum_start is not 0 for a segment cut from a TCP
 * super frame with its checksum left partial (the TCP header's offset):
 * whether it is finished depends on the session it goes to.
 */
static void
tap_frame(struct tm_ctx *ctx, uint8_t *frame, size_t flen, size_t csum_start)
{
	enum frame_class cls;
	struct peer	*p;
	size_t		 i;

	if (flen > (size_t)ctx->mtu + 18) {
		count_drop(ctx, NULL, DROP_TOO_BIG);
		return;
	}
	cls = frame_classify(frame, flen);
	switch (cls) {
	case FRAME_MALFORMED:
		count_drop(ctx, NULL, DROP_MALFORMED);
		break;
	case FRAME_ARP:
	case FRAME_NDP:
		answer_locally(ctx, frame, flen, cls);
		break;
	case FRAME_REDIRECT:
		count_drop(ctx, NULL, DROP_REDIRECT);
		break;
	case FRAME_GROUP:
		if (filter_to_peers(ctx, frame, flen) == -1)
			break;
		if (csum_start != 0)
			offload_tcp_csum(frame, flen, csum_start);
		/* Pseudo-broadcast: every peer gets its own copy. */
		for (i = 0; i < ctx->peers.npeers; i++)
			send_frame(ctx, ctx->peers.peers[i], frame, flen);
		break;
	case FRAME_UNICAST:
		if (filter_to_peers(ctx, frame, flen) == -1)
			break;
		if ((p = peer_find_by_mac(&ctx->peers, frame)) == NULL)
			count_drop(ctx, NULL, DROP_NO_PEER);
		else {
			/*
			 * Traffic for a peer without a session ends the back-off
			 * of its handshakes; pseudo-broadcast copies do not.
			 */
			if (p->kp_current == NULL)
				session_kick(p);
			to_peer(ctx, p, frame, flen, csum_start);
		}
		break;
	}
}

/*
 * A read from a TAP with offloads: a TCP super frame is cut into frames
 * that fit the MTU, a partial checksum is finished, and each frame then
 * takes the usual way.
 */
static void
tap_input(struct tm_ctx *ctx, uint8_t *buf, size_t n)
{
	struct virtio_net_hdr	 vh;
	struct tso		 tso;
	uint8_t			*seg;
	size_t			 len;

	if (n < VNET_HDR_LEN) {
		count_drop(ctx, NULL, DROP_MALFORMED);
		return;
	}
	memcpy(&vh, buf, sizeof(vh));
	buf += VNET_HDR_LEN;
	n -= VNET_HDR_LEN;
	if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		if (tso_begin(&tso, &vh, buf, n) == -1) {
			count_drop(ctx, NULL, DROP_MALFORMED);
			return;
		}
		/* Finished, if at all, by send_frame_partial. */
		tso.partial = tso_partial_ok(&tso);
		ctx->offload.tso_frames++;
		while ((len = tso_next(&tso, &seg)) > 0) {
			ctx->offload.tso_segments++;
			tap_frame(ctx, seg, len, tso.partial ? tso.l4 : 0);
		}
		return;
	}
	if ((vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    offload_csum(&vh, buf, n) == -1) {
		count_drop(ctx, NULL, DROP_MALFORMED);
		return;
	}
	tap_frame(ctx, buf, n, 0);
}

/*
 * The TAP went away under the daemon (`ip link del`, or a tool that
 * replaced it): the tun driver then reports EPOLLERR on every poll and
 * reads fail with EBADFD, so carrying on would only spin.  Re-creating
 * the TAP would come back with a new interface index, without the routes
 * and the routing daemons' state of the old one, and hide whatever
 * removed it; exiting non-zero lets the supervisor (systemd's Restart=)
 * start over from the configuration, which the operator can see.  The
 * kernel took the neighbour entries with the link.
 */
static void
tap_gone(struct tm_ctx *ctx, const char *why)
{
	size_t	 i;

	log_warnx("%s: interface gone (%s): exiting for a restart",
	    ctx->tap.name, why);
	for (i = 0; i < ctx->peers.npeers; i++)
		neigh_peer_forget(ctx->peers.peers[i]);
	event_del_fd(&ctx->ev, &ctx->tap_ev);
	tap_close(&ctx->tap);
	ctx->exit_code = 1;
	event_break(&ctx->ev);
}

/* One read from the TAP, n bytes at buf, takes its way to the peers. */
static void
tap_read_one(struct tm_ctx *ctx, uint8_t *buf, size_t n)
{
	if (ctx->tap.offload)
		tap_input(ctx, buf, n);
	else
		tap_frame(ctx, buf, n, 0);
}

/*
 * Reads the TAP's ring empty (as far as the read-ahead queue holds it),
 * handling the frames of sparse flows at once, then seals up to
 * DATAPATH_ROUND_BYTES of the queued bulk frames; what is left waits for
 * the next round, after the other callbacks (tapq.h).
 */
void
datapath_tap_readable(int fd, uint32_t events, void *arg)
{
	struct tm_ctx	*ctx = arg;
	struct tapq	*q = &ctx->tapio.q;
	uint8_t		*buf;
	size_t		 len, done;
	ssize_t		 n;
	int		 i, gone = 0;

	if (events & (EPOLLERR | EPOLLHUP)) {
		tap_gone(ctx, events & EPOLLERR ? "EPOLLERR" : "EPOLLHUP");
		return;
	}
	/* Sealed datagrams are queued and sent together below. */
	ctx->tx.active = 1;
	for (i = 0; i < DATAPATH_BUDGET && (buf = tapq_free_slot(q)) != NULL;
	    i++) {
		n = read(fd, buf, TAPQ_BUF_LEN);
		if (n == -1) {
			if (errno == EBADFD || errno == EIO ||
			    errno == ENODEV || errno == ENXIO)
				gone = errno;
			else if (errno != EAGAIN && errno != EINTR &&
			    log_ratelimit_ok(&ctx->rl_drop, NULL))
				log_warn("read %s", ctx->tap.name);
			break;
		}
		/* Without read-ahead, every read at once, as it came. */
		if (!ctx->conf.read_ahead)
			tap_read_one(ctx, buf, (size_t)n);
		else if (tapq_add(q, (size_t)n) == 1) {
			/* A sparse flow's: short, it leaves alone (tx.h). */
			ctx->tx.ahead = 1;
			tap_read_one(ctx, buf, (size_t)n);
			ctx->tx.ahead = 0;
		}
	}
	for (done = 0; done < DATAPATH_ROUND_BYTES &&
	    (buf = tapq_pop(q, &len)) != NULL; done += len)
		tap_read_one(ctx, buf, len);
	ctx->tx.active = 0;
	tx_flush(ctx);
	if (gone != 0)
		tap_gone(ctx, strerror(gone));
	else if (q->order.n > 0)
		(void)event_defer(&ctx->ev, &ctx->tap_ev);
}

/* Writes the pending super frame, if any, into the TAP. */
static void
rx_flush(struct tm_ctx *ctx)
{
	unsigned int	 nseg = ctx->rx.gro.nseg;
	size_t		 n;

	if ((n = gro_finish(&ctx->rx.gro)) == 0)
		return;
	if (nseg > 1) {
		ctx->offload.gro_frames++;
		ctx->offload.gro_segments += nseg;
	}
	if (write(ctx->tap.fd, ctx->rx.gro.buf, n) != (ssize_t)n)
		count_drop(ctx, NULL, DROP_IO);
}

/*
 * Hands a received frame to the TAP: TCP segments that continue one
 * another are joined first (rx_flush writes them), anything else is
 * written at once, after what is pending, so nothing is reordered;
 * routing traffic that is not joined (urgent, see prio.h) is written
 * ahead of the pending super frame, another flow's bulk data.  A
 * segment whose checksum the peer left partial is always a TCP segment
 * that gro_parse_partial accepts; written alone, the kernel is told to
 * finish its checksum.
 */
static void
to_tap(struct tm_ctx *ctx, struct peer *p, const uint8_t *frame, size_t flen,
    int partial, int urgent)
{
	struct virtio_net_hdr	 vh;
	struct gro_seg		 s;
	int			 r;

	if (!ctx->tap.offload) {
		if (tap_write(&ctx->tap, frame, flen) == -1)
			count_drop(ctx, p, DROP_IO);
		return;
	}
	if (partial) {
		if ((r = gro_parse_partial(frame, flen, &s)) == -1) {
			count_drop(ctx, p, DROP_MALFORMED);
			return;
		}
		ctx->offload.partial_rx++;
	} else
		r = gro_parse(frame, flen, &s) == 0;
	if (r == 1) {
		if (gro_add(&ctx->rx.gro, frame, flen, &s) == 1)
			return;
		rx_flush(ctx);
		/* Parsed once: it starts the next super frame. */
		if (gro_add(&ctx->rx.gro, frame, flen, &s) == 1)
			return;
	} else if (!urgent)
		rx_flush(ctx);
	if (partial)
		offload_partial_hdr(&vh, &s);
	else
		memset(&vh, 0, sizeof(vh));
	if (tap_write_vnet(&ctx->tap, &vh, frame, flen) == -1)
		count_drop(ctx, p, DROP_IO);
}

/*
 * Delivers a decrypted frame from peer p, which came with the outer TOS
 * tos, into the TAP.
 */
static void
deliver(struct tm_ctx *ctx, struct peer *p, uint8_t *frame, size_t flen,
    int partial, uint8_t tos)
{
	enum frame_class cls;

	cls = frame_classify(frame, flen);
	if (cls == FRAME_MALFORMED || flen > FRAME_MAX) {
		count_drop(ctx, p, DROP_MALFORMED);
		return;
	}
	if (cls == FRAME_ARP) {
		count_drop(ctx, p, DROP_NDP);
		return;
	}
	/* ICMPv6 NS, NA and redirects are the filter's (nd_from_peer). */
	if (filter_from_peer(ctx, p, frame, flen) == -1)
		return;
	if (cls == FRAME_REDIRECT) {
		count_drop(ctx, p, DROP_REDIRECT);
		return;
	}
	/* Congestion marked in the underlay reaches the endpoints. */
	if ((tos & TOS_ECN_MASK) != TOS_NOT_ECT &&
	    tos_frame_decap(frame, flen, tos) == -1) {
		count_drop(ctx, p, DROP_ECN);
		return;
	}
	/*
	 * The peer decides nothing about the Ethernet header: the source is
	 * always its own MAC and the destination ours unless it is a group.
	 */
	if (!mac_is_group(frame))
		memcpy(frame, ctx->conf.mac, ETH_ALEN_TM);
	memcpy(frame + ETH_ALEN_TM, p->conf.mac, ETH_ALEN_TM);
	/* A partial segment is never a SYN (gro_parse_partial). */
	if (ctx->conf.clamp_mss && !partial) {
		uint16_t	 mss4, mss6;

		mss_for(ctx, path_relayed(&p->path) ? relay_frame_limit(p) :
		    path_frame_limit(&p->path), &mss4, &mss6);
		(void)pmtu_clamp_mss(frame, flen, mss4, mss6);
	}
	p->stats.rx_packets++;
	p->stats.rx_bytes += flen;
	to_tap(ctx, p, frame, flen, partial, prio_frame(frame, flen));
}

/* Every path to dst, of any peer, carries at most mtu bytes. */
static void
mtu_learned(struct tm_ctx *ctx, const struct sockaddr_in6 *dst, int mtu)
{
	size_t	 i;

	for (i = 0; i < ctx->peers.npeers; i++)
		path_mtu_learned(&ctx->peers.peers[i]->path, dst, mtu,
		    event_now_ns());
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
			mtu_learned(ctx, &dst, mtu);
	}
}

/*
 * A lone datagram opened ahead moves its session's replay window past the
 * datagrams still queued in the slots: they must stay inside it.  A read
 * holds at most 64 datagrams (the kernel's UDP GRO limit).
 */
_Static_assert(RX_SLOTS * 64 < REPLAY_WINDOW,
    "queued datagrams would fall out of the replay window");
_Static_assert(RX_SLOTS <= SLOTQ_MAX, "too many receive slots");

/* One read from the socket (several datagrams with UDP GRO), opened. */
static void
udp_read_one(struct tm_ctx *ctx, struct rx_slot *s)
{
	struct peer	*p;
	uint8_t		*frame;
	size_t		 flen, off, len;
	int		 partial;

	for (off = 0; off < s->len; off += len) {
		len = s->len - off < s->seglen ? s->len - off : s->seglen;
		p = receive_datagram(ctx, s->buf + off, len, &s->from, s->tos,
		    &frame, &flen, &partial);
		if (p != NULL)
			deliver(ctx, p, frame, flen, partial, s->tos);
	}
}

enum rx_read {
	RX_READ,	/* a datagram (several with UDP GRO) is in the slot */
	RX_EMPTY,	/* nothing more to read now */
	RX_SKIP		/* read, but no datagram for the slot */
};

/*
 * Reads from the socket fd into s.  Skipped: a datagram from an address
 * family we do not carry (counted malformed) and an ICMP error for an
 * earlier datagram (the error queue is drained).
 */
static enum rx_read
rx_recv(struct tm_ctx *ctx, int fd, struct rx_slot *s)
{
	ssize_t	 n;

	n = udp_recv(fd, s->buf, sizeof(s->buf), &s->from, &s->seglen,
	    &s->tos);
	if (n != -1) {
		s->len = (size_t)n;
		return RX_READ;
	}
	if (errno == EAGAIN || errno == EINTR)
		return RX_EMPTY;
	if (errno == EAFNOSUPPORT)
		count_drop(ctx, NULL, DROP_MALFORMED);
	else
		drain_errors(ctx, fd);
	return RX_SKIP;
}

/*
 * Reads the express socket empty (udp.h), opening each datagram at once:
 * none of them waits behind bulk data.
 */
static void
express_read(struct tm_ctx *ctx)
{
	struct rx_slot	*s = &ctx->rx.express;
	enum rx_read	 r;
	int		 i;

	for (i = 0; ctx->expfd != -1 && i < DATAPATH_BUDGET; i++) {
		if ((r = rx_recv(ctx, ctx->expfd, s)) == RX_EMPTY)
			break;
		if (r == RX_READ)
			udp_read_one(ctx, s);
	}
}

/*
 * Reads the express socket empty, then the socket fd (as far as the
 * slots go), opening small lone datagrams at once, then opens up to
 * DATAPATH_ROUND_BYTES of the queued reads; the rest waits for the next
 * round (see struct rx).  Called for the express socket, only the first;
 * without read-ahead, the express socket only then (what a reload to
 * read_ahead = false left in it).
 */
void
datapath_udp_readable(int fd, uint32_t events, void *arg)
{
	struct tm_ctx		*ctx = arg;
	struct rx		*rx = &ctx->rx;
	struct rx_slot		*s;
	enum rx_read		 r;
	size_t			 done;
	int			 i, slot;

	if (events & EPOLLERR)
		drain_errors(ctx, fd);
	/*
	 * What is sealed while datagrams are read (a relay's forwarding
	 * above all) is queued and sent in batches, as from the TAP.
	 */
	ctx->tx.active = 1;
	/* Without read-ahead it gets nothing new: read when it says so. */
	if (ctx->conf.read_ahead || fd == ctx->expfd)
		express_read(ctx);
	for (i = 0; fd != ctx->expfd && i < DATAPATH_BUDGET &&
	    (slot = slotq_next(&rx->order)) != -1; i++) {
		s = &rx->slot[slot];
		if ((r = rx_recv(ctx, fd, s)) == RX_EMPTY)
			break;
		if (r == RX_SKIP)
			continue;
		if (!ctx->conf.read_ahead ||
		    (s->len <= RX_AHEAD_MAX && s->len <= s->seglen))
			udp_read_one(ctx, s);
		else
			slotq_push(&rx->order);
	}
	for (done = 0; fd != ctx->expfd && done < DATAPATH_ROUND_BYTES &&
	    (slot = slotq_pop(&rx->order)) != -1; done += s->len) {
		s = &rx->slot[slot];
		udp_read_one(ctx, s);
	}
	ctx->tx.active = 0;
	tx_flush(ctx);
	rx_flush(ctx);
	if (rx->order.n > 0)
		(void)event_defer(&ctx->ev, &ctx->udp_ev);
}
