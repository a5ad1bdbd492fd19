/*
 * Small pieces shared by the test tools: a fast pseudo-random generator,
 * a millisecond clock, and capturing one tapmesh data message.
 */
#ifndef TAPMESH_TOOLS_H
#define TAPMESH_TOOLS_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* A data message: 16-byte header, an Ethernet header, 16-byte tag. */
#define TOOLS_MIN_DATA	(16 + 14 + 16)

static inline uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static inline uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Waits up to 10 s for a tapmesh data message (type 4, longer than
 * TOOLS_MIN_DATA) in an IPv4 UDP datagram to port arriving on ifname
 * (AF_PACKET) from the IPv4 address from (any source if NULL), copies its UDP payload into msg (room for 65536 bytes)
 * and its destination into dst.  Returns the payload's length, or 0.
 */
size_t	 capture_data(const char *ifname, int port, const char *from,
	    uint8_t *msg, struct sockaddr_in *dst);

#endif
