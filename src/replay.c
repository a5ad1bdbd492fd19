/*
 * RFC 6479-style replay window.  Counter c lives in bit (c % 64) of word
 * (c / 64) % REPLAY_WORDS.  The words from (highest / 64) - 127 up to
 * highest / 64 are live; when the highest counter moves into a later
 * word, the words it skips over (at most the whole ring) are cleared,
 * which is what forgets counters that fell out of the window.
 */
#include <string.h>

#include "replay.h"

#define REPLAY_MASK	(REPLAY_WORDS - 1)

void
replay_init(struct replay *r)
{
	memset(r, 0, sizeof(*r));
}

int
replay_check(const struct replay *r, uint64_t counter)
{
	uint64_t	 word;

	if (counter >= REPLAY_REJECT_AFTER)
		return -1;
	if (counter >= r->next)
		return 0;
	/* r->next >= 1 here, since counter < r->next. */
	if (r->next - 1 - counter >= REPLAY_WINDOW)
		return -1;
	word = r->ring[(counter / REPLAY_WORD_BITS) & REPLAY_MASK];
	if (word & ((uint64_t)1 << (counter % REPLAY_WORD_BITS)))
		return -1;
	return 0;
}

int
replay_update(struct replay *r, uint64_t counter)
{
	uint64_t	 cur, target, n, i;

	if (replay_check(r, counter) == -1)
		return -1;
	if (counter >= r->next) {
		/* A fresh filter's ring is all zero: nothing to clear. */
		if (r->next > 0) {
			cur = (r->next - 1) / REPLAY_WORD_BITS;
			target = counter / REPLAY_WORD_BITS;
			n = target - cur;
			if (n > REPLAY_WORDS)
				n = REPLAY_WORDS;
			for (i = 1; i <= n; i++)
				r->ring[(cur + i) & REPLAY_MASK] = 0;
		}
		r->next = counter + 1;
	}
	r->ring[(counter / REPLAY_WORD_BITS) & REPLAY_MASK] |=
	    (uint64_t)1 << (counter % REPLAY_WORD_BITS);
	return 0;
}
