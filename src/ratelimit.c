/*
 * Per-source token buckets: see ratelimit.h.
 */
#include <string.h>

#include "ratelimit.h"

int
ratelimit_allow(struct ratelimit *rl, const struct in6_addr *addr,
    uint64_t now)
{
	struct ratelimit_bucket	*b;
	uint32_t		 h = 2166136261U;
	size_t			 i;

	for (i = 0; i < sizeof(*addr); i++)
		h = (h ^ addr->s6_addr[i]) * 16777619U;
	b = &rl->b[h % RATELIMIT_BUCKETS];
	if (b->last_ns == 0 || memcmp(&b->addr, addr, sizeof(b->addr)) != 0) {
		b->addr = *addr;
		b->tokens = RATELIMIT_BURST;
	} else {
		b->tokens += (double)(now - b->last_ns) / 1e9 * RATELIMIT_RATE;
		if (b->tokens > RATELIMIT_BURST)
			b->tokens = RATELIMIT_BURST;
	}
	b->last_ns = now;
	if (b->tokens < 1.0)
		return 0;
	b->tokens -= 1.0;
	return 1;
}
