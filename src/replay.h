/*
 * Sliding-window anti-replay filter for one session's receive direction,
 * after RFC 6479: the window is a ring of 64-bit words, and moving it
 * forward clears whole words instead of shifting bits, so the cost of a
 * packet does not grow with the window.
 *
 * The ring has REPLAY_BITS = 8192 bits (1 KiB per session).  One word is
 * always being recycled, so REPLAY_WINDOW = 8128 counters behind the
 * highest one accepted so far are remembered; anything older is refused.
 * That is room for thousands of packets of reordering at multi-gigabit
 * rates (e.g. several parallel paths or NIC queues).
 *
 * Use: replay_check() before decryption, as a cheap filter that changes
 * nothing (an attacker can send any counter, so nothing may be committed
 * before the packet authenticates); then, after aead_open() succeeded,
 * replay_update(), which checks again and commits.  Only replay_update()'s
 * answer is authoritative: it alone is enough if the pre-check is skipped.
 */
#ifndef TAPMESH_REPLAY_H
#define TAPMESH_REPLAY_H

#include <stdint.h>

#define REPLAY_WORD_BITS	64
#define REPLAY_WORDS		128	/* a power of two */
#define REPLAY_BITS		(REPLAY_WORDS * REPLAY_WORD_BITS)
#define REPLAY_WINDOW		(REPLAY_BITS - REPLAY_WORD_BITS)

/*
 * Counters from here up are refused, 2^64 - 2^13 - 1: a sender must rekey
 * long before, and the margin keeps "counter + 1" and the window
 * arithmetic clear of overflow.
 */
#define REPLAY_REJECT_AFTER	(UINT64_MAX - REPLAY_BITS)

struct replay {
	uint64_t	 next;	/* highest accepted counter + 1; 0: none yet */
	uint64_t	 ring[REPLAY_WORDS];
};

/* Empties the filter, for a new session key. */
void	 replay_init(struct replay *);

/*
 * Returns 0 if counter could be fresh (newer than anything seen, or
 * within the window and not seen), -1 if it is a duplicate, older than
 * the window, or at or above REPLAY_REJECT_AFTER.  Does not modify the
 * filter.
 */
int	 replay_check(const struct replay *, uint64_t);

/*
 * The same test, and on success records counter as seen, moving the
 * window forward if it is the newest.  Call only for packets that
 * authenticated.  Returns 0, or -1 without changing anything.
 */
int	 replay_update(struct replay *, uint64_t);

#endif
