/*
 * The TAP's read-ahead queue.  The tun driver keeps the frames the
 * kernel sends in one first-in, first-out ring, and a saturating TCP
 * flow keeps that ring full (up to its TSQ limit, megabytes): a ping,
 * an ACK of another flow or a VoIP frame would wait behind all of it.
 * So the daemon reads the ring empty into this queue each round and
 * seals the frames of flows that have nothing queued here at once
 * (sparse flows, as fq_codel calls them), while bulk frames wait here,
 * in order, and are sealed a bounded number of bytes per round.  A flow
 * is never reordered: a frame goes ahead only if no earlier frame of
 * its flow (by a hash of its addresses and ports) is still queued, and
 * never as part of a TCP super frame.
 */
#ifndef TAPMESH_TAPQ_H
#define TAPMESH_TAPQ_H

#include <stddef.h>
#include <stdint.h>

#include "offload.h"
#include "slotq.h"

/* Frames held: 64 super frames, more than one TCP flow's TSQ limit. */
#define TAPQ_SLOTS	SLOTQ_MAX
/* Flow buckets: a collision only keeps a frame from going ahead. */
#define TAPQ_FLOWS	256
/* The largest read: a super frame behind its virtio-net header. */
#define TAPQ_BUF_LEN	(VNET_HDR_LEN + OFFLOAD_FRAME_MAX)

struct tapq_slot {
	size_t		 len;
	uint8_t		 flow;
	uint8_t		 buf[TAPQ_BUF_LEN];
};

struct tapq {
	int		 vnet;		/* reads start with a virtio-net header */
	struct slotq	 order;		/* queued and free slots */
	uint16_t	 pending[TAPQ_FLOWS];	/* slots queued per bucket */
	struct tapq_slot slot[TAPQ_SLOTS];
};

/* Empties q; vnet says whether reads carry a virtio-net header. */
void		 tapq_init(struct tapq *, int vnet);

/* Where the next read goes, or NULL if every slot is queued. */
uint8_t		*tapq_free_slot(struct tapq *);

/*
 * Takes the len bytes just read into tapq_free_slot.  Returns 1 if the
 * frame may go ahead of everything queued (the caller handles it now and
 * the slot stays free), or 0 if it was queued behind the earlier frames
 * of its flow.
 */
int		 tapq_add(struct tapq *, size_t len);

/*
 * The oldest queued read (its length in *len), taken off the queue, or
 * NULL if none; valid until the next read into tapq_free_slot.
 */
uint8_t		*tapq_pop(struct tapq *, size_t *len);

/*
 * The flow bucket of an Ethernet frame: its IP packet as tos_ip_header()
 * finds it, else its destination (pure; exposed for the tests).
 */
unsigned int	 tapq_flow(const uint8_t *frame, size_t len);

#endif
