/*
 * tapmeshctl: key tools for tapmesh, in the habits of `wg genkey | wg
 * pubkey`.
 */
#include <openssl/crypto.h>

#include <stdio.h>
#include <string.h>

#include "key.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tapmeshctl genkey\n"
	    "       tapmeshctl pubkey < private.key\n"
	    "       tapmeshctl -V | -h\n");
}

static int
cmd_genkey(void)
{
	uint8_t	 priv[KEY_LEN];
	char	 b64[KEY_B64_LEN + 1];

	if (key_generate(priv) == -1) {
		fprintf(stderr, "tapmeshctl: cannot generate a key\n");
		return 1;
	}
	key_b64_encode(priv, b64);
	printf("%s\n", b64);
	OPENSSL_cleanse(priv, sizeof(priv));
	OPENSSL_cleanse(b64, sizeof(b64));
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
cmd_pubkey(void)
{
	uint8_t	 priv[KEY_LEN], pub[KEY_LEN];
	char	 line[256], b64[KEY_B64_LEN + 1];
	size_t	 len;
	int	 rc = 1;

	if (fgets(line, sizeof(line), stdin) == NULL) {
		fprintf(stderr, "tapmeshctl: no private key on stdin\n");
		return 1;
	}
	len = strcspn(line, " \t\r\n");
	line[len] = '\0';
	if (key_b64_decode(line, priv) == -1) {
		fprintf(stderr, "tapmeshctl: stdin does not hold a base64 "
		    "private key of %d bytes\n", KEY_LEN);
		goto out;
	}
	if (key_public(priv, pub) == -1) {
		fprintf(stderr, "tapmeshctl: cannot derive the public key\n");
		goto out;
	}
	key_b64_encode(pub, b64);
	printf("%s\n", b64);
	rc = fflush(stdout) == 0 ? 0 : 1;
 out:
	OPENSSL_cleanse(line, sizeof(line));
	OPENSSL_cleanse(priv, sizeof(priv));
	return rc;
}

int
main(int argc, char *argv[])
{
	if (argc == 2 && strcmp(argv[1], "genkey") == 0)
		return cmd_genkey();
	if (argc == 2 && strcmp(argv[1], "pubkey") == 0)
		return cmd_pubkey();
	if (argc == 2 && strcmp(argv[1], "-V") == 0) {
		printf("tapmeshctl %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
