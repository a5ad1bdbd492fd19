/*
 * The relay state of one peer (relay.h tells what relaying is): kept in
 * struct peer, worked on by relay.c, read by the sending path.  Types
 * only, so that the peer table and the sending path need not reach up
 * into relay.c.
 */
#ifndef TAPMESH_RELAYSTATE_H
#define TAPMESH_RELAYSTATE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct peer;

/* What a relay forwarded from one source to one target. */
struct relay_pair {
	uint8_t			 to[WIRE_RELAY_ID_LEN];
	uint64_t		 messages;
	uint64_t		 bytes;
	uint64_t		 data_ns;	/* a data message, last time */
	uint64_t		 round_ns;	/* the last round started */
	uint64_t		 round_ms;	/* until the next one */
};

/* The relay state of one peer. */
struct relay_peer {
	/* It offers to relay: a probe of its said so at offer_ns. */
	uint64_t		 offer_ns;
	/* The relay that reaches it, and one that failed it lately. */
	struct peer		*via;
	struct peer		*failed;
	uint64_t		 failed_ns;
	/* On a relay: its forwarding budget, and where it went. */
	double			 tokens;
	uint64_t		 tokens_ns;
	struct relay_pair	*pairs;
	size_t			 npairs;
	size_t			 capacity;
	uint64_t		 unreachable_sent;
	/* Hole punching: where the relay says it is. */
	struct sockaddr_in6	 punch;
	uint64_t		 punch_told_ns;	/* 0: nothing to punch */
	uint64_t		 punch_next_ns;
	unsigned int		 punch_left;	/* of this round */
	uint64_t		 punches;
};

#endif
