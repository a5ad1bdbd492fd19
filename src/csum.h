/*
 * The Internet checksum (RFC 1071) and big-endian field access, shared
 * by everything that builds or edits IP packets: ARP/NDP replies, ICMP
 * "too big" replies, MSS clamping and segmentation offload.
 *
 * A running sum is kept unfolded in a uint32_t as the sum of the data's
 * big-endian 16-bit words; chunks other than the last must have an even
 * length.  csum_fold() folds it to 16 bits; the checksum field takes its
 * complement.
 */
#ifndef TAPMESH_CSUM_H
#define TAPMESH_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds len bytes at buf to sum; an odd last byte is padded with zero. */
uint32_t	 csum_add(uint32_t sum, const void *buf, size_t len);

/* Folds sum to 16 bits (not complemented). */
uint16_t	 csum_fold(uint32_t sum);

static inline uint16_t
get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
