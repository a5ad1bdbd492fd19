/*
 * Path probes: while a session is up every configured path of a peer is
 * probed on its own, every probe_interval, with a small authenticated
 * data message; a path whose last PATH_MISSED_DOWN probes went
 * unanswered is down, one that answers is up again (path.h decides
 * which path carries the traffic).
 *
 * A probe's plaintext is PROBE_LEN bytes, shorter than any Ethernet
 * frame: u8 kind (request / reply), u8 path index, le32 sequence, u8
 * flags (requests: PROBE_F_ACTIVE when the path is the sender's active
 * one; requests and replies: PROBE_F_RELAY when the sender offers to
 * relay), 2 zero bytes.  A reply goes back to the
 * request's source address, whichever path is active.
 */
#ifndef TAPMESH_PROBE_H
#define TAPMESH_PROBE_H

#include <netinet/in.h>
#include <stdint.h>

struct tm_ctx;
struct peer;

#define PROBE_LEN		9
#define PROBE_REQUEST		1
#define PROBE_REPLY		2
#define PROBE_FLAGS_OFF		6
#define PROBE_F_ACTIVE		0x01	/* the sender's active path */
#define PROBE_F_RELAY		0x02	/* the sender offers to relay */
/* Path indices of the paths that are not configured endpoints. */
#define PROBE_PATH_RELAY	0xff	/* through the relay */
#define PROBE_PATH_LEARNED	0xfe	/* the learned path, hole punching */

/* Probes the peer's due paths and picks the active one. */
void	 probe_tick(struct tm_ctx *, struct peer *, uint64_t);

/*
 * Handles a decrypted probe (PROBE_LEN bytes) from the peer, from from
 * (NULL: it came through a relay).
 */
void	 probe_recv(struct tm_ctx *, struct peer *, const uint8_t *,
	    const struct sockaddr_in6 *, uint64_t);

/*
 * Hole punching: sends the due probe of the round a relay started (to
 * where it sees the peer), while the peer is reached through a relay.
 */
void	 probe_punch(struct tm_ctx *, struct peer *, uint64_t);

/* How long an address the peer was heard from counts as in use. */
uint64_t probe_fresh_ns(const struct tm_ctx *);

#endif
