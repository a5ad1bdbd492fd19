/*
 * Relaying through a peer, and the hole punching it makes possible.
 *
 * A node with `relay = true` says so in the flags of every path probe it
 * sends (PROBE_F_RELAY).  Its peers keep, for every other peer B, a
 * relay that can reach B: a peer that offers to relay, is up and reached
 * directly itself, chosen by the round-trip time of its path.  The
 * relay is B's last-resort path (PATH_RELAY in path.h): traffic takes it
 * when no direct path to B works, handshakes included.
 *
 * The end-to-end message to B (a handshake message, or a data message
 * sealed for B by this node) travels as the plaintext of a relay message
 * (wire.h, WIRE_DATA_RELAY) sealed under the session with the relay; the
 * relay opens it, checks that the target is a peer it has a live direct
 * session with and that the source is within its forwarding rate, and
 * seals it again under its session with B.  A relayed message is never
 * relayed again: an end-to-end data message that carries the relay flag
 * is refused, by the relay and by the receiver.
 *
 * The relay also tells both ends of a pair it forwards for where it sees
 * the other one (WIRE_RELAY_ENDPOINT), in rounds further and further
 * apart.  Both then probe that address at once; a NAT that keeps the
 * source port lets the probes through, the address becomes the peer's
 * learned path, and traffic moves to it.
 */
#ifndef TAPMESH_RELAY_H
#define TAPMESH_RELAY_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "relaystate.h"
#include "wire.h"

struct tm_ctx;
struct peer;

/* A failed relay is not chosen again for that peer before this long. */
#define RELAY_FAIL_HOLD_MS	30000
/*
 * Hole punching goes in rounds.  A NAT that receives a probe before its
 * own side's probe left keeps a conntrack entry for it (Linux: 30 s for
 * unanswered UDP), and maps its side's probe to another port while it
 * lasts; the round failed.  So a relay starts a round (tells both ends
 * at once) only when both ends have sent data through it, and the next
 * one after RELAY_ROUND_FIRST_MS, doubling up to RELAY_ROUND_MAX_MS: in
 * between nobody probes, and what a failed round left behind expires.
 */
#define RELAY_ROUND_FIRST_MS	40000
#define RELAY_ROUND_MAX_MS	640000
/* Data both ways within this long makes a pair worth a round. */
#define RELAY_PAIR_ACTIVE_MS	5000
/* A round: this many probes, this far apart, the first one at once. */
#define RELAY_PUNCH_BURST	3
#define RELAY_PUNCH_GAP_MS	250
/* The underlay MTU a relayed path is taken to have while it is unknown. */
#define RELAY_ASSUMED_MTU	1500
/* Each forwarded message costs at least this many bytes of the budget. */
#define RELAY_MIN_CHARGE	256

/* The peer of that id (WIRE_RELAY_ID_LEN bytes), or NULL. */
struct peer *relay_find_by_id(const struct tm_ctx *, const uint8_t *);

/* Whether p offers to relay (its latest probe said so, recently). */
int	 relay_offers(const struct tm_ctx *, const struct peer *, uint64_t);


/*
 * Picks the relay that reaches p (the one in use while it works, else
 * the live relay with the lowest round-trip time).
 */
void	 relay_tick(struct tm_ctx *, struct peer *, uint64_t,
	    size_t offered);

/*
 * How many peers offer to relay now: relay_tick's offered, counted once
 * per timer tick, so that a hub with thousands of peers and no relay
 * does not look at every peer for every peer.
 */
size_t	 relay_offered(const struct tm_ctx *, uint64_t);

/*
 * Something authenticated from p came through relay r: r is p's relay
 * if it has none yet.
 */
void	 relay_heard_via(struct tm_ctx *, struct peer *, struct peer *,
	    uint64_t);

/*
 * A relay message (pt, len bytes, the plaintext of a data message from
 * hop, under the outer TOS tos) arrived.  Forwards it, or takes in what a
 * relay told.  Returns 1 when it delivers an end-to-end message: *src is
 * its sender, *msg and *mlen the message; else 0 (anything refused is
 * counted).
 */
int	 relay_input(struct tm_ctx *, struct peer *hop, uint8_t *pt,
	    size_t len, uint8_t tos, uint64_t now, struct peer **src,
	    uint8_t **msg, size_t *mlen);

/*
 * The largest frame a relayed path to p carries in one underlay packet:
 * from the MTU of the path to the relay, taken to be RELAY_ASSUMED_MTU
 * while unknown.
 */
int	 relay_frame_limit(const struct peer *);

/* Forgets peer gone (a reload removed it) wherever it is referred to. */
void	 relay_forget(struct tm_ctx *, const struct peer *gone);

#endif
