/*
 * The Noise Protocol Framework (revision 34), restricted to the two
 * protocols tapmesh needs: Noise_IK_25519_ChaChaPoly_BLAKE2s and
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s (the handshake speaks the former
 * between peers without a pre-shared key, the latter, as WireGuard does,
 * between peers with one).
 *
 *   IK:                       IKpsk2:
 *     <- s                      <- s
 *     ...                       ...
 *     -> e, es, s, ss           -> e, es, s, ss
 *     <- e, ee, se              <- e, ee, se, psk
 *
 * With psk2 every "e" token also runs MixKey(e), and the psk token runs
 * MixKeyAndHash(psk) (sections 9.2 and 5.2).
 *
 * This module knows nothing of tapmesh's packet formats (handshake.c
 * wraps the two messages); it is checked against published test vectors.
 * Every primitive comes from OpenSSL's EVP layer: X25519 through key.c,
 * ChaCha20-Poly1305 with the nonce 0x00000000 || le64(n), BLAKE2s-256 as
 * HASH, and HMAC-BLAKE2s (BLOCKLEN 64) inside Noise's HKDF.
 *
 * All structures hold secrets: callers clear them with
 * noise_handshake_clear() / noise_cipher_clear() when done.
 */
#ifndef TAPMESH_NOISE_H
#define TAPMESH_NOISE_H

#include <stddef.h>
#include <stdint.h>

#define NOISE_PROTOCOL_NAME	"Noise_IK_25519_ChaChaPoly_BLAKE2s"
#define NOISE_PROTOCOL_NAME_PSK2 "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
#define NOISE_DHLEN		32
#define NOISE_HASHLEN		32
#define NOISE_BLOCKLEN		64
#define NOISE_KEYLEN		32
#define NOISE_TAGLEN		16
#define NOISE_NONCELEN		12
#define NOISE_MAX_MSG		65535

/* Sizes of the two IK messages around a payload of p bytes. */
#define NOISE_IK_MSG1_LEN(p)	(NOISE_DHLEN + NOISE_DHLEN + NOISE_TAGLEN + \
				 (p) + NOISE_TAGLEN)
#define NOISE_IK_MSG2_LEN(p)	(NOISE_DHLEN + (p) + NOISE_TAGLEN)

/* A CipherState: key k, nonce n; has_key is false while k is "empty". */
struct noise_cipher {
	uint8_t		 k[NOISE_KEYLEN];
	uint64_t	 n;
	int		 has_key;
};

/* A SymmetricState: the CipherState plus chaining key and hash. */
struct noise_symmetric {
	struct noise_cipher	 cs;
	uint8_t			 ck[NOISE_HASHLEN];
	uint8_t			 h[NOISE_HASHLEN];
};

enum noise_role {
	NOISE_INITIATOR,
	NOISE_RESPONDER,
};

/* A HandshakeState for IK. */
struct noise_handshake {
	struct noise_symmetric	 ss;
	enum noise_role		 role;
	int			 step;		/* next message: 0, 1; 2 done */
	int			 failed;	/* a message was refused */
	uint8_t			 s_priv[NOISE_DHLEN];
	uint8_t			 s_pub[NOISE_DHLEN];
	uint8_t			 e_priv[NOISE_DHLEN];
	uint8_t			 e_pub[NOISE_DHLEN];
	int			 has_e;		/* e fixed by the caller */
	uint8_t			 rs[NOISE_DHLEN];
	uint8_t			 re[NOISE_DHLEN];
	int			 psk_mode;	/* IKpsk2 */
	uint8_t			 psk[NOISE_KEYLEN]; /* zero unless set */
};

/*
 * ChaCha20-Poly1305 (RFC 8439) with an explicit 12-byte nonce: out gets
 * len bytes of ciphertext followed by the 16-byte tag.  out may equal in.
 * Exposed because handshake.c's cookie reply uses a random nonce.
 * Returns 0 or -1.
 */
int	 noise_chachapoly_seal(const uint8_t [NOISE_KEYLEN],
	    const uint8_t [NOISE_NONCELEN], const uint8_t *, size_t,
	    const uint8_t *, size_t, uint8_t *);

/*
 * The inverse of noise_chachapoly_seal: len counts the tag, out receives
 * len - 16 bytes.  Returns -1 if the tag does not verify (out is then
 * zeroed) or len is shorter than a tag.
 */
int	 noise_chachapoly_open(const uint8_t [NOISE_KEYLEN],
	    const uint8_t [NOISE_NONCELEN], const uint8_t *, size_t,
	    const uint8_t *, size_t, uint8_t *);

/* BLAKE2s-256 of a || b (either may be empty).  Returns 0 or -1. */
int	 noise_hash2(uint8_t [NOISE_HASHLEN], const uint8_t *, size_t,
	    const uint8_t *, size_t);

/* InitializeKey(k): sets the key and resets the nonce to zero. */
void	 noise_cipher_init(struct noise_cipher *, const uint8_t [NOISE_KEYLEN]);

/*
 * EncryptWithAd: encrypts with the current nonce and increments it.
 * Without a key the plaintext is copied through, as the spec requires.
 * Writes len (+ 16 with a key) bytes to out, which may equal in.
 * Returns -1 once the nonce reached 2^64 - 1, which Noise reserves.
 */
int	 noise_cipher_encrypt(struct noise_cipher *, const uint8_t *, size_t,
	    const uint8_t *, size_t, uint8_t *);

/*
 * DecryptWithAd: len includes the tag when a key is set.  The nonce is
 * only incremented when authentication succeeds.  Returns 0 or -1.
 */
int	 noise_cipher_decrypt(struct noise_cipher *, const uint8_t *, size_t,
	    const uint8_t *, size_t, uint8_t *);

/* Wipes a CipherState. */
void	 noise_cipher_clear(struct noise_cipher *);

/*
 * Initialize(): sets up an IK handshake.  s_priv is the local static
 * private key and s_pub its public key (kept by the caller, so that no
 * handshake derives it again; NULL: derived here).  The initiator must
 * pass the responder's static public key as rs (the "<- s"
 * pre-message); the responder passes NULL and learns
 * the initiator's key from message 1.  e_priv fixes the local ephemeral
 * key (test vectors only); NULL generates a fresh one when it is needed.
 * Returns 0 or -1.
 */
int	 noise_handshake_init(struct noise_handshake *, enum noise_role,
	    const uint8_t *, size_t, const uint8_t [NOISE_DHLEN],
	    const uint8_t *, const uint8_t *, const uint8_t *);

/*
 * The same for Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s.  The pre-shared key
 * is all zeros until noise_handshake_set_psk() sets it; the responder
 * does so after message 1 has told it who the initiator is.
 */
int	 noise_handshake_init_psk2(struct noise_handshake *, enum noise_role,
	    const uint8_t *, size_t, const uint8_t [NOISE_DHLEN],
	    const uint8_t *, const uint8_t *, const uint8_t *);

/*
 * Sets the pre-shared key of a psk2 handshake; it must come before
 * message 2 is written or read.  Returns -1 for an IK handshake or when
 * it is too late.
 */
int	 noise_handshake_set_psk(struct noise_handshake *,
	    const uint8_t [NOISE_KEYLEN]);

/*
 * WriteMessage(): writes the next handshake message with the given
 * payload into out (capacity outcap), setting *outlen.  Returns -1 if it
 * is not this side's turn, the handshake failed earlier, the output does
 * not fit, or a primitive failed; the state is then unusable.
 */
int	 noise_write_message(struct noise_handshake *, const uint8_t *,
	    size_t, uint8_t *, size_t, size_t *);

/*
 * ReadMessage(): processes the next handshake message, writing its
 * payload into payload (capacity cap) and its length into *plen.
 * Returns -1 if the message is malformed, out of turn, does not
 * authenticate, or yields a zero DH output; the state is then unusable
 * (a refused message must not leave half-mixed state to try again with).
 */
int	 noise_read_message(struct noise_handshake *, const uint8_t *, size_t,
	    uint8_t *, size_t, size_t *);

/* Returns 1 once both messages were written or read, 0 before. */
int	 noise_handshake_done(const struct noise_handshake *);

/*
 * The remote static public key: known from the start on the initiator,
 * after message 1 on the responder.  Returns NULL before that.
 */
const uint8_t	*noise_handshake_remote_static(const struct noise_handshake *);

/*
 * Split(): after the handshake, derives the two transport keys: k1 for
 * initiator-to-responder traffic, k2 for the other direction, and copies
 * the handshake hash (channel binding).  Returns -1 before completion.
 */
int	 noise_split(const struct noise_handshake *, uint8_t [NOISE_KEYLEN],
	    uint8_t [NOISE_KEYLEN], uint8_t [NOISE_HASHLEN]);

/* Wipes a HandshakeState. */
void	 noise_handshake_clear(struct noise_handshake *);

#endif
