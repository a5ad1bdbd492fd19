/*
 * Handshake admission: see cookie.h.
 */
#include <string.h>

#include "cookie.h"
#include "daemon.h"
#include "tx.h"

/* The address bytes and port of a source, as the cookie covers them. */
static void
source_bytes(const struct sockaddr_in6 *from, const uint8_t **addr,
    size_t *len, uint16_t *port)
{
	if (IN6_IS_ADDR_V4MAPPED(&from->sin6_addr)) {
		*addr = &from->sin6_addr.s6_addr[12];
		*len = 4;
	} else {
		*addr = from->sin6_addr.s6_addr;
		*len = 16;
	}
	*port = ntohs(from->sin6_port);
}

int
cookie_admit(struct tm_ctx *ctx, const uint8_t *msg, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct cookie_checker	*cc = &ctx->hs;
	uint8_t			 reply[HANDSHAKE_COOKIE_REPLY_LEN];
	const uint8_t		*addr;
	size_t			 alen;
	uint16_t		 port;
	uint64_t		 sec = now / 1000000000ULL;
	int			 rc;

	if (now - cc->window_ns >= 1000000000ULL) {
		cc->window_ns = now;
		cc->window_count = 0;
	}
	cc->window_count++;
	/*
	 * The per-source limit comes first: a source over it gets nothing,
	 * not even a cookie reply, whose making and sending cost about ten
	 * times a mac1 check, so a flood of valid-mac1 initiations cannot
	 * keep the daemon busy enough to starve data on the same socket.
	 */
	if (!ratelimit_allow(&cc->rl, &from->sin6_addr, now)) {
		count_drop(ctx, NULL, DROP_RATELIMIT);
		return 0;
	}
	source_bytes(from, &addr, &alen, &port);
	if (cc->window_count > COOKIE_LOAD_THRESHOLD &&
	    handshake_check_mac2(&cc->secret, sec, addr, alen, port, msg,
	    len) != HANDSHAKE_OK) {
		rc = handshake_create_cookie_reply(&ctx->hlocal, &cc->secret,
		    sec, addr, alen, port, msg, len, reply);
		if (rc == HANDSHAKE_OK)
			tx_raw(ctx, NULL, from, NULL, reply, sizeof(reply), now);
		count_drop(ctx, NULL, DROP_RATELIMIT);
		return 0;
	}
	return 1;
}
