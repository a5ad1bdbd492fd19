/*
 * Addresses, prefixes and the synthetic MAC / link-local derivation.
 *
 * Every peer's MAC is derived from its tunnel address, so that two nodes
 * agree on it without exchanging anything: 02:PP:a:b:c:d for an IPv4
 * address a.b.c.d (PP is the configured prefix byte), or the last four
 * bytes of the IPv6 address for a peer that has no IPv4 address.  The
 * IPv6 link-local address is the EUI-64 one derived from that MAC, which
 * is exactly what the kernel generates for the TAP itself.
 */
#ifndef TAPMESH_ADDR_H
#define TAPMESH_ADDR_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_ALEN_TM	6

struct tm_addr {
	int			 family;	/* AF_INET or AF_INET6 */
	union {
		struct in_addr	 v4;
		struct in6_addr	 v6;
	}			 u;
};

struct tm_prefix {
	struct tm_addr		 addr;
	int			 plen;
};

/* Parses a numeric IPv4 or IPv6 address.  Returns 0, or -1 if invalid. */
int	 addr_parse(const char *, struct tm_addr *);

/*
 * Parses "address/len".  Returns 0, or -1 if the address or the length is
 * invalid (a missing length is invalid).
 */
int	 prefix_parse(const char *, struct tm_prefix *);

/* True if both addresses are of the same family and equal. */
bool	 addr_eq(const struct tm_addr *, const struct tm_addr *);

/* True if the address lies inside the prefix (same family required). */
bool	 prefix_contains(const struct tm_prefix *, const struct tm_addr *);

/* Clears the bits of the prefix's address beyond its length. */
void	 prefix_mask(struct tm_prefix *);

/* Formats an address into buf (INET6_ADDRSTRLEN bytes suffice). */
const char *addr_ntop(const struct tm_addr *, char *, size_t);

/*
 * Derives the synthetic MAC of a node from its address list: the first
 * IPv4 address if there is one, else the first IPv6 address.  Returns 0,
 * or -1 if the list holds no address.
 */
int	 mac_derive(uint8_t, const struct tm_addr *, size_t,
	    uint8_t [ETH_ALEN_TM]);

/*
 * The index in the list of the address mac_derive takes the MAC from, so
 * that an error can name it; -1 if the list holds no address.
 */
int	 mac_source(const struct tm_addr *, size_t);

/* The EUI-64 IPv6 link-local address (fe80::/64) of a MAC. */
void	 mac_to_linklocal(const uint8_t [ETH_ALEN_TM], struct in6_addr *);

/* Formats a MAC as xx:xx:xx:xx:xx:xx into buf (18 bytes). */
const char *mac_ntop(const uint8_t [ETH_ALEN_TM], char *, size_t);

/* True for group (multicast or broadcast) MACs. */
static inline bool
mac_is_group(const uint8_t *mac)
{
	return (mac[0] & 0x01) != 0;
}

#endif
