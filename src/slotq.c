/*
 * The order of a read-ahead queue's buffers: see slotq.h.
 */
#include "slotq.h"

void
slotq_init(struct slotq *q, unsigned int nslots)
{
	unsigned int	 i;

	q->nslots = nslots < SLOTQ_MAX ? nslots : SLOTQ_MAX;
	q->head = 0;
	q->n = 0;
	/* Slot 0 on top. */
	for (i = 0; i < q->nslots; i++)
		q->free[i] = (uint8_t)(q->nslots - 1 - i);
	q->nfree = q->nslots;
}

int
slotq_next(const struct slotq *q)
{
	return q->nfree > 0 ? q->free[q->nfree - 1] : -1;
}

void
slotq_push(struct slotq *q)
{
	if (q->nfree == 0)
		return;
	q->order[(q->head + q->n) % q->nslots] = q->free[--q->nfree];
	q->n++;
}

int
slotq_pop(struct slotq *q)
{
	int	 slot;

	if (q->n == 0)
		return -1;
	slot = q->order[q->head];
	q->head = (q->head + 1) % q->nslots;
	q->n--;
	q->free[q->nfree++] = (uint8_t)slot;
	return slot;
}
