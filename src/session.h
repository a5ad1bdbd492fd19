/*
 * Sessions: the keypairs that Noise IK handshakes with each peer yield,
 * and the driving of our own handshakes.  The handshake messages
 * themselves are built and checked in handshake.c; receive.c takes the
 * answers, send.c seals data under the current keypair, timers.c decides
 * when a handshake, a rekey or a keypair's end is due.
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
#include "handshake.h"
#include "index.h"
#include "key.h"
#include "replay.h"

struct tm_ctx;
struct peer;

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
	uint8_t			 peer_key[KEY_LEN]; /* that authenticated */
	int			 hinted;	/* unconfirmed: logged */
};

/* The session's time limits, from the configuration, in nanoseconds. */
uint64_t session_rekey_ns(const struct tm_ctx *);
uint64_t session_reject_ns(const struct tm_ctx *);
uint64_t session_retry_ns(const struct tm_ctx *);

/*
 * Sets up the local identity from the configured private key, the index
 * table and the cipher preference.  Returns 0 or -1 (logged).
 */
int	 session_init(struct tm_ctx *);

/*
 * Prepares a peer's public identities (one per public key of its file)
 * with its pre-shared key; again after a reload changed them.  0 or -1
 * (logged).
 */
int	 session_peer_init(struct peer *);

/*
 * Logs, rate-limited per peer, that what went wrong in a handshake with
 * the peer and that a pre-shared key mismatch is the likely cause.
 */
void	 session_psk_hint(struct peer *, const char *);

/*
 * Which of the peer's configured public keys authenticated kp: 0, 1, or
 * -1 (kp NULL, or its key is no longer configured).
 */
int	 session_key_index(const struct peer *, const struct keypair *);

/* Ends every session of the peer and wipes its keys (peer removal). */
void	 session_peer_free(struct tm_ctx *, struct peer *);

/* Applies the configured cipher preference to future handshakes. */
void	 session_set_cipher(struct tm_ctx *);

/* Wipes every key and frees every keypair. */
void	 session_free(struct tm_ctx *);

/*
 * What this side offers in a handshake (HANDSHAKE_FLAG_*): its cipher
 * preference, and partial checksums if its TAP has offloads.
 */
uint32_t session_hs_flags(const struct tm_ctx *);

/* The cookie to put in the next handshake message to p, or NULL. */
const uint8_t *session_cookie(const struct peer *, uint64_t now);

/*
 * Makes a new initiation to the peer into msg (a retry tries the other
 * key of a rollover) and counts it as sent; send_initiation sends it.
 * Returns 0, or -1 (logged) when none could be made.
 */
int	 session_initiation(struct tm_ctx *, struct peer *, uint64_t now,
	    int retry, uint8_t msg[HANDSHAKE_INITIATION_LEN]);

/*
 * Something changed that may make an unanswering peer answer: traffic
 * for it, a new address or endpoint.  Its back-off starts again, so the
 * next retry is due at most the retry time after the last one.
 */
void	 session_kick(struct peer *);

/* Forgets our initiation in flight: a session came up without it. */
void	 session_abandon(struct tm_ctx *, struct peer *);

/* A keypair without keys yet; its index is not linked.  NULL: logged. */
struct keypair *keypair_new(struct peer *, int initiator, uint64_t now);

/* Sets the keypair's AEAD keys from a handshake; 0 or -1 (logged). */
int	 keypair_set_keys(struct keypair *, const struct handshake_keys *);

/* Unlinks the keypair's index, wipes its keys and frees it; NULL is ok. */
void	 keypair_free(struct tm_ctx *, struct keypair *);

/*
 * Our initiation was answered with keys: kp becomes the current keypair
 * (the current one the previous), the peer is up.
 */
void	 session_established(struct tm_ctx *, struct peer *,
	    struct keypair *, uint64_t);

/*
 * The responder's keypair kp_next is confirmed by the first data that
 * it decrypts: it becomes the current one.  Nothing for another kp.
 */
void	 session_confirm(struct tm_ctx *, struct peer *, struct keypair *,
	    uint64_t);

/* Drops a keypair older than REJECT; kpp is then NULL. */
void	 keypair_expire(struct tm_ctx *, struct keypair **, uint64_t);

/* The peer is up: authenticated traffic arrived (neighbours installed). */
void	 session_peer_up(struct tm_ctx *, struct peer *);

/* The peer is down: nothing authenticated arrived for dead_time. */
void	 session_peer_down(struct tm_ctx *, struct peer *, uint64_t);

#endif
