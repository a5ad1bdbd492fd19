/*
 * The route mirror behind source_check = "strict": a copy of the
 * kernel's routes whose output device is the TAP, from every routing
 * table (so VRFs count) and of both families, in a longest-prefix-match
 * trie per family.  Each prefix maps to its routes, each route to its
 * next hops through the TAP: a gateway address (a peer's tunnel or
 * link-local address) or "any peer" for a route with no gateway.
 *
 * It is built from a dump at start and kept by the route notifications
 * (RTM_NEWROUTE, RTM_DELROUTE) on a socket of its own, so the data path
 * never asks the kernel anything.  When the kernel drops notifications
 * (ENOBUFS, a flood of route changes) the mirror is rebuilt from a new
 * dump.  Routes the kernel only caches (RTM_F_CLONED) and routes that
 * are not unicast (local, broadcast, blackhole ...) are left out.
 */
#ifndef TAPMESH_ROUTES_H
#define TAPMESH_ROUTES_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "lpm.h"

struct mnl_socket;
struct nlmsghdr;
struct peer;
struct tm_config;
struct tm_ctx;

/* A next hop through the TAP. */
struct route_nh {
	uint8_t		 family;	/* of addr; 0: no gateway, any peer */
	uint8_t		 addr[16];
};

/* One route of a prefix: the kernel's key is table, metric and TOS. */
struct route {
	struct route	*next;
	uint32_t	 table;
	uint32_t	 priority;
	uint8_t		 tos;
	uint8_t		 nnh;
	struct route_nh	 nh[];
};

struct routes {
	struct lpm		 v4;
	struct lpm		 v6;
	int			 ifindex;	/* the TAP's */
	int			 active;
	struct mnl_socket	*mon;		/* route notifications */
	char			*buf;
	struct event_fd		 ev;
	size_t			 nroutes;
	uint64_t		 resyncs;	/* dumps after ENOBUFS */
};

/* An empty, inactive mirror. */
void	 routes_init(struct routes *);

/*
 * Starts the mirror of the TAP's routes: subscribes to route
 * notifications, dumps every table and watches the socket in the event
 * loop.  Returns 0, or -1 (logged).
 */
int	 routes_start(struct tm_ctx *);

/* True if a peer of the configuration has source_check "strict". */
int	 routes_wanted(const struct tm_config *);

/* Stops it and frees everything. */
void	 routes_stop(struct tm_ctx *);

/*
 * Applies one route message (RTM_NEWROUTE or RTM_DELROUTE, from a dump
 * or a notification) for the TAP ifindex.  Anything else or malformed is
 * ignored.  Returns 0, or -1 if out of memory.
 */
int	 routes_apply(struct routes *, const struct nlmsghdr *);

/*
 * True if the longest prefix of the mirror containing the source address
 * src (4 or 16 bytes of family) has a route with a next hop that is any
 * peer or one of p's addresses.
 */
int	 routes_feasible(const struct routes *, int, const uint8_t *,
	    const struct peer *);

/* Bytes the mirror uses (nodes and routes), for the logs. */
size_t	 routes_memory(const struct routes *);

#endif
