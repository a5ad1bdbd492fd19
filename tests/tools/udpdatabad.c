/*
 * udpdatabad: captures one tapmesh data message arriving on an interface
 * (AF_PACKET, in the test host's own namespace) and sends bad variants
 * of it to its destination, as fast as the socket takes them:
 *  - COUNT unchanged copies (replays);
 *  - every truncation of it, lengths 0 .. len-1, COUNT / 64 rounds;
 *  - oversized copies: its header and tag-less random bytes up to 1500,
 *    9000, 9050, 9051, 16384, 32768 and 65507 bytes, COUNT / 64 each;
 *  - forged copies: its header with counters far ahead and random
 *    ciphertext, COUNT of them (must not move the replay window);
 *  - flagged copies: the message with its flags byte (byte 1) set to
 *    each value 1 .. 255, COUNT / 256 rounds: unknown flags fail the
 *    header check, the known one is a replay (and the header it
 *    changed is authenticated).
 * Prints "replayed R truncated T oversized O forged F flagged G in MS ms".
 *
 * usage: udpdatabad IFNAME PORT COUNT [FROM]  (FROM: capture only from
 * that IPv4 source)
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools.h"

#define MAX_UDP		65507

int
main(int argc, char *argv[])
{
	static const size_t	 big[] = { 1500, 9000, 9050, 9051, 16384,
				    32768, MAX_UDP };
	static uint8_t		 msg[65536], buf[65536];
	struct sockaddr_in	 dst;
	uint64_t		 seed = 0x243f6a8885a308d3ULL, start, ctr;
	unsigned long		 count, i, rep = 0, trunc = 0, over = 0,
				 forged = 0, flagged = 0;
	size_t			 len, l, j, k;
	int			 fd, port, sndbuf = 1 << 20;

	if (argc != 4 && argc != 5) {
		fprintf(stderr,
		    "usage: udpdatabad ifname port count [from]\n");
		return 2;
	}
	port = atoi(argv[2]);
	count = strtoul(argv[3], NULL, 10);
	if ((len = capture_data(argv[1], port,
	    argc == 5 ? argv[4] : NULL, msg, &dst)) == 0) {
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
	memcpy(buf, msg, len);
	for (i = 0; i < count / 256 + 1; i++)
		for (j = 1; j < 256; j++) {
			buf[1] = (uint8_t)j;
			SEND(buf, len, flagged);
		}
	printf("replayed %lu truncated %lu oversized %lu forged %lu flagged %lu "
	    "in %llu ms\n", rep, trunc, over, forged, flagged,
	    (unsigned long long)(now_ms() - start));
	return 0;
}
