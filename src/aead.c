/*
 * Data-plane AEAD over pre-initialised EVP_CIPHER_CTX.
 *
 * EVP_CipherInit_ex() with a NULL cipher and NULL key only resets the
 * nonce and the AEAD state, keeping the key schedule, so the per-packet
 * path neither fetches a cipher nor allocates.  The tag is read and set
 * with an OSSL_PARAM directly: EVP_CIPHER_CTX_ctrl() builds the same
 * parameter after a lookup of its own, which cost about a third of the
 * time of sealing a small packet.
 */
#include <limits.h>
#include <string.h>

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#include <asm/hwcap.h>
#endif

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "aead.h"

static void
aead_nonce(uint8_t nonce[AEAD_NONCE_LEN], uint64_t counter)
{
	int	 i;

	memset(nonce, 0, 4);
	for (i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

static EVP_CIPHER_CTX *
aead_ctx_new(const EVP_CIPHER *cipher, const uint8_t *raw, int enc)
{
	EVP_CIPHER_CTX	*ctx;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	/* Both ciphers default to a 12-byte nonce; say so anyway. */
	if (EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, AEAD_NONCE_LEN,
	    NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, raw, NULL, enc) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int
aead_init(struct aead_key *key, enum aead_alg alg,
    const uint8_t raw[AEAD_KEY_LEN])
{
	EVP_CIPHER	*cipher;
	const char	*name;

	memset(key, 0, sizeof(*key));
	switch (alg) {
	case AEAD_CHACHA20_POLY1305:
		name = "ChaCha20-Poly1305";
		break;
	case AEAD_AES_256_GCM:
		name = "AES-256-GCM";
		break;
	default:
		return -1;
	}
	if ((cipher = EVP_CIPHER_fetch(NULL, name, NULL)) == NULL)
		return -1;
	key->alg = alg;
	key->enc = aead_ctx_new(cipher, raw, 1);
	key->dec = aead_ctx_new(cipher, raw, 0);
	EVP_CIPHER_free(cipher);
	if (key->enc == NULL || key->dec == NULL) {
		aead_free(key);
		return -1;
	}
	return 0;
}

/* Reads the tag after sealing, or sets the expected one before opening. */
static int
aead_tag(EVP_CIPHER_CTX *ctx, uint8_t tag[AEAD_TAG_LEN], int set)
{
	OSSL_PARAM	 p[2];

	p[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
	    tag, AEAD_TAG_LEN);
	p[1] = OSSL_PARAM_construct_end();
	if (set)
		return EVP_CIPHER_CTX_set_params(ctx, p) == 1 ? 0 : -1;
	return EVP_CIPHER_CTX_get_params(ctx, p) == 1 ? 0 : -1;
}

int
aead_seal_nonce(struct aead_key *key, const uint8_t nonce[AEAD_NONCE_LEN],
    const uint8_t *ad, size_t adlen, const uint8_t *in, size_t len,
    uint8_t *out)
{
	EVP_CIPHER_CTX	*ctx = key->enc;
	int		 outl;

	if (ctx == NULL || len > INT_MAX || adlen > INT_MAX)
		return -1;
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, 1) != 1)
		return -1;
	if (adlen > 0 &&
	    EVP_CipherUpdate(ctx, NULL, &outl, ad, (int)adlen) != 1)
		return -1;
	if (len > 0 &&
	    EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1)
		return -1;
	if (EVP_CipherFinal_ex(ctx, out + len, &outl) != 1)
		return -1;
	return aead_tag(ctx, out + len, 0);
}

int
aead_seal(struct aead_key *key, uint64_t counter, const uint8_t *ad,
    size_t adlen, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t		 nonce[AEAD_NONCE_LEN];

	aead_nonce(nonce, counter);
	return aead_seal_nonce(key, nonce, ad, adlen, in, len, out);
}

int
aead_open_nonce(struct aead_key *key, const uint8_t nonce[AEAD_NONCE_LEN],
    const uint8_t *ad, size_t adlen, const uint8_t *in, size_t len,
    uint8_t *out)
{
	EVP_CIPHER_CTX	*ctx = key->dec;
	uint8_t		 tag[AEAD_TAG_LEN];
	int		 outl;

	if (ctx == NULL || len < AEAD_TAG_LEN || len > INT_MAX ||
	    adlen > INT_MAX)
		return -1;
	len -= AEAD_TAG_LEN;
	/* Copied first: decrypting in place must not clobber the tag. */
	memcpy(tag, in + len, AEAD_TAG_LEN);
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, 0) != 1)
		return -1;
	if (aead_tag(ctx, tag, 1) == -1)
		return -1;
	if (adlen > 0 &&
	    EVP_CipherUpdate(ctx, NULL, &outl, ad, (int)adlen) != 1)
		return -1;
	if (len > 0 &&
	    EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1)
		return -1;
	/* The tag comparison happens here, in constant time. */
	if (EVP_CipherFinal_ex(ctx, out + len, &outl) != 1)
		return -1;
	return 0;
}

int
aead_open(struct aead_key *key, uint64_t counter, const uint8_t *ad,
    size_t adlen, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t		 nonce[AEAD_NONCE_LEN];

	aead_nonce(nonce, counter);
	return aead_open_nonce(key, nonce, ad, adlen, in, len, out);
}

void
aead_free(struct aead_key *key)
{
	EVP_CIPHER_CTX_free(key->enc);
	EVP_CIPHER_CTX_free(key->dec);
	OPENSSL_cleanse(key, sizeof(*key));
}

int
aead_cpu_has_aes(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_cpu_init();
	return __builtin_cpu_supports("aes") &&
	    __builtin_cpu_supports("pclmul");
#elif defined(__aarch64__) && defined(__linux__)
	unsigned long	 hw = getauxval(AT_HWCAP);

	return (hw & HWCAP_AES) != 0 && (hw & HWCAP_PMULL) != 0;
#else
	return 0;
#endif
}

const char *
aead_alg_name(enum aead_alg alg)
{
	switch (alg) {
	case AEAD_CHACHA20_POLY1305:
		return "chacha20-poly1305";
	case AEAD_AES_256_GCM:
		return "aes-256-gcm";
	}
	return "unknown";
}
