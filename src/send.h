/*
 * Sealing: a frame (or a keepalive, or a path probe) becomes a data
 * message under the peer's current keypair and goes to tx.  A peer
 * without a usable session gets a handshake started instead (the frame
 * is dropped and counted); the initiator of a session starts the rekey
 * when its keys are due.
 */
#ifndef TAPMESH_SEND_H
#define TAPMESH_SEND_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct tm_ctx;
struct peer;

/*
 * Encrypts the frame (flen bytes; 0 for a keepalive) for the peer and
 * sends it to its active endpoint.  Returns 0, or -1 when it was dropped
 * (and counted).
 */
int	 send_frame(struct tm_ctx *, struct peer *, const uint8_t *, size_t);

/*
 * send_frame for a TCP segment whose checksum is partial: the field at
 * csum_start + 16 holds the pseudo-header sum, as the kernel leaves it
 * for offload.  It is sent as it is, flagged WIRE_DATA_CSUM_PARTIAL, if
 * the session agreed on partial checksums, else its checksum is finished
 * here first.
 */
int	 send_frame_partial(struct tm_ctx *, struct peer *, uint8_t *, size_t,
	    size_t);

/*
 * Sends a new initiation to the peer's active path, or on a retry
 * without a session to its next configured endpoint in turn; through its
 * relay when traffic goes that way or nothing direct is known, and on a
 * retry beside the direct attempt.
 */
void	 send_initiation(struct tm_ctx *, struct peer *, uint64_t now,
	    int retry);

/*
 * Starts a handshake unless one is in flight and not yet due a retry, or
 * the peer is down and its retries back off (timers_retry_wait): those
 * are left to the timers.
 */
void	 send_want_handshake(struct tm_ctx *, struct peer *, uint64_t now);

/* A keepalive: an empty data message to the active endpoint. */
int	 send_keepalive(struct tm_ctx *, struct peer *);

/*
 * A path probe (msg, len bytes) to to, from src (or any local address),
 * or through the peer's relay if to is NULL: the probe names the path,
 * so the caller names its addresses.
 */
int	 send_probe(struct tm_ctx *, struct peer *, const struct sockaddr_in6 *,
	    const struct in6_addr *, const uint8_t *, size_t);

/*
 * Seals the relay message pt (len bytes, its header written) under the
 * session with hop and sends it to hop's direct endpoint with the outer
 * TOS tos, at once if urgent (tx_data); counted (and frame_len counted
 * as a frame) against the peer counted.  Returns 0, or -1 when dropped
 * (counted).
 */
int	 send_relayed(struct tm_ctx *, struct peer *hop, const uint8_t *,
	    size_t, struct peer *counted, size_t frame_len, uint8_t tos,
	    int urgent);

/*
 * Sends the end-to-end message msg (a handshake message, len bytes) for
 * the peer p through relay.  Returns 0 or -1 (counted).
 */
int	 send_raw_relayed(struct tm_ctx *, struct peer *p, struct peer *relay,
	    const uint8_t *, size_t);

#endif
