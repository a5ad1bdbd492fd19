/*
 * udpdatabad: captures one tapmesh data message arriving on an interface
 * (AF_PACKET, in the test host's own namespace) and sends bad variants
 * of it to its destination, as fast as the socket takes them:
 *  - COUNT unchanged copies (replays);
 *  - every truncation of it, lengths 0 .. len-1, COUNT / 64 rounds;
 *  - oversized copies: its header and tag-less random bytes up to 1500,
 *    9000, 9050, 9051, 16384, 32768 and 65507 bytes, COUNT / 64 each;
 *  - forged copies: its header with counters far ahead and random
 *    ciphertext, COUNT of them (must not move the replay window).
 * Prints "replayed R truncated T oversized O forged F in MS ms".
 *
 * usage: udpdatabad IFNAME PORT COUNT
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIN_DATA	(16 + 14 + 16)
#define MAX_UDP		65507

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Captures one data message to port on ifname into msg; its length or 0. */
static size_t
capture(const char *ifname, int port, uint8_t *msg, struct sockaddr_in *dst)
{
	static uint8_t		 pkt[65536];
	struct sockaddr_ll	 sll;
	struct timeval		 tv = { 1, 0 };
	struct ip		 ip;
	struct udphdr		 uh;
	size_t			 hl, plen;
	time_t			 deadline;
	ssize_t			 n;
	int			 fd;

	if ((fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP))) == -1) {
		perror("socket");
		return 0;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		perror(ifname);
		close(fd);
		return 0;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	deadline = time(NULL) + 10;
	while (time(NULL) < deadline) {
		n = recv(fd, pkt, sizeof(pkt), 0);
		if (n < (ssize_t)sizeof(ip))
			continue;
		memcpy(&ip, pkt, sizeof(ip));
		hl = (size_t)ip.ip_hl * 4;
		if (ip.ip_p != IPPROTO_UDP || hl < sizeof(ip) ||
		    (size_t)n < hl + sizeof(uh))
			continue;
		memcpy(&uh, pkt + hl, sizeof(uh));
		plen = (size_t)n - hl - sizeof(uh);
		if (ntohs(uh.uh_dport) != port || plen <= MIN_DATA ||
		    pkt[hl + sizeof(uh)] != 4)
			continue;
		memcpy(msg, pkt + hl + sizeof(uh), plen);
		memset(dst, 0, sizeof(*dst));
		dst->sin_family = AF_INET;
		dst->sin_addr = ip.ip_dst;
		dst->sin_port = uh.uh_dport;
		close(fd);
		return plen;
	}
	close(fd);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const size_t	 big[] = { 1500, 9000, 9050, 9051, 16384,
				    32768, MAX_UDP };
	static uint8_t		 msg[65536], buf[65536];
	struct sockaddr_in	 dst;
	uint64_t		 seed = 0x243f6a8885a308d3ULL, start, ctr;
	unsigned long		 count, i, rep = 0, trunc = 0, over = 0,
				 forged = 0;
	size_t			 len, l, j, k;
	int			 fd, port, sndbuf = 1 << 20;

	if (argc != 4) {
		fprintf(stderr, "usage: udpdatabad ifname port count\n");
		return 2;
	}
	port = atoi(argv[2]);
	count = strtoul(argv[3], NULL, 10);
	if ((len = capture(argv[1], port, msg, &dst)) == 0) {
		fprintf(stderr, "udpdatabad: no data message seen\n");
		return 1;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
#define SEND(b, n, c) do {						\
	if (sendto(fd, (b), (n), 0, (struct sockaddr *)&dst,		\
	    sizeof(dst)) == (ssize_t)(n))				\
		(c)++;							\
} while (0)
	start = now_ms();
	for (i = 0; i < count; i++)
		SEND(msg, len, rep);
	for (i = 0; i < count / 64 + 1; i++)
		for (l = 0; l < len; l++)
			SEND(msg, l, trunc);
	for (k = 0; k < sizeof(big) / sizeof(big[0]); k++) {
		memcpy(buf, msg, 16);
		for (j = 16; j < big[k]; j++)
			buf[j] = (uint8_t)xorshift(&seed);
		for (i = 0; i < count / 64 + 1; i++)
			SEND(buf, big[k], over);
	}
	memcpy(buf, msg, 16);
	for (i = 0; i < count; i++) {
		/* Counters ahead by up to 2^40, random ciphertext and tag. */
		ctr = xorshift(&seed) & ((1ULL << 40) - 1);
		for (j = 0; j < 8; j++)
			buf[8 + j] = (uint8_t)(ctr >> (8 * j));
		for (j = 16; j < len; j++)
			buf[j] = (uint8_t)xorshift(&seed);
		SEND(buf, len, forged);
	}
	printf("replayed %lu truncated %lu oversized %lu forged %lu in %llu ms\n",
	    rep, trunc, over, forged, (unsigned long long)(now_ms() - start));
	return 0;
}
