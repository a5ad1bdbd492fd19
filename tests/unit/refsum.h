/*
 * The unit tests' own Internet checksum, one byte at a time and
 * independent of src/csum.c: bytes at even offsets are the high halves
 * of the 16-bit words.  Chunks other than the last have even lengths.
 */
#ifndef TAPMESH_REFSUM_H
#define TAPMESH_REFSUM_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t
ref_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		sum += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	return sum;
}

static inline uint16_t
ref_fold(uint32_t sum)
{
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

#endif
