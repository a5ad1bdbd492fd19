/*
 * The secure channel: Noise IK handshakes with each peer, the keypairs
 * they yield, encryption and decryption of data messages, rekeying,
 * keepalives and liveness.
 *
 * A peer is "up" from its first authenticated packet until nothing
 * authenticated has arrived from it for dead_time; the neighbour entries
 * follow (PERMANENT / FAILED).  Keys are renewed every rekey_time by
 * whichever side initiated the current session (the other side steps in
 * a quarter later if that did not happen); the old keypair keeps
 * decrypting until it expires, so packets in flight at the switch are not
 * lost.  A keypair is never used after REJECT (1.5 x rekey_time) or near
 * the counter limit.
 */
#ifndef TAPMESH_SESSION_H
#define TAPMESH_SESSION_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "aead.h"
#include "index.h"
#include "replay.h"

struct tm_ctx;
struct peer;

/* How often the liveness and rekey timers are looked at. */
#define SESSION_TICK_MS		100
/* Retry a handshake that got no answer after this long (at most). */
#define SESSION_RETRY_MS	5000
/* Begin a rekey after this many messages: far below the replay limit. */
#define SESSION_REKEY_MESSAGES	(1ULL << 60)

struct keypair {
	struct index_entry	 index;		/* ours, in data we receive */
	struct peer		*peer;
	struct aead_key		 send;
	struct aead_key		 recv;
	struct replay		 replay;
	uint64_t		 send_counter;
	uint32_t		 remote_index;	/* theirs, in data we send */
	uint64_t		 created_ns;
	int			 initiator;
	int			 csum_partial;	/* agreed in the handshake */
};

/*
 * Sets up the local identity from the configured private key, the index
 * table and the tick timer.  Returns 0 or -1 (logged).
 */
int	 session_init(struct tm_ctx *);

/* Prepares a peer's public identity; 0 or -1 (logged). */
int	 session_peer_init(struct peer *);

/* Ends every session of the peer and wipes its keys (peer removal). */
void	 session_peer_free(struct tm_ctx *, struct peer *);

/* Applies the configured cipher preference to future handshakes. */
void	 session_set_cipher(struct tm_ctx *);

/* Wipes every key and frees every keypair. */
void	 session_free(struct tm_ctx *);

/*
 * Encrypts the frame (flen bytes; 0 for a keepalive) for the peer and
 * sends it.  Returns 0, or -1 when it was dropped (and counted); a
 * missing session starts a handshake.
 */
int	 session_send(struct tm_ctx *, struct peer *, const uint8_t *,
	    size_t);

/* The same, to a given underlay address (path probes). */
int	 session_send_to(struct tm_ctx *, struct peer *,
	    const struct sockaddr_in6 *, const uint8_t *, size_t);

/*
 * session_send for a TCP segment whose checksum is partial: the field at
 * csum_start + 16 holds the pseudo-header sum, as the kernel leaves it
 * for offload.  It is sent as it is, flagged WIRE_DATA_CSUM_PARTIAL, if
 * the session agreed on partial checksums, else its checksum is finished
 * here first.
 */
int	 session_send_partial(struct tm_ctx *, struct peer *, uint8_t *,
	    size_t, size_t);

/*
 * While ctx->txq_active is set, session_send and session_send_to only
 * seal and queue data messages; session_flush sends the queue, runs of
 * equal-sized datagrams to one destination as one UDP GSO message.  It
 * runs by itself when the queue is full, and must run before the event
 * callback that set txq_active returns.
 */
void	 session_flush(struct tm_ctx *);

/*
 * Processes one datagram of any message type, in place.  Returns the
 * sending peer when the datagram was an authentic data message carrying
 * a frame, with *frame and *flen set to the decrypted frame and *partial
 * to whether its TCP checksum was left partial (WIRE_DATA_CSUM_PARTIAL);
 * NULL when it was consumed (handshake, keepalive) or dropped (and
 * counted).
 */
struct peer *session_recv(struct tm_ctx *, uint8_t *, size_t,
	    const struct sockaddr_in6 *, uint8_t **, size_t *, int *);

/* Timer callback: handshakes, rekeys, keepalives, dead peers. */
void	 session_tick(void *);

#endif
