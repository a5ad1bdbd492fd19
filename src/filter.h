/*
 * The segment's trust boundary: a peer speaks only for itself.
 *
 * Every frame from a peer passes filter_from_peer after decryption and
 * before it is written into the TAP; every frame of the kernel's passes
 * filter_to_peers before it is sent.  Neighbour and router discovery
 * (ICMPv6 types 133 to 137, found after walking the extension headers)
 * never cross in either direction.  A packet from peer P may not carry
 * as its source an address of this node, another peer's tunnel or
 * link-local address, or any link-local address but P's own; beyond
 * that P's source_check decides: loose (anything), strict (the routes
 * through the TAP lead to P: routes.h) or prefixes (its
 * allowed_sources).
 */
#ifndef TAPMESH_FILTER_H
#define TAPMESH_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "lpm.h"

struct peer;
struct tm_config;
struct tm_ctx;

/* What filter_inspect finds in a frame. */
enum filter_kind {
	FILTER_OTHER = 0,	/* not IP: no source rule applies */
	FILTER_IPV4,		/* an IPv4 packet; src points at its source */
	FILTER_IPV6,		/* an IPv6 packet; src points at its source */
	FILTER_ND,		/* ICMPv6 neighbour or router discovery */
	FILTER_MALFORMED,	/* an IP header or header chain cut short */
};

/*
 * Sorts a frame (Ethernet header included) for the rules.  IPv6
 * extension headers (hop-by-hop, routing, destination options, fragment,
 * AH) are walked, at most FILTER_MAX_EXT of them, within the payload
 * length.  A first fragment must hold the whole chain up to the ICMPv6
 * type (RFC 7112) or it is FILTER_MALFORMED; a later fragment cannot
 * hold an ICMPv6 header, and the kernel drops overlapping fragments and
 * fragmented ND (suppress_frag_ndisc), so it passes as FILTER_IPV6.  On
 * FILTER_IPV4 and FILTER_IPV6, *src points at the source address in the
 * frame (4 or 16 bytes).
 */
#define FILTER_MAX_EXT	8
enum filter_kind filter_inspect(const uint8_t *, size_t, const uint8_t **);

/* Who owns the tunnel addresses: this node and every peer. */
struct filter {
	struct lpm	 owners4;	/* /32 -> struct peer *, or self */
	struct lpm	 owners6;	/* /128, link-local ones included */
};

/*
 * Builds the owners of conf's addresses (this node) and of the n peers'
 * (their configured and link-local addresses; peers[i] is taken to have
 * the configuration conf->peers[i]) into f, which must be initialised
 * (filter_init).  Returns 0, or -1 if out of memory (f is then freed).
 */
int	 filter_build(struct filter *, const struct tm_config *,
	    struct peer *const *, size_t);

/* An empty filter. */
void	 filter_init(struct filter *);

/* Frees its tables. */
void	 filter_free(struct filter *);

/*
 * The rules for a frame that peer p sent: returns 0 if it may reach the
 * TAP, or -1, counted against p (nd_from_peer, spoofed_source or
 * malformed) and logged through a rate limit with p's name and the
 * offending address.
 */
int	 filter_from_peer(struct tm_ctx *, struct peer *, const uint8_t *,
	    size_t);

/*
 * The rules for a frame the kernel wrote into the TAP for the peers:
 * neighbour and router discovery stays local.  Returns 0 if it may be
 * sent, or -1 (counted as ndp against the interface).
 */
int	 filter_to_peers(struct tm_ctx *, const uint8_t *, size_t);

#endif
