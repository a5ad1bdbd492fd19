/*
 * The control socket: a UNIX stream socket (mode 0660, owned by root and
 * the configured group) speaking the protocol of ctlproto.h, one request
 * per connection.  At most CONTROL_MAX_CONNS connections are served at
 * once; more are refused and counted, and a connection that has not
 * finished within CONTROL_TIMEOUT_MS is closed.
 */
#ifndef TAPMESH_CONTROL_H
#define TAPMESH_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "ctlproto.h"
#include "event.h"

#define CONTROL_MAX_CONNS	16
#define CONTROL_TIMEOUT_MS	5000

struct tm_ctx;

struct control_conn {
	struct event_fd		 ev;
	struct event_timer	 timeout;
	struct tm_ctx		*ctx;
	uint8_t			 in[sizeof(struct ctl_hdr) + CTL_MAX_REQUEST];
	size_t			 inlen;
	uint8_t			*out;
	size_t			 outlen;
	size_t			 outoff;
	struct control_conn	*next;
};

struct control {
	int			 fd;
	struct event_fd		 ev;
	char			 path[108];
	struct control_conn	*conns;
	size_t			 nconns;
	uint64_t		 refused;	/* over the limit */
	uint64_t		 bad_requests;
};

/*
 * Creates the socket at the configured path (its directory is created
 * with mode 0755 if missing; a stale socket is replaced, a live one is
 * an error: another daemon owns it).  Returns 0 or -1 (logged).
 */
int	 control_open(struct tm_ctx *);

/*
 * Checks what a connection has sent so far (inlen bytes at in) against
 * the protocol: every field, the payload's length and content for its
 * type.  Returns 1 with the header in h when one complete, valid request
 * is there, 0 when more bytes are needed, or -1 with the answer for the
 * client in err.
 */
int	 control_parse(const uint8_t *, size_t, struct ctl_hdr *,
	    const char **);

/* Closes every connection and removes the socket. */
void	 control_close(struct tm_ctx *);

#endif
