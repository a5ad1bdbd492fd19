/*
 * X25519 keys on top of OpenSSL's EVP_PKEY interface.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "key.h"

/* A key file is one line; anything much longer is not a key file. */
#define KEY_FILE_MAX	256

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

void
key_b64_encode(const uint8_t key[KEY_LEN], char out[KEY_B64_LEN + 1])
{
	size_t		 i, o = 0;
	uint32_t	 v;

	/* 30 bytes in ten full groups, then 2 bytes that need one '='. */
	for (i = 0; i + 3 <= KEY_LEN; i += 3) {
		v = (uint32_t)key[i] << 16 | (uint32_t)key[i + 1] << 8 |
		    key[i + 2];
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	v = (uint32_t)key[i] << 16 | (uint32_t)key[i + 1] << 8;
	out[o++] = b64_alphabet[(v >> 18) & 63];
	out[o++] = b64_alphabet[(v >> 12) & 63];
	out[o++] = b64_alphabet[(v >> 6) & 63];
	out[o++] = '=';
	out[o] = '\0';
	OPENSSL_cleanse(&v, sizeof(v));
}

const char *
key_b64_decode_why(const char *s, uint8_t key[KEY_LEN])
{
	uint8_t		 tmp[KEY_LEN];
	uint32_t	 v = 0;
	size_t		 i, o = 0;
	int		 c;
	const char	*why = NULL;

	/* The checks in this order, so that each mistake has one message. */
	if (strnlen(s, KEY_B64_LEN + 1) != KEY_B64_LEN)
		return "not the 44-character base64 encoding of a 32-byte key";
	if (s[KEY_B64_LEN - 1] != '=' || s[KEY_B64_LEN - 2] == '=')
		return "invalid base64 padding";
	for (i = 0; i < KEY_B64_LEN - 1; i++) {
		if ((c = b64_value((unsigned char)s[i])) == -1) {
			why = "invalid base64 character";
			goto out;
		}
		v = v << 6 | (uint32_t)c;
		if (i % 4 == 3) {
			tmp[o++] = (uint8_t)(v >> 16);
			tmp[o++] = (uint8_t)(v >> 8);
			tmp[o++] = (uint8_t)v;
			v = 0;
		}
	}
	/*
	 * 43 characters carry 258 bits; the 2 spare ones must be zero, or
	 * two spellings would name the same key and escape the duplicate
	 * check.
	 */
	if ((v & 3) != 0) {
		why = "non-canonical base64 (unused bits set)";
		goto out;
	}
	tmp[o++] = (uint8_t)(v >> 10);
	tmp[o++] = (uint8_t)(v >> 2);
	memcpy(key, tmp, KEY_LEN);
 out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	OPENSSL_cleanse(&v, sizeof(v));
	return why;
}

int
key_b64_decode(const char *s, uint8_t key[KEY_LEN])
{
	return key_b64_decode_why(s, key) == NULL ? 0 : -1;
}

int
key_generate(uint8_t priv[KEY_LEN])
{
	if (RAND_priv_bytes(priv, KEY_LEN) != 1)
		return -1;
	priv[0] &= 248;
	priv[31] &= 127;
	priv[31] |= 64;
	return 0;
}

int
key_public(const uint8_t priv[KEY_LEN], uint8_t pub[KEY_LEN])
{
	EVP_PKEY	*pk;
	size_t		 len = KEY_LEN;
	int		 ret = -1;

	pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
	    KEY_LEN);
	if (pk == NULL)
		return -1;
	if (EVP_PKEY_get_raw_public_key(pk, pub, &len) == 1 &&
	    len == KEY_LEN)
		ret = 0;
	EVP_PKEY_free(pk);
	return ret;
}

/*
 * The private key with its known public half: EVP_PKEY_fromdata takes
 * both as given, where EVP_PKEY_new_raw_private_key would derive the
 * public key again.
 */
static EVP_PKEY *
key_pair_pkey(const uint8_t priv[KEY_LEN], const uint8_t pub[KEY_LEN])
{
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*pk = NULL;
	OSSL_PARAM	 params[3];

	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL)) == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY,
	    (void *)priv, KEY_LEN);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    (void *)pub, KEY_LEN);
	params[2] = OSSL_PARAM_construct_end();
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEYPAIR, params) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

int
key_dh(const uint8_t priv[KEY_LEN], const uint8_t *mypub,
    const uint8_t pub[KEY_LEN], uint8_t out[KEY_LEN])
{
	static const uint8_t	 zero[KEY_LEN];
	EVP_PKEY		*mine = NULL, *theirs = NULL;
	EVP_PKEY_CTX		*ctx = NULL;
	size_t			 len = KEY_LEN;
	int			 ret = -1;

	if (mypub != NULL)
		mine = key_pair_pkey(priv, mypub);
	else
		mine = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL,
		    priv, KEY_LEN);
	theirs = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub,
	    KEY_LEN);
	if (mine == NULL || theirs == NULL)
		goto out;
	if ((ctx = EVP_PKEY_CTX_new(mine, NULL)) == NULL)
		goto out;
	if (EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer(ctx, theirs) != 1 ||
	    EVP_PKEY_derive(ctx, out, &len) != 1 || len != KEY_LEN)
		goto out;
	/* OpenSSL refuses this too; checking here does not rely on that. */
	if (CRYPTO_memcmp(out, zero, KEY_LEN) == 0)
		goto out;
	ret = 0;
 out:
	if (ret == -1)
		OPENSSL_cleanse(out, KEY_LEN);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(mine);
	EVP_PKEY_free(theirs);
	return ret;
}

int
key_load_file(const char *path, uint8_t priv[KEY_LEN], char *errbuf,
    size_t errlen)
{
	return key_load_secret(path, "private key", "X25519 private key", priv,
	    errbuf, errlen);
}

int
key_generate_psk(uint8_t psk[KEY_LEN])
{
	/* Any 32 bytes are a pre-shared key: no clamping, unlike X25519. */
	return RAND_priv_bytes(psk, KEY_LEN) == 1 ? 0 : -1;
}

int
key_load_secret(const char *path, const char *what, const char *form,
    uint8_t key[KEY_LEN], char *errbuf, size_t errlen)
{
	char		 buf[KEY_FILE_MAX + 1];
	struct stat	 st;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd, ret = -1;

	/* fstat on the opened descriptor: what is checked is what is read. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(errbuf, errlen, "%s: not a regular file", path);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(errbuf, errlen, "%s: mode %04o lets group or others "
		    "access the %s (use chmod 600)", path,
		    (unsigned int)(st.st_mode & 07777), what);
		goto out;
	}
	/* Its owner can change the key at will, or read it after a chmod. */
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(errbuf, errlen, "%s: owned by uid %u, neither root "
		    "nor this process's user (uid %u): that user could read "
		    "or replace the private key (use chown)", path,
		    (unsigned int)st.st_uid, (unsigned int)geteuid());
		goto out;
	}
	for (;;) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(errbuf, errlen, "%s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf)) {
			snprintf(errbuf, errlen, "%s: too long for a key file",
			    path);
			goto out;
		}
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
	    buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	buf[len] = '\0';
	if (len != KEY_B64_LEN || strlen(buf) != len ||
	    key_b64_decode(buf, key) == -1) {
		snprintf(errbuf, errlen, "%s: not a base64 %s "
		    "(%d characters expected)", path, form, KEY_B64_LEN);
		goto out;
	}
	ret = 0;
 out:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return ret;
}
