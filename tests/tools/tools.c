#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tools.h"

size_t
capture_data(const char *ifname, int port, const char *from,
    uint8_t *msg, struct sockaddr_in *dst)
{
	static uint8_t		 pkt[65536];
	struct sockaddr_ll	 sll;
	struct timeval		 tv = { 1, 0 };
	struct ip		 ip;
	struct udphdr		 uh;
	struct in_addr		 src = { 0 };
	size_t			 hl, plen;
	time_t			 deadline;
	ssize_t			 n;
	int			 fd;

	if (from != NULL && inet_pton(AF_INET, from, &src) != 1) {
		fprintf(stderr, "%s: not an IPv4 address\n", from);
		return 0;
	}
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
		    (from != NULL && ip.ip_src.s_addr != src.s_addr) ||
		    (size_t)n < hl + sizeof(uh))
			continue;
		memcpy(&uh, pkt + hl, sizeof(uh));
		plen = (size_t)n - hl - sizeof(uh);
		if (ntohs(uh.uh_dport) != port || plen <= TOOLS_MIN_DATA ||
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
