/*
 * udpreplay: captures one tapmesh data message arriving on an interface
 * (AF_PACKET, in the test host's own namespace) and sends it back to its
 * destination: COUNT unchanged copies (replays), then one copy whose
 * counter was moved forward (a tampered header, which must fail
 * authentication).  Prints "replayed N tampered M".
 *
 * usage: udpreplay IFNAME PORT COUNT [FROM]  (FROM: capture only from
 * that IPv4 source)
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools.h"

/* A data message: 16-byte header, a frame of at least 14 bytes, a tag. */

int
main(int argc, char *argv[])
{
	static uint8_t		 pkt[65536];
	struct sockaddr_in	 dst;
	size_t			 plen;
	long			 count, i, replayed = 0, tampered = 0;
	int			 ufd, port;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: udpreplay ifname port count [from]\n");
		return 2;
	}
	port = atoi(argv[2]);
	count = atol(argv[3]);
	if ((plen = capture_data(argv[1], port,
	    argc == 5 ? argv[4] : NULL, pkt, &dst)) == 0) {
		fprintf(stderr, "udpreplay: no data message seen\n");
		return 1;
	}
	if ((ufd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		return 1;
	}
	for (i = 0; i < count; i++)
		if (sendto(ufd, pkt, plen, 0, (struct sockaddr *)&dst,
		    sizeof(dst)) == (ssize_t)plen)
			replayed++;
	/* The counter (bytes 8..15, little-endian) moved far ahead. */
	pkt[11] ^= 0x40;
	if (sendto(ufd, pkt, plen, 0, (struct sockaddr *)&dst,
	    sizeof(dst)) == (ssize_t)plen)
		tampered++;
	printf("replayed %ld tampered %ld\n", replayed, tampered);
	return 0;
}
