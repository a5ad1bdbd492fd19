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
 * PROTOCOL, at the top of the tree, describes the whole wire format in
 * one place; a change here must be made there too.
 *
 * All multi-byte integers are little-endian.  Layouts (offset, size):
 *
 * Initiation, type 1, HANDSHAKE_INITIATION_LEN = 152 bytes:
 *	0	1	type = 1
 *	1	3	reserved, zero
 *	4	4	sender_index (the initiator's index for this session)
 *	8	32	Noise: initiator ephemeral public key
 *	40	48	Noise: initiator static public key, encrypted (32 + 16)
 *	88	32	Noise: payload, encrypted (16 + 16):
 *			  12 TAI64N timestamp, le32 flags
 *			  (bit 0: the initiator prefers AES-256-GCM;
 *			  bit 1: it takes data frames whose TCP checksum
 *			  is left partial, see wire.h; other bits are
 *			  ignored, for later extensions)
 *	120	16	mac1
 *	136	16	mac2
 *
 * Response, type 2, HANDSHAKE_RESPONSE_LEN = 96 bytes:
 *	0	1	type = 2
 *	1	3	reserved, zero
 *	4	4	sender_index (the responder's index)
 *	8	4	receiver_index (the initiator's sender_index)
 *	12	32	Noise: responder ephemeral public key
 *	44	20	Noise: payload, encrypted (4 + 16): le32 flags, the
 *			  data cipher the responder chose (bit 0 set:
 *			  AES-256-GCM, clear: ChaCha20-Poly1305); bit 1
 *			  if both sides take partial TCP checksums (only
 *			  when the initiator offered it); no other bit
 *			  may be set
 *	64	16	mac1
 *	80	16	mac2
 *
 * Cookie reply, type 3, HANDSHAKE_COOKIE_REPLY_LEN = 52 bytes:
 *	0	1	type = 3
 *	1	3	reserved, zero
 *	4	4	receiver_index (the sender_index of the answered message)
 *	8	12	nonce, random
 *	20	32	cookie, encrypted (16 + 16) with ChaCha20-Poly1305,
 *			  key BLAKE2s-256("cookie--" || replier's static
 *			  public key), AD the mac1 of the answered message
 *
 * Data, type 4: see wire.h.
 *
 * mac1 = BLAKE2s-128 keyed with BLAKE2s-256("mac1----" || receiver's
 * static public key), over all bytes before mac1.  Anyone who knows the
 * receiver's public key can compute it; it makes the receiver drop
 * messages not meant for it without doing any DH.
 *
 * mac2 = BLAKE2s-128 keyed with the cookie, over all bytes before mac2,
 * or 16 zero bytes when the sender holds no fresh cookie.  A responder
 * under load only processes messages whose mac2 proves that the sender
 * can receive at its source address, and answers the others with a
 * cookie reply.
 *
 * cookie = BLAKE2s-128 keyed with a random secret of the responder,
 * replaced every HANDSHAKE_COOKIE_SECRET_LIFE seconds, over the source
 * address bytes (4 or 16) followed by the source port (big-endian).
 *
 * The Noise protocol is Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s: the peer's
 * pre-shared key, or 32 zero bytes without one, ends message 2, as in
 * WireGuard.  The Noise prologue is HANDSHAKE_PROLOGUE, binding the
 * handshake to this protocol and version (v1 spoke Noise_IK, without the
 * psk token; the two do not interoperate).
 */
#ifndef TAPMESH_HANDSHAKE_H
#define TAPMESH_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "aead.h"
#include "noise.h"
#include "wire.h"

#define HANDSHAKE_PROLOGUE		"tapmesh v2"

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

/* The local identity, with the keys derived from it computed once. */
struct handshake_local {
	uint8_t		 priv[HANDSHAKE_KEY_LEN];
	uint8_t		 pub[HANDSHAKE_KEY_LEN];
	uint8_t		 mac1_key[HANDSHAKE_KEY_LEN];	/* messages to us */
	uint8_t		 cookie_key[HANDSHAKE_KEY_LEN];	/* replies we send */
};

/*
 * A remote peer's public identity, same idea, and the pre-shared key
 * shared with it (all zeros when there is none).
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
 * handshakes with the peer, or with NULL goes back to none (zeros).
 * Both sides must agree: a mismatch makes the initiator refuse the
 * response (HANDSHAKE_ERR_AUTH) and leaves the responder's keys
 * unconfirmed.
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
 * mac1, then Noise).  On success hs holds the responder's state and info
 * the initiator's static public key (to look the peer up; unknown keys
 * must be dropped), its timestamp (compare with handshake_tai64n_after),
 * its sender index and flags.  On failure hs is wiped.
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
 * as for the initiation.
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
