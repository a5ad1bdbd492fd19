/*
 * Underlay paths: a peer may have several configured endpoints (e.g. two
 * Internet lines), each with a priority.  While a session is up every
 * path is probed on its own with small authenticated messages inside the
 * session; a path whose last three probes went unanswered is down.
 * Traffic uses the preferred live path, moves to the next one when it
 * fails (no new handshake, the peer does not go down), and moves back
 * to a better path only after it has stayed up for the hold-down time.
 * Without any live configured path, traffic goes to the learned path:
 * where the peer was heard from (a peer behind NAT, or one that changed
 * its address).
 *
 * An endpoint may name its host (hostname.c): the path has no address
 * ("unresolved", neither probed nor tried) until the name resolves, and
 * moves to a new address when a later lookup finds one.  Two endpoints
 * may lead to one address from two local sources (two uplinks); the
 * path being probed, else the active one, picks the source.
 *
 * A peer behind NATs with two uplinks is heard from two addresses (two
 * mappings) that are none of our configured paths.  Every address heard
 * from is kept (a few, the least recently heard replaced first) with
 * what the peer's probes arriving from it said: which of its paths it
 * is, and whether the peer currently sends on it (its active path).  The
 * learned path in use follows the peer's active path: a packet from an
 * address the peer calls a backup does not move traffic while the
 * address in use was heard from within PATH_MISSED_DOWN probe intervals,
 * so the backup's probes cannot drag traffic over; when the peer fails
 * over, its first packet from the new path (a probe saying "active", or
 * data once the old address went quiet) moves traffic there.  Both ends
 * should use the same probe_interval.
 *
 * A probe is a data message whose plaintext is PROBE_LEN bytes, shorter
 * than any Ethernet frame: u8 kind (request / reply), u8 path index,
 * le32 sequence, u8 flags (requests: PROBE_F_ACTIVE when the path is
 * the sender's active one; zero in replies), 2 zero bytes.  A reply goes
 * back to the request's source address, whichever path is active.
 */
#ifndef TAPMESH_PATH_H
#define TAPMESH_PATH_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct tm_ctx;
struct peer;
struct path;

#define PROBE_LEN		9
#define PROBE_REQUEST		1
#define PROBE_REPLY		2
#define PATH_MISSED_DOWN	3
#define PROBE_FLAGS_OFF		6
#define PROBE_F_ACTIVE		0x01	/* the sender's active path */

/* Sets the peer's paths from its configured endpoints. */
void	 path_init(struct peer *);

/* Probes due paths and picks the active one (session established). */
void	 path_tick(struct tm_ctx *, struct peer *, uint64_t);

/* Handles a decrypted probe from the peer, received from from. */
void	 path_probe_recv(struct tm_ctx *, struct peer *, const uint8_t *,
	    const struct sockaddr_in6 *, uint64_t);

/*
 * An authenticated packet other than a probe came from from: remembers
 * it as the learned path, and uses it at once when no configured path is
 * known to work.
 */
void	 path_heard(struct tm_ctx *, struct peer *,
	    const struct sockaddr_in6 *, uint64_t);

/*
 * Where the next handshake goes: the active path, or, when retrying
 * without a session, the next configured endpoint in turn.  Returns 0,
 * or -1 if the peer has no address at all.
 */
int	 path_handshake_target(struct peer *, int, struct sockaddr_in6 *);

/*
 * The largest Ethernet frame (header included) the active path carries
 * in one underlay packet, or 0 when its MTU is unknown (the TAP's MTU is
 * then the only limit, and the kernel fragments the underlay packet if
 * it must).
 */
int	 path_frame_limit(const struct peer *);

/*
 * The kernel learned (ICMP "fragmentation needed" / "packet too big")
 * that the underlay to dst carries at most mtu bytes: every path to that
 * address takes the smaller MTU.
 */
void	 path_mtu_learned(struct tm_ctx *, const struct sockaddr_in6 *, int);

/*
 * The local address datagrams to to leave from, when the configured path
 * to it names one (two uplinks on one host), else NULL.
 */
const struct in6_addr *path_source(const struct peer *,
	    const struct sockaddr_in6 *);

/*
 * The endpoint host name of path i now resolves to sa: the path moves
 * there (logged), and probing goes on at the new address.
 */
void	 path_set_address(struct tm_ctx *, struct peer *, size_t,
	    const struct sockaddr_in6 *);

/*
 * The state of a path as shown: "up", "down", "untried", or
 * "unresolved" (a host name without an address yet).
 */
const char *path_state(const struct path *);

#endif
