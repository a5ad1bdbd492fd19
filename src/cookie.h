/*
 * Handshake admission, before any Diffie-Hellman work: a per-source rate
 * limit (ratelimit.h) first, then, above COOKIE_LOAD_THRESHOLD handshake
 * messages a second, a valid mac2 is demanded and the others are
 * answered with a cookie reply, so a source must show that it receives
 * at its address before it costs anything.
 */
#ifndef TAPMESH_COOKIE_H
#define TAPMESH_COOKIE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "handshake.h"
#include "ratelimit.h"

struct tm_ctx;

/* Above this many handshake messages a second, demand cookies. */
#define COOKIE_LOAD_THRESHOLD	64

struct cookie_checker {
	struct handshake_cookie_secret secret;
	uint64_t		 window_ns;	/* start of this second */
	unsigned int		 window_count;
	struct ratelimit	 rl;
};

/*
 * A handshake message whose mac1 verified, from from: returns 1 if it
 * may be processed, 0 if it was refused (counted; answered with a cookie
 * reply when that is what it lacks).
 */
int	 cookie_admit(struct tm_ctx *, const uint8_t *, size_t,
	    const struct sockaddr_in6 *, uint64_t now);

#endif
