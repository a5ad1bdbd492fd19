/*
 * hsflood: floods HOST PORT with handshake initiations, as fast as the
 * sockets take them, cycling through the given source addresses (each
 * must be an address of this host).  Mode "mac1" sends real initiations
 * built by the daemon's own code from random keys the target does not
 * know, so mac1 is correct and only the rate limit and the cookie stand
 * in the way; mode "random" sends messages of the right type and size
 * with random content (mac1 fails).  Used by the flood tests; never aim
 * it at anything but a test host of your own.
 *
 * usage: hsflood mac1|random HOST PORT COUNT PUBKEY [SRC...]
 * Prints "sent N in MS ms", and stops after 60 s whatever COUNT says.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "handshake.h"
#include "key.h"
#include "tools.h"

#define NMSG	64
#define MAXSRC	256
#define LIMIT_S	60

static int
sock_from(const char *src)
{
	struct sockaddr_in	 sa;
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	if (src != NULL) {
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		if (inet_pton(AF_INET, src, &sa.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
			fprintf(stderr, "hsflood: cannot bind %s\n", src);
			close(fd);
			return -1;
		}
	}
	return fd;
}

int
main(int argc, char *argv[])
{
	static uint8_t		 msg[NMSG][HANDSHAKE_INITIATION_LEN];
	struct handshake_local	 me;
	struct handshake_peer	 target;
	struct handshake	 hs;
	struct sockaddr_in	 dst;
	uint8_t			 priv[KEY_LEN], pub[KEY_LEN];
	unsigned long		 count, i, sent = 0;
	uint64_t		 start;
	int			 fds[MAXSRC], nfd = 0, mac1, j;

	if (argc < 6) {
		fprintf(stderr, "usage: hsflood mac1|random host port count "
		    "pubkey [src...]\n");
		return 2;
	}
	mac1 = strcmp(argv[1], "mac1") == 0;
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &dst.sin_addr) != 1) {
		fprintf(stderr, "hsflood: bad host %s\n", argv[2]);
		return 2;
	}
	count = strtoul(argv[4], NULL, 10);
	if (key_b64_decode(argv[5], pub) == -1 ||
	    handshake_peer_init(&target, pub) != HANDSHAKE_OK) {
		fprintf(stderr, "hsflood: bad public key\n");
		return 2;
	}
	for (j = 6; j < argc && nfd < MAXSRC; j++)
		if ((fds[nfd] = sock_from(argv[j])) != -1)
			nfd++;
	if (argc == 6 && (fds[nfd] = sock_from(NULL)) != -1)
		nfd++;
	if (nfd == 0)
		return 1;

	for (j = 0; j < NMSG; j++) {
		if (!mac1) {
			if (RAND_bytes(msg[j], sizeof(msg[j])) != 1)
				return 1;
			msg[j][0] = WIRE_TYPE_INITIATION;
			msg[j][1] = msg[j][2] = msg[j][3] = 0;
			continue;
		}
		/* A new stranger every 8 messages. */
		if (j % 8 == 0 && (key_generate(priv) == -1 ||
		    handshake_local_init(&me, priv) != HANDSHAKE_OK))
			return 1;
		if (handshake_create_initiation(&hs, &me, &target,
		    (uint32_t)j + 1, (uint64_t)time(NULL), (uint32_t)j, 1,
		    NULL, msg[j]) != HANDSHAKE_OK)
			return 1;
		handshake_clear(&hs);
	}

	start = now_ms();
	for (i = 0; i < count; i++) {
		if ((i & 1023) == 0 && now_ms() - start > LIMIT_S * 1000)
			break;
		if (sendto(fds[i % (unsigned long)nfd], msg[i % NMSG],
		    HANDSHAKE_INITIATION_LEN, 0, (struct sockaddr *)&dst,
		    sizeof(dst)) == HANDSHAKE_INITIATION_LEN)
			sent++;
	}
	printf("sent %lu in %llu ms\n", sent,
	    (unsigned long long)(now_ms() - start));
	return 0;
}
