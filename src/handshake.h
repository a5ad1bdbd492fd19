/*
 * tapmesh's handshake messages: Noise IK (noise.c) wrapped with session
 * indices, mac1/mac2 and a cookie mechanism against handshake floods,
 * in the manner of WireGuard.
 *
 * Everything here is a pure function of its arguments: no sockets, no
 * clock (times are parameters), no global state, so a daemon with many
 * peers keeps one struct handshake per handshake in flight and calls in
 * from its event loop.  Every input is checked for exact length, type and
 * reserved bytes before any cryptography, and mac1 is checked before any
 * Diffie-Hellman, so garbage costs one keyed hash at most.
 *
 * The message layouts, mac1/mac2, cookies and the order of checks are
 * written once, in PROTOCOL at the top of the tree (section 2; the Noise
 * pattern in section 3): a change here must be made there.  The sizes
 * are HANDSHAKE_INITIATION_LEN, HANDSHAKE_RESPONSE_LEN and
 * HANDSHAKE_COOKIE_REPLY_LEN; all multi-byte integers are little-endian.
 *
 * Two Noise protocols, chosen by the pair's configuration: without a
 * pre-shared key Noise_IK_25519_ChaChaPoly_BLAKE2s, byte for byte the
 * handshake of every earlier version, so that a mesh can be upgraded one
 * node at a time; with one Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, the key
 * ending message 2 as in WireGuard.  HANDSHAKE_HDR_PSK in byte 1 of both
 * messages says which, so that the responder knows how to read message 1
 * before it reads it (older nodes require the byte to be zero and drop a
 * psk initiation, as they have no pre-shared key).  The Noise prologue,
 * HANDSHAKE_PROLOGUE, is the same for both: the protocol name already
 * separates them.
 */
#ifndef TAPMESH_HANDSHAKE_H
#define TAPMESH_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "aead.h"
#include "noise.h"
#include "wire.h"

#define HANDSHAKE_PROLOGUE		"tapmesh v1"

/* Byte 1 of an initiation or response: Noise_IKpsk2 (else Noise_IK). */
#define HANDSHAKE_HDR_PSK		0x01

#define HANDSHAKE_KEY_LEN		32
#define HANDSHAKE_TAI64N_LEN		12
#define HANDSHAKE_MAC_LEN		16
#define HANDSHAKE_COOKIE_LEN		16
#define HANDSHAKE_COOKIE_NONCE_LEN	12
#define HANDSHAKE_COOKIE_SECRET_LIFE	120	/* seconds */

#define HANDSHAKE_FLAG_AES		0x00000001u
#define HANDSHAKE_FLAG_CSUM_PARTIAL	0x00000002u
#define HANDSHAKE_FLAGS_KNOWN		(HANDSHAKE_FLAG_AES | \
					 HANDSHAKE_FLAG_CSUM_PARTIAL)

#define HANDSHAKE_INIT_PAYLOAD_LEN	(HANDSHAKE_TAI64N_LEN + 4)
#define HANDSHAKE_RESP_PAYLOAD_LEN	4

#define HANDSHAKE_INITIATION_LEN	(8 + \
	NOISE_IK_MSG1_LEN(HANDSHAKE_INIT_PAYLOAD_LEN) + 2 * HANDSHAKE_MAC_LEN)
#define HANDSHAKE_RESPONSE_LEN		(12 + \
	NOISE_IK_MSG2_LEN(HANDSHAKE_RESP_PAYLOAD_LEN) + 2 * HANDSHAKE_MAC_LEN)
#define HANDSHAKE_COOKIE_REPLY_LEN	(8 + HANDSHAKE_COOKIE_NONCE_LEN + \
	HANDSHAKE_COOKIE_LEN + NOISE_TAGLEN)

#define HANDSHAKE_INITIATION_MAC1_OFF	(HANDSHAKE_INITIATION_LEN - \
	2 * HANDSHAKE_MAC_LEN)
#define HANDSHAKE_RESPONSE_MAC1_OFF	(HANDSHAKE_RESPONSE_LEN - \
	2 * HANDSHAKE_MAC_LEN)

/*
 * Results.  Every function returns HANDSHAKE_OK (0) or one of these
 * negative values, so the daemon can count refusals by cause.
 */
#define HANDSHAKE_OK		0
#define HANDSHAKE_ERR_LENGTH	-1	/* wrong size for its type */
#define HANDSHAKE_ERR_TYPE	-2	/* wrong type, non-zero reserved */
#define HANDSHAKE_ERR_MAC1	-3	/* mac1 does not verify */
#define HANDSHAKE_ERR_MAC2	-4	/* no valid mac2 (cookie) */
#define HANDSHAKE_ERR_INDEX	-5	/* receiver index is not ours */
#define HANDSHAKE_ERR_STATE	-6	/* not expected in this state */
#define HANDSHAKE_ERR_AUTH	-7	/* Noise decryption failed */
#define HANDSHAKE_ERR_PAYLOAD	-8	/* decrypted payload invalid */
#define HANDSHAKE_ERR_CRYPTO	-9	/* local failure: OpenSSL, RNG */
#define HANDSHAKE_ERR_PSK	-10	/* psk use differs from the peer's */

/* The local identity, with the keys derived from it computed once. */
struct handshake_local {
	uint8_t		 priv[HANDSHAKE_KEY_LEN];
	uint8_t		 pub[HANDSHAKE_KEY_LEN];
	uint8_t		 mac1_key[HANDSHAKE_KEY_LEN];	/* messages to us */
	uint8_t		 cookie_key[HANDSHAKE_KEY_LEN];	/* replies we send */
};

/*
 * A remote peer's public identity, same idea, and the pre-shared key
 * shared with it, if any (has_psk; the handshake is then IKpsk2).
 */
struct handshake_peer {
	uint8_t		 pub[HANDSHAKE_KEY_LEN];
	uint8_t		 mac1_key[HANDSHAKE_KEY_LEN];	/* messages to it */
	uint8_t		 cookie_key[HANDSHAKE_KEY_LEN];	/* its replies */
	uint8_t		 psk[HANDSHAKE_KEY_LEN];	/* secret */
	int		 has_psk;
};

/* The responder's rotating cookie secret.  Zero-initialise it. */
struct handshake_cookie_secret {
	uint8_t		 secret[HANDSHAKE_KEY_LEN];
	uint64_t	 created;	/* seconds, the caller's clock */
	int		 valid;
};

enum handshake_stage {
	HANDSHAKE_STAGE_NONE = 0,
	HANDSHAKE_STAGE_INITIATION_SENT,	/* initiator, awaiting response */
	HANDSHAKE_STAGE_INITIATION_CONSUMED,	/* responder */
	HANDSHAKE_STAGE_RESPONSE_SENT,		/* responder, keys ready */
	HANDSHAKE_STAGE_RESPONSE_CONSUMED,	/* initiator, keys ready */
};

/* One handshake in flight, on either side. */
struct handshake {
	struct noise_handshake	 noise;
	enum handshake_stage	 stage;
	uint32_t		 local_index;
	uint32_t		 remote_index;
	uint32_t		 offered_flags;	/* initiator's flags */
	enum aead_alg		 alg;		/* after the response */
	int			 csum_partial;	/* likewise */
	uint8_t			 remote_pub[HANDSHAKE_KEY_LEN];
	uint8_t			 sent_mac1[HANDSHAKE_MAC_LEN];
};

/* What the responder learns from a valid initiation. */
struct handshake_initiation_info {
	uint8_t		 peer_pub[HANDSHAKE_KEY_LEN];
	uint8_t		 timestamp[HANDSHAKE_TAI64N_LEN];
	uint32_t	 sender_index;
	uint32_t	 flags;
	int		 psk;		/* Noise_IKpsk2 (HANDSHAKE_HDR_PSK) */
};

/* The result of a completed handshake: one session's keys. */
struct handshake_keys {
	uint8_t		 send[HANDSHAKE_KEY_LEN];
	uint8_t		 recv[HANDSHAKE_KEY_LEN];
	enum aead_alg	 alg;
	int		 csum_partial;	/* both take partial checksums */
	uint32_t	 local_index;	/* put in data we receive */
	uint32_t	 remote_index;	/* put in data we send */
	uint8_t		 hash[NOISE_HASHLEN];	/* Noise handshake hash */
};

/* A short description of a HANDSHAKE_* result, for logs. */
const char	*handshake_strerror(int);

/* Derives the public and helper keys of the local private key. */
int	 handshake_local_init(struct handshake_local *,
	    const uint8_t [HANDSHAKE_KEY_LEN]);

/* Derives the helper keys of a peer's public key; no pre-shared key. */
int	 handshake_peer_init(struct handshake_peer *,
	    const uint8_t [HANDSHAKE_KEY_LEN]);

/*
 * Sets the pre-shared key (HANDSHAKE_KEY_LEN bytes) mixed into
 * handshakes with the peer, which makes them Noise_IKpsk2, or with NULL
 * goes back to none (plain Noise_IK).  Both sides must agree: a responder
 * refuses an initiation that uses a pre-shared key when it has none for
 * the peer, or the reverse (HANDSHAKE_ERR_PSK), and two different keys
 * make the initiator refuse the response (HANDSHAKE_ERR_AUTH), leaving
 * the responder's keys unconfirmed.
 */
void	 handshake_peer_set_psk(struct handshake_peer *, const uint8_t *);

/* Wipes the local identity. */
void	 handshake_local_clear(struct handshake_local *);

/*
 * Encodes seconds and nanoseconds since the Unix epoch as TAI64N (the
 * 2^62 + 10 label, big-endian, then big-endian nanoseconds, clamped to
 * 999999999).  Big-endian so that byte order is time order.
 */
void	 handshake_tai64n(uint8_t [HANDSHAKE_TAI64N_LEN], uint64_t,
	    uint32_t);

/*
 * Returns 1 if TAI64N timestamp a is strictly later than b, 0 otherwise.
 * The responder refuses an initiation whose timestamp is not later than
 * the last one it accepted from that peer: that is what stops a replayed
 * initiation.
 */
int	 handshake_tai64n_after(const uint8_t [HANDSHAKE_TAI64N_LEN],
	    const uint8_t [HANDSHAKE_TAI64N_LEN]);

/*
 * Initiator: starts a handshake with peer, writing the initiation to out.
 * sender_index is the local index the daemon picked for the session; the
 * time (seconds, nanoseconds since the epoch) becomes the timestamp;
 * flags are the HANDSHAKE_FLAG_* bits this side offers (AES: it prefers
 * AES-256-GCM; CSUM_PARTIAL: it takes partial checksums, because its TAP
 * has offloads); cookie is the peer's last cookie if it is
 * fresh (less than HANDSHAKE_COOKIE_SECRET_LIFE seconds old), else NULL.
 * hs is overwritten.
 */
int	 handshake_create_initiation(struct handshake *,
	    const struct handshake_local *, const struct handshake_peer *,
	    uint32_t, uint64_t, uint32_t, uint32_t, const uint8_t *,
	    uint8_t [HANDSHAKE_INITIATION_LEN]);

/*
 * Checks the type, exact length, reserved bytes and mac1 of an initiation
 * or response addressed to local, without any DH.
 */
int	 handshake_check_mac1(const struct handshake_local *, const uint8_t *,
	    size_t);

/*
 * Checks the mac2 of an initiation or response (whose mac1 was checked)
 * against the cookie for the source address and port, with the secret as
 * it is at time now.  HANDSHAKE_ERR_MAC2 if there is no valid mac2 or the
 * secret expired: answer with a cookie reply.
 */
int	 handshake_check_mac2(const struct handshake_cookie_secret *,
	    uint64_t, const uint8_t *, size_t, uint16_t, const uint8_t *,
	    size_t);

/*
 * Writes a cookie reply to an initiation or response msg (mac1 verified
 * again here) received from address/port.  Replaces the cookie secret
 * with a fresh random one if it is missing or older than
 * HANDSHAKE_COOKIE_SECRET_LIFE at time now.
 */
int	 handshake_create_cookie_reply(const struct handshake_local *,
	    struct handshake_cookie_secret *, uint64_t, const uint8_t *,
	    size_t, uint16_t, const uint8_t *, size_t,
	    uint8_t [HANDSHAKE_COOKIE_REPLY_LEN]);

/*
 * Decrypts a cookie reply from peer answering the last handshake message
 * we sent it: its receiver index must be local_index (the sender_index
 * of that message) and its AD is that message's mac1 (struct
 * handshake's sent_mac1; the daemon keeps a copy per peer, since the
 * handshake state itself is wiped once keys are derived).  The daemon
 * keeps the cookie with the time it arrived and passes it to the next
 * create_initiation / create_response while fresh.
 */
int	 handshake_consume_cookie_reply(const struct handshake_peer *,
	    uint32_t, const uint8_t [HANDSHAKE_MAC_LEN], const uint8_t *,
	    size_t, uint8_t [HANDSHAKE_COOKIE_LEN]);

/*
 * Responder: processes an initiation addressed to local (length, type,
 * mac1, then Noise, IK or IKpsk2 as byte 1 says).  On success hs holds
 * the responder's state and info the initiator's static public key (to
 * look the peer up; unknown keys must be dropped), its timestamp (compare
 * with handshake_tai64n_after), its sender index, flags and whether it
 * uses a pre-shared key.  On failure hs is wiped.
 */
int	 handshake_consume_initiation(struct handshake *,
	    const struct handshake_local *, const uint8_t *, size_t,
	    struct handshake_initiation_info *);

/*
 * Responder: writes the response for a consumed initiation.  peer must be
 * the initiator's (checked against the key in hs), sender_index the local
 * index picked for the session.  The cipher is AES-256-GCM only if both
 * the initiator and flags (HANDSHAKE_FLAG_*, as for the initiation) want
 * it, and partial checksums are agreed only if both offer them.  cookie
 * as for the initiation.  HANDSHAKE_ERR_PSK, before any cryptography,
 * if the initiation used a pre-shared key and peer has none, or the
 * reverse: no downgrade to plain IK for a pair configured with one.
 * Afterwards handshake_derive_keys() may be called; the initiator only
 * confirms the session by sending data, so the daemon should not send
 * data with these keys before receiving some.
 */
int	 handshake_create_response(struct handshake *,
	    const struct handshake_peer *, uint32_t, uint32_t, const uint8_t *,
	    uint8_t [HANDSHAKE_RESPONSE_LEN]);

/*
 * Initiator: processes a response addressed to local for the handshake hs
 * (found by the daemon through the receiver index, which is checked
 * again).  A refused response leaves hs as it was, so a forged response
 * cannot break a handshake in flight; a second response is refused.
 */
int	 handshake_consume_response(struct handshake *,
	    const struct handshake_local *, const uint8_t *, size_t);

/*
 * Derives the session keys of a completed handshake (response sent or
 * consumed) from Noise's Split(), then wipes hs.
 */
int	 handshake_derive_keys(struct handshake *, struct handshake_keys *);

/* Wipes a handshake state / a set of session keys. */
void	 handshake_clear(struct handshake *);
void	 handshake_keys_clear(struct handshake_keys *);

#endif
