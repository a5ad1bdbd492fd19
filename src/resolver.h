/*
 * Host name lookups with getaddrinfo: blocking (at start and reload,
 * where OpenBSD daemons resolve too), or in one worker thread so that
 * the event loop, which carries the data path, never waits for DNS.
 *
 * The worker takes requests from a bounded queue and hands results back
 * through an eventfd watched by the loop.  It starts at the first
 * request, so after the daemon dropped its privileges: a thread created
 * before would keep every capability (capabilities are per thread).
 */
#ifndef TAPMESH_RESOLVER_H
#define TAPMESH_RESOLVER_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Requests queued or in progress at most; more are refused. */
#define RESOLVER_MAX	32

struct resolver;

struct resolve_req {
	char			 host[TM_HOST_NAME_MAX + 2];
	uint16_t		 port;
	int			 family;	/* AF_UNSPEC, AF_INET, AF_INET6 */
	uint8_t			 key[KEY_LEN];	/* the peer's */
	size_t			 endpoint;	/* index in its endpoints */
	/* The answer. */
	int			 error;		/* 0, or an EAI_* code */
	struct sockaddr_in6	 addr;		/* IPv4 as v4-mapped */
};

/*
 * Resolves host for UDP to port: getaddrinfo with AI_ADDRCONFIG and a
 * numeric service, of the given family (AF_UNSPEC: either), taking the
 * first address it returns (RFC 6724 order, see gai.conf(5)).  Returns
 * 0 with *addr set, or an EAI_* code (gai_strerror).
 */
int	 resolver_lookup(const char *, uint16_t, int, struct sockaddr_in6 *);

/* A resolver without its thread yet; NULL (logged) on failure. */
struct resolver *resolver_new(void);

/* The eventfd that becomes readable when answers are waiting. */
int	 resolver_fd(const struct resolver *);

/*
 * Queues a lookup (the worker starts if it has not).  Returns 0, or -1
 * if RESOLVER_MAX lookups are outstanding or the worker cannot start.
 */
int	 resolver_submit(struct resolver *, const struct resolve_req *);

/* Takes up to max answers into out; returns how many. */
size_t	 resolver_collect(struct resolver *, struct resolve_req *, size_t);

/*
 * Stops the worker and frees the resolver.  A lookup in progress is not
 * waited for: the worker frees what it shares when it returns.
 */
void	 resolver_free(struct resolver *);

#endif
