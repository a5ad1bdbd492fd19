/*
 * Receive: every datagram from the UDP socket comes here, in place.  Its
 * type and exact length are checked first, the session is found by the
 * receiver index (never by the source address), then the handshake
 * messages go through admission (cookie.h) and handshake.c, and data
 * through the replay window and the AEAD.  Only an authenticated packet
 * changes state: it confirms a keypair, proves the peer alive and tells
 * where it is (path.h).
 */
#ifndef TAPMESH_RECEIVE_H
#define TAPMESH_RECEIVE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct tm_ctx;
struct peer;

/*
 * Processes one datagram of any message type, which came under the outer
 * TOS tos (passed on by a relay).  Returns the sending peer
 * when the datagram was an authentic data message carrying a frame, with
 * *frame and *flen set to the decrypted frame and *partial to whether
 * its TCP checksum was left partial (WIRE_DATA_CSUM_PARTIAL); NULL when
 * it was consumed (handshake, keepalive, probe) or dropped (and
 * counted).
 */
struct peer *receive_datagram(struct tm_ctx *, uint8_t *, size_t,
	    const struct sockaddr_in6 *, uint8_t tos, uint8_t **, size_t *,
	    int *);

#endif
