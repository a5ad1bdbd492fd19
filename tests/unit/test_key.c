/*
 * Unit tests for key.c: base64 form, generation, X25519 (RFC 7748
 * vectors) and the private key file loader.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "key.h"
#include "pkt.h"

/* Expected strings computed with Python's base64 module. */
static void
test_b64_known(void **state)
{
	uint8_t	 k[32], out[32];
	char	 s[KEY_B64_LEN + 1];
	int	 i;

	(void)state;
	for (i = 0; i < 32; i++)
		k[i] = (uint8_t)i;
	key_b64_encode(k, s);
	assert_string_equal(s, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	assert_int_equal(key_b64_decode(s, out), 0);
	assert_memory_equal(out, k, 32);

	memset(k, 0xff, 32);
	key_b64_encode(k, s);
	assert_string_equal(s, "//////////////////////////////////////////8=");
	assert_int_equal(key_b64_decode(
	    "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", out), 0);
	unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	    k, 32);
	assert_memory_equal(out, k, 32);
}

static void
test_b64_roundtrip(void **state)
{
	uint8_t	 k[32], out[32];
	char	 s[KEY_B64_LEN + 1];
	int	 i;

	(void)state;
	for (i = 0; i < 200; i++) {
		assert_int_equal(key_generate(k), 0);
		k[i % 32] ^= (uint8_t)i;	/* unclamped values too */
		key_b64_encode(k, s);
		assert_int_equal(strlen(s), KEY_B64_LEN);
		assert_int_equal(key_b64_decode(s, out), 0);
		assert_memory_equal(out, k, 32);
	}
}

static void
test_b64_strict(void **state)
{
	const char	*good = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	const char	*bad[] = {
		"",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",	/* 43 */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8==",	/* 45 */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
		" AECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A",	/* no pad */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh==",	/* 2 pads */
		"AAEC=wQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",	/* pad inside */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=",	/* bits */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh-=",	/* url-safe */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH_8=",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd*h8=",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd h8=",
	};
	uint8_t		 out[32], sentinel[32];
	size_t		 i;

	(void)state;
	memset(out, 0xa5, sizeof(out));
	memset(sentinel, 0xa5, sizeof(sentinel));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(key_b64_decode(bad[i], out), -1);
		/* Nothing half-decoded leaks into the output. */
		assert_memory_equal(out, sentinel, 32);
	}
	assert_int_equal(key_b64_decode(good, out), 0);
}

/* RFC 7748, section 6.1. */
static void
test_x25519_rfc7748(void **state)
{
	uint8_t	 a[32], b[32], apub[32], bpub[32], k[32], pub[32], out[32];

	(void)state;
	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	    a, 32);
	unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	    apub, 32);
	unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	    b, 32);
	unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	    bpub, 32);
	unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
	    k, 32);
	assert_int_equal(key_public(a, pub), 0);
	assert_memory_equal(pub, apub, 32);
	assert_int_equal(key_public(b, pub), 0);
	assert_memory_equal(pub, bpub, 32);
	assert_int_equal(key_dh(a, NULL, bpub, out), 0);
	assert_memory_equal(out, k, 32);
	assert_int_equal(key_dh(b, bpub, apub, out), 0);
	assert_memory_equal(out, k, 32);
}

static void
test_dh_low_order(void **state)
{
	uint8_t	 priv[32], pub[32], out[32], zero[32] = { 0 };

	(void)state;
	assert_int_equal(key_generate(priv), 0);
	memset(pub, 0, sizeof(pub));		/* the point 0 */
	memset(out, 0x55, sizeof(out));
	assert_int_equal(key_dh(priv, NULL, pub, out), -1);
	assert_memory_equal(out, zero, 32);
	pub[0] = 1;				/* the point 1 */
	assert_int_equal(key_dh(priv, NULL, pub, out), -1);
	assert_memory_equal(out, zero, 32);
}

static void
test_generate(void **state)
{
	uint8_t	 a[32], b[32], apub[32], bpub[32], s1[32], s2[32];

	(void)state;
	assert_int_equal(key_generate(a), 0);
	assert_int_equal(key_generate(b), 0);
	assert_memory_not_equal(a, b, 32);
	/* Clamped as RFC 7748 section 5 describes. */
	assert_int_equal(a[0] & 7, 0);
	assert_int_equal(a[31] & 0x80, 0);
	assert_int_equal(a[31] & 0x40, 0x40);
	assert_int_equal(key_public(a, apub), 0);
	assert_int_equal(key_public(b, bpub), 0);
	assert_int_equal(key_dh(a, apub, bpub, s1), 0);
	assert_int_equal(key_dh(b, NULL, apub, s2), 0);
	assert_memory_equal(s1, s2, 32);
}

static char	 dir[] = "/tmp/tapmesh-test-key.XXXXXX";

static int
setup_dir(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown_dir(void **state)
{
	char	 cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *path, const char *content, mode_t mode)
{
	FILE	*f;

	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(content, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_load_file(void **state)
{
	const char	*b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	char		 path[256], err[256], content[128];
	uint8_t		 k[32], expect[32];
	mode_t		 bad_modes[] = { 0640, 0604, 0620, 0602, 0660, 0644,
			    0610, 0601 };
	size_t		 i;

	(void)state;
	for (i = 0; i < 32; i++)
		expect[i] = (uint8_t)i;
	snprintf(path, sizeof(path), "%s/private.key", dir);

	/* Accepted: exact, with newline, with trailing whitespace, 0400. */
	write_file(path, b64, 0600);
	assert_int_equal(key_load_file(path, k, err, sizeof(err)), 0);
	assert_memory_equal(k, expect, 32);
	snprintf(content, sizeof(content), "%s\n", b64);
	write_file(path, content, 0400);
	memset(k, 0, sizeof(k));
	assert_int_equal(key_load_file(path, k, err, sizeof(err)), 0);
	assert_memory_equal(k, expect, 32);
	snprintf(content, sizeof(content), "%s \t\r\n\n", b64);
	write_file(path, content, 0600);
	assert_int_equal(key_load_file(path, k, err, sizeof(err)), 0);

	/* Refused: group or other access, with a useful message. */
	for (i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
		write_file(path, b64, bad_modes[i]);
		err[0] = '\0';
		assert_int_equal(key_load_file(path, k, err, sizeof(err)), -1);
		assert_non_null(strstr(err, path));
		assert_non_null(strstr(err, "group or others"));
		assert_null(strstr(err, b64));
	}

	/* Refused: owned by another user who is not root. */
	if (geteuid() == 0) {
		write_file(path, b64, 0600);
		assert_int_equal(chown(path, 65534, 65534), 0);
		err[0] = '\0';
		assert_int_equal(key_load_file(path, k, err, sizeof(err)), -1);
		assert_non_null(strstr(err, path));
		assert_non_null(strstr(err, "owned by uid 65534"));
		assert_int_equal(chown(path, 0, 0), 0);
		assert_int_equal(key_load_file(path, k, err, sizeof(err)), 0);
	}

	/* Refused: malformed contents, never echoed back. */
	snprintf(content, sizeof(content), " %s", b64);
	write_file(path, content, 0600);
	assert_int_equal(key_load_file(path, k, err, sizeof(err)), -1);
	assert_null(strstr(err, "AAECAwQF"));
	assert_non_null(strstr(err, "not a base64"));
	write_file(path, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", 0600);
	assert_int_equal(key_load_file(path, k, err, sizeof(err)), -1);
	snprintf(content, sizeof(content), "%s\n%s\n", b64, b64);
	write_file(path, content, 0600);
	assert_int_equal(key_load_file(path, k, err, sizeof(err)), -1);
	write_file(path, "", 0600);
	assert_int_equal(key_load_file(path, k, err, sizeof(err)), -1);
	{
		char	 big[600];

		memset(big, 'A', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		write_file(path, big, 0600);
		assert_int_equal(key_load_file(path, k, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "too long"));
	}
	/* An embedded NUL does not make a shorter key acceptable. */
	{
		FILE	*f;

		unlink(path);
		f = fopen(path, "w");
		assert_non_null(f);
		fwrite(b64, 1, 20, f);
		fputc('\0', f);
		fwrite(b64 + 21, 1, 23, f);
		fclose(f);
		chmod(path, 0600);
		assert_int_equal(key_load_file(path, k, err, sizeof(err)), -1);
	}

	/* Refused: missing file, directory. */
	unlink(path);
	assert_int_equal(key_load_file(path, k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	chmod(dir, 0700);
	assert_int_equal(key_load_file(dir, k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));

	/* A tiny error buffer is truncated, not overrun. */
	write_file(path, b64, 0644);
	memset(content, 'x', sizeof(content));
	assert_int_equal(key_load_file(path, k, content, 8), -1);
	assert_int_equal(strlen(content), 7);
	assert_int_equal(content[8], 'x');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_known),
		cmocka_unit_test(test_b64_roundtrip),
		cmocka_unit_test(test_b64_strict),
		cmocka_unit_test(test_x25519_rfc7748),
		cmocka_unit_test(test_dh_low_order),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
