/*
 * Noise_IK_25519_ChaChaPoly_BLAKE2s and its psk2 variant, following the
 * revision 34 specification section by section: CipherState (5.1),
 * SymmetricState (5.2), HandshakeState (5.3) for the IK pattern, the
 * HKDF of section 4.3 and the psk modifier of section 9.  The pattern
 * is spelled out as code rather than interpreted from tokens: there is
 * only one, and straight-line code is easier to check against the
 * specification.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "key.h"
#include "noise.h"

static void
noise_nonce(uint8_t nonce[NOISE_NONCELEN], uint64_t n)
{
	int	 i;

	memset(nonce, 0, 4);
	for (i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(n >> (8 * i));
}

static int
noise_chachapoly(int enc, const uint8_t key[NOISE_KEYLEN],
    const uint8_t nonce[NOISE_NONCELEN], const uint8_t *ad, size_t adlen,
    const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX	*ctx;
	uint8_t		 tag[NOISE_TAGLEN];
	int		 outl, ret = -1;

	if (len > NOISE_MAX_MSG || adlen > INT32_MAX)
		return -1;
	/* Copied first: decrypting in place must not clobber the tag. */
	if (!enc)
		memcpy(tag, in + len, NOISE_TAGLEN);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, nonce,
	    enc) != 1)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
	    NOISE_TAGLEN, tag) != 1)
		goto out;
	if (adlen > 0 &&
	    EVP_CipherUpdate(ctx, NULL, &outl, ad, (int)adlen) != 1)
		goto out;
	if (len > 0 &&
	    EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + len, &outl) != 1)
		goto out;
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
	    NOISE_TAGLEN, out + len) != 1)
		goto out;
	ret = 0;
 out:
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

int
noise_chachapoly_seal(const uint8_t key[NOISE_KEYLEN],
    const uint8_t nonce[NOISE_NONCELEN], const uint8_t *ad, size_t adlen,
    const uint8_t *in, size_t len, uint8_t *out)
{
	return noise_chachapoly(1, key, nonce, ad, adlen, in, len, out);
}

int
noise_chachapoly_open(const uint8_t key[NOISE_KEYLEN],
    const uint8_t nonce[NOISE_NONCELEN], const uint8_t *ad, size_t adlen,
    const uint8_t *in, size_t len, uint8_t *out)
{
	if (len < NOISE_TAGLEN)
		return -1;
	len -= NOISE_TAGLEN;
	if (noise_chachapoly(0, key, nonce, ad, adlen, in, len, out) == -1) {
		/* Never hand out plaintext that did not authenticate. */
		if (len > 0)
			OPENSSL_cleanse(out, len);
		return -1;
	}
	return 0;
}

int
noise_hash2(uint8_t out[NOISE_HASHLEN], const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen)
{
	EVP_MD_CTX	*ctx;
	unsigned int	 len = 0;
	int		 ret = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(ctx, EVP_blake2s256(), NULL) == 1 &&
	    (alen == 0 || EVP_DigestUpdate(ctx, a, alen) == 1) &&
	    (blen == 0 || EVP_DigestUpdate(ctx, b, blen) == 1) &&
	    EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == NOISE_HASHLEN)
		ret = 0;
	EVP_MD_CTX_free(ctx);
	return ret;
}

static int
noise_hmac(uint8_t out[NOISE_HASHLEN], const uint8_t key[NOISE_HASHLEN],
    const uint8_t *data, size_t len)
{
	unsigned int	 outlen = 0;

	if (HMAC(EVP_blake2s256(), key, NOISE_HASHLEN, data, len, out,
	    &outlen) == NULL || outlen != NOISE_HASHLEN)
		return -1;
	return 0;
}

/*
 * HKDF(chaining_key, input_key_material, 2 or 3) of section 4.3.  out3
 * may be NULL when only two outputs are wanted.
 */
static int
noise_hkdf(const uint8_t ck[NOISE_HASHLEN], const uint8_t *ikm,
    size_t ikmlen, uint8_t out1[NOISE_HASHLEN], uint8_t out2[NOISE_HASHLEN],
    uint8_t *out3)
{
	uint8_t		 temp[NOISE_HASHLEN], buf[NOISE_HASHLEN + 1];
	uint8_t		 o1[NOISE_HASHLEN], o2[NOISE_HASHLEN];
	int		 ret = -1;

	if (noise_hmac(temp, ck, ikm, ikmlen) == -1)
		goto out;
	buf[0] = 0x01;
	if (noise_hmac(o1, temp, buf, 1) == -1)
		goto out;
	memcpy(buf, o1, NOISE_HASHLEN);
	buf[NOISE_HASHLEN] = 0x02;
	if (noise_hmac(o2, temp, buf, sizeof(buf)) == -1)
		goto out;
	if (out3 != NULL) {
		memcpy(buf, o2, NOISE_HASHLEN);
		buf[NOISE_HASHLEN] = 0x03;
		if (noise_hmac(out3, temp, buf, sizeof(buf)) == -1)
			goto out;
	}
	/* Copied last, so that out1 may alias ck. */
	memcpy(out1, o1, NOISE_HASHLEN);
	memcpy(out2, o2, NOISE_HASHLEN);
	ret = 0;
 out:
	OPENSSL_cleanse(temp, sizeof(temp));
	OPENSSL_cleanse(buf, sizeof(buf));
	OPENSSL_cleanse(o1, sizeof(o1));
	OPENSSL_cleanse(o2, sizeof(o2));
	return ret;
}

void
noise_cipher_init(struct noise_cipher *cs, const uint8_t key[NOISE_KEYLEN])
{
	memcpy(cs->k, key, NOISE_KEYLEN);
	cs->n = 0;
	cs->has_key = 1;
}

/* EncryptWithAd (seal) or DecryptWithAd: the same steps either way. */
static int
noise_cipher_apply(struct noise_cipher *cs, const uint8_t *ad, size_t adlen,
    const uint8_t *in, size_t len, uint8_t *out, int seal)
{
	uint8_t		 nonce[NOISE_NONCELEN];
	int		 r;

	if (!cs->has_key) {
		memmove(out, in, len);
		return 0;
	}
	if (cs->n == UINT64_MAX)
		return -1;
	noise_nonce(nonce, cs->n);
	if (seal)
		r = noise_chachapoly_seal(cs->k, nonce, ad, adlen, in, len, out);
	else
		r = noise_chachapoly_open(cs->k, nonce, ad, adlen, in, len, out);
	if (r == -1)
		return -1;
	cs->n++;
	return 0;
}

int
noise_cipher_encrypt(struct noise_cipher *cs, const uint8_t *ad,
    size_t adlen, const uint8_t *in, size_t len, uint8_t *out)
{
	return noise_cipher_apply(cs, ad, adlen, in, len, out, 1);
}

int
noise_cipher_decrypt(struct noise_cipher *cs, const uint8_t *ad,
    size_t adlen, const uint8_t *in, size_t len, uint8_t *out)
{
	return noise_cipher_apply(cs, ad, adlen, in, len, out, 0);
}

void
noise_cipher_clear(struct noise_cipher *cs)
{
	OPENSSL_cleanse(cs, sizeof(*cs));
}

/* InitializeSymmetric(protocol_name). */
static int
noise_symmetric_init(struct noise_symmetric *ss, const char *name)
{
	size_t		 len = strlen(name);

	memset(ss, 0, sizeof(*ss));
	if (len <= NOISE_HASHLEN)
		memcpy(ss->h, name, len);
	else if (noise_hash2(ss->h, (const uint8_t *)name, len, NULL, 0) == -1)
		return -1;
	memcpy(ss->ck, ss->h, NOISE_HASHLEN);
	return 0;
}

static int
noise_mix_hash(struct noise_symmetric *ss, const uint8_t *data, size_t len)
{
	return noise_hash2(ss->h, ss->h, NOISE_HASHLEN, data, len);
}

static int
noise_mix_key(struct noise_symmetric *ss, const uint8_t *ikm, size_t len)
{
	uint8_t		 k[NOISE_HASHLEN];

	if (noise_hkdf(ss->ck, ikm, len, ss->ck, k, NULL) == -1)
		return -1;
	/* HASHLEN is 32, so the key needs no truncation. */
	noise_cipher_init(&ss->cs, k);
	OPENSSL_cleanse(k, sizeof(k));
	return 0;
}

/*
 * MixKeyAndHash(psk) of section 5.2: the psk token.  The three-output
 * HKDF feeds the chaining key, the hash and the cipher key, so the
 * pre-shared key enters every key derived afterwards.
 */
static int
noise_mix_key_and_hash(struct noise_symmetric *ss,
    const uint8_t psk[NOISE_KEYLEN])
{
	uint8_t		 th[NOISE_HASHLEN], tk[NOISE_HASHLEN];
	int		 ret = -1;

	if (noise_hkdf(ss->ck, psk, NOISE_KEYLEN, ss->ck, th, tk) == -1)
		goto out;
	if (noise_mix_hash(ss, th, sizeof(th)) == -1)
		goto out;
	noise_cipher_init(&ss->cs, tk);
	ret = 0;
 out:
	OPENSSL_cleanse(th, sizeof(th));
	OPENSSL_cleanse(tk, sizeof(tk));
	return ret;
}

/*
 * The "e" token: MixHash(e), and in a psk handshake also MixKey(e), so
 * that the ephemeral key stays bound to the keys when a psk is mixed in
 * (section 9.2).
 */
static int
noise_mix_e(struct noise_handshake *hs, const uint8_t e[NOISE_DHLEN])
{
	if (noise_mix_hash(&hs->ss, e, NOISE_DHLEN) == -1)
		return -1;
	if (hs->psk_mode && noise_mix_key(&hs->ss, e, NOISE_DHLEN) == -1)
		return -1;
	return 0;
}

/*
 * MixKey(DH(priv, pub)), where mine is priv's public key (kept in the
 * state, so never derived again); the DH output never outlives this call.
 */
static int
noise_mix_dh(struct noise_symmetric *ss, const uint8_t priv[NOISE_DHLEN],
    const uint8_t mine[NOISE_DHLEN], const uint8_t pub[NOISE_DHLEN])
{
	uint8_t		 dh[NOISE_DHLEN];
	int		 ret;

	if (key_dh(priv, mine, pub, dh) == -1)
		return -1;
	ret = noise_mix_key(ss, dh, sizeof(dh));
	OPENSSL_cleanse(dh, sizeof(dh));
	return ret;
}

static int
noise_encrypt_and_hash(struct noise_symmetric *ss, const uint8_t *in,
    size_t len, uint8_t *out)
{
	size_t	 outlen = len + (ss->cs.has_key ? NOISE_TAGLEN : 0);

	if (noise_cipher_encrypt(&ss->cs, ss->h, NOISE_HASHLEN, in, len,
	    out) == -1)
		return -1;
	return noise_mix_hash(ss, out, outlen);
}

/* len is the ciphertext length including any tag. */
static int
noise_decrypt_and_hash(struct noise_symmetric *ss, const uint8_t *in,
    size_t len, uint8_t *out)
{
	uint8_t		 h[NOISE_HASHLEN];

	/* The hash covers the ciphertext, so keep it before out overwrites. */
	if (noise_hash2(h, ss->h, NOISE_HASHLEN, in, len) == -1)
		return -1;
	if (noise_cipher_decrypt(&ss->cs, ss->h, NOISE_HASHLEN, in, len,
	    out) == -1)
		return -1;
	memcpy(ss->h, h, NOISE_HASHLEN);
	return 0;
}

static int
noise_init(struct noise_handshake *hs, int psk_mode, enum noise_role role,
    const uint8_t *prologue, size_t plen, const uint8_t s_priv[NOISE_DHLEN],
    const uint8_t *s_pub, const uint8_t *rs, const uint8_t *e_priv)
{
	memset(hs, 0, sizeof(*hs));
	hs->role = role;
	hs->psk_mode = psk_mode;
	if ((role == NOISE_INITIATOR) != (rs != NULL))
		goto fail;
	if (noise_symmetric_init(&hs->ss, psk_mode ?
	    NOISE_PROTOCOL_NAME_PSK2 : NOISE_PROTOCOL_NAME) == -1 ||
	    noise_mix_hash(&hs->ss, prologue, plen) == -1)
		goto fail;
	memcpy(hs->s_priv, s_priv, NOISE_DHLEN);
	if (s_pub != NULL)
		memcpy(hs->s_pub, s_pub, NOISE_DHLEN);
	else if (key_public(hs->s_priv, hs->s_pub) == -1)
		goto fail;
	if (e_priv != NULL) {
		memcpy(hs->e_priv, e_priv, NOISE_DHLEN);
		if (key_public(hs->e_priv, hs->e_pub) == -1)
			goto fail;
		hs->has_e = 1;
	}
	/* The pre-message "<- s": both sides hash the responder's key. */
	if (role == NOISE_INITIATOR) {
		memcpy(hs->rs, rs, NOISE_DHLEN);
		if (noise_mix_hash(&hs->ss, hs->rs, NOISE_DHLEN) == -1)
			goto fail;
	} else if (noise_mix_hash(&hs->ss, hs->s_pub, NOISE_DHLEN) == -1)
		goto fail;
	return 0;
 fail:
	noise_handshake_clear(hs);
	hs->failed = 1;
	return -1;
}

int
noise_handshake_init(struct noise_handshake *hs, enum noise_role role,
    const uint8_t *prologue, size_t plen, const uint8_t s_priv[NOISE_DHLEN],
    const uint8_t *s_pub, const uint8_t *rs, const uint8_t *e_priv)
{
	return noise_init(hs, 0, role, prologue, plen, s_priv, s_pub, rs,
	    e_priv);
}

int
noise_handshake_init_psk2(struct noise_handshake *hs, enum noise_role role,
    const uint8_t *prologue, size_t plen, const uint8_t s_priv[NOISE_DHLEN],
    const uint8_t *s_pub, const uint8_t *rs, const uint8_t *e_priv)
{
	return noise_init(hs, 1, role, prologue, plen, s_priv, s_pub, rs,
	    e_priv);
}

int
noise_handshake_set_psk(struct noise_handshake *hs,
    const uint8_t psk[NOISE_KEYLEN])
{
	/* Too late once message 2 is written or read. */
	if (!hs->psk_mode || hs->failed || hs->step > 1)
		return -1;
	memcpy(hs->psk, psk, NOISE_KEYLEN);
	return 0;
}

static int
noise_make_ephemeral(struct noise_handshake *hs)
{
	if (!hs->has_e && key_generate(hs->e_priv) == -1)
		return -1;
	hs->has_e = 1;
	return key_public(hs->e_priv, hs->e_pub);
}

int
noise_write_message(struct noise_handshake *hs, const uint8_t *payload,
    size_t plen, uint8_t *out, size_t outcap, size_t *outlen)
{
	struct noise_symmetric	*ss = &hs->ss;
	size_t			 need, off = 0;

	if (hs->failed || hs->step > 1 ||
	    (hs->step == 0) != (hs->role == NOISE_INITIATOR))
		goto fail;
	need = hs->step == 0 ? NOISE_IK_MSG1_LEN(plen) : NOISE_IK_MSG2_LEN(plen);
	if (plen > NOISE_MAX_MSG || need > NOISE_MAX_MSG || need > outcap)
		goto fail;

	/* e */
	if (noise_make_ephemeral(hs) == -1)
		goto fail;
	memcpy(out, hs->e_pub, NOISE_DHLEN);
	if (noise_mix_e(hs, hs->e_pub) == -1)
		goto fail;
	off += NOISE_DHLEN;

	if (hs->step == 0) {
		/* es */
		if (noise_mix_dh(ss, hs->e_priv, hs->e_pub, hs->rs) == -1)
			goto fail;
		/* s */
		if (noise_encrypt_and_hash(ss, hs->s_pub, NOISE_DHLEN,
		    out + off) == -1)
			goto fail;
		off += NOISE_DHLEN + NOISE_TAGLEN;
		/* ss */
		if (noise_mix_dh(ss, hs->s_priv, hs->s_pub, hs->rs) == -1)
			goto fail;
	} else {
		/* ee */
		if (noise_mix_dh(ss, hs->e_priv, hs->e_pub, hs->re) == -1)
			goto fail;
		/* se: the initiator's static with our ephemeral. */
		if (noise_mix_dh(ss, hs->e_priv, hs->e_pub, hs->rs) == -1)
			goto fail;
		/* psk, the psk2 modifier's token at the end of message 2 */
		if (hs->psk_mode && noise_mix_key_and_hash(ss, hs->psk) == -1)
			goto fail;
	}
	if (noise_encrypt_and_hash(ss, payload, plen, out + off) == -1)
		goto fail;
	off += plen + NOISE_TAGLEN;
	*outlen = off;
	hs->step++;
	/* Nothing needs the ephemeral private key after our message. */
	if (hs->step == 2)
		OPENSSL_cleanse(hs->e_priv, sizeof(hs->e_priv));
	return 0;
 fail:
	hs->failed = 1;
	return -1;
}

int
noise_read_message(struct noise_handshake *hs, const uint8_t *msg,
    size_t len, uint8_t *payload, size_t cap, size_t *plen)
{
	struct noise_symmetric	*ss = &hs->ss;
	size_t			 off = 0, fixed, pl;

	if (hs->failed || hs->step > 1 ||
	    (hs->step == 0) != (hs->role == NOISE_RESPONDER))
		goto fail;
	fixed = hs->step == 0 ? NOISE_IK_MSG1_LEN(0) : NOISE_IK_MSG2_LEN(0);
	if (len < fixed || len > NOISE_MAX_MSG)
		goto fail;
	pl = len - fixed;
	if (pl > cap)
		goto fail;

	/* re */
	memcpy(hs->re, msg, NOISE_DHLEN);
	if (noise_mix_e(hs, hs->re) == -1)
		goto fail;
	off += NOISE_DHLEN;

	if (hs->step == 0) {
		/* es: our static with the initiator's ephemeral. */
		if (noise_mix_dh(ss, hs->s_priv, hs->s_pub, hs->re) == -1)
			goto fail;
		/* s */
		if (noise_decrypt_and_hash(ss, msg + off,
		    NOISE_DHLEN + NOISE_TAGLEN, hs->rs) == -1)
			goto fail;
		off += NOISE_DHLEN + NOISE_TAGLEN;
		/* ss */
		if (noise_mix_dh(ss, hs->s_priv, hs->s_pub, hs->rs) == -1)
			goto fail;
	} else {
		/* ee */
		if (noise_mix_dh(ss, hs->e_priv, hs->e_pub, hs->re) == -1)
			goto fail;
		/* se: our static with the responder's ephemeral. */
		if (noise_mix_dh(ss, hs->s_priv, hs->s_pub, hs->re) == -1)
			goto fail;
		/* psk */
		if (hs->psk_mode && noise_mix_key_and_hash(ss, hs->psk) == -1)
			goto fail;
	}
	if (noise_decrypt_and_hash(ss, msg + off, pl + NOISE_TAGLEN,
	    payload) == -1)
		goto fail;
	*plen = pl;
	hs->step++;
	if (hs->step == 2)
		OPENSSL_cleanse(hs->e_priv, sizeof(hs->e_priv));
	return 0;
 fail:
	hs->failed = 1;
	return -1;
}

int
noise_handshake_done(const struct noise_handshake *hs)
{
	return !hs->failed && hs->step == 2;
}

const uint8_t *
noise_handshake_remote_static(const struct noise_handshake *hs)
{
	if (hs->failed)
		return NULL;
	if (hs->role == NOISE_RESPONDER && hs->step == 0)
		return NULL;
	return hs->rs;
}

int
noise_split(const struct noise_handshake *hs, uint8_t k1[NOISE_KEYLEN],
    uint8_t k2[NOISE_KEYLEN], uint8_t h[NOISE_HASHLEN])
{
	if (!noise_handshake_done(hs))
		return -1;
	if (noise_hkdf(hs->ss.ck, NULL, 0, k1, k2, NULL) == -1)
		return -1;
	if (h != NULL)
		memcpy(h, hs->ss.h, NOISE_HASHLEN);
	return 0;
}

void
noise_handshake_clear(struct noise_handshake *hs)
{
	OPENSSL_cleanse(hs, sizeof(*hs));
}
