#include <string.h>

#include "csum.h"

/*
 * The ones' complement sum does not depend on byte order (RFC 1071
 * section 2 (B)): add the buffer as native 32-bit words into 64 bits,
 * fold, and swap the result to big-endian word order at the end.
 */
uint32_t
csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	uint64_t	 acc = 0;
	uint32_t	 w;
	uint16_t	 h;

	while (len >= 16) {
		uint64_t	 a, b;

		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		acc += (a & 0xffffffffU) + (a >> 32) + (b & 0xffffffffU) +
		    (b >> 32);
		p += 16;
		len -= 16;
	}
	while (len >= 4) {
		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		acc += h;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		/* The pad byte follows p[0] in memory order. */
		uint8_t	 last[2] = { p[0], 0 };

		memcpy(&h, last, 2);
		acc += h;
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	h = (uint16_t)acc;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Native 16-bit words to big-endian word order. */
	h = (uint16_t)(h << 8 | h >> 8);
#endif
	return sum + h;
}

uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t
icmp6_checksum(const struct in6_addr *src, const struct in6_addr *dst,
    const uint8_t *msg, size_t len)
{
	uint8_t		 pseudo[8];
	uint32_t	 sum = 0;

	/* RFC 8200 section 8.1: upper-layer length and next header. */
	put_be32(pseudo, (uint32_t)len);
	pseudo[4] = pseudo[5] = pseudo[6] = 0;
	pseudo[7] = IPPROTO_ICMPV6;

	sum = csum_add(sum, src->s6_addr, sizeof(src->s6_addr));
	sum = csum_add(sum, dst->s6_addr, sizeof(dst->s6_addr));
	sum = csum_add(sum, pseudo, sizeof(pseudo));
	sum = csum_add(sum, msg, len);
	return (uint16_t)~csum_fold(sum);
}
