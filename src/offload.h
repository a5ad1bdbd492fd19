/*
 * Segmentation offload between the TAP and the tunnel.
 *
 * With IFF_VNET_HDR every frame read from or written to the TAP starts
 * with a struct virtio_net_hdr.  The kernel then hands over TCP "super
 * frames" of up to 64 KB (TSO) and frames whose checksum it left to us;
 * the tunnel still carries only MTU-sized frames, each its own data
 * message, so the wire format does not change.  In the other direction
 * consecutive segments of one TCP flow are coalesced back into one
 * super frame before they are written to the TAP (as GRO does).
 *
 * Everything here is pure: no state beyond the structs, no system calls.
 */
#ifndef TAPMESH_OFFLOAD_H
#define TAPMESH_OFFLOAD_H

#include <linux/virtio_net.h>

#include <stddef.h>
#include <stdint.h>

#define VNET_HDR_LEN	sizeof(struct virtio_net_hdr)
/* The largest super frame: a 64 KB IP packet and its Ethernet header. */
#define OFFLOAD_FRAME_MAX	(65535 + 18)
/* Ethernet (with two VLAN tags), IPv6 with options, TCP with options. */
#define OFFLOAD_HDR_MAX		256

/*
 * Finishes a checksum the kernel left partial (VIRTIO_NET_HDR_F_NEEDS_CSUM):
 * the field at csum_start + csum_offset holds the pseudo-header sum.
 * Returns 0, or -1 if the offsets do not fit the frame.
 */
int	 offload_csum(const struct virtio_net_hdr *, uint8_t *, size_t);

/*
 * Finishes the partial checksum of the TCP segment at offset l4 of a
 * frame of len bytes (checked by the caller: l4 + 20 <= len).
 */
void	 offload_tcp_csum(uint8_t *, size_t, size_t);

/*
 * Cuts a TCP super frame (gso_type TCPV4 or TCPV6) into segments of
 * gso_size payload bytes, each a complete frame with its own IP length,
 * IPv4 identification and header checksum, TCP sequence number, flags
 * (FIN and PSH only on the last, CWR only on the first) and checksum.
 *
 * The segments are built in place: segment i is written over the end of
 * segment i - 1's payload, so each must be used (sealed) before the next
 * is asked for.
 *
 * With partial set (after tso_begin) the TCP checksum is left as the
 * kernel left the super frame's: the pseudo-header sum of each segment,
 * to be finished with offload_tcp_csum or by the receiving kernel.  Set
 * it only where tso_partial_ok allows.
 */
struct tso {
	uint8_t		*frame;
	size_t		 len;
	size_t		 l3, l4, hlen;	/* IP and TCP offsets, header length */
	size_t		 mss;
	size_t		 next;		/* offset of the next payload */
	unsigned int	 seg;
	int		 v6;
	int		 partial;	/* leave TCP checksums partial */
	uint8_t		 hdr[OFFLOAD_HDR_MAX];
};

/* Returns 0, or -1 if the frame is not a TCP super frame we can cut. */
int	 tso_begin(struct tso *, const struct virtio_net_hdr *, uint8_t *,
	    size_t);

/* The next segment's length (*seg set to its start), or 0 at the end. */
size_t	 tso_next(struct tso *, uint8_t **);

/*
 * Whether the segments may be sent with partial checksums, that is
 * whether gro_parse_partial takes them: not when the super frame carries
 * SYN or RST, nor behind IPv6 extension headers or IPv4 fragment bits.
 */
int	 tso_partial_ok(const struct tso *);

/* What the offloads did, for the logs and tapmeshctl show. */
struct offload_stats {
	uint64_t		 tso_frames;	/* super frames read and cut */
	uint64_t		 tso_segments;	/* the frames cut from them */
	uint64_t		 gro_frames;	/* super frames written */
	uint64_t		 gro_segments;	/* the frames joined into them */
	uint64_t		 partial_tx;	/* segments sent, checksum partial */
	uint64_t		 partial_rx;	/* and received so */
};

/*
 * Coalescing of received TCP segments into one super frame.  A segment
 * joins the pending one only if it continues it exactly: the same
 * Ethernet, IP and TCP headers except for lengths, IPv4 identification,
 * sequence number and checksums, the next sequence number, a payload no
 * longer than the first segment's, only ACK (and PSH on the last) set,
 * and a TCP checksum that verifies, so that nothing the kernel would
 * have refused is hidden in a super frame.  A shorter segment or one
 * with PSH ends the super frame.
 */
struct gro {
	uint8_t		 buf[VNET_HDR_LEN + OFFLOAD_FRAME_MAX];
	size_t		 len;		/* frame bytes after the vnet header */
	size_t		 l3, l4, hlen;
	size_t		 mss;
	uint32_t	 next_seq;
	unsigned int	 nseg;
	int		 v6;
	int		 partial;	/* a segment's checksum is unchecked */
	int		 closed;	/* nothing more may join */
};

/* Where a segment's headers are, as gro_parse found them. */
struct gro_seg {
	size_t		 l3, l4, thl;	/* IP and TCP offsets, TCP length */
	int		 v6;
	int		 partial;	/* checksum partial, not verified */
};

/*
 * Checks that a received frame is a TCP segment that may be coalesced:
 * IPv4 without fragmentation or IPv6 without extension headers, lengths
 * that match the frame exactly, payload, only ACK (and PSH) set, valid
 * checksums, and not longer than a super frame.  Returns 0 and fills s,
 * or -1.
 */
int	 gro_parse(const uint8_t *, size_t, struct gro_seg *);

/*
 * gro_parse for a segment whose TCP checksum the peer left partial
 * (wire.h): the same checks of the IP and TCP headers but for the TCP
 * checksum, which holds the pseudo-header sum and is not verified (the
 * AEAD covered the frame).  SYN and RST are refused: a segment cut from a
 * super frame carries neither.  Returns 1 if the segment may be
 * coalesced (gro_add), 0 if it is valid but must be written alone (FIN,
 * URG: see offload_partial_hdr), -1 if it is refused.
 */
int	 gro_parse_partial(const uint8_t *, size_t, struct gro_seg *);

/*
 * The vnet header for writing a partial segment alone: the kernel is to
 * finish its TCP checksum (NEEDS_CSUM at the TCP header).
 */
void	 offload_partial_hdr(struct virtio_net_hdr *, const struct gro_seg *);

/*
 * Adds a frame that passed gro_parse.  Returns 1 if it was taken (it
 * started or joined the pending super frame), or -1 if it cannot join
 * the pending one: the caller finishes and writes that, and adds the
 * frame again, which then starts a new one.
 */
int	 gro_add(struct gro *, const uint8_t *, size_t,
	    const struct gro_seg *);

/*
 * gro_parse and gro_add together: 0 if the frame cannot be coalesced at
 * all (the caller finishes the pending super frame and writes the frame
 * as it is), else as gro_add.
 */
int	 gro_offer(struct gro *, const uint8_t *, size_t);

/*
 * Finishes the pending frame for writing: fills in the vnet header and
 * the IP lengths.  Returns the number of bytes to write from buf (vnet
 * header included), 0 if nothing is pending; the gro is empty after.
 */
size_t	 gro_finish(struct gro *);

#endif
