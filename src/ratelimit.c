/*
 * Per-source token buckets: see ratelimit.h.
 */
#include <string.h>

#include "ratelimit.h"

void
ratelimit_init(struct ratelimit *rl, const uint64_t key[2])
{
	memset(rl, 0, sizeof(*rl));
	rl->key[0] = key[0];
	rl->key[1] = key[1];
}

/* The part of the address a source is counted by: IPv6 by its /64. */
static void
source_of(const struct in6_addr *addr, struct in6_addr *src)
{
	*src = *addr;
	if (!IN6_IS_ADDR_V4MAPPED(addr))
		memset(&src->s6_addr[8], 0, 8);
}

/* A 64-bit mixing step (the finaliser of SplitMix64). */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static size_t
set_of(const struct ratelimit *rl, const struct in6_addr *src)
{
	uint64_t	 w[2];

	memcpy(w, src->s6_addr, sizeof(w));
	return (size_t)(mix(mix(w[0] ^ rl->key[0]) ^ w[1] ^ rl->key[1]) %
	    RATELIMIT_SETS);
}

size_t
ratelimit_set(const struct ratelimit *rl, const struct in6_addr *addr)
{
	struct in6_addr	 src;

	source_of(addr, &src);
	return set_of(rl, &src);
}

/* The bucket's tokens at now, refilled since it was last used. */
static double
tokens_at(const struct ratelimit_bucket *b, uint64_t now)
{
	double	 t = b->tokens;

	if (now > b->last_ns)
		t += (double)(now - b->last_ns) / 1e9 * RATELIMIT_RATE;
	return t > RATELIMIT_BURST ? RATELIMIT_BURST : t;
}

int
ratelimit_allow(struct ratelimit *rl, const struct in6_addr *addr,
    uint64_t now)
{
	struct ratelimit_bucket	*set, *b = NULL;
	struct in6_addr		 src;
	size_t			 i;

	/* 0 marks an unused bucket. */
	if (now == 0)
		now = 1;
	source_of(addr, &src);
	set = &rl->b[set_of(rl, &src) * RATELIMIT_WAYS];
	for (i = 0; i < RATELIMIT_WAYS; i++)
		if (set[i].last_ns != 0 &&
		    memcmp(&set[i].src, &src, sizeof(src)) == 0) {
			b = &set[i];
			b->tokens = tokens_at(b, now);
			break;
		}
	if (b == NULL) {
		/*
		 * A new source takes an unused bucket or one that filled up
		 * again (its source would start afresh anyway), the one
		 * idle longest; never one still counting a busy source.
		 */
		for (i = 0; i < RATELIMIT_WAYS; i++) {
			if (set[i].last_ns != 0 &&
			    tokens_at(&set[i], now) < RATELIMIT_BURST)
				continue;
			if (b == NULL || set[i].last_ns < b->last_ns)
				b = &set[i];
		}
		if (b == NULL)
			return 0;
		b->src = src;
		b->tokens = RATELIMIT_BURST;
	}
	b->last_ns = now;
	if (b->tokens < 1.0)
		return 0;
	b->tokens -= 1.0;
	return 1;
}
