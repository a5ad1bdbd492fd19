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
#define WIRE_DATA_FLAGS_KNOWN	WIRE_DATA_CSUM_PARTIAL
#define WIRE_TAG_LEN		16
#define WIRE_DATA_OVERHEAD	(WIRE_DATA_HEADER_LEN + WIRE_TAG_LEN)

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
