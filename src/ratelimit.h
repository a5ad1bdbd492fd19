/*
 * Per-source handshake rate limiting: a fixed table of token buckets
 * indexed by a hash of the source address, so memory stays bounded
 * whatever the number of sources.  The port is left out: a flood must
 * not escape by changing it.  Pure: the caller passes the time.
 */
#ifndef TAPMESH_RATELIMIT_H
#define TAPMESH_RATELIMIT_H

#include <netinet/in.h>
#include <stdint.h>

#define RATELIMIT_BUCKETS	1024
#define RATELIMIT_RATE		10	/* handshakes per second per source */
#define RATELIMIT_BURST		10

struct ratelimit_bucket {
	struct in6_addr		 addr;
	uint64_t		 last_ns;
	double			 tokens;
};

struct ratelimit {
	struct ratelimit_bucket	 b[RATELIMIT_BUCKETS];
};

/* True if the source may start another handshake at now (a token taken). */
int	 ratelimit_allow(struct ratelimit *, const struct in6_addr *,
	    uint64_t now);

#endif
