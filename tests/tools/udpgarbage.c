/*
 * udpgarbage: sends COUNT datagrams of random length and content to
 * HOST PORT as fast as the socket takes them.  A quarter of them start
 * with a valid tapmesh message type, so that parsers are exercised past
 * their first check.  Used by the flood tests; never aim it at anything
 * but a test host of your own.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools.h"

int
main(int argc, char *argv[])
{
	struct addrinfo	 hints, *res;
	uint8_t		 buf[2048];
	uint64_t	 seed = 0x9e3779b97f4a7c15ULL;
	unsigned long	 count, i, sent = 0;
	size_t		 len, j;
	int		 fd, err;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: udpgarbage host port count [seed]\n");
		return 2;
	}
	count = strtoul(argv[3], NULL, 10);
	if (argc == 5)
		seed ^= strtoull(argv[4], NULL, 10);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((err = getaddrinfo(argv[1], argv[2], &hints, &res)) != 0) {
		fprintf(stderr, "udpgarbage: %s\n", gai_strerror(err));
		return 2;
	}
	fd = socket(res->ai_family, SOCK_DGRAM, 0);
	if (fd == -1) {
		perror("socket");
		return 1;
	}
	for (i = 0; i < count; i++) {
		uint64_t r = xorshift(&seed);

		len = r % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)xorshift(&seed);
		if (len > 0 && (r >> 32) % 4 == 0)
			buf[0] = (uint8_t)(1 + (r >> 40) % 4);
		if (sendto(fd, buf, len, 0, res->ai_addr, res->ai_addrlen) ==
		    (ssize_t)len)
			sent++;
		else if (errno != ENOBUFS && errno != EAGAIN &&
		    errno != ECONNREFUSED) {
			perror("sendto");
			return 1;
		}
	}
	printf("%lu\n", sent);
	freeaddrinfo(res);
	close(fd);
	return 0;
}
