/*
 * tapmesh's UDP message types and the data message header, shared by
 * handshake.c and the daemon's data path; their little-endian fields are
 * read and written with byteorder.h.  The layouts are written once, in
 * PROTOCOL at the top of the tree (data messages: section 4); a change
 * here must be made there.
 *
 * The 16-byte data header is the AEAD's associated data, so no header
 * field can be altered without the packet failing to authenticate.  A
 * partial checksum (WIRE_DATA_CSUM_PARTIAL) needs no end-to-end check of
 * its own: the AEAD tag already covers every byte of the frame, and the
 * receiver hands the segment to its kernel as one whose checksum is still
 * to be computed.
 */
#ifndef TAPMESH_WIRE_H
#define TAPMESH_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "byteorder.h"

#define WIRE_TYPE_INITIATION	1
#define WIRE_TYPE_RESPONSE	2
#define WIRE_TYPE_COOKIE_REPLY	3
#define WIRE_TYPE_DATA		4

#define WIRE_DATA_HEADER_LEN	16
#define WIRE_DATA_CSUM_PARTIAL	0x01	/* data flags, byte 1 */
#define WIRE_DATA_RELAY		0x02	/* the plaintext is a relay message */
#define WIRE_DATA_FLAGS_KNOWN	(WIRE_DATA_CSUM_PARTIAL | WIRE_DATA_RELAY)
#define WIRE_TAG_LEN		16
#define WIRE_DATA_OVERHEAD	(WIRE_DATA_HEADER_LEN + WIRE_TAG_LEN)

/*
 * A relay message is the plaintext of a data message flagged
 * WIRE_DATA_RELAY, sealed under the session of one hop (a node and its
 * relay):
 *
 *	offset	size	field
 *	0	1	kind (WIRE_RELAY_*)
 *	1	3	zero
 *	4	8	peer id: the first 8 bytes of a static public key
 *			(forward: the target; deliver: the source;
 *			unreachable: the target refused; endpoint: the peer
 *			whose address follows)
 *	12	n	forward, deliver: the end-to-end message, a handshake
 *			message or a data message without the relay flag;
 *			endpoint: 16 bytes of IPv6 (IPv4-mapped) address and
 *			a big-endian port; unreachable: nothing
 */
#define WIRE_RELAY_FORWARD	1	/* to a relay: pass it on */
#define WIRE_RELAY_DELIVER	2	/* from a relay: passed on */
#define WIRE_RELAY_UNREACHABLE	3	/* from a relay: cannot pass on */
#define WIRE_RELAY_ENDPOINT	4	/* from a relay: where a peer is */
#define WIRE_RELAY_HEADER_LEN	12
#define WIRE_RELAY_ID_LEN	8
#define WIRE_RELAY_ENDPOINT_LEN	(WIRE_RELAY_HEADER_LEN + 18)
/* What relaying adds to an end-to-end message. */
#define WIRE_RELAY_OVERHEAD	(WIRE_RELAY_HEADER_LEN + WIRE_DATA_OVERHEAD)

/* Writes a relay message header of that kind and peer id. */
static inline void
wire_relay_header_write(uint8_t *p, uint8_t kind, const uint8_t *id)
{
	size_t	 i;

	p[0] = kind;
	p[1] = p[2] = p[3] = 0;
	for (i = 0; i < WIRE_RELAY_ID_LEN; i++)
		p[4 + i] = id[i];
}

/*
 * Whether msg (len bytes) may travel end to end through a relay: a
 * message of a known type that is not itself relay traffic, so that
 * nothing is relayed twice.
 */
static inline int
wire_relayable(const uint8_t *msg, size_t len)
{
	if (len < 4 || msg[0] < WIRE_TYPE_INITIATION ||
	    msg[0] > WIRE_TYPE_DATA)
		return 0;
	return msg[0] != WIRE_TYPE_DATA || (msg[1] & WIRE_DATA_RELAY) == 0;
}

/* Writes a data header for the given receiver index and counter. */
static inline void
wire_data_header_write(uint8_t *p, uint32_t receiver_index, uint64_t counter)
{
	p[0] = WIRE_TYPE_DATA;
	p[1] = p[2] = p[3] = 0;
	wire_put_le32(p + 4, receiver_index);
	wire_put_le64(p + 8, counter);
}

static inline uint8_t
wire_data_flags(const uint8_t *p)
{
	return p[1];
}

static inline void
wire_data_set_flags(uint8_t *p, uint8_t flags)
{
	p[1] = flags;
}

/*
 * Parses the header of a data message of len bytes.  Returns 0, or -1 if
 * the message is shorter than header and tag, is not of type 4, has an
 * unknown flag or non-zero reserved bytes.  An empty payload (a
 * keepalive) is valid.  The flags are read with wire_data_flags.
 */
static inline int
wire_data_header_read(const uint8_t *p, size_t len, uint32_t *receiver_index,
    uint64_t *counter)
{
	if (len < WIRE_DATA_OVERHEAD)
		return -1;
	if (p[0] != WIRE_TYPE_DATA || (p[1] & ~WIRE_DATA_FLAGS_KNOWN) != 0 ||
	    p[2] != 0 || p[3] != 0)
		return -1;
	*receiver_index = wire_get_le32(p + 4);
	*counter = wire_get_le64(p + 8);
	return 0;
}

#endif
