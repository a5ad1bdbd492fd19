/*
 * Reading and writing integers of a given byte order at any alignment:
 * little-endian for tapmesh's own messages (wire.h, handshake.h),
 * big-endian for the IP, TCP and ICMP headers the data path builds and
 * edits (csum.h and its users).  One place for both, so that no module
 * grows a copy of its own.
 */
#ifndef TAPMESH_BYTEORDER_H
#define TAPMESH_BYTEORDER_H

#include <stdint.h>

/* Stores v at p, least significant byte first. */
static inline void
wire_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The 32-bit little-endian value at p. */
static inline uint32_t
wire_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Stores v at p, least significant byte first. */
static inline void
wire_put_le64(uint8_t *p, uint64_t v)
{
	wire_put_le32(p, (uint32_t)v);
	wire_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* The 64-bit little-endian value at p. */
static inline uint64_t
wire_get_le64(const uint8_t *p)
{
	return (uint64_t)wire_get_le32(p) |
	    (uint64_t)wire_get_le32(p + 4) << 32;
}

/* The 16-bit big-endian (network order) value at p. */
static inline uint16_t
get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The 32-bit big-endian value at p. */
static inline uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Stores v at p, most significant byte first. */
static inline void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Stores v at p, most significant byte first. */
static inline void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
