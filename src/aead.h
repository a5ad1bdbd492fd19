/*
 * The data-plane AEAD: one packet, one call, no allocation.
 *
 * A session key is set up once with aead_init(), which fetches the cipher
 * and runs the key schedule into two contexts of its provider (one per
 * direction of use); per packet only the nonce is set.  The nonce is 4 zero bytes
 * followed by the little-endian 64-bit packet counter, the same layout as
 * Noise's ChaChaPoly nonce, for both algorithms.
 *
 * This module does not track counters: the caller must never seal two
 * packets under one key with the same counter (the session's send
 * counter), and must run the replay filter (replay.c) after a successful
 * aead_open().
 *
 * A struct aead_key is used by one thread at a time.
 */
#ifndef TAPMESH_AEAD_H
#define TAPMESH_AEAD_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#define AEAD_KEY_LEN	32
#define AEAD_TAG_LEN	16
#define AEAD_NONCE_LEN	12

/* Values travel in the handshake's flags; do not renumber. */
enum aead_alg {
	AEAD_CHACHA20_POLY1305 = 0,
	AEAD_AES_256_GCM = 1,
};

/* The provider functions the data path calls (see aead.c). */
struct aead_ops {
	void		*provctx;
	void		*(*newctx)(void *);
	void		 (*freectx)(void *);
	int		 (*encrypt_init)(void *, const unsigned char *, size_t,
			    const unsigned char *, size_t, const OSSL_PARAM *);
	int		 (*decrypt_init)(void *, const unsigned char *, size_t,
			    const unsigned char *, size_t, const OSSL_PARAM *);
	int		 (*update)(void *, unsigned char *, size_t *, size_t,
			    const unsigned char *, size_t);
	int		 (*final)(void *, unsigned char *, size_t *, size_t);
	int		 (*get_ctx_params)(void *, OSSL_PARAM *);
	int		 (*set_ctx_params)(void *, const OSSL_PARAM *);
};

struct aead_key {
	EVP_CIPHER	*cipher;	/* keeps the provider loaded */
	struct aead_ops	 ops;
	void		*enc;		/* provider contexts, keyed */
	void		*dec;
	enum aead_alg	 alg;
	int		 vzeroupper;	/* see aead.c */
};

/*
 * Sets up key for alg with a 32-byte raw key.  The caller should wipe its
 * copy of raw afterwards; the provider contexts keep the expanded key.
 * Returns 0, or -1 (with key left empty and safe to aead_free()).
 */
int	 aead_init(struct aead_key *, enum aead_alg,
	    const uint8_t [AEAD_KEY_LEN]);

/*
 * Encrypts len bytes of in under the given counter, authenticating adlen
 * bytes of ad as well, and writes len + AEAD_TAG_LEN bytes to out:
 * ciphertext then tag.  out may equal in (in-place encryption; the buffer
 * needs room for the tag).  Returns 0 or -1.
 */
int	 aead_seal(struct aead_key *, uint64_t, const uint8_t *, size_t,
	    const uint8_t *, size_t, uint8_t *);

/*
 * Decrypts a packet of len bytes (ciphertext then tag) into len -
 * AEAD_TAG_LEN bytes at out, which may equal in.  Returns -1 if len is
 * shorter than a tag or authentication fails; the tag is compared inside
 * OpenSSL in constant time, and out must then be treated as garbage.
 */
int	 aead_open(struct aead_key *, uint64_t, const uint8_t *, size_t,
	    const uint8_t *, size_t, uint8_t *);

/*
 * aead_seal and aead_open with an explicit 12-byte nonce instead of a
 * counter, for published test vectors whose nonces do not start with
 * four zero bytes.  The data path uses the counter forms.
 */
int	 aead_seal_nonce(struct aead_key *, const uint8_t [AEAD_NONCE_LEN],
	    const uint8_t *, size_t, const uint8_t *, size_t, uint8_t *);
int	 aead_open_nonce(struct aead_key *, const uint8_t [AEAD_NONCE_LEN],
	    const uint8_t *, size_t, const uint8_t *, size_t, uint8_t *);

/* Frees the contexts (the provider wipes their key material), wipes key. */
void	 aead_free(struct aead_key *);

/*
 * Returns 1 if the CPU has instructions that make AES-GCM fast and
 * constant-time (x86: AES-NI and PCLMULQDQ; arm64: the AES and PMULL
 * extensions, from the ELF auxiliary vector), 0 otherwise.  The daemon
 * uses it for its "prefers AES-256-GCM" handshake flag.
 */
int	 aead_cpu_has_aes(void);

/* "chacha20-poly1305" or "aes-256-gcm", for logs and the control socket. */
const char	*aead_alg_name(enum aead_alg);

#endif
