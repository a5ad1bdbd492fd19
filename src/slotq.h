/*
 * The order of a read-ahead queue's buffers (tapq.h, struct rx in
 * datapath.h): a fixed array of slots, of which some are queued, oldest
 * first, and the rest free.  Free slots are handed out last freed first,
 * so that while little is queued the reads keep landing in the few
 * buffers still in the CPU's caches instead of sweeping through all of
 * them (megabytes).
 */
#ifndef TAPMESH_SLOTQ_H
#define TAPMESH_SLOTQ_H

#include <stdint.h>

#define SLOTQ_MAX	64

struct slotq {
	unsigned int	 nslots;
	unsigned int	 head;		/* order[head]: the oldest queued */
	unsigned int	 n;		/* slots queued */
	unsigned int	 nfree;
	uint8_t		 order[SLOTQ_MAX];	/* a ring of slot numbers */
	uint8_t		 free[SLOTQ_MAX];	/* a stack of slot numbers */
};

/* All nslots (at most SLOTQ_MAX) slots free. */
void	 slotq_init(struct slotq *, unsigned int nslots);

/* The slot the next read goes into, or -1 if every slot is queued. */
int	 slotq_next(const struct slotq *);

/* Queues slotq_next's slot behind the others (there must be one). */
void	 slotq_push(struct slotq *);

/*
 * Takes the oldest queued slot off the queue and returns it, or -1 if
 * none is queued.  It is free again: the next slotq_next.
 */
int	 slotq_pop(struct slotq *);

#endif
