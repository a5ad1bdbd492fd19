/*
 * Unit tests for handshake.c: complete handshakes between two in-process
 * peers, cipher negotiation, refusal of malformed, forged and replayed
 * messages, the cookie mechanism, and the timestamp helper.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "aead.h"
#include "handshake.h"
#include "key.h"
#include "wire.h"

struct node {
	struct handshake_local	 local;
	struct handshake_peer	 as_peer;	/* how others see this node */
};

static struct node	 alice, bob, carol;

static const uint8_t	 addr4[4] = { 192, 0, 2, 7 };
static const uint8_t	 addr4b[4] = { 192, 0, 2, 8 };

static void
node_make(struct node *n)
{
	uint8_t	 priv[32];

	assert_int_equal(key_generate(priv), 0);
	assert_int_equal(handshake_local_init(&n->local, priv), HANDSHAKE_OK);
	assert_int_equal(handshake_peer_init(&n->as_peer, n->local.pub),
	    HANDSHAKE_OK);
	memset(priv, 0, sizeof(priv));
}

static int
setup(void **state)
{
	(void)state;
	node_make(&alice);
	node_make(&bob);
	node_make(&carol);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	handshake_local_clear(&alice.local);
	handshake_local_clear(&bob.local);
	handshake_local_clear(&carol.local);
	return 0;
}

/* An independent computation of a BLAKE2s-128 MAC, to forge macs. */
static void
mac16(uint8_t out[16], const uint8_t *key, size_t keylen, const uint8_t *d,
    size_t len)
{
	EVP_MAC		*mac = EVP_MAC_fetch(NULL, "BLAKE2SMAC", NULL);
	EVP_MAC_CTX	*ctx = EVP_MAC_CTX_new(mac);
	size_t		 size = 16, outl;
	OSSL_PARAM	 p[2];

	p[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
	p[1] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_MAC_init(ctx, key, keylen, p), 1);
	assert_int_equal(EVP_MAC_update(ctx, d, len), 1);
	assert_int_equal(EVP_MAC_final(ctx, out, &outl, 16), 1);
	assert_int_equal(outl, 16);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
}

/* BLAKE2s-256(label || pub), computed here without handshake.c. */
static void
labelled(uint8_t out[32], const char *label, const uint8_t pub[32])
{
	EVP_MD_CTX	*ctx = EVP_MD_CTX_new();
	unsigned int	 len;

	assert_int_equal(EVP_DigestInit_ex(ctx, EVP_blake2s256(), NULL), 1);
	assert_int_equal(EVP_DigestUpdate(ctx, label, 8), 1);
	assert_int_equal(EVP_DigestUpdate(ctx, pub, 32), 1);
	assert_int_equal(EVP_DigestFinal_ex(ctx, out, &len), 1);
	EVP_MD_CTX_free(ctx);
}

/*
 * Runs a full handshake alice -> bob, each offering the given
 * HANDSHAKE_FLAG_* bits (1 is AES alone); returns both sides' keys.
 */
static void
run_handshake(uint32_t a_flags, uint32_t b_flags, struct handshake_keys *ka,
    struct handshake_keys *kb)
{
	struct handshake			 hi, hr;
	struct handshake_initiation_info	 info;
	uint8_t					 init[HANDSHAKE_INITIATION_LEN],
						 resp[HANDSHAKE_RESPONSE_LEN];

	assert_int_equal(handshake_create_initiation(&hi, &alice.local,
	    &bob.as_peer, 0x11111111, 1700000000, 5, a_flags, NULL, init),
	    HANDSHAKE_OK);
	assert_int_equal(handshake_check_mac1(&bob.local, init, sizeof(init)),
	    HANDSHAKE_OK);
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    sizeof(init), &info), HANDSHAKE_OK);
	assert_memory_equal(info.peer_pub, alice.local.pub, 32);
	assert_int_equal(info.sender_index, 0x11111111);
	assert_int_equal(info.flags, a_flags & HANDSHAKE_FLAGS_KNOWN);
	assert_int_equal(handshake_create_response(&hr, &alice.as_peer,
	    0x22222222, b_flags, NULL, resp), HANDSHAKE_OK);
	assert_int_equal(handshake_check_mac1(&alice.local, resp,
	    sizeof(resp)), HANDSHAKE_OK);
	assert_int_equal(handshake_consume_response(&hi, &alice.local, resp,
	    sizeof(resp)), HANDSHAKE_OK);
	assert_int_equal(handshake_derive_keys(&hi, ka), HANDSHAKE_OK);
	assert_int_equal(handshake_derive_keys(&hr, kb), HANDSHAKE_OK);
	/* Deriving wiped the states. */
	assert_int_equal(hi.stage, HANDSHAKE_STAGE_NONE);
	assert_int_equal(hr.stage, HANDSHAKE_STAGE_NONE);
}

static void
test_sizes(void **state)
{
	(void)state;
	assert_int_equal(HANDSHAKE_INITIATION_LEN, 152);
	assert_int_equal(HANDSHAKE_RESPONSE_LEN, 96);
	assert_int_equal(HANDSHAKE_COOKIE_REPLY_LEN, 52);
	assert_int_equal(HANDSHAKE_INITIATION_MAC1_OFF, 120);
	assert_int_equal(HANDSHAKE_RESPONSE_MAC1_OFF, 64);
	assert_int_equal(WIRE_DATA_HEADER_LEN, 16);
	assert_int_equal(WIRE_DATA_OVERHEAD, 32);
}

static void
test_complete_handshake(void **state)
{
	struct handshake_keys	 ka, kb;
	struct aead_key		 a_tx, a_rx, b_tx, b_rx;
	uint8_t			 pkt[256], frame[100], out[256];
	uint32_t		 idx = 0;
	uint64_t		 ctr = 0;
	size_t			 i;

	(void)state;
	run_handshake(0, 0, &ka, &kb);
	/* Crosswise equal, and the two directions differ. */
	assert_memory_equal(ka.send, kb.recv, 32);
	assert_memory_equal(ka.recv, kb.send, 32);
	assert_memory_not_equal(ka.send, ka.recv, 32);
	assert_memory_equal(ka.hash, kb.hash, 32);
	assert_int_equal(ka.local_index, 0x11111111);
	assert_int_equal(ka.remote_index, 0x22222222);
	assert_int_equal(kb.local_index, 0x22222222);
	assert_int_equal(kb.remote_index, 0x11111111);
	assert_int_equal(ka.alg, AEAD_CHACHA20_POLY1305);
	assert_int_equal(kb.alg, AEAD_CHACHA20_POLY1305);

	assert_int_equal(aead_init(&a_tx, ka.alg, ka.send), 0);
	assert_int_equal(aead_init(&a_rx, ka.alg, ka.recv), 0);
	assert_int_equal(aead_init(&b_tx, kb.alg, kb.send), 0);
	assert_int_equal(aead_init(&b_rx, kb.alg, kb.recv), 0);
	for (i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;

	/* Alice -> Bob, built the way the daemon builds data packets. */
	wire_data_header_write(pkt, ka.remote_index, 7);
	memcpy(pkt + WIRE_DATA_HEADER_LEN, frame, sizeof(frame));
	assert_int_equal(aead_seal(&a_tx, 7, pkt, WIRE_DATA_HEADER_LEN,
	    pkt + WIRE_DATA_HEADER_LEN, sizeof(frame),
	    pkt + WIRE_DATA_HEADER_LEN), 0);
	assert_int_equal(wire_data_header_read(pkt, sizeof(frame) +
	    WIRE_DATA_OVERHEAD, &idx, &ctr), 0);
	assert_int_equal(idx, kb.local_index);
	assert_int_equal(ctr, 7);
	assert_int_equal(aead_open(&b_rx, ctr, pkt, WIRE_DATA_HEADER_LEN,
	    pkt + WIRE_DATA_HEADER_LEN, sizeof(frame) + WIRE_TAG_LEN, out), 0);
	assert_memory_equal(out, frame, sizeof(frame));
	/* Bob's send key is not Alice's: her packet fails under it. */
	assert_int_equal(aead_open(&b_tx, ctr, pkt, WIRE_DATA_HEADER_LEN,
	    pkt + WIRE_DATA_HEADER_LEN, sizeof(frame) + WIRE_TAG_LEN, out), -1);
	/* A header change breaks authentication (header is the AD). */
	pkt[4] ^= 1;
	assert_int_equal(aead_open(&b_rx, ctr, pkt, WIRE_DATA_HEADER_LEN,
	    pkt + WIRE_DATA_HEADER_LEN, sizeof(frame) + WIRE_TAG_LEN, out), -1);

	/* Bob -> Alice. */
	wire_data_header_write(pkt, kb.remote_index, 0);
	assert_int_equal(aead_seal(&b_tx, 0, pkt, WIRE_DATA_HEADER_LEN,
	    frame, sizeof(frame), pkt + WIRE_DATA_HEADER_LEN), 0);
	assert_int_equal(aead_open(&a_rx, 0, pkt, WIRE_DATA_HEADER_LEN,
	    pkt + WIRE_DATA_HEADER_LEN, sizeof(frame) + WIRE_TAG_LEN, out), 0);
	assert_memory_equal(out, frame, sizeof(frame));

	aead_free(&a_tx);
	aead_free(&a_rx);
	aead_free(&b_tx);
	aead_free(&b_rx);
	handshake_keys_clear(&ka);
	handshake_keys_clear(&kb);
}

static void
test_negotiation(void **state)
{
	struct handshake_keys	 ka, kb;
	struct aead_key		 tx, rx;
	int			 a, b;
	uint8_t			 buf[64] = "negotiated";

	(void)state;
	for (a = 0; a <= 1; a++)
		for (b = 0; b <= 1; b++) {
			run_handshake(a, b, &ka, &kb);
			assert_int_equal(ka.alg, kb.alg);
			assert_int_equal(ka.alg, a && b ? AEAD_AES_256_GCM :
			    AEAD_CHACHA20_POLY1305);
			assert_int_equal(aead_init(&tx, ka.alg, ka.send), 0);
			assert_int_equal(aead_init(&rx, kb.alg, kb.recv), 0);
			assert_int_equal(aead_seal(&tx, 1, NULL, 0, buf, 16,
			    buf), 0);
			assert_int_equal(aead_open(&rx, 1, NULL, 0, buf, 32,
			    buf), 0);
			assert_memory_equal(buf, "negotiated", 11);
			aead_free(&tx);
			aead_free(&rx);
		}
}

/*
 * Partial checksums are agreed only when both sides offer them, whatever
 * the cipher; a bit the initiator does not know is not sent
 * (run_handshake checks the flags the responder saw).
 */
static void
test_negotiation_csum_partial(void **state)
{
	struct handshake_keys	 ka, kb;
	uint32_t		 a, b, want;

	(void)state;
	for (a = 0; a <= 3; a++)
		for (b = 0; b <= 3; b++) {
			run_handshake(a | 0x80, b, &ka, &kb);
			want = a & b & HANDSHAKE_FLAG_CSUM_PARTIAL;
			assert_int_equal(ka.csum_partial, want != 0);
			assert_int_equal(kb.csum_partial, want != 0);
			assert_int_equal(ka.alg, (a & b & HANDSHAKE_FLAG_AES) ?
			    AEAD_AES_256_GCM : AEAD_CHACHA20_POLY1305);
			assert_int_equal(kb.alg, ka.alg);
		}
}

/*
 * The initiator offers flags, the responder pretends it was offered
 * flags | lie and answers with every bit it knows: the initiator refuses
 * the response and keeps its handshake state as it was.
 */
static void
lying_responder(uint32_t flags, uint32_t lie)
{
	struct handshake			 hi, hr, saved;
	struct handshake_initiation_info	 info;
	uint8_t					 init[152], resp[96];

	assert_int_equal(handshake_create_initiation(&hi, &alice.local,
	    &bob.as_peer, 1, 100, 0, flags, NULL, init), HANDSHAKE_OK);
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    sizeof(init), &info), HANDSHAKE_OK);
	hr.offered_flags |= lie;
	assert_int_equal(handshake_create_response(&hr, &alice.as_peer, 2,
	    HANDSHAKE_FLAGS_KNOWN, NULL, resp), HANDSHAKE_OK);
	saved = hi;
	assert_int_equal(handshake_consume_response(&hi, &alice.local, resp,
	    sizeof(resp)), HANDSHAKE_ERR_PAYLOAD);
	assert_memory_equal(&hi, &saved, sizeof(hi));
	handshake_clear(&hi);
	handshake_clear(&hr);
	handshake_clear(&saved);
}

/* A responder that agrees to partial checksums nobody offered. */
static void
test_response_unoffered_csum_partial(void **state)
{
	(void)state;
	lying_responder(HANDSHAKE_FLAG_AES, HANDSHAKE_FLAG_CSUM_PARTIAL);
	lying_responder(0, HANDSHAKE_FLAG_CSUM_PARTIAL);
}

/* A responder that picks a cipher that was not offered is refused. */
static void
test_response_unoffered_cipher(void **state)
{
	(void)state;
	lying_responder(0, HANDSHAKE_FLAG_AES);
	lying_responder(HANDSHAKE_FLAG_CSUM_PARTIAL, HANDSHAKE_FLAG_AES);
}

static void
test_malformed_initiation(void **state)
{
	struct handshake			 hi, hr;
	struct handshake_initiation_info	 info;
	uint8_t					 init[152], bad[160];
	size_t					 i;
	int					 r;

	(void)state;
	assert_int_equal(handshake_create_initiation(&hi, &alice.local,
	    &bob.as_peer, 9, 100, 0, 1, NULL, init), HANDSHAKE_OK);
	assert_int_equal(hi.stage, HANDSHAKE_STAGE_INITIATION_SENT);

	/* Truncated, extended, empty. */
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    sizeof(init) - 1, &info), HANDSHAKE_ERR_LENGTH);
	memcpy(bad, init, sizeof(init));
	bad[sizeof(init)] = 0;
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, bad,
	    sizeof(init) + 1, &info), HANDSHAKE_ERR_LENGTH);
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    0, &info), HANDSHAKE_ERR_LENGTH);
	assert_int_equal(handshake_check_mac1(&bob.local, init, 3),
	    HANDSHAKE_ERR_LENGTH);

	/* Wrong type, reserved bytes set. */
	for (i = 0; i < 4; i++) {
		memcpy(bad, init, sizeof(init));
		bad[i] ^= (i == 0) ? 0x03 : (i == 1) ? 0x02 : 0x01;
		assert_int_equal(handshake_consume_initiation(&hr, &bob.local,
		    bad, sizeof(init), &info), HANDSHAKE_ERR_TYPE);
	}
	/* The psk bit of byte 1 is no reserved bit, but mac1 covers it. */
	memcpy(bad, init, sizeof(init));
	bad[1] ^= HANDSHAKE_HDR_PSK;
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, bad,
	    sizeof(init), &info), HANDSHAKE_ERR_MAC1);
	/* An initiation handed to the response parser. */
	assert_int_equal(handshake_consume_response(&hi, &alice.local, init,
	    sizeof(init)), HANDSHAKE_ERR_TYPE);

	/* Any flipped bit up to mac1 (included) fails mac1. */
	for (i = 4; i < HANDSHAKE_INITIATION_MAC1_OFF + 16; i++) {
		memcpy(bad, init, sizeof(init));
		bad[i] ^= 0x20;
		r = handshake_consume_initiation(&hr, &bob.local, bad,
		    sizeof(init), &info);
		assert_int_equal(r, HANDSHAKE_ERR_MAC1);
		assert_int_equal(hr.stage, HANDSHAKE_STAGE_NONE);
	}
	/*
	 * With mac1 recomputed (as anyone knowing Bob's public key can),
	 * corruption of the Noise part is caught by Noise itself.  The
	 * sender index is not covered by Noise, only by mac1.
	 */
	for (i = 8; i < HANDSHAKE_INITIATION_MAC1_OFF; i += 7) {
		memcpy(bad, init, sizeof(init));
		bad[i] ^= 0x01;
		mac16(bad + 120, bob.as_peer.mac1_key, 32, bad, 120);
		assert_int_equal(handshake_consume_initiation(&hr, &bob.local,
		    bad, sizeof(init), &info), HANDSHAKE_ERR_AUTH);
	}
	/* mac2 is not checked by consume (only under load, see cookie test). */
	memcpy(bad, init, sizeof(init));
	bad[150] ^= 1;
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, bad,
	    sizeof(init), &info), HANDSHAKE_OK);
	handshake_clear(&hr);
	/* And the genuine one still works. */
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    sizeof(init), &info), HANDSHAKE_OK);
	handshake_clear(&hi);
	handshake_clear(&hr);
}

/* mac1 is checked before any DH: bad mac1 wins over a bad body. */
static void
test_mac1_before_dh(void **state)
{
	struct handshake			 hi, hr;
	struct handshake_initiation_info	 info;
	uint8_t					 init[152], exp[16], k[32];

	(void)state;
	assert_int_equal(handshake_create_initiation(&hi, &alice.local,
	    &bob.as_peer, 9, 100, 0, 0, NULL, init), HANDSHAKE_OK);
	/* The layout: mac1 keyed with BLAKE2s("mac1----" || Bob's key). */
	labelled(k, "mac1----", bob.local.pub);
	mac16(exp, k, 32, init, 120);
	assert_memory_equal(init + 120, exp, 16);
	assert_memory_equal(hi.sent_mac1, exp, 16);
	memset(exp, 0, 16);
	assert_memory_equal(init + 136, exp, 16);	/* no cookie: zeros */

	/* Body garbage and bad mac1: refused as MAC1, not AUTH. */
	memset(init + 8, 0xee, 112);
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    sizeof(init), &info), HANDSHAKE_ERR_MAC1);
	/* An initiation for Bob is not for Carol. */
	assert_int_equal(handshake_create_initiation(&hi, &alice.local,
	    &bob.as_peer, 9, 100, 0, 0, NULL, init), HANDSHAKE_OK);
	assert_int_equal(handshake_check_mac1(&carol.local, init,
	    sizeof(init)), HANDSHAKE_ERR_MAC1);
	handshake_clear(&hi);
}

static void
test_wrong_peer_key(void **state)
{
	struct handshake			 hi, hr;
	struct handshake_initiation_info	 info;
	struct handshake_peer			 fake;
	uint8_t					 init[152], resp[96];

	(void)state;
	/* Alice believes Bob's key is Carol's: Bob cannot even check mac1. */
	assert_int_equal(handshake_create_initiation(&hi, &alice.local,
	    &carol.as_peer, 9, 100, 0, 0, NULL, init), HANDSHAKE_OK);
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    sizeof(init), &info), HANDSHAKE_ERR_MAC1);
	/* Same, with mac1 made right for Bob: Noise refuses it. */
	fake = carol.as_peer;
	memcpy(fake.mac1_key, bob.as_peer.mac1_key, 32);
	assert_int_equal(handshake_create_initiation(&hi, &alice.local, &fake,
	    9, 100, 0, 0, NULL, init), HANDSHAKE_OK);
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    sizeof(init), &info), HANDSHAKE_ERR_AUTH);

	/* Bob answering with the wrong peer (not the initiator) is refused. */
	assert_int_equal(handshake_create_initiation(&hi, &alice.local,
	    &bob.as_peer, 9, 100, 0, 0, NULL, init), HANDSHAKE_OK);
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    sizeof(init), &info), HANDSHAKE_OK);
	assert_int_equal(handshake_create_response(&hr, &carol.as_peer, 3, 0,
	    NULL, resp), HANDSHAKE_ERR_STATE);
	assert_int_equal(handshake_create_response(&hr, &alice.as_peer, 3, 0,
	    NULL, resp), HANDSHAKE_OK);
	/* Carol cannot use Alice's handshake with Bob's response. */
	assert_int_equal(handshake_consume_response(&hi, &carol.local, resp,
	    sizeof(resp)), HANDSHAKE_ERR_MAC1);
	assert_int_equal(handshake_consume_response(&hi, &alice.local, resp,
	    sizeof(resp)), HANDSHAKE_OK);
	handshake_clear(&hi);
	handshake_clear(&hr);
}

static void
test_malformed_response(void **state)
{
	struct handshake			 hi, hr, saved;
	struct handshake_initiation_info	 info;
	struct handshake_keys			 k;
	uint8_t					 init[152], resp[96],
						 bad[100];
	size_t					 i;

	(void)state;
	assert_int_equal(handshake_create_initiation(&hi, &alice.local,
	    &bob.as_peer, 0xabcd, 100, 0, 0, NULL, init), HANDSHAKE_OK);
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    sizeof(init), &info), HANDSHAKE_OK);
	/* Keys are not available before the response. */
	saved = hr;
	assert_int_equal(handshake_derive_keys(&saved, &k), HANDSHAKE_ERR_STATE);
	assert_int_equal(handshake_create_response(&hr, &alice.as_peer, 0x99,
	    0, NULL, resp), HANDSHAKE_OK);
	/* Not twice. */
	assert_int_equal(handshake_create_response(&hr, &alice.as_peer, 0x99,
	    0, NULL, bad), HANDSHAKE_ERR_STATE);
	assert_int_equal(wire_get_le32(resp + 8), 0xabcd);
	assert_int_equal(wire_get_le32(resp + 4), 0x99);

	saved = hi;
	assert_int_equal(handshake_consume_response(&hi, &alice.local, resp,
	    sizeof(resp) - 1), HANDSHAKE_ERR_LENGTH);
	memcpy(bad, resp, sizeof(resp));
	assert_int_equal(handshake_consume_response(&hi, &alice.local, bad,
	    sizeof(resp) + 1), HANDSHAKE_ERR_LENGTH);
	bad[0] = WIRE_TYPE_INITIATION;
	assert_int_equal(handshake_consume_response(&hi, &alice.local, bad,
	    sizeof(resp)), HANDSHAKE_ERR_TYPE);
	for (i = 1; i < HANDSHAKE_RESPONSE_MAC1_OFF + 16; i++) {
		memcpy(bad, resp, sizeof(resp));
		bad[i] ^= 0x08;
		assert_int_not_equal(handshake_consume_response(&hi,
		    &alice.local, bad, sizeof(resp)), HANDSHAKE_OK);
	}
	/* Forged with a valid mac1: wrong index, then Noise refuses. */
	memcpy(bad, resp, sizeof(resp));
	bad[8] ^= 1;
	mac16(bad + 64, alice.as_peer.mac1_key, 32, bad, 64);
	assert_int_equal(handshake_consume_response(&hi, &alice.local, bad,
	    sizeof(resp)), HANDSHAKE_ERR_INDEX);
	memcpy(bad, resp, sizeof(resp));
	bad[50] ^= 1;
	mac16(bad + 64, alice.as_peer.mac1_key, 32, bad, 64);
	assert_int_equal(handshake_consume_response(&hi, &alice.local, bad,
	    sizeof(resp)), HANDSHAKE_ERR_AUTH);
	/* None of that touched the initiator's state ... */
	assert_memory_equal(&hi, &saved, sizeof(hi));
	/* ... so the genuine response still completes it, but only once. */
	assert_int_equal(handshake_consume_response(&hi, &alice.local, resp,
	    sizeof(resp)), HANDSHAKE_OK);
	assert_int_equal(handshake_consume_response(&hi, &alice.local, resp,
	    sizeof(resp)), HANDSHAKE_ERR_STATE);
	handshake_clear(&hi);
	handshake_clear(&hr);
	handshake_clear(&saved);
}

/* A replayed initiation decrypts, but its timestamp is not newer. */
static void
test_replayed_initiation(void **state)
{
	struct handshake			 hi, hr;
	struct handshake_initiation_info	 first, again, later;
	uint8_t					 init[152], init2[152];

	(void)state;
	assert_int_equal(handshake_create_initiation(&hi, &alice.local,
	    &bob.as_peer, 1, 1700000000, 500, 0, NULL, init), HANDSHAKE_OK);
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    sizeof(init), &first), HANDSHAKE_OK);
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    sizeof(init), &again), HANDSHAKE_OK);
	assert_memory_equal(first.timestamp, again.timestamp, 12);
	assert_false(handshake_tai64n_after(again.timestamp, first.timestamp));
	/* A fresh one, one nanosecond later, is newer. */
	assert_int_equal(handshake_create_initiation(&hi, &alice.local,
	    &bob.as_peer, 2, 1700000000, 501, 0, NULL, init2), HANDSHAKE_OK);
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init2,
	    sizeof(init2), &later), HANDSHAKE_OK);
	assert_true(handshake_tai64n_after(later.timestamp, first.timestamp));
	handshake_clear(&hi);
	handshake_clear(&hr);
}

static void
test_tai64n(void **state)
{
	uint8_t	 a[12], b[12];
	const uint8_t epoch[12] = { 0x40, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0 };
	const uint8_t t[12] = { 0x40, 0, 0, 0, 0x65, 0x53, 0xf1, 0x0a,
	    0x3b, 0x9a, 0xc9, 0xff };

	(void)state;
	handshake_tai64n(a, 0, 0);
	assert_memory_equal(a, epoch, 12);
	/* 1700000000 = 0x6553f100; nanoseconds clamped to 999999999. */
	handshake_tai64n(a, 1700000000, 2000000000u);
	assert_memory_equal(a, t, 12);

	handshake_tai64n(a, 100, 5);
	handshake_tai64n(b, 100, 5);
	assert_false(handshake_tai64n_after(a, b));	/* equal */
	handshake_tai64n(b, 100, 4);
	assert_true(handshake_tai64n_after(a, b));
	assert_false(handshake_tai64n_after(b, a));	/* older */
	handshake_tai64n(b, 99, 999999999);
	assert_true(handshake_tai64n_after(a, b));
	handshake_tai64n(b, 101, 0);
	assert_false(handshake_tai64n_after(a, b));
	handshake_tai64n(a, 0x100000000ULL, 0);	/* past 2106 */
	handshake_tai64n(b, 0xffffffffULL, 999999999);
	assert_true(handshake_tai64n_after(a, b));
}

static void
test_cookie_round_trip(void **state)
{
	struct handshake			 hi, hr;
	struct handshake_initiation_info	 info;
	struct handshake_cookie_secret		 cs;
	uint8_t					 init[152], reply[52],
						 bad[52], cookie[16],
						 cookie2[16], resp[96];
	uint64_t				 now = 5000;

	(void)state;
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(handshake_create_initiation(&hi, &alice.local,
	    &bob.as_peer, 0x77, 100, 0, 0, NULL, init), HANDSHAKE_OK);
	/* Bob is under load: no cookie yet, so no valid mac2. */
	assert_int_equal(handshake_check_mac2(&cs, now, addr4, 4, 5655, init,
	    sizeof(init)), HANDSHAKE_ERR_MAC2);
	assert_int_equal(handshake_create_cookie_reply(&bob.local, &cs, now,
	    addr4, 4, 5655, init, sizeof(init), reply), HANDSHAKE_OK);
	assert_true(cs.valid);
	assert_int_equal(reply[0], WIRE_TYPE_COOKIE_REPLY);
	assert_int_equal(wire_get_le32(reply + 4), 0x77);
	/* Still no valid mac2 on the old message. */
	assert_int_equal(handshake_check_mac2(&cs, now, addr4, 4, 5655, init,
	    sizeof(init)), HANDSHAKE_ERR_MAC2);

	/* Alice decrypts it; tampering, wrong index, wrong AD fail. */
	memcpy(bad, reply, sizeof(bad));
	bad[40] ^= 1;
	assert_int_equal(handshake_consume_cookie_reply(&bob.as_peer, 0x77,
	    hi.sent_mac1, bad, sizeof(bad), cookie), HANDSHAKE_ERR_AUTH);
	memcpy(bad, reply, sizeof(bad));
	bad[10] ^= 1;	/* nonce */
	assert_int_equal(handshake_consume_cookie_reply(&bob.as_peer, 0x77,
	    hi.sent_mac1, bad, sizeof(bad), cookie), HANDSHAKE_ERR_AUTH);
	assert_int_equal(handshake_consume_cookie_reply(&bob.as_peer, 0x78,
	    hi.sent_mac1, reply, sizeof(reply), cookie), HANDSHAKE_ERR_INDEX);
	assert_int_equal(handshake_consume_cookie_reply(&carol.as_peer, 0x77,
	    hi.sent_mac1, reply, sizeof(reply), cookie), HANDSHAKE_ERR_AUTH);
	assert_int_equal(handshake_consume_cookie_reply(&bob.as_peer, 0x77,
	    init + 136, reply, sizeof(reply), cookie), HANDSHAKE_ERR_AUTH);
	assert_int_equal(handshake_consume_cookie_reply(&bob.as_peer, 0x77,
	    hi.sent_mac1, reply, sizeof(reply) - 1, cookie),
	    HANDSHAKE_ERR_LENGTH);
	assert_int_equal(handshake_consume_cookie_reply(&bob.as_peer, 0x77,
	    hi.sent_mac1, init, sizeof(init), cookie), HANDSHAKE_ERR_TYPE);
	assert_int_equal(handshake_consume_cookie_reply(&bob.as_peer, 0x77,
	    hi.sent_mac1, reply, sizeof(reply), cookie), HANDSHAKE_OK);

	/* Retried with the cookie: mac2 valid from that address only. */
	assert_int_equal(handshake_create_initiation(&hi, &alice.local,
	    &bob.as_peer, 0x78, 101, 0, 0, cookie, init), HANDSHAKE_OK);
	assert_int_equal(handshake_check_mac1(&bob.local, init, sizeof(init)),
	    HANDSHAKE_OK);
	assert_int_equal(handshake_check_mac2(&cs, now + 10, addr4, 4, 5655,
	    init, sizeof(init)), HANDSHAKE_OK);
	assert_int_equal(handshake_check_mac2(&cs, now + 10, addr4, 4, 5656,
	    init, sizeof(init)), HANDSHAKE_ERR_MAC2);
	assert_int_equal(handshake_check_mac2(&cs, now + 10, addr4b, 4, 5655,
	    init, sizeof(init)), HANDSHAKE_ERR_MAC2);
	assert_int_equal(handshake_check_mac2(&cs, now + 10, addr4, 3, 5655,
	    init, sizeof(init)), HANDSHAKE_ERR_CRYPTO);
	init[140] ^= 1;
	assert_int_equal(handshake_check_mac2(&cs, now + 10, addr4, 4, 5655,
	    init, sizeof(init)), HANDSHAKE_ERR_MAC2);
	init[140] ^= 1;
	/* The handshake itself goes on as usual. */
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    sizeof(init), &info), HANDSHAKE_OK);

	/* The secret expires after 120 s: the cookie is then worthless. */
	assert_int_equal(handshake_check_mac2(&cs, now + 119, addr4, 4, 5655,
	    init, sizeof(init)), HANDSHAKE_OK);
	assert_int_equal(handshake_check_mac2(&cs, now + 120, addr4, 4, 5655,
	    init, sizeof(init)), HANDSHAKE_ERR_MAC2);
	/* A reply at that time rotates the secret and gives a new cookie. */
	assert_int_equal(handshake_create_cookie_reply(&bob.local, &cs,
	    now + 120, addr4, 4, 5655, init, sizeof(init), reply),
	    HANDSHAKE_OK);
	assert_int_equal(cs.created, now + 120);
	assert_int_equal(handshake_check_mac2(&cs, now + 121, addr4, 4, 5655,
	    init, sizeof(init)), HANDSHAKE_ERR_MAC2);
	assert_int_equal(handshake_consume_cookie_reply(&bob.as_peer, 0x78,
	    hi.sent_mac1, reply, sizeof(reply), cookie2), HANDSHAKE_OK);
	assert_memory_not_equal(cookie, cookie2, 16);

	/* Cookies for responses work the same way, Bob's index as key. */
	assert_int_equal(handshake_create_response(&hr, &alice.as_peer, 0x55,
	    0, NULL, resp), HANDSHAKE_OK);
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(handshake_create_cookie_reply(&alice.local, &cs, now,
	    addr4b, 4, 1, resp, sizeof(resp), reply), HANDSHAKE_OK);
	assert_int_equal(wire_get_le32(reply + 4), 0x55);
	assert_int_equal(handshake_consume_cookie_reply(&alice.as_peer, 0x55,
	    hr.sent_mac1, reply, sizeof(reply), cookie), HANDSHAKE_OK);

	/* No cookie reply to a message not addressed to the replier. */
	assert_int_equal(handshake_create_cookie_reply(&carol.local, &cs, now,
	    addr4, 4, 5655, init, sizeof(init), reply), HANDSHAKE_ERR_MAC1);
	handshake_clear(&hi);
	handshake_clear(&hr);
}

/*
 * One handshake alice -> bob with pre-shared keys a_psk (alice's for bob)
 * and b_psk (bob's for alice), NULL for none.  Returns the result of the
 * response on alice's side; on success both sides' keys must agree.
 */
static int
psk_handshake(const uint8_t *a_psk, const uint8_t *b_psk)
{
	struct handshake			 hi, hr;
	struct handshake_initiation_info	 info;
	struct handshake_peer			 bob_p = bob.as_peer,
						 alice_p = alice.as_peer;
	struct handshake_keys			 ka, kb;
	uint8_t					 init[HANDSHAKE_INITIATION_LEN],
						 resp[HANDSHAKE_RESPONSE_LEN];
	int					 rc;

	handshake_peer_set_psk(&bob_p, a_psk);
	handshake_peer_set_psk(&alice_p, b_psk);
	assert_int_equal(handshake_create_initiation(&hi, &alice.local, &bob_p,
	    1, 1700000000, 5, 0, NULL, init), HANDSHAKE_OK);
	/* Byte 1 says whether the initiation is IKpsk2 or plain IK. */
	assert_int_equal(init[1], a_psk != NULL ? HANDSHAKE_HDR_PSK : 0);
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    sizeof(init), &info), HANDSHAKE_OK);
	assert_int_equal(info.psk, a_psk != NULL);
	/* Bob enforces his configuration once he knows it is alice. */
	rc = handshake_create_response(&hr, &alice_p, 2, 0, NULL, resp);
	if (rc != HANDSHAKE_OK) {
		assert_int_equal(hr.stage, HANDSHAKE_STAGE_INITIATION_CONSUMED);
		handshake_clear(&hi);
		handshake_clear(&hr);
		return rc;
	}
	assert_int_equal(resp[1], init[1]);
	rc = handshake_consume_response(&hi, &alice.local, resp, sizeof(resp));
	if (rc == HANDSHAKE_OK) {
		assert_int_equal(handshake_derive_keys(&hi, &ka), HANDSHAKE_OK);
		assert_int_equal(handshake_derive_keys(&hr, &kb), HANDSHAKE_OK);
		assert_memory_equal(ka.send, kb.recv, 32);
		assert_memory_equal(ka.recv, kb.send, 32);
		handshake_keys_clear(&ka);
		handshake_keys_clear(&kb);
	} else {
		/* A refused response leaves the initiation in flight. */
		assert_int_equal(hi.stage, HANDSHAKE_STAGE_INITIATION_SENT);
		handshake_clear(&hi);
		handshake_clear(&hr);
	}
	return rc;
}

static void
test_psk(void **state)
{
	uint8_t		 k1[32], k2[32];

	(void)state;
	assert_int_equal(key_generate_psk(k1), 0);
	assert_int_equal(key_generate_psk(k2), 0);
	assert_memory_not_equal(k1, k2, 32);
	/* Without on both sides, and with the same key on both. */
	assert_int_equal(psk_handshake(NULL, NULL), HANDSHAKE_OK);
	assert_int_equal(psk_handshake(k1, k1), HANDSHAKE_OK);
	/*
	 * A key on one side only: the responder refuses the initiation
	 * (no downgrade to IK, no psk it does not have); two different
	 * keys: the initiator refuses the response.
	 */
	assert_int_equal(psk_handshake(k1, NULL), HANDSHAKE_ERR_PSK);
	assert_int_equal(psk_handshake(NULL, k1), HANDSHAKE_ERR_PSK);
	assert_int_equal(psk_handshake(k1, k2), HANDSHAKE_ERR_AUTH);
	/* An all-zero key is a key (IKpsk2), not the absence of one. */
	memset(k2, 0, sizeof(k2));
	assert_int_equal(psk_handshake(k2, NULL), HANDSHAKE_ERR_PSK);
	assert_int_equal(psk_handshake(k2, k2), HANDSHAKE_OK);
}

/* A v1 header: the type, three zero bytes, mac1 for the receiver at off. */
static void
v1_header(const uint8_t *msg, int type, size_t off, const uint8_t pub[32])
{
	uint8_t		 key[32], mac[16];

	assert_int_equal(msg[0], type);
	assert_int_equal(msg[1] | msg[2] | msg[3], 0);
	labelled(key, "mac1----", pub);
	mac16(mac, key, 32, msg, off);
	assert_memory_equal(msg + off, mac, 16);
}

/*
 * Without pre-shared keys the handshake is version 1's, byte for byte:
 * Noise_IK_25519_ChaChaPoly_BLAKE2s (noise.c's IK, checked against the
 * published vector in test_noise) with the prologue "tapmesh v1", in the
 * v1 layouts with byte 1 zero.  A responder and an initiator written here
 * from those facts alone, not through handshake.c, must interoperate
 * with handshake.c both ways.
 */
static void
test_v1_wire(void **state)
{
	static const char		 v1[] = "tapmesh v1";
	struct handshake		 hi;
	struct handshake_keys		 ka;
	struct noise_handshake		 ref;
	uint8_t				 init[HANDSHAKE_INITIATION_LEN],
					 resp[HANDSHAKE_RESPONSE_LEN];
	uint8_t				 ts[12], payload[16], key[32];
	uint8_t				 k1[32], k2[32], h[32];
	size_t				 n;

	(void)state;
	/* handshake.c initiates, the reference responds. */
	assert_int_equal(handshake_create_initiation(&hi, &alice.local,
	    &bob.as_peer, 0x01020304, 1700000000, 5, HANDSHAKE_FLAG_AES, NULL,
	    init), HANDSHAKE_OK);
	v1_header(init, 1, 120, bob.local.pub);
	assert_int_equal(wire_get_le32(init + 4), 0x01020304);
	assert_int_equal(noise_handshake_init(&ref, NOISE_RESPONDER,
	    (const uint8_t *)v1, strlen(v1), bob.local.priv, NULL, NULL,
	    NULL), 0);
	assert_int_equal(noise_read_message(&ref, init + 8, 112, payload,
	    sizeof(payload), &n), 0);
	assert_int_equal(n, 16);
	handshake_tai64n(ts, 1700000000, 5);
	assert_memory_equal(payload, ts, 12);
	assert_int_equal(wire_get_le32(payload + 12), HANDSHAKE_FLAG_AES);
	assert_memory_equal(noise_handshake_remote_static(&ref),
	    alice.local.pub, 32);

	/* A v1 response: type 2, zeros, indices, message 2, mac1, no mac2. */
	memset(resp, 0, sizeof(resp));
	resp[0] = 2;
	wire_put_le32(resp + 4, 0x0a0b0c0d);
	wire_put_le32(resp + 8, 0x01020304);
	wire_put_le32(payload, 0);
	assert_int_equal(noise_write_message(&ref, payload, 4, resp + 12, 52,
	    &n), 0);
	assert_int_equal(n, 52);
	labelled(key, "mac1----", alice.local.pub);
	/* A response must speak its initiation's pattern, even with mac1. */
	resp[1] = HANDSHAKE_HDR_PSK;
	mac16(resp + 64, key, 32, resp, 64);
	assert_int_equal(handshake_consume_response(&hi, &alice.local, resp,
	    sizeof(resp)), HANDSHAKE_ERR_TYPE);
	resp[1] = 0;
	mac16(resp + 64, key, 32, resp, 64);
	assert_int_equal(handshake_consume_response(&hi, &alice.local, resp,
	    sizeof(resp)), HANDSHAKE_OK);
	assert_int_equal(handshake_derive_keys(&hi, &ka), HANDSHAKE_OK);
	assert_int_equal(noise_split(&ref, k1, k2, h), 0);
	assert_memory_equal(ka.send, k1, 32);
	assert_memory_equal(ka.recv, k2, 32);
	assert_memory_equal(ka.hash, h, 32);
	assert_int_equal(ka.alg, AEAD_CHACHA20_POLY1305);
	assert_int_equal(ka.remote_index, 0x0a0b0c0d);
	handshake_keys_clear(&ka);
	noise_handshake_clear(&ref);
}

/*
 * The other way: the reference initiates as v1 did, handshake.c responds
 * with a v1 response (byte 1 zero) from which the reference derives the
 * same keys.
 */
static void
test_v1_wire_responder(void **state)
{
	static const char		 v1[] = "tapmesh v1";
	struct handshake		 hr;
	struct handshake_initiation_info info;
	struct handshake_keys		 kb;
	struct noise_handshake		 ref;
	uint8_t				 init[HANDSHAKE_INITIATION_LEN],
					 resp[HANDSHAKE_RESPONSE_LEN];
	uint8_t				 payload[16], key[32];
	uint8_t				 k1[32], k2[32], h[32];
	size_t				 n;

	(void)state;
	memset(init, 0, sizeof(init));
	init[0] = 1;
	wire_put_le32(init + 4, 0x05060708);
	handshake_tai64n(payload, 1700000001, 0);
	wire_put_le32(payload + 12, 0);
	assert_int_equal(noise_handshake_init(&ref, NOISE_INITIATOR,
	    (const uint8_t *)v1, strlen(v1), alice.local.priv, NULL, bob.local.pub,
	    NULL), 0);
	assert_int_equal(noise_write_message(&ref, payload, 16, init + 8, 112,
	    &n), 0);
	assert_int_equal(n, 112);
	labelled(key, "mac1----", bob.local.pub);
	mac16(init + 120, key, 32, init, 120);
	assert_int_equal(handshake_consume_initiation(&hr, &bob.local, init,
	    sizeof(init), &info), HANDSHAKE_OK);
	assert_false(info.psk);
	assert_memory_equal(info.peer_pub, alice.local.pub, 32);
	assert_memory_equal(info.timestamp, payload, 12);
	assert_int_equal(handshake_create_response(&hr, &alice.as_peer,
	    0x0d0c0b0a, 0, NULL, resp), HANDSHAKE_OK);
	v1_header(resp, 2, 64, alice.local.pub);
	assert_int_equal(wire_get_le32(resp + 8), 0x05060708);
	assert_int_equal(noise_read_message(&ref, resp + 12, 52, payload,
	    sizeof(payload), &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(wire_get_le32(payload), 0);
	assert_int_equal(handshake_derive_keys(&hr, &kb), HANDSHAKE_OK);
	assert_int_equal(noise_split(&ref, k1, k2, h), 0);
	assert_memory_equal(kb.recv, k1, 32);
	assert_memory_equal(kb.send, k2, 32);
	handshake_keys_clear(&kb);
	noise_handshake_clear(&ref);

	/* mac1 covers the psk bit; the other bits of byte 1 stay reserved. */
	init[1] = HANDSHAKE_HDR_PSK;
	assert_int_equal(handshake_check_mac1(&bob.local, init, sizeof(init)),
	    HANDSHAKE_ERR_MAC1);
	init[1] = 0x02;
	assert_int_equal(handshake_check_mac1(&bob.local, init, sizeof(init)),
	    HANDSHAKE_ERR_TYPE);
}

static void
test_wire_data_header(void **state)
{
	uint8_t		 p[40];
	uint32_t	 idx = 0;
	uint64_t	 ctr = 0;
	const uint8_t	 expect[16] = { 4, 0, 0, 0, 0x78, 0x56, 0x34, 0x12,
	    8, 7, 6, 5, 4, 3, 2, 1 };

	(void)state;
	memset(p, 0, sizeof(p));
	wire_data_header_write(p, 0x12345678, 0x0102030405060708ULL);
	assert_memory_equal(p, expect, 16);
	assert_int_equal(wire_data_header_read(p, 32, &idx, &ctr), 0);
	assert_int_equal(idx, 0x12345678);
	assert_true(ctr == 0x0102030405060708ULL);
	assert_int_equal(wire_data_header_read(p, 31, &idx, &ctr), -1);
	p[2] = 1;
	assert_int_equal(wire_data_header_read(p, 32, &idx, &ctr), -1);
	p[2] = 0;
	/* Byte 1 holds flags: the known ones pass, others do not. */
	wire_data_set_flags(p, WIRE_DATA_CSUM_PARTIAL);
	assert_int_equal(wire_data_header_read(p, 32, &idx, &ctr), 0);
	assert_int_equal(wire_data_flags(p), WIRE_DATA_CSUM_PARTIAL);
	wire_data_set_flags(p, WIRE_DATA_RELAY);
	assert_int_equal(wire_data_header_read(p, 32, &idx, &ctr), 0);
	wire_data_set_flags(p, 0x04);
	assert_int_equal(wire_data_header_read(p, 32, &idx, &ctr), -1);
	wire_data_set_flags(p, 0);
	p[0] = 3;
	assert_int_equal(wire_data_header_read(p, 32, &idx, &ctr), -1);
}

static void
test_strerror(void **state)
{
	(void)state;
	assert_string_equal(handshake_strerror(HANDSHAKE_OK), "ok");
	assert_string_equal(handshake_strerror(HANDSHAKE_ERR_MAC1),
	    "bad mac1");
	assert_string_equal(handshake_strerror(42), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_complete_handshake),
		cmocka_unit_test(test_negotiation),
		cmocka_unit_test(test_response_unoffered_cipher),
		cmocka_unit_test(test_negotiation_csum_partial),
		cmocka_unit_test(test_response_unoffered_csum_partial),
		cmocka_unit_test(test_malformed_initiation),
		cmocka_unit_test(test_mac1_before_dh),
		cmocka_unit_test(test_wrong_peer_key),
		cmocka_unit_test(test_malformed_response),
		cmocka_unit_test(test_replayed_initiation),
		cmocka_unit_test(test_tai64n),
		cmocka_unit_test(test_cookie_round_trip),
		cmocka_unit_test(test_psk),
		cmocka_unit_test(test_v1_wire),
		cmocka_unit_test(test_v1_wire_responder),
		cmocka_unit_test(test_wire_data_header),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
