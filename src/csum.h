/*
 * The Internet checksum (RFC 1071), shared by everything that builds or edits IP packets: ARP/NDP replies, ICMP
 * "too big" replies, MSS clamping and segmentation offload.
 *
 * A running sum is kept unfolded in a uint32_t as the sum of the data's
 * big-endian 16-bit words; chunks other than the last must have an even
 * length.  csum_fold() folds it to 16 bits; the checksum field takes its
 * complement.
 */
#ifndef TAPMESH_CSUM_H
#define TAPMESH_CSUM_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "byteorder.h"

/* Adds len bytes at buf to sum; an odd last byte is padded with zero. */
uint32_t	 csum_add(uint32_t sum, const void *buf, size_t len);

/* Folds sum to 16 bits (not complemented). */
uint16_t	 csum_fold(uint32_t sum);

/*
 * The ICMPv6 checksum over the pseudo-header of src, dst and the ICMPv6
 * message of len bytes (its checksum field as it is).  The result is in
 * host byte order: to fill in a checksum, zero the field, compute, and
 * store the result big-endian; over a message whose checksum is correct
 * the result is 0.
 */
uint16_t	 icmp6_checksum(const struct in6_addr *src,
		    const struct in6_addr *dst, const uint8_t *msg,
		    size_t len);

#endif
