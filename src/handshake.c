/*
 * tapmesh handshake messages on top of noise.c.  Each consume function
 * follows the same order: exact length and type, then mac1 (a keyed hash,
 * cheap), then Noise (the Diffie-Hellman operations, expensive).
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "handshake.h"
#include "key.h"

#define LABEL_MAC1	"mac1----"
#define LABEL_COOKIE	"cookie--"
#define LABEL_LEN	8

#define TAI64_BASE	0x400000000000000aULL	/* 2^62 + 10 */

const char *
handshake_strerror(int err)
{
	switch (err) {
	case HANDSHAKE_OK:
		return "ok";
	case HANDSHAKE_ERR_LENGTH:
		return "wrong length";
	case HANDSHAKE_ERR_TYPE:
		return "wrong type or reserved bytes";
	case HANDSHAKE_ERR_MAC1:
		return "bad mac1";
	case HANDSHAKE_ERR_MAC2:
		return "no valid cookie (mac2)";
	case HANDSHAKE_ERR_INDEX:
		return "unknown receiver index";
	case HANDSHAKE_ERR_STATE:
		return "unexpected in this state";
	case HANDSHAKE_ERR_AUTH:
		return "authentication failed";
	case HANDSHAKE_ERR_PAYLOAD:
		return "invalid payload";
	case HANDSHAKE_ERR_CRYPTO:
		return "local crypto failure";
	case HANDSHAKE_ERR_PSK:
		return "pre-shared key used on one side only";
	}
	return "unknown error";
}

/* BLAKE2s-128 keyed MAC through EVP_MAC "BLAKE2SMAC". */
static int
hs_mac(uint8_t out[HANDSHAKE_MAC_LEN], const uint8_t *key, size_t keylen,
    const uint8_t *data, size_t len)
{
	EVP_MAC		*mac;
	EVP_MAC_CTX	*ctx = NULL;
	OSSL_PARAM	 params[2];
	size_t		 size = HANDSHAKE_MAC_LEN, outl = 0;
	int		 ret = -1;

	if ((mac = EVP_MAC_fetch(NULL, "BLAKE2SMAC", NULL)) == NULL)
		return -1;
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, keylen, params) != 1 ||
	    EVP_MAC_update(ctx, data, len) != 1 ||
	    EVP_MAC_final(ctx, out, &outl, HANDSHAKE_MAC_LEN) != 1 ||
	    outl != HANDSHAKE_MAC_LEN)
		goto out;
	ret = 0;
 out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ret;
}

static int
hs_labelled_key(uint8_t out[HANDSHAKE_KEY_LEN], const char *label,
    const uint8_t pub[HANDSHAKE_KEY_LEN])
{
	return noise_hash2(out, (const uint8_t *)label, LABEL_LEN, pub,
	    HANDSHAKE_KEY_LEN);
}

int
handshake_local_init(struct handshake_local *l,
    const uint8_t priv[HANDSHAKE_KEY_LEN])
{
	memset(l, 0, sizeof(*l));
	memcpy(l->priv, priv, HANDSHAKE_KEY_LEN);
	if (key_public(l->priv, l->pub) == -1 ||
	    hs_labelled_key(l->mac1_key, LABEL_MAC1, l->pub) == -1 ||
	    hs_labelled_key(l->cookie_key, LABEL_COOKIE, l->pub) == -1) {
		handshake_local_clear(l);
		return HANDSHAKE_ERR_CRYPTO;
	}
	return HANDSHAKE_OK;
}

int
handshake_peer_init(struct handshake_peer *p,
    const uint8_t pub[HANDSHAKE_KEY_LEN])
{
	memset(p, 0, sizeof(*p));
	memcpy(p->pub, pub, HANDSHAKE_KEY_LEN);
	if (hs_labelled_key(p->mac1_key, LABEL_MAC1, p->pub) == -1 ||
	    hs_labelled_key(p->cookie_key, LABEL_COOKIE, p->pub) == -1)
		return HANDSHAKE_ERR_CRYPTO;
	return HANDSHAKE_OK;
}

void
handshake_peer_set_psk(struct handshake_peer *p,
    const uint8_t *psk)
{
	if (psk == NULL)
		OPENSSL_cleanse(p->psk, sizeof(p->psk));
	else
		memcpy(p->psk, psk, HANDSHAKE_KEY_LEN);
	p->has_psk = psk != NULL;
}

void
handshake_local_clear(struct handshake_local *l)
{
	OPENSSL_cleanse(l, sizeof(*l));
}

void
handshake_tai64n(uint8_t out[HANDSHAKE_TAI64N_LEN], uint64_t sec,
    uint32_t nsec)
{
	uint64_t	 label = TAI64_BASE + sec;
	int		 i;

	if (nsec > 999999999)
		nsec = 999999999;
	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(label >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		out[8 + i] = (uint8_t)(nsec >> (24 - 8 * i));
}

int
handshake_tai64n_after(const uint8_t a[HANDSHAKE_TAI64N_LEN],
    const uint8_t b[HANDSHAKE_TAI64N_LEN])
{
	/* Timestamps are not secret; byte order is time order. */
	return memcmp(a, b, HANDSHAKE_TAI64N_LEN) > 0;
}

/*
 * Checks the framing of an initiation or response: type byte, reserved
 * bytes (byte 1 may carry HANDSHAKE_HDR_PSK) and the exact length of
 * that type.  Sets *mac1_off.
 */
static int
hs_frame(const uint8_t *msg, size_t len, size_t *mac1_off)
{
	if (len < 4)
		return HANDSHAKE_ERR_LENGTH;
	if ((msg[1] & ~HANDSHAKE_HDR_PSK) != 0 || msg[2] != 0 || msg[3] != 0)
		return HANDSHAKE_ERR_TYPE;
	switch (msg[0]) {
	case WIRE_TYPE_INITIATION:
		if (len != HANDSHAKE_INITIATION_LEN)
			return HANDSHAKE_ERR_LENGTH;
		*mac1_off = HANDSHAKE_INITIATION_MAC1_OFF;
		return HANDSHAKE_OK;
	case WIRE_TYPE_RESPONSE:
		if (len != HANDSHAKE_RESPONSE_LEN)
			return HANDSHAKE_ERR_LENGTH;
		*mac1_off = HANDSHAKE_RESPONSE_MAC1_OFF;
		return HANDSHAKE_OK;
	}
	return HANDSHAKE_ERR_TYPE;
}

int
handshake_check_mac1(const struct handshake_local *l, const uint8_t *msg,
    size_t len)
{
	uint8_t		 mac[HANDSHAKE_MAC_LEN];
	size_t		 off;
	int		 err;

	if ((err = hs_frame(msg, len, &off)) != HANDSHAKE_OK)
		return err;
	if (hs_mac(mac, l->mac1_key, HANDSHAKE_KEY_LEN, msg, off) == -1)
		return HANDSHAKE_ERR_CRYPTO;
	if (CRYPTO_memcmp(mac, msg + off, HANDSHAKE_MAC_LEN) != 0)
		return HANDSHAKE_ERR_MAC1;
	return HANDSHAKE_OK;
}

/* Fills in mac1 and mac2 of an outgoing message whose mac1 is at off. */
static int
hs_add_macs(struct handshake *hs, const struct handshake_peer *peer,
    const uint8_t *cookie, uint8_t *msg, size_t off)
{
	if (hs_mac(msg + off, peer->mac1_key, HANDSHAKE_KEY_LEN, msg,
	    off) == -1)
		return -1;
	memcpy(hs->sent_mac1, msg + off, HANDSHAKE_MAC_LEN);
	off += HANDSHAKE_MAC_LEN;
	if (cookie == NULL)
		memset(msg + off, 0, HANDSHAKE_MAC_LEN);
	else if (hs_mac(msg + off, cookie, HANDSHAKE_COOKIE_LEN, msg,
	    off) == -1)
		return -1;
	return 0;
}

static int
hs_cookie(const struct handshake_cookie_secret *cs, const uint8_t *addr,
    size_t addrlen, uint16_t port, uint8_t cookie[HANDSHAKE_COOKIE_LEN])
{
	uint8_t		 buf[16 + 2];

	if (addrlen != 4 && addrlen != 16)
		return -1;
	memcpy(buf, addr, addrlen);
	buf[addrlen] = (uint8_t)(port >> 8);
	buf[addrlen + 1] = (uint8_t)port;
	return hs_mac(cookie, cs->secret, HANDSHAKE_KEY_LEN, buf, addrlen + 2);
}

static int
hs_secret_fresh(const struct handshake_cookie_secret *cs, uint64_t now)
{
	return cs->valid && now >= cs->created &&
	    now - cs->created < HANDSHAKE_COOKIE_SECRET_LIFE;
}

int
handshake_check_mac2(const struct handshake_cookie_secret *cs, uint64_t now,
    const uint8_t *addr, size_t addrlen, uint16_t port, const uint8_t *msg,
    size_t len)
{
	uint8_t		 cookie[HANDSHAKE_COOKIE_LEN], mac[HANDSHAKE_MAC_LEN];
	size_t		 off;
	int		 err, ret = HANDSHAKE_ERR_MAC2;

	if ((err = hs_frame(msg, len, &off)) != HANDSHAKE_OK)
		return err;
	off += HANDSHAKE_MAC_LEN;
	if (!hs_secret_fresh(cs, now))
		return HANDSHAKE_ERR_MAC2;
	if (hs_cookie(cs, addr, addrlen, port, cookie) == -1 ||
	    hs_mac(mac, cookie, HANDSHAKE_COOKIE_LEN, msg, off) == -1) {
		ret = HANDSHAKE_ERR_CRYPTO;
		goto out;
	}
	if (CRYPTO_memcmp(mac, msg + off, HANDSHAKE_MAC_LEN) == 0)
		ret = HANDSHAKE_OK;
 out:
	OPENSSL_cleanse(cookie, sizeof(cookie));
	return ret;
}

int
handshake_create_cookie_reply(const struct handshake_local *l,
    struct handshake_cookie_secret *cs, uint64_t now, const uint8_t *addr,
    size_t addrlen, uint16_t port, const uint8_t *msg, size_t len,
    uint8_t out[HANDSHAKE_COOKIE_REPLY_LEN])
{
	uint8_t		 cookie[HANDSHAKE_COOKIE_LEN];
	size_t		 off;
	int		 err, ret = HANDSHAKE_ERR_CRYPTO;

	/* Never answer what was not addressed to us: no amplification. */
	if ((err = handshake_check_mac1(l, msg, len)) != HANDSHAKE_OK)
		return err;
	off = msg[0] == WIRE_TYPE_INITIATION ? HANDSHAKE_INITIATION_MAC1_OFF :
	    HANDSHAKE_RESPONSE_MAC1_OFF;
	if (!hs_secret_fresh(cs, now)) {
		if (RAND_priv_bytes(cs->secret, sizeof(cs->secret)) != 1) {
			cs->valid = 0;
			return HANDSHAKE_ERR_CRYPTO;
		}
		cs->created = now;
		cs->valid = 1;
	}
	if (hs_cookie(cs, addr, addrlen, port, cookie) == -1)
		goto out;
	out[0] = WIRE_TYPE_COOKIE_REPLY;
	out[1] = out[2] = out[3] = 0;
	/* Both message types carry the sender's index at offset 4. */
	memcpy(out + 4, msg + 4, 4);
	if (RAND_bytes(out + 8, HANDSHAKE_COOKIE_NONCE_LEN) != 1)
		goto out;
	if (noise_chachapoly_seal(l->cookie_key, out + 8, msg + off,
	    HANDSHAKE_MAC_LEN, cookie, sizeof(cookie),
	    out + 8 + HANDSHAKE_COOKIE_NONCE_LEN) == -1)
		goto out;
	ret = HANDSHAKE_OK;
 out:
	OPENSSL_cleanse(cookie, sizeof(cookie));
	return ret;
}

int
handshake_consume_cookie_reply(const struct handshake_peer *peer,
    uint32_t local_index, const uint8_t sent_mac1[HANDSHAKE_MAC_LEN],
    const uint8_t *msg, size_t len, uint8_t cookie[HANDSHAKE_COOKIE_LEN])
{
	uint8_t		 tmp[HANDSHAKE_COOKIE_LEN];

	if (len < 4 || msg[0] != WIRE_TYPE_COOKIE_REPLY || msg[1] != 0 ||
	    msg[2] != 0 || msg[3] != 0)
		return HANDSHAKE_ERR_TYPE;
	if (len != HANDSHAKE_COOKIE_REPLY_LEN)
		return HANDSHAKE_ERR_LENGTH;
	if (wire_get_le32(msg + 4) != local_index)
		return HANDSHAKE_ERR_INDEX;
	if (noise_chachapoly_open(peer->cookie_key, msg + 8, sent_mac1,
	    HANDSHAKE_MAC_LEN, msg + 8 + HANDSHAKE_COOKIE_NONCE_LEN,
	    HANDSHAKE_COOKIE_LEN + NOISE_TAGLEN, tmp) == -1)
		return HANDSHAKE_ERR_AUTH;
	memcpy(cookie, tmp, HANDSHAKE_COOKIE_LEN);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return HANDSHAKE_OK;
}

/*
 * Initialize() for either pattern, with the prologue: IK without a
 * pre-shared key, exactly as before psk support, IKpsk2 with one.
 */
static int
hs_noise_init(struct handshake *hs, int psk, enum noise_role role,
    const struct handshake_local *l, const uint8_t *rs)
{
	if (psk)
		return noise_handshake_init_psk2(&hs->noise, role,
		    (const uint8_t *)HANDSHAKE_PROLOGUE,
		    strlen(HANDSHAKE_PROLOGUE), l->priv, l->pub, rs, NULL);
	return noise_handshake_init(&hs->noise, role,
	    (const uint8_t *)HANDSHAKE_PROLOGUE, strlen(HANDSHAKE_PROLOGUE),
	    l->priv, l->pub, rs, NULL);
}

int
handshake_create_initiation(struct handshake *hs,
    const struct handshake_local *l, const struct handshake_peer *peer,
    uint32_t sender_index, uint64_t sec, uint32_t nsec, uint32_t flags,
    const uint8_t *cookie, uint8_t out[HANDSHAKE_INITIATION_LEN])
{
	uint8_t		 payload[HANDSHAKE_INIT_PAYLOAD_LEN];
	size_t		 nlen;

	memset(hs, 0, sizeof(*hs));
	/* The initiator knows the peer, hence its pre-shared key, at once. */
	if (hs_noise_init(hs, peer->has_psk, NOISE_INITIATOR, l,
	    peer->pub) == -1 || (peer->has_psk &&
	    noise_handshake_set_psk(&hs->noise, peer->psk) == -1))
		goto fail;
	hs->local_index = sender_index;
	hs->offered_flags = flags & HANDSHAKE_FLAGS_KNOWN;
	memcpy(hs->remote_pub, peer->pub, HANDSHAKE_KEY_LEN);

	handshake_tai64n(payload, sec, nsec);
	wire_put_le32(payload + HANDSHAKE_TAI64N_LEN, hs->offered_flags);
	out[0] = WIRE_TYPE_INITIATION;
	out[1] = peer->has_psk ? HANDSHAKE_HDR_PSK : 0;
	out[2] = out[3] = 0;
	wire_put_le32(out + 4, sender_index);
	if (noise_write_message(&hs->noise, payload, sizeof(payload), out + 8,
	    HANDSHAKE_INITIATION_MAC1_OFF - 8, &nlen) == -1 ||
	    nlen != HANDSHAKE_INITIATION_MAC1_OFF - 8)
		goto fail;
	if (hs_add_macs(hs, peer, cookie, out,
	    HANDSHAKE_INITIATION_MAC1_OFF) == -1)
		goto fail;
	hs->stage = HANDSHAKE_STAGE_INITIATION_SENT;
	return HANDSHAKE_OK;
 fail:
	handshake_clear(hs);
	return HANDSHAKE_ERR_CRYPTO;
}

int
handshake_consume_initiation(struct handshake *hs,
    const struct handshake_local *l, const uint8_t *msg, size_t len,
    struct handshake_initiation_info *info)
{
	uint8_t		 payload[HANDSHAKE_INIT_PAYLOAD_LEN];
	const uint8_t	*rs;
	size_t		 plen;
	int		 err;

	memset(hs, 0, sizeof(*hs));
	if (len >= 1 && msg[0] != WIRE_TYPE_INITIATION)
		return HANDSHAKE_ERR_TYPE;
	if ((err = handshake_check_mac1(l, msg, len)) != HANDSHAKE_OK)
		return err;
	/* Byte 1 says which pattern message 1 was written with. */
	if (hs_noise_init(hs, msg[1] & HANDSHAKE_HDR_PSK, NOISE_RESPONDER, l,
	    NULL) == -1) {
		err = HANDSHAKE_ERR_CRYPTO;
		goto fail;
	}
	if (noise_read_message(&hs->noise, msg + 8,
	    HANDSHAKE_INITIATION_MAC1_OFF - 8, payload, sizeof(payload),
	    &plen) == -1 || plen != sizeof(payload) ||
	    (rs = noise_handshake_remote_static(&hs->noise)) == NULL) {
		err = HANDSHAKE_ERR_AUTH;
		goto fail;
	}
	hs->remote_index = wire_get_le32(msg + 4);
	hs->offered_flags = wire_get_le32(payload + HANDSHAKE_TAI64N_LEN);
	memcpy(hs->remote_pub, rs, HANDSHAKE_KEY_LEN);
	hs->stage = HANDSHAKE_STAGE_INITIATION_CONSUMED;

	memcpy(info->peer_pub, rs, HANDSHAKE_KEY_LEN);
	memcpy(info->timestamp, payload, HANDSHAKE_TAI64N_LEN);
	info->sender_index = hs->remote_index;
	info->flags = hs->offered_flags;
	info->psk = hs->noise.psk_mode;
	OPENSSL_cleanse(payload, sizeof(payload));
	return HANDSHAKE_OK;
 fail:
	OPENSSL_cleanse(payload, sizeof(payload));
	handshake_clear(hs);
	return err;
}

int
handshake_create_response(struct handshake *hs,
    const struct handshake_peer *peer, uint32_t sender_index, uint32_t flags,
    const uint8_t *cookie, uint8_t out[HANDSHAKE_RESPONSE_LEN])
{
	uint8_t		 payload[HANDSHAKE_RESP_PAYLOAD_LEN];
	uint32_t	 chosen = 0;
	size_t		 nlen;

	if (hs->stage != HANDSHAKE_STAGE_INITIATION_CONSUMED)
		return HANDSHAKE_ERR_STATE;
	if (CRYPTO_memcmp(peer->pub, hs->remote_pub, HANDSHAKE_KEY_LEN) != 0)
		return HANDSHAKE_ERR_STATE;
	/*
	 * Only now, with the initiator known, can its configuration be
	 * enforced: a pair with a pre-shared key never falls back to plain
	 * IK, and one without cannot use one.
	 */
	if (!hs->noise.psk_mode != !peer->has_psk)
		return HANDSHAKE_ERR_PSK;
	/* Each bit only if both sides want it; unknown ones are ignored. */
	chosen = flags & hs->offered_flags & HANDSHAKE_FLAGS_KNOWN;
	hs->alg = (chosen & HANDSHAKE_FLAG_AES) ? AEAD_AES_256_GCM :
	    AEAD_CHACHA20_POLY1305;
	hs->csum_partial = (chosen & HANDSHAKE_FLAG_CSUM_PARTIAL) != 0;
	hs->local_index = sender_index;

	/* Message 1 named the peer; its pre-shared key ends message 2. */
	if (peer->has_psk &&
	    noise_handshake_set_psk(&hs->noise, peer->psk) == -1)
		goto fail;
	wire_put_le32(payload, chosen);
	out[0] = WIRE_TYPE_RESPONSE;
	/* The same bit as the initiation's, for symmetry. */
	out[1] = peer->has_psk ? HANDSHAKE_HDR_PSK : 0;
	out[2] = out[3] = 0;
	wire_put_le32(out + 4, sender_index);
	wire_put_le32(out + 8, hs->remote_index);
	if (noise_write_message(&hs->noise, payload, sizeof(payload),
	    out + 12, HANDSHAKE_RESPONSE_MAC1_OFF - 12, &nlen) == -1 ||
	    nlen != HANDSHAKE_RESPONSE_MAC1_OFF - 12)
		goto fail;
	if (hs_add_macs(hs, peer, cookie, out,
	    HANDSHAKE_RESPONSE_MAC1_OFF) == -1)
		goto fail;
	hs->stage = HANDSHAKE_STAGE_RESPONSE_SENT;
	return HANDSHAKE_OK;
 fail:
	handshake_clear(hs);
	return HANDSHAKE_ERR_CRYPTO;
}

int
handshake_consume_response(struct handshake *hs,
    const struct handshake_local *l, const uint8_t *msg, size_t len)
{
	struct noise_handshake	 trial;
	uint8_t			 payload[HANDSHAKE_RESP_PAYLOAD_LEN];
	uint32_t		 flags;
	size_t			 plen;
	int			 err;

	if (len >= 1 && msg[0] != WIRE_TYPE_RESPONSE)
		return HANDSHAKE_ERR_TYPE;
	if ((err = handshake_check_mac1(l, msg, len)) != HANDSHAKE_OK)
		return err;
	if (hs->stage != HANDSHAKE_STAGE_INITIATION_SENT)
		return HANDSHAKE_ERR_STATE;
	if (wire_get_le32(msg + 8) != hs->local_index)
		return HANDSHAKE_ERR_INDEX;
	/* A response speaks the pattern of the initiation it answers. */
	if (!(msg[1] & HANDSHAKE_HDR_PSK) != !hs->noise.psk_mode)
		return HANDSHAKE_ERR_TYPE;

	/*
	 * Work on a copy: a forged response must not consume the state a
	 * genuine one still needs.
	 */
	memcpy(&trial, &hs->noise, sizeof(trial));
	if (noise_read_message(&trial, msg + 12,
	    HANDSHAKE_RESPONSE_MAC1_OFF - 12, payload, sizeof(payload),
	    &plen) == -1 || plen != sizeof(payload)) {
		err = HANDSHAKE_ERR_AUTH;
		goto out;
	}
	flags = wire_get_le32(payload);
	/* The responder may only pick what we offered. */
	if ((flags & ~HANDSHAKE_FLAGS_KNOWN) != 0 ||
	    (flags & ~hs->offered_flags) != 0) {
		err = HANDSHAKE_ERR_PAYLOAD;
		goto out;
	}
	memcpy(&hs->noise, &trial, sizeof(trial));
	hs->remote_index = wire_get_le32(msg + 4);
	hs->alg = (flags & HANDSHAKE_FLAG_AES) ? AEAD_AES_256_GCM :
	    AEAD_CHACHA20_POLY1305;
	hs->csum_partial = (flags & HANDSHAKE_FLAG_CSUM_PARTIAL) != 0;
	hs->stage = HANDSHAKE_STAGE_RESPONSE_CONSUMED;
	err = HANDSHAKE_OK;
 out:
	noise_handshake_clear(&trial);
	OPENSSL_cleanse(payload, sizeof(payload));
	return err;
}

int
handshake_derive_keys(struct handshake *hs, struct handshake_keys *keys)
{
	uint8_t		 k1[NOISE_KEYLEN], k2[NOISE_KEYLEN];
	int		 initiator, ret = HANDSHAKE_OK;

	if (hs->stage == HANDSHAKE_STAGE_RESPONSE_CONSUMED)
		initiator = 1;
	else if (hs->stage == HANDSHAKE_STAGE_RESPONSE_SENT)
		initiator = 0;
	else
		return HANDSHAKE_ERR_STATE;
	memset(keys, 0, sizeof(*keys));
	if (noise_split(&hs->noise, k1, k2, keys->hash) == -1) {
		ret = HANDSHAKE_ERR_CRYPTO;
		goto out;
	}
	/* k1 carries initiator-to-responder traffic, k2 the reverse. */
	memcpy(keys->send, initiator ? k1 : k2, HANDSHAKE_KEY_LEN);
	memcpy(keys->recv, initiator ? k2 : k1, HANDSHAKE_KEY_LEN);
	keys->alg = hs->alg;
	keys->csum_partial = hs->csum_partial;
	keys->local_index = hs->local_index;
	keys->remote_index = hs->remote_index;
 out:
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	handshake_clear(hs);
	return ret;
}

void
handshake_clear(struct handshake *hs)
{
	OPENSSL_cleanse(hs, sizeof(*hs));
}

void
handshake_keys_clear(struct handshake_keys *keys)
{
	OPENSSL_cleanse(keys, sizeof(*keys));
}
