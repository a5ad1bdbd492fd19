/*
 * Fuzzes the handshake consumers with a fixed local key:
 * handshake_consume_initiation, handshake_consume_response (for an
 * initiation of ours in flight), handshake_consume_cookie_reply, and
 * the mac1 / mac2 / cookie reply path a responder under load takes.
 *
 * Random bytes stop at mac1, so the first input byte picks a mode:
 *	bits 0-1  0 initiation, 1 response, 2 cookie reply, 3 under load
 *	bit 2     raw: the rest of the input is the message; otherwise it
 *	          is XORed into a valid message made by a known peer, so
 *	          that all-zero input is the valid message and flipped
 *	          bits land past every check the fuzzer cannot forge
 *	bit 3     recompute mac1 (for the receiver) after that
 */
#include <assert.h>

#include "fuzz.h"
#include "handshake.h"
#include "key.h"

static struct handshake_local	 me, them;	/* the victim, a known peer */
static struct handshake_peer	 me_pub, them_pub;
static const uint8_t		 addr[4] = { 198, 18, 0, 3 };

static void
fix_mac1(const struct handshake_local *to, uint8_t *msg, size_t len)
{
	size_t	 off;

	if (len == HANDSHAKE_INITIATION_LEN)
		off = HANDSHAKE_INITIATION_MAC1_OFF;
	else if (len == HANDSHAKE_RESPONSE_LEN)
		off = HANDSHAKE_RESPONSE_MAC1_OFF;
	else
		return;
	(void)fuzz_mac16(msg + off, to->mac1_key, sizeof(to->mac1_key), msg,
	    off);
}

/* msg[0..len) ^= in[0..n), as far as both go; returns the length. */
static size_t
apply(uint8_t *msg, size_t len, const uint8_t *in, size_t n, int raw,
    size_t max)
{
	size_t	 i;

	if (raw) {
		if (n > max)
			n = max;
		memcpy(msg, in, n);
		return n;
	}
	for (i = 0; i < n && i < len; i++)
		msg[i] ^= in[i];
	return len;
}

/* A valid initiation from the known peer to us. */
static void
make_initiation(struct handshake *hs, uint8_t msg[HANDSHAKE_INITIATION_LEN])
{
	int	 rc;

	rc = handshake_create_initiation(hs, &them, &me_pub, 0x11223344,
	    1700000000, 1, 1, NULL, msg);
	assert(rc == HANDSHAKE_OK);
}

static void
fuzz_initiation(const uint8_t *in, size_t n, int raw, int fix)
{
	struct handshake		 hs, theirs;
	struct handshake_initiation_info info;
	struct handshake_keys		 keys;
	uint8_t				 msg[512], resp[HANDSHAKE_RESPONSE_LEN];
	size_t				 len;

	memset(&hs, 0, sizeof(hs));
	make_initiation(&theirs, msg);
	len = apply(msg, HANDSHAKE_INITIATION_LEN, in, n, raw, sizeof(msg));
	if (fix)
		fix_mac1(&me, msg, len);
	if (handshake_consume_initiation(&hs, &me, msg, len, &info) ==
	    HANDSHAKE_OK) {
		assert(len == HANDSHAKE_INITIATION_LEN);
		/* Go on as the daemon does for a known key. */
		if (memcmp(info.peer_pub, them.pub, 32) == 0 &&
		    handshake_create_response(&hs, &them_pub, 0x55667788, 1,
		    NULL, resp) == HANDSHAKE_OK &&
		    handshake_derive_keys(&hs, &keys) == HANDSHAKE_OK)
			handshake_keys_clear(&keys);
	}
	handshake_clear(&hs);
	handshake_clear(&theirs);
}

static void
fuzz_response(const uint8_t *in, size_t n, int raw, int fix)
{
	struct handshake		 ours, theirs;
	struct handshake_initiation_info info;
	struct handshake_keys		 keys;
	uint8_t				 init[HANDSHAKE_INITIATION_LEN];
	uint8_t				 msg[512];
	size_t				 len;
	int				 rc;

	memset(&theirs, 0, sizeof(theirs));
	/* Our initiation in flight, answered by the peer. */
	rc = handshake_create_initiation(&ours, &me, &them_pub, 0x0badcafe,
	    1700000000, 2, 0, NULL, init);
	assert(rc == HANDSHAKE_OK);
	rc = handshake_consume_initiation(&theirs, &them, init, sizeof(init),
	    &info);
	assert(rc == HANDSHAKE_OK);
	rc = handshake_create_response(&theirs, &me_pub, 0x99aabbcc, 1, NULL,
	    msg);
	assert(rc == HANDSHAKE_OK);
	len = apply(msg, HANDSHAKE_RESPONSE_LEN, in, n, raw, sizeof(msg));
	if (fix)
		fix_mac1(&me, msg, len);
	if (handshake_consume_response(&ours, &me, msg, len) == HANDSHAKE_OK) {
		assert(len == HANDSHAKE_RESPONSE_LEN);
		rc = handshake_derive_keys(&ours, &keys);
		assert(rc == HANDSHAKE_OK);
		handshake_keys_clear(&keys);
		/* A second response is refused. */
		assert(handshake_consume_response(&ours, &me, msg, len) !=
		    HANDSHAKE_OK);
	}
	handshake_clear(&ours);
	handshake_clear(&theirs);
}

static void
fuzz_cookie_reply(const uint8_t *in, size_t n, int raw)
{
	struct handshake_cookie_secret	 cs;
	struct handshake		 ours;
	uint8_t				 init[HANDSHAKE_INITIATION_LEN];
	uint8_t				 msg[512], cookie[HANDSHAKE_COOKIE_LEN];
	size_t				 len;
	int				 rc;

	memset(&cs, 0, sizeof(cs));
	rc = handshake_create_initiation(&ours, &me, &them_pub, 0x0badcafe,
	    1700000000, 3, 0, NULL, init);
	assert(rc == HANDSHAKE_OK);
	/* The peer, under load, answers with a cookie. */
	rc = handshake_create_cookie_reply(&them, &cs, 1000, addr,
	    sizeof(addr), 5655, init, sizeof(init), msg);
	assert(rc == HANDSHAKE_OK);
	len = apply(msg, HANDSHAKE_COOKIE_REPLY_LEN, in, n, raw, sizeof(msg));
	(void)handshake_consume_cookie_reply(&them_pub, 0x0badcafe,
	    ours.sent_mac1, msg, len, cookie);
	handshake_clear(&ours);
	OPENSSL_cleanse(&cs, sizeof(cs));
}

/* The responder under load: mac1, then mac2, then a cookie reply. */
static void
fuzz_load(const uint8_t *in, size_t n, int raw, int fix)
{
	static struct handshake_cookie_secret cs;
	struct handshake	 theirs;
	uint8_t			 msg[512], reply[HANDSHAKE_COOKIE_REPLY_LEN];
	size_t			 len;

	make_initiation(&theirs, msg);
	handshake_clear(&theirs);
	len = apply(msg, HANDSHAKE_INITIATION_LEN, in, n, raw, sizeof(msg));
	if (fix)
		fix_mac1(&me, msg, len);
	if (handshake_check_mac1(&me, msg, len) != HANDSHAKE_OK)
		return;
	if (handshake_check_mac2(&cs, 2000, addr, sizeof(addr), 5655, msg,
	    len) == HANDSHAKE_OK)
		return;
	(void)handshake_create_cookie_reply(&me, &cs, 2000, addr,
	    sizeof(addr), 5655, msg, len, reply);
}

static void
keys_init(void)
{
	uint8_t	 priv[32];

	fuzz_key(priv, 1);
	assert(handshake_local_init(&me, priv) == HANDSHAKE_OK);
	fuzz_key(priv, 2);
	assert(handshake_local_init(&them, priv) == HANDSHAKE_OK);
	assert(handshake_peer_init(&me_pub, me.pub) == HANDSHAKE_OK);
	assert(handshake_peer_init(&them_pub, them.pub) == HANDSHAKE_OK);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct handshake	 hs;
	const char		*dir;
	uint8_t			 seed[1 + 512];

	keys_init();
	if ((dir = fuzz_seed_dir(argc, argv)) == NULL)
		return 0;
	/* Unchanged valid messages of each kind. */
	memset(seed, 0, sizeof(seed));
	fuzz_seed_write(dir, "initiation-valid", "\x00", 1);
	fuzz_seed_write(dir, "response-valid", "\x01", 1);
	fuzz_seed_write(dir, "cookie-valid", "\x02", 1);
	fuzz_seed_write(dir, "load-valid", "\x03", 1);
	/* Raw messages: a real initiation, and one with a flipped byte. */
	seed[0] = 0x04;
	make_initiation(&hs, seed + 1);
	handshake_clear(&hs);
	fuzz_seed_write(dir, "initiation-raw", seed,
	    1 + HANDSHAKE_INITIATION_LEN);
	seed[0] = 0x08;
	memset(seed + 1, 0, HANDSHAKE_INITIATION_LEN);
	seed[1 + 60] = 0x01;
	fuzz_seed_write(dir, "initiation-flip-fixmac", seed,
	    1 + HANDSHAKE_INITIATION_LEN);
	exit(0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	int	 raw, fix;

	if (len < 1)
		return 0;
	raw = (data[0] & 4) != 0;
	fix = (data[0] & 8) != 0;
	switch (data[0] & 3) {
	case 0:
		fuzz_initiation(data + 1, len - 1, raw, fix);
		break;
	case 1:
		fuzz_response(data + 1, len - 1, raw, fix);
		break;
	case 2:
		fuzz_cookie_reply(data + 1, len - 1, raw);
		break;
	default:
		fuzz_load(data + 1, len - 1, raw, fix);
		break;
	}
	return 0;
}
