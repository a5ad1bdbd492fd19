/*
 * udpreplay: captures one tapmesh data message arriving on an interface
 * (AF_PACKET, in the test host's own namespace) and sends it back to its
 * destination: COUNT unchanged copies (replays), then one copy whose
 * counter was moved forward (a tampered header, which must fail
 * authentication).  Prints "replayed N tampered M".
 *
 * usage: udpreplay IFNAME PORT COUNT
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

/* A data message: 16-byte header, a frame of at least 14 bytes, a tag. */
#define MIN_DATA	(16 + 14 + 16)

int
main(int argc, char *argv[])
{
	struct sockaddr_ll	 sll;
	struct sockaddr_in	 dst;
	struct timeval		 tv = { 1, 0 };
	uint8_t			 pkt[65536];
	const uint8_t		*udp = NULL;
	struct ip		 ip;
	struct udphdr		 uh;
	size_t			 hl, plen = 0;
	time_t			 deadline;
	ssize_t			 n;
	long			 count, i, replayed = 0, tampered = 0;
	int			 fd, ufd, port;

	if (argc != 4) {
		fprintf(stderr, "usage: udpreplay ifname port count\n");
		return 2;
	}
	port = atoi(argv[2]);
	count = atol(argv[3]);
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd == -1) {
		perror("socket");
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (sll.sll_ifindex == 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		perror(argv[1]);
		return 1;
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
		if (ntohs(uh.uh_dport) != port)
			continue;
		udp = pkt + hl + sizeof(uh);
		plen = (size_t)n - hl - sizeof(uh);
		if (plen > MIN_DATA && udp[0] == 4)
			break;
		udp = NULL;
	}
	if (udp == NULL) {
		fprintf(stderr, "udpreplay: no data message seen\n");
		return 1;
	}
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_addr = ip.ip_dst;
	dst.sin_port = uh.uh_dport;
	if ((ufd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		return 1;
	}
	for (i = 0; i < count; i++)
		if (sendto(ufd, udp, plen, 0, (struct sockaddr *)&dst,
		    sizeof(dst)) == (ssize_t)plen)
			replayed++;
	/* The counter (bytes 8..15, little-endian) moved far ahead. */
	memmove(pkt, udp, plen);	/* udp points into pkt */
	pkt[11] ^= 0x40;
	if (sendto(ufd, pkt, plen, 0, (struct sockaddr *)&dst,
	    sizeof(dst)) == (ssize_t)plen)
		tampered++;
	printf("replayed %ld tampered %ld\n", replayed, tampered);
	return 0;
}
