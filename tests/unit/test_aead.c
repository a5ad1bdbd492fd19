/*
 * Unit tests for aead.c: published known-answer vectors for both
 * algorithms, the counter-to-nonce layout, in-place operation, and
 * refusal of every kind of tampering.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "aead.h"
#include "pkt.h"

/* RFC 8439, section 2.8.2: Example and Test Vector for
 * AEAD_CHACHA20_POLY1305. */
static void
test_kat_chacha20_poly1305(void **state)
{
	const char	*pt = "Ladies and Gentlemen of the class of '99: If I "
	    "could offer you only one tip for the future, sunscreen would be "
	    "it.";
	struct aead_key	 k;
	uint8_t		 key[32], nonce[12], aad[12], expect[160], buf[160];
	size_t		 len = strlen(pt), elen;

	(void)state;
	unhex("808182838485868788898a8b8c8d8e8f"
	    "909192939495969798999a9b9c9d9e9f", key, sizeof(key));
	unhex("070000004041424344454647", nonce, sizeof(nonce));
	unhex("50515253c0c1c2c3c4c5c6c7", aad, sizeof(aad));
	elen = unhex(
	    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	    "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	    "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	    "3ff4def08e4b7a9de576d26586cec64b6116"
	    "1ae10b594f09e26a7e902ecbd0600691", expect, sizeof(expect));
	assert_int_equal(len, 114);
	assert_int_equal(elen, len + AEAD_TAG_LEN);

	assert_int_equal(aead_init(&k, AEAD_CHACHA20_POLY1305, key), 0);
	assert_int_equal(aead_seal_nonce(&k, nonce, aad, sizeof(aad),
	    (const uint8_t *)pt, len, buf), 0);
	assert_memory_equal(buf, expect, elen);
	assert_int_equal(aead_open_nonce(&k, nonce, aad, sizeof(aad), expect,
	    elen, buf), 0);
	assert_memory_equal(buf, pt, len);
	expect[elen - 1] ^= 1;
	assert_int_equal(aead_open_nonce(&k, nonce, aad, sizeof(aad), expect,
	    elen, buf), -1);
	aead_free(&k);
}

/* The GCM specification (McGrew, Viega), Appendix B, Test Case 16. */
static void
test_kat_aes_256_gcm(void **state)
{
	struct aead_key	 k;
	uint8_t		 key[32], iv[12], aad[20], pt[64], expect[96],
			 buf[96];
	size_t		 plen, elen;

	(void)state;
	unhex("feffe9928665731c6d6a8f9467308308"
	    "feffe9928665731c6d6a8f9467308308", key, sizeof(key));
	unhex("cafebabefacedbaddecaf888", iv, sizeof(iv));
	unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad, sizeof(aad));
	plen = unhex(
	    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39", pt,
	    sizeof(pt));
	elen = unhex(
	    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
	    "76fc6ece0f4e1768cddf8853bb2d551b", expect, sizeof(expect));
	assert_int_equal(elen, plen + AEAD_TAG_LEN);

	assert_int_equal(aead_init(&k, AEAD_AES_256_GCM, key), 0);
	assert_int_equal(aead_seal_nonce(&k, iv, aad, sizeof(aad), pt, plen,
	    buf), 0);
	assert_memory_equal(buf, expect, elen);
	assert_int_equal(aead_open_nonce(&k, iv, aad, sizeof(aad), expect,
	    elen, buf), 0);
	assert_memory_equal(buf, pt, plen);
	aead_free(&k);
}

/* The counter forms use the nonce 00 00 00 00 || le64(counter). */
static void
nonce_layout(enum aead_alg alg)
{
	struct aead_key	 k;
	uint8_t		 key[32], nonce[12], a[64], b[64];
	const uint8_t	 msg[] = "nonce layout";
	uint64_t	 ctr = 0x0102030405060708ULL;

	memset(key, 0x42, sizeof(key));
	assert_int_equal(aead_init(&k, alg, key), 0);
	memcpy(nonce, "\0\0\0\0\x08\x07\x06\x05\x04\x03\x02\x01", 12);
	assert_int_equal(aead_seal(&k, ctr, NULL, 0, msg, sizeof(msg), a), 0);
	assert_int_equal(aead_seal_nonce(&k, nonce, NULL, 0, msg, sizeof(msg),
	    b), 0);
	assert_memory_equal(a, b, sizeof(msg) + AEAD_TAG_LEN);
	aead_free(&k);
}

static void
test_nonce_layout(void **state)
{
	(void)state;
	nonce_layout(AEAD_CHACHA20_POLY1305);
	nonce_layout(AEAD_AES_256_GCM);
}

static void
roundtrip_and_tamper(enum aead_alg alg)
{
	struct aead_key	 k, other;
	uint8_t		 key[32], key2[32], pkt[1500 + AEAD_TAG_LEN],
			 orig[1500], work[1500 + AEAD_TAG_LEN], out[1500];
	const uint8_t	 ad[16] = "header-bytes-16";
	size_t		 len = 1400, i, clen = 1400 + AEAD_TAG_LEN;
	uint64_t	 ctr = 77;

	for (i = 0; i < sizeof(orig); i++)
		orig[i] = (uint8_t)(i * 7 + 3);
	memset(key, 0x11, sizeof(key));
	memset(key2, 0x12, sizeof(key2));
	assert_int_equal(aead_init(&k, alg, key), 0);
	assert_int_equal(aead_init(&other, alg, key2), 0);

	/* In place: plaintext in the buffer, room for the tag behind it. */
	memcpy(pkt, orig, len);
	assert_int_equal(aead_seal(&k, ctr, ad, sizeof(ad), pkt, len, pkt), 0);
	assert_memory_not_equal(pkt, orig, len);
	memcpy(work, pkt, clen);
	assert_int_equal(aead_open(&k, ctr, ad, sizeof(ad), work, clen, work),
	    0);
	assert_memory_equal(work, orig, len);

	/* Out of place gives the same bytes as in place. */
	assert_int_equal(aead_seal(&k, ctr, ad, sizeof(ad), orig, len, work),
	    0);
	assert_memory_equal(work, pkt, clen);

	/* Tampered tag, ciphertext, AD; wrong counter; wrong key; short. */
	memcpy(work, pkt, clen);
	work[clen - 1] ^= 0x01;
	assert_int_equal(aead_open(&k, ctr, ad, sizeof(ad), work, clen, out),
	    -1);
	memcpy(work, pkt, clen);
	work[0] ^= 0x80;
	assert_int_equal(aead_open(&k, ctr, ad, sizeof(ad), work, clen, out),
	    -1);
	memcpy(work, pkt, clen);
	work[len / 2] ^= 0x04;
	assert_int_equal(aead_open(&k, ctr, ad, sizeof(ad), work, clen, out),
	    -1);
	{
		uint8_t	 bad_ad[16];

		memcpy(bad_ad, ad, sizeof(ad));
		bad_ad[3] ^= 1;
		assert_int_equal(aead_open(&k, ctr, bad_ad, sizeof(bad_ad),
		    pkt, clen, out), -1);
	}
	assert_int_equal(aead_open(&k, ctr, ad, sizeof(ad) - 1, pkt, clen,
	    out), -1);
	assert_int_equal(aead_open(&k, ctr, NULL, 0, pkt, clen, out), -1);
	assert_int_equal(aead_open(&k, ctr + 1, ad, sizeof(ad), pkt, clen,
	    out), -1);
	assert_int_equal(aead_open(&k, ctr - 1, ad, sizeof(ad), pkt, clen,
	    out), -1);
	assert_int_equal(aead_open(&other, ctr, ad, sizeof(ad), pkt, clen,
	    out), -1);
	assert_int_equal(aead_open(&k, ctr, ad, sizeof(ad), pkt, clen - 1,
	    out), -1);
	assert_int_equal(aead_open(&k, ctr, ad, sizeof(ad), pkt,
	    AEAD_TAG_LEN - 1, out), -1);

	/* A failure leaves the key usable for the next packet. */
	assert_int_equal(aead_open(&k, ctr, ad, sizeof(ad), pkt, clen, out),
	    0);
	assert_memory_equal(out, orig, len);

	/* Empty payload: the tag alone, still authenticated. */
	assert_int_equal(aead_seal(&k, 1, ad, sizeof(ad), NULL, 0, work), 0);
	assert_int_equal(aead_open(&k, 1, ad, sizeof(ad), work, AEAD_TAG_LEN,
	    out), 0);
	work[0] ^= 1;
	assert_int_equal(aead_open(&k, 1, ad, sizeof(ad), work, AEAD_TAG_LEN,
	    out), -1);

	/* Different counters give different ciphertexts. */
	assert_int_equal(aead_seal(&k, 1, NULL, 0, orig, 64, work), 0);
	assert_int_equal(aead_seal(&k, 2, NULL, 0, orig, 64, out), 0);
	assert_memory_not_equal(work, out, 64);

	aead_free(&k);
	aead_free(&other);
	assert_null(k.enc);
	assert_null(k.dec);
}

static void
test_chacha_roundtrip(void **state)
{
	(void)state;
	roundtrip_and_tamper(AEAD_CHACHA20_POLY1305);
}

static void
test_aes_roundtrip(void **state)
{
	(void)state;
	roundtrip_and_tamper(AEAD_AES_256_GCM);
}

/* The same key under the two algorithms gives unrelated output. */
static void
test_algorithms_differ(void **state)
{
	struct aead_key	 c, g;
	uint8_t		 key[32] = { 9 }, a[48], b[48], zero[32] = { 0 };

	(void)state;
	assert_int_equal(aead_init(&c, AEAD_CHACHA20_POLY1305, key), 0);
	assert_int_equal(aead_init(&g, AEAD_AES_256_GCM, key), 0);
	assert_int_equal(aead_seal(&c, 0, NULL, 0, zero, 32, a), 0);
	assert_int_equal(aead_seal(&g, 0, NULL, 0, zero, 32, b), 0);
	assert_memory_not_equal(a, b, 48);
	assert_int_equal(aead_open(&g, 0, NULL, 0, a, 48, b), -1);
	aead_free(&c);
	aead_free(&g);
}

static void
test_names_and_bad_alg(void **state)
{
	struct aead_key	 k;
	uint8_t		 key[32] = { 0 }, buf[32];
	int		 aes;

	(void)state;
	assert_string_equal(aead_alg_name(AEAD_CHACHA20_POLY1305),
	    "chacha20-poly1305");
	assert_string_equal(aead_alg_name(AEAD_AES_256_GCM), "aes-256-gcm");
	assert_string_equal(aead_alg_name((enum aead_alg)7), "unknown");
	assert_int_equal(aead_init(&k, (enum aead_alg)7, key), -1);
	assert_null(k.enc);
	/* A failed or freed key refuses work instead of crashing. */
	assert_int_equal(aead_seal(&k, 0, NULL, 0, buf, 0, buf), -1);
	aead_free(&k);
	aes = aead_cpu_has_aes();
	assert_true(aes == 0 || aes == 1);
}

/*
 * Whether the upper halves of the YMM registers are in use (bit 2 of
 * XGETBV with ECX = 1); -1 where that cannot be read.
 */
static int
ymm_upper_in_use(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int	 a, b, c, d;
	uint32_t	 lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27)) ||
	    __get_cpuid_max(0, NULL) < 0xd)
		return -1;
	__cpuid_count(0xd, 1, a, b, c, d);
	if (!(a & (1u << 2)))
		return -1;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(1));
	(void)hi;
	return (lo >> 2) & 1;
#else
	return -1;
#endif
}

/*
 * Sealing and opening leave no YMM upper halves in use (aead.c: OpenSSL's
 * Poly1305 code does, and SSE code after it then pays a state transition
 * each time).
 */
static void
test_upper_state_clean(void **state)
{
	struct aead_key	 k;
	uint8_t		 key[32] = { 3 }, ad[16] = { 0 }, pt[1420], ct[1436];
	int		 alg;

	(void)state;
	if (ymm_upper_in_use() == -1)
		skip();
	memset(pt, 0x42, sizeof(pt));
	for (alg = 0; alg < 2; alg++) {
		assert_int_equal(aead_init(&k, (enum aead_alg)alg, key), 0);
		assert_int_equal(aead_seal(&k, 9, ad, sizeof(ad), pt,
		    sizeof(pt), ct), 0);
		assert_int_equal(ymm_upper_in_use(), 0);
		assert_int_equal(aead_open(&k, 9, ad, sizeof(ad), ct,
		    sizeof(ct), pt), 0);
		assert_int_equal(ymm_upper_in_use(), 0);
		aead_free(&k);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kat_chacha20_poly1305),
		cmocka_unit_test(test_kat_aes_256_gcm),
		cmocka_unit_test(test_nonce_layout),
		cmocka_unit_test(test_chacha_roundtrip),
		cmocka_unit_test(test_aes_roundtrip),
		cmocka_unit_test(test_algorithms_differ),
		cmocka_unit_test(test_names_and_bad_alg),
		cmocka_unit_test(test_upper_state_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
