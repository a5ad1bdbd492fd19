/*
 * Data-plane AEAD, calling the OpenSSL provider's cipher functions
 * directly.
 *
 * The cipher is fetched through EVP as usual (so the library's
 * configuration, a FIPS provider included, decides which implementation
 * serves it), and then the dispatch table of that same implementation is
 * taken from its provider (OSSL_PROVIDER_query_operation(3)).  The data
 * path calls those functions itself instead of going through
 * EVP_CipherInit_ex/EVP_CipherUpdate: in OpenSSL 3.0 every
 * EVP_CipherInit_ex() that sets a nonce first asks the provider for the
 * nonce length through an OSSL_PARAM round trip (a string comparison per
 * parameter the cipher knows), and the EVP layer adds checks of its own.
 * On the project's machines that was about 100 ns of the 680 ns it takes
 * to seal a 1420-byte frame with AES-256-GCM, 15 % of the cipher's time
 * on the data path.  What is called is exactly what EVP would call: the
 * provider's init (key NULL: only the nonce and the AEAD state are reset,
 * the key schedule stays), update for the associated data and the
 * payload, final, and the tag as an OSSL_PARAM.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#include <asm/hwcap.h>
#endif

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "aead.h"

static void
aead_nonce(uint8_t nonce[AEAD_NONCE_LEN], uint64_t counter)
{
	int	 i;

	memset(nonce, 0, 4);
	for (i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

/* Whether name is one of the colon-separated names in list. */
static int
name_in(const char *list, const char *name)
{
	size_t	 n = strlen(name);

	while (list != NULL && *list != '\0') {
		if (strncasecmp(list, name, n) == 0 &&
		    (list[n] == ':' || list[n] == '\0'))
			return 1;
		if ((list = strchr(list, ':')) != NULL)
			list++;
	}
	return 0;
}

static void
ops_from_dispatch(struct aead_ops *ops, const OSSL_DISPATCH *f)
{
	for (; f->function_id != 0; f++) {
		switch (f->function_id) {
		case OSSL_FUNC_CIPHER_NEWCTX:
			ops->newctx = OSSL_FUNC_cipher_newctx(f);
			break;
		case OSSL_FUNC_CIPHER_FREECTX:
			ops->freectx = OSSL_FUNC_cipher_freectx(f);
			break;
		case OSSL_FUNC_CIPHER_ENCRYPT_INIT:
			ops->encrypt_init = OSSL_FUNC_cipher_encrypt_init(f);
			break;
		case OSSL_FUNC_CIPHER_DECRYPT_INIT:
			ops->decrypt_init = OSSL_FUNC_cipher_decrypt_init(f);
			break;
		case OSSL_FUNC_CIPHER_UPDATE:
			ops->update = OSSL_FUNC_cipher_update(f);
			break;
		case OSSL_FUNC_CIPHER_FINAL:
			ops->final = OSSL_FUNC_cipher_final(f);
			break;
		case OSSL_FUNC_CIPHER_GET_CTX_PARAMS:
			ops->get_ctx_params = OSSL_FUNC_cipher_get_ctx_params(f);
			break;
		case OSSL_FUNC_CIPHER_SET_CTX_PARAMS:
			ops->set_ctx_params = OSSL_FUNC_cipher_set_ctx_params(f);
			break;
		}
	}
}

/*
 * Finds the dispatch table of the implementation that EVP fetched for
 * name, in the provider that implements it.  Returns 0, or -1 if it
 * lacks one of the functions the data path needs.
 */
static int
ops_find(struct aead_ops *ops, const EVP_CIPHER *cipher, const char *name)
{
	const OSSL_PROVIDER	*prov = EVP_CIPHER_get0_provider(cipher);
	const OSSL_ALGORITHM	*algs, *a;
	int			 no_store;

	memset(ops, 0, sizeof(*ops));
	if (prov == NULL || (algs = OSSL_PROVIDER_query_operation(prov,
	    OSSL_OP_CIPHER, &no_store)) == NULL)
		return -1;
	for (a = algs; a->algorithm_names != NULL; a++)
		if (name_in(a->algorithm_names, name)) {
			ops_from_dispatch(ops, a->implementation);
			break;
		}
	OSSL_PROVIDER_unquery_operation(prov, OSSL_OP_CIPHER, algs);
	ops->provctx = OSSL_PROVIDER_get0_provider_ctx(prov);
	if (ops->newctx == NULL || ops->freectx == NULL ||
	    ops->encrypt_init == NULL || ops->decrypt_init == NULL ||
	    ops->update == NULL || ops->final == NULL ||
	    ops->get_ctx_params == NULL || ops->set_ctx_params == NULL)
		return -1;
	return 0;
}

int
aead_init(struct aead_key *key, enum aead_alg alg,
    const uint8_t raw[AEAD_KEY_LEN])
{
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
	/* Held while the key lives, so its provider stays loaded. */
	if ((key->cipher = EVP_CIPHER_fetch(NULL, name, NULL)) == NULL)
		goto fail;
	if (ops_find(&key->ops, key->cipher, name) == -1)
		goto fail;
	key->alg = alg;
#if defined(__x86_64__) || defined(__i386__)
	/* VZEROUPPER needs AVX, which OpenSSL's Poly1305 code needs too. */
	__builtin_cpu_init();
	key->vzeroupper = alg == AEAD_CHACHA20_POLY1305 &&
	    __builtin_cpu_supports("avx");
#endif
	if ((key->enc = key->ops.newctx(key->ops.provctx)) == NULL ||
	    (key->dec = key->ops.newctx(key->ops.provctx)) == NULL)
		goto fail;
	/* Both ciphers default to the 12-byte nonce given per packet. */
	if (key->ops.encrypt_init(key->enc, raw, AEAD_KEY_LEN, NULL, 0,
	    NULL) != 1 ||
	    key->ops.decrypt_init(key->dec, raw, AEAD_KEY_LEN, NULL, 0,
	    NULL) != 1)
		goto fail;
	return 0;
 fail:
	aead_free(key);
	return -1;
}

/*
 * OpenSSL 3.0's Poly1305 code for AVX2 and AVX-512 returns with the
 * upper halves of the YMM registers in use: it does not end with
 * VZEROUPPER (XGETBV with ECX = 1 shows the AVX state in use after the
 * associated data and after the final step of ChaCha20-Poly1305, not
 * after AES-256-GCM's).  The next SSE instruction without a VEX prefix,
 * as the compiler emits for any struct copy and OpenSSL's own C code
 * has, then makes the CPU save those halves, and the next VEX
 * instruction (glibc's memcpy) restore them: on this project's machines
 * each such transition cost about 150 ns, a few of them per message.
 * Clearing the halves after each step Poly1305 takes part in ends it.
 */
static void
upper_clear(const struct aead_key *key)
{
#if defined(__x86_64__) || defined(__i386__)
	/* Every XMM register is the caller's to save across the calls. */
	if (key->vzeroupper)
		__asm__ volatile("vzeroupper" ::: "xmm0", "xmm1", "xmm2",
		    "xmm3", "xmm4", "xmm5", "xmm6", "xmm7"
#if defined(__x86_64__)
		    , "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		    "xmm14", "xmm15"
#endif
		    );
#else
	(void)key;
#endif
}

/* Reads the tag after sealing, or sets the expected one before opening. */
static int
aead_tag(const struct aead_key *key, void *ctx, uint8_t tag[AEAD_TAG_LEN],
    int set)
{
	OSSL_PARAM	 p[2];

	p[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
	    tag, AEAD_TAG_LEN);
	p[1] = OSSL_PARAM_construct_end();
	if (set)
		return key->ops.set_ctx_params(ctx, p) == 1 ? 0 : -1;
	return key->ops.get_ctx_params(ctx, p) == 1 ? 0 : -1;
}

/*
 * The associated data, then len bytes from in to out, then the final
 * step, which computes the tag (sealing) or checks it in constant time
 * (opening, with the tag set before).
 */
static int
aead_run(const struct aead_key *key, void *ctx, const uint8_t *ad,
    size_t adlen, const uint8_t *in, size_t len, uint8_t *out)
{
	size_t	 outl;
	int	 ok = 1;

	if (adlen > 0) {
		ok = key->ops.update(ctx, NULL, &outl, adlen, ad, adlen) == 1;
		upper_clear(key);
	}
	if (ok && len > 0) {
		ok = key->ops.update(ctx, out, &outl, len, in, len) == 1;
		upper_clear(key);
	}
	if (ok) {
		ok = key->ops.final(ctx, out + len, &outl, 0) == 1;
		upper_clear(key);
	}
	return ok ? 0 : -1;
}

int
aead_seal_nonce(struct aead_key *key, const uint8_t nonce[AEAD_NONCE_LEN],
    const uint8_t *ad, size_t adlen, const uint8_t *in, size_t len,
    uint8_t *out)
{
	if (key->enc == NULL || len > INT_MAX || adlen > INT_MAX)
		return -1;
	if (key->ops.encrypt_init(key->enc, NULL, 0, nonce, AEAD_NONCE_LEN,
	    NULL) != 1)
		return -1;
	if (aead_run(key, key->enc, ad, adlen, in, len, out) == -1)
		return -1;
	return aead_tag(key, key->enc, out + len, 0);
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
	uint8_t		 tag[AEAD_TAG_LEN];

	if (key->dec == NULL || len < AEAD_TAG_LEN || len > INT_MAX ||
	    adlen > INT_MAX)
		return -1;
	len -= AEAD_TAG_LEN;
	/* Copied first: decrypting in place must not clobber the tag. */
	memcpy(tag, in + len, AEAD_TAG_LEN);
	if (key->ops.decrypt_init(key->dec, NULL, 0, nonce, AEAD_NONCE_LEN,
	    NULL) != 1)
		return -1;
	if (aead_tag(key, key->dec, tag, 1) == -1)
		return -1;
	return aead_run(key, key->dec, ad, adlen, in, len, out);
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
	/* The provider's freectx wipes the key schedule. */
	if (key->enc != NULL)
		key->ops.freectx(key->enc);
	if (key->dec != NULL)
		key->ops.freectx(key->dec);
	EVP_CIPHER_free(key->cipher);
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
