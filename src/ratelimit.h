/*
 * Per-source handshake rate limiting: a fixed table of token buckets, so
 * memory stays bounded whatever the number of sources.  The port is left
 * out (a flood must not escape by changing it), and an IPv6 source
 * counts by its /64, the smallest prefix a site is given: a host owns
 * every address of its /64 and could otherwise take a fresh bucket for
 * each packet.  An IPv4 source counts by its own address.
 *
 * Buckets are found by exact match in a small set of RATELIMIT_WAYS
 * chosen by a keyed hash.  A bucket is never handed to another source
 * while it holds anything that source would not have had new: only an
 * empty way, or one idle long enough to have filled up again, is taken.
 * A new source whose set holds RATELIMIT_WAYS busy sources is refused
 * until one of them goes quiet (about a second), which costs it a retry
 * rather than letting sources that hash alike reset each other's count.
 * Pure: the caller passes the time and the hash key.
 */
#ifndef TAPMESH_RATELIMIT_H
#define TAPMESH_RATELIMIT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define RATELIMIT_BUCKETS	1024
#define RATELIMIT_WAYS		4
#define RATELIMIT_SETS		(RATELIMIT_BUCKETS / RATELIMIT_WAYS)
#define RATELIMIT_RATE		10	/* handshakes per second per source */
#define RATELIMIT_BURST		10

struct ratelimit_bucket {
	struct in6_addr		 src;		/* the source, IPv6 as /64 */
	uint64_t		 last_ns;	/* 0: unused */
	double			 tokens;
};

struct ratelimit {
	uint64_t		 key[2];	/* of the hash */
	struct ratelimit_bucket	 b[RATELIMIT_BUCKETS];
};

/*
 * Empties the table and sets the hash key (random in the daemon, so that
 * nobody can choose sources that fall in one set).
 */
void	 ratelimit_init(struct ratelimit *, const uint64_t key[2]);

/* The set (0 .. RATELIMIT_SETS - 1) a source falls in. */
size_t	 ratelimit_set(const struct ratelimit *, const struct in6_addr *);

/* True if the source may start another handshake at now (a token taken). */
int	 ratelimit_allow(struct ratelimit *, const struct in6_addr *,
	    uint64_t now);

#endif
