/*
 * Sessions: keypairs and our own handshakes.  See session.h.
 */
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "neigh.h"
#include "path.h"
#include "peerconf.h"
#include "session.h"
#include "tx.h"

static uint64_t
ms_to_ns(uint64_t ms)
{
	return ms * 1000000ULL;
}

uint64_t
session_rekey_ns(const struct tm_ctx *ctx)
{
	return (uint64_t)ctx->conf.rekey_time * 1000000000ULL;
}

/* A keypair is refused for any use after 1.5 rekey intervals. */
uint64_t
session_reject_ns(const struct tm_ctx *ctx)
{
	return session_rekey_ns(ctx) * 3 / 2;
}

/* Handshakes are retried at most every 5 s, sooner with fast keepalives. */
uint64_t
session_retry_ns(const struct tm_ctx *ctx)
{
	uint64_t	 ka = (uint64_t)ctx->conf.keepalive * 1000;

	return ms_to_ns(ka < SESSION_RETRY_MS ? ka : SESSION_RETRY_MS);
}

void
keypair_free(struct tm_ctx *ctx, struct keypair *kp)
{
	if (kp == NULL)
		return;
	index_remove(&ctx->index, &kp->index);
	aead_free(&kp->send);
	aead_free(&kp->recv);
	OPENSSL_cleanse(kp, sizeof(*kp));
	free(kp);
}

struct keypair *
keypair_new(struct peer *p, int initiator, uint64_t now)
{
	struct keypair	*kp;

	if ((kp = calloc(1, sizeof(*kp))) == NULL) {
		log_warn("peer %s: keypair", p->conf.name);
		return NULL;
	}
	kp->index.kind = INDEX_KEYPAIR;
	kp->index.peer = p;
	kp->index.kp = kp;
	kp->peer = p;
	kp->created_ns = now;
	kp->initiator = initiator;
	replay_init(&kp->replay);
	return kp;
}

int
keypair_set_keys(struct keypair *kp, const struct handshake_keys *keys)
{
	if (aead_init(&kp->send, keys->alg, keys->send) == -1 ||
	    aead_init(&kp->recv, keys->alg, keys->recv) == -1) {
		log_warnx("peer %s: cannot set up %s keys", kp->peer->conf.name,
		    aead_alg_name(keys->alg));
		return -1;
	}
	kp->remote_index = keys->remote_index;
	kp->csum_partial = keys->csum_partial;
	return 0;
}

void
keypair_expire(struct tm_ctx *ctx, struct keypair **kpp, uint64_t now)
{
	if (*kpp != NULL && now - (*kpp)->created_ns >=
	    session_reject_ns(ctx)) {
		keypair_free(ctx, *kpp);
		*kpp = NULL;
	}
}

void
session_peer_up(struct tm_ctx *ctx, struct peer *p)
{
	if (p->up)
		return;
	p->up = 1;
	neigh_peer_up(ctx, p);
	log_info("peer %s: up", p->conf.name);
}

void
session_peer_down(struct tm_ctx *ctx, struct peer *p, uint64_t now)
{
	if (!p->up)
		return;
	p->up = 0;
	neigh_peer_down(ctx, p);
	log_info("peer %s: down, nothing authenticated for %llu ms",
	    p->conf.name, (unsigned long long)((now - p->last_rx_ns) /
	    1000000ULL));
}

uint32_t
session_hs_flags(const struct tm_ctx *ctx)
{
	return (ctx->prefer_aes ? HANDSHAKE_FLAG_AES : 0) |
	    (ctx->tap.offload ? HANDSHAKE_FLAG_CSUM_PARTIAL : 0);
}

static void
realtime(uint64_t *sec, uint32_t *nsec)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = (uint64_t)ts.tv_sec;
	*nsec = (uint32_t)ts.tv_nsec;
}

const uint8_t *
session_cookie(const struct peer *p, uint64_t now)
{
	if (p->cookie_ns == 0 || now - p->cookie_ns >=
	    (uint64_t)HANDSHAKE_COOKIE_SECRET_LIFE * 1000000000ULL)
		return NULL;
	return p->cookie;
}

int
session_initiation(struct tm_ctx *ctx, struct peer *p, uint64_t now,
    int retry, uint8_t msg[HANDSHAKE_INITIATION_LEN])
{
	uint64_t	 sec;
	uint32_t	 nsec;
	int		 rc;

	p->hs_index.kind = INDEX_HANDSHAKE;
	p->hs_index.peer = p;
	if (index_insert(&ctx->index, &p->hs_index) == -1) {
		log_warnx("peer %s: no random index", p->conf.name);
		return -1;
	}
	/*
	 * The key the current session authenticated is the one to use; a
	 * retry tries the other key of a rollover, in case the peer
	 * switched while we were not looking.
	 */
	if (!retry && session_key_index(p, p->kp_current) != -1)
		p->hs_key = session_key_index(p, p->kp_current);
	else if (retry && p->conf.has_public_key2)
		p->hs_key = !p->hs_key;
	realtime(&sec, &nsec);
	rc = handshake_create_initiation(&p->hs, &ctx->hlocal,
	    &p->hpeer[p->hs_key],
	    p->hs_index.idx, sec, nsec, session_hs_flags(ctx),
	    session_cookie(p, now), msg);
	if (rc != HANDSHAKE_OK) {
		log_warnx("peer %s: initiation: %s", p->conf.name,
		    handshake_strerror(rc));
		index_remove(&ctx->index, &p->hs_index);
		return -1;
	}
	memcpy(p->last_mac1, p->hs.sent_mac1, sizeof(p->last_mac1));
	p->last_mac1_index = p->hs_index.idx;
	p->last_mac1_key = p->hs_key;
	if (retry && !p->up)
		p->hs_attempts++;
	p->hs_sent_ns = now;
	p->stats.handshakes_sent++;
	return 0;
}

void
session_abandon(struct tm_ctx *ctx, struct peer *p)
{
	index_remove(&ctx->index, &p->hs_index);
	handshake_clear(&p->hs);
	p->hs_sent_ns = 0;
	p->hs_attempts = 0;
}

void
session_kick(struct peer *p)
{
	p->hs_attempts = 0;
}

void
session_established(struct tm_ctx *ctx, struct peer *p, struct keypair *kp,
    uint64_t now)
{
	p->last_handshake_ns = now;
	p->last_rx_ns = now;
	p->hs_attempts = 0;
	p->stats.handshakes_done++;
	/*
	 * kp_next stays: when both ends initiated at once, the peer confirms
	 * the session we answered by sending on it, and must not find it
	 * gone.
	 */
	keypair_free(ctx, p->kp_previous);
	p->kp_previous = p->kp_current;
	p->kp_current = kp;
}

void
session_confirm(struct tm_ctx *ctx, struct peer *p, struct keypair *kp,
    uint64_t now)
{
	if (kp != p->kp_next)
		return;
	keypair_free(ctx, p->kp_previous);
	p->kp_previous = p->kp_current;
	p->kp_current = kp;
	p->kp_next = NULL;
	p->last_handshake_ns = now;
	p->stats.handshakes_done++;
	/* Initiations go to the key that just authenticated. */
	if (session_key_index(p, kp) != -1)
		p->hs_key = session_key_index(p, kp);
	/* A crossing initiation of ours would only replace this session. */
	if (p->hs_sent_ns != 0)
		session_abandon(ctx, p);
	log_info("peer %s: session established (responder, %s%s)",
	    p->conf.name, aead_alg_name(kp->send.alg),
	    kp->csum_partial ? ", partial checksums" : "");
}

void
session_set_cipher(struct tm_ctx *ctx)
{
	switch (ctx->conf.cipher) {
	case TM_CIPHER_AES_256_GCM:
		ctx->prefer_aes = 1;
		break;
	case TM_CIPHER_CHACHA20_POLY1305:
		ctx->prefer_aes = 0;
		break;
	default:
		ctx->prefer_aes = aead_cpu_has_aes();
		break;
	}
}

int
session_init(struct tm_ctx *ctx)
{
	uint64_t	 key[2];
	size_t		 i;

	/* Secret, so that nobody can pick sources that share buckets. */
	if (RAND_bytes((unsigned char *)key, sizeof(key)) != 1) {
		log_warnx("no random bytes for the handshake rate limit");
		return -1;
	}
	ratelimit_init(&ctx->hs.rl, key);
	if (handshake_local_init(&ctx->hlocal, ctx->conf.private_key) !=
	    HANDSHAKE_OK) {
		log_warnx("cannot use the private key");
		return -1;
	}
	session_set_cipher(ctx);
	if (index_table_init(&ctx->index, ctx->peers.npeers) == -1) {
		log_warnx("out of memory");
		return -1;
	}
	for (i = 0; i < ctx->peers.npeers; i++)
		if (session_peer_init(ctx->peers.peers[i]) == -1)
			return -1;
	log_info("data cipher preference: %s",
	    ctx->prefer_aes ? "aes-256-gcm" : "chacha20-poly1305");
	return 0;
}

int
session_peer_init(struct peer *p)
{
	const uint8_t	*key;
	int		 i;

	for (i = 0; i < TM_MAX_PEER_KEYS; i++) {
		if ((key = peerconf_key(&p->conf, i)) == NULL) {
			OPENSSL_cleanse(&p->hpeer[i], sizeof(p->hpeer[i]));
			continue;
		}
		if (handshake_peer_init(&p->hpeer[i], key) != HANDSHAKE_OK) {
			log_warnx("peer %s: cannot use its public key",
			    p->conf.name);
			return -1;
		}
		handshake_peer_set_psk(&p->hpeer[i],
		    p->conf.has_psk ? p->conf.psk : NULL);
	}
	/* Two hints, then one a minute: a mismatch repeats every retry. */
	if (p->rl_psk.burst == 0)
		p->rl_psk = (struct log_ratelimit)LOG_RATELIMIT_INIT(1.0 / 60,
		    2);
	if (peerconf_key(&p->conf, p->hs_key) == NULL)
		p->hs_key = 0;
	return 0;
}

void
session_psk_hint(struct peer *p, const char *what)
{
	uint64_t	 n = 0;

	if (!log_ratelimit_ok(&p->rl_psk, &n))
		return;
	log_warnx("peer %s: %s; a pre-shared key mismatch is the likely "
	    "cause (pre-shared key here: %s)%s", p->conf.name, what,
	    p->conf.has_psk ? "set" : "none",
	    n > 0 ? " (repeated messages suppressed)" : "");
}

int
session_key_index(const struct peer *p, const struct keypair *kp)
{
	return kp == NULL ? -1 : peerconf_key_index(&p->conf, kp->peer_key);
}

void
session_peer_free(struct tm_ctx *ctx, struct peer *p)
{
	keypair_free(ctx, p->kp_current);
	keypair_free(ctx, p->kp_previous);
	keypair_free(ctx, p->kp_next);
	p->kp_current = p->kp_previous = p->kp_next = NULL;
	index_remove(&ctx->index, &p->hs_index);
	p->hs_sent_ns = 0;
	p->hs_attempts = 0;
	handshake_clear(&p->hs);
	OPENSSL_cleanse(p->cookie, sizeof(p->cookie));
	OPENSSL_cleanse(p->hpeer, sizeof(p->hpeer));
}

void
session_free(struct tm_ctx *ctx)
{
	size_t	 i;

	for (i = 0; i < ctx->peers.npeers; i++)
		session_peer_free(ctx, ctx->peers.peers[i]);
	handshake_local_clear(&ctx->hlocal);
	OPENSSL_cleanse(&ctx->hs.secret, sizeof(ctx->hs.secret));
	index_table_free(&ctx->index);
}
