/*
 * tapstorm: an ARP/NDP storm out of an interface (AF_PACKET), as the
 * kernel's own resolution would send it, only much faster: ARP requests
 * and IPv6 Neighbour Solicitations (valid checksums) for random unknown
 * addresses of the tunnel prefixes and for the given peer addresses,
 * gratuitous ARP claiming a peer's address, DAD probes, and truncated
 * copies of each.  Stops after COUNT frames or SECONDS, whichever first.
 * With TAPSTORM_RATE=N in the environment, at most N frames a second.
 * Prints "sent N in MS ms".  Used by the storm test inside a lab
 * namespace; never aim it at an interface of the host.
 *
 * usage: tapstorm IFNAME MAC SRC4 SRC6 COUNT SECONDS [PEER...]
 *   MAC, SRC4, SRC6: the interface's own MAC and addresses; unknown
 *   targets are drawn from SRC4/24 and SRC6/64.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csum.h"
#include "ndp.h"
#include "tools.h"

/* ARP request from (mac, spa) for tpa; gratuitous if spa == tpa. */
static size_t
arp_request(uint8_t *f, const uint8_t mac[6], const struct in_addr *spa,
    const struct in_addr *tpa)
{
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08; f[13] = 0x06;
	f[14] = 0; f[15] = 1; f[16] = 0x08; f[17] = 0; f[18] = 6; f[19] = 4;
	f[20] = 0; f[21] = 1;
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, spa, 4);
	memset(f + 32, 0, 6);
	memcpy(f + 38, tpa, 4);
	return 42;
}

/* NS from (mac, src) for tgt, to its solicited-node group; DAD if src ::. */
static size_t
ndp_ns(uint8_t *f, const uint8_t mac[6], const struct in6_addr *src,
    const struct in6_addr *tgt)
{
	struct in6_addr	 dst;
	uint8_t		*ip6 = f + 14, *icmp = f + 54;
	int		 dad = IN6_IS_ADDR_UNSPECIFIED(src);
	size_t		 plen = dad ? 24 : 32;
	uint16_t	 ck;

	inet_pton(AF_INET6, "ff02::1:ff00:0", &dst);
	memcpy(&dst.s6_addr[13], &tgt->s6_addr[13], 3);
	f[0] = 0x33; f[1] = 0x33;
	memcpy(f + 2, &dst.s6_addr[12], 4);
	memcpy(f + 6, mac, 6);
	f[12] = 0x86; f[13] = 0xdd;
	memset(ip6, 0, 40);
	ip6[0] = 0x60;
	ip6[5] = (uint8_t)plen;
	ip6[6] = 58;
	ip6[7] = 255;
	memcpy(ip6 + 8, src, 16);
	memcpy(ip6 + 24, &dst, 16);
	memset(icmp, 0, plen);
	icmp[0] = 135;
	memcpy(icmp + 8, tgt, 16);
	if (!dad) {
		icmp[24] = 1; icmp[25] = 1;
		memcpy(icmp + 26, mac, 6);
	}
	ck = icmp6_checksum(src, &dst, icmp, plen);
	icmp[2] = (uint8_t)(ck >> 8);
	icmp[3] = (uint8_t)ck;
	return 54 + plen;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_ll	 sll;
	struct in_addr		 src4, p4[16], t4;
	struct in6_addr		 src6, p6[16], t6, any6;
	uint8_t			 mac[6], f[128];
	uint64_t		 seed = 0x13198a2e03707344ULL, r, start, limit;
	unsigned long		 count, i, sent = 0, rate = 0;
	struct timespec		 nap = { 0, 1000000 };
	const char		*env;
	size_t			 len;
	int			 fd, j, n4 = 0, n6 = 0;

	if (argc < 7 || sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
	    &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) != 6 ||
	    inet_pton(AF_INET, argv[3], &src4) != 1 ||
	    inet_pton(AF_INET6, argv[4], &src6) != 1) {
		fprintf(stderr, "usage: tapstorm ifname mac src4 src6 count "
		    "seconds [peer...]\n");
		return 2;
	}
	count = strtoul(argv[5], NULL, 10);
	limit = strtoull(argv[6], NULL, 10) * 1000;
	for (j = 7; j < argc; j++) {
		if (n4 < 16 && inet_pton(AF_INET, argv[j], &p4[n4]) == 1)
			n4++;
		else if (n6 < 16 && inet_pton(AF_INET6, argv[j], &p6[n6]) == 1)
			n6++;
	}
	memset(&any6, 0, sizeof(any6));
	if ((fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))) == -1) {
		perror("socket");
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (sll.sll_ifindex == 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		perror(argv[1]);
		return 1;
	}
	if ((env = getenv("TAPSTORM_RATE")) != NULL)
		rate = strtoul(env, NULL, 10);
	start = now_ms();
	for (i = 0; i < count; i++) {
		if ((i & 63) == 0) {
			if (now_ms() - start >= limit)
				break;
			while (rate > 0 && i * 1000 / rate > now_ms() - start &&
			    now_ms() - start < limit)
				nanosleep(&nap, NULL);
		}
		r = xorshift(&seed);
		t4 = src4;
		((uint8_t *)&t4)[3] = (uint8_t)(r >> 8);
		t6 = src6;
		memcpy(&t6.s6_addr[12], &r, 4);
		switch (r % 8) {
		case 0:		/* a peer */
			len = n4 ? arp_request(f, mac, &src4, &p4[(r >> 16) %
			    (unsigned)n4]) : arp_request(f, mac, &src4, &t4);
			break;
		case 1:
			len = n6 ? ndp_ns(f, mac, &src6, &p6[(r >> 16) %
			    (unsigned)n6]) : ndp_ns(f, mac, &src6, &t6);
			break;
		case 2:		/* gratuitous, claiming a peer's address */
			len = n4 ? arp_request(f, mac, &p4[(r >> 16) %
			    (unsigned)n4], &p4[(r >> 16) % (unsigned)n4]) :
			    arp_request(f, mac, &t4, &t4);
			break;
		case 3:		/* DAD */
			len = ndp_ns(f, mac, &any6, &t6);
			break;
		case 4:		/* truncated */
			len = arp_request(f, mac, &src4, &t4);
			len = (r >> 32) % len;
			if (len < 14)
				len = 14;
			break;
		case 5:
			len = ndp_ns(f, mac, &src6, &t6);
			len = 14 + (r >> 32) % (len - 14);
			break;
		case 6:		/* unknown addresses */
			len = arp_request(f, mac, &src4, &t4);
			break;
		default:
			len = ndp_ns(f, mac, &src6, &t6);
			break;
		}
		if (send(fd, f, len, 0) == (ssize_t)len)
			sent++;
	}
	printf("sent %lu in %llu ms\n", sent,
	    (unsigned long long)(now_ms() - start));
	return 0;
}
