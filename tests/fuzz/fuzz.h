/*
 * Helpers shared by the libFuzzer harnesses: fixed test keys (so that a
 * crashing input reproduces), a BLAKE2s-128 MAC to give fuzzed handshake
 * messages a correct mac1, and the writing of seed corpora.
 *
 * Every harness writes its own seeds, made by the daemon's code, when
 * run as `fuzz_X -seeds DIR` (see tests/fuzz/README); the checked-in
 * corpora under tests/fuzz/corpus/ were made that way.
 */
#ifndef TAPMESH_FUZZ_H
#define TAPMESH_FUZZ_H

#include <sys/stat.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	 LLVMFuzzerInitialize(int *, char ***);

/* A fixed X25519 private key, different for each n, clamped. */
static inline void
fuzz_key(uint8_t priv[32], unsigned int n)
{
	size_t	 i;

	for (i = 0; i < 32; i++)
		priv[i] = (uint8_t)(0x5a ^ (n * 37 + i * 11));
	priv[0] &= 248;
	priv[31] &= 127;
	priv[31] |= 64;
}

/* BLAKE2s-128 keyed MAC, as handshake.c computes mac1 and mac2. */
static inline int
fuzz_mac16(uint8_t out[16], const uint8_t *key, size_t keylen,
    const uint8_t *d, size_t len)
{
	EVP_MAC		*mac;
	EVP_MAC_CTX	*ctx = NULL;
	size_t		 size = 16, outl = 0;
	OSSL_PARAM	 p[2];
	int		 ok = 0;

	if ((mac = EVP_MAC_fetch(NULL, "BLAKE2SMAC", NULL)) == NULL)
		return -1;
	p[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
	p[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_MAC_CTX_new(mac)) != NULL &&
	    EVP_MAC_init(ctx, key, keylen, p) == 1 &&
	    EVP_MAC_update(ctx, d, len) == 1 &&
	    EVP_MAC_final(ctx, out, &outl, 16) == 1 && outl == 16)
		ok = 1;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok ? 0 : -1;
}

/*
 * If the harness was started as `prog -seeds DIR`, returns DIR (created
 * if missing): the harness then writes its seeds there and exits.
 */
static inline const char *
fuzz_seed_dir(int *argc, char ***argv)
{
	const char	*dir;

	if (*argc != 3 || strcmp((*argv)[1], "-seeds") != 0)
		return NULL;
	dir = (*argv)[2];
	(void)mkdir(dir, 0755);
	return dir;
}

/* Writes one seed file DIR/NAME. */
static inline void
fuzz_seed_write(const char *dir, const char *name, const void *buf,
    size_t len)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(buf, 1, len, f) != len) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

/*
 * For a harness whose seeds need nothing but a directory: with
 * `prog -seeds DIR`, writes them with write_seeds and exits.
 */
static inline void
fuzz_seeds_only(int *argc, char ***argv, void (*write_seeds)(const char *))
{
	const char	*dir;

	if ((dir = fuzz_seed_dir(argc, argv)) == NULL)
		return;
	write_seeds(dir);
	exit(0);
}

#endif
