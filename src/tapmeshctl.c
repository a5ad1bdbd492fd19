/*
 * tapmeshctl: controls a running tapmeshd over its control socket (show,
 * metrics, reload), and makes keys in the habits of `wg genkey | wg
 * pubkey`.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <openssl/crypto.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctlproto.h"

#include "key.h"

#ifndef RUNSTATEDIR
#define RUNSTATEDIR	"/run"
#endif
#define SOCKET_DIR	RUNSTATEDIR "/tapmesh"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tapmeshctl [-s socket | -i interface] show [peer] [--json]\n"
	    "       tapmeshctl [-s socket | -i interface] metrics\n"
	    "       tapmeshctl [-s socket | -i interface] reload\n"
	    "       tapmeshctl genkey\n"
	    "       tapmeshctl pubkey < private.key\n"
	    "       tapmeshctl -V | -h\n"
	    "The socket defaults to %s/<interface>.sock, or the only socket "
	    "there.\n", SOCKET_DIR);
}

/* The only socket in SOCKET_DIR, for hosts that run one daemon. */
static int
default_socket(char *path, size_t len)
{
	DIR		*d;
	struct dirent	*e;
	size_t		 n = 0, l;

	if ((d = opendir(SOCKET_DIR)) == NULL) {
		fprintf(stderr, "tapmeshctl: %s: %s (is tapmeshd running? "
		    "use -s)\n", SOCKET_DIR, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		l = strlen(e->d_name);
		if (l <= 5 || strcmp(e->d_name + l - 5, ".sock") != 0)
			continue;
		if (n++ == 0)
			snprintf(path, len, "%s/%s", SOCKET_DIR, e->d_name);
	}
	closedir(d);
	if (n == 1)
		return 0;
	fprintf(stderr, "tapmeshctl: %s sockets in %s: name one with -s or "
	    "-i\n", n == 0 ? "no" : "several", SOCKET_DIR);
	return -1;
}

static int
full_io(int fd, void *buf, size_t len, int writing)
{
	uint8_t	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		n = writing ? write(fd, p, len) : read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sends one request and prints the answer; returns the exit status. */
static int
request(const char *path, uint16_t type, const char *payload)
{
	struct sockaddr_un	 sun;
	struct ctl_hdr		 h;
	char			*body = NULL;
	size_t			 plen = payload != NULL ? strlen(payload) : 0;
	int			 fd, rc = 1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "tapmeshctl: %s: path too long\n", path);
		return 1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "tapmeshctl: %s: %s\n", path, strerror(errno));
		goto out;
	}
	h.version = CTL_VERSION;
	h.type = type;
	h.len = (uint32_t)plen;
	if (full_io(fd, &h, sizeof(h), 1) == -1 ||
	    (plen > 0 && full_io(fd, (void *)(uintptr_t)payload, plen, 1) == -1) ||
	    full_io(fd, &h, sizeof(h), 0) == -1) {
		fprintf(stderr, "tapmeshctl: %s: connection lost\n", path);
		goto out;
	}
	if (h.version != CTL_VERSION || (h.type != CTL_OK &&
	    h.type != CTL_ERROR) || h.len > CTL_MAX_RESPONSE) {
		fprintf(stderr, "tapmeshctl: %s: malformed answer\n", path);
		goto out;
	}
	if ((body = malloc(h.len + 1)) == NULL ||
	    full_io(fd, body, h.len, 0) == -1) {
		fprintf(stderr, "tapmeshctl: %s: answer lost\n", path);
		goto out;
	}
	fwrite(body, 1, h.len, h.type == CTL_OK ? stdout : stderr);
	rc = h.type == CTL_OK ? 0 : 1;
	if (fflush(stdout) != 0)
		rc = 1;
 out:
	free(body);
	if (fd != -1)
		close(fd);
	return rc;
}

static int
cmd_control(const char *path, int argc, char *argv[])
{
	const char	*peer = NULL;
	int		 json = 0, i;

	if (strcmp(argv[0], "show") == 0) {
		for (i = 1; i < argc; i++) {
			if (strcmp(argv[i], "--json") == 0)
				json = 1;
			else if (peer == NULL && argv[i][0] != '-')
				peer = argv[i];
			else {
				usage(stderr);
				return 2;
			}
		}
		return request(path, json ? CTL_SHOW_JSON : CTL_SHOW, peer);
	}
	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[0], "metrics") == 0)
		return request(path, CTL_METRICS, NULL);
	if (strcmp(argv[0], "reload") == 0)
		return request(path, CTL_RELOAD, NULL);
	usage(stderr);
	return 2;
}

static int
cmd_genkey(void)
{
	uint8_t	 priv[KEY_LEN];
	char	 b64[KEY_B64_LEN + 1];

	if (key_generate(priv) == -1) {
		fprintf(stderr, "tapmeshctl: cannot generate a key\n");
		return 1;
	}
	key_b64_encode(priv, b64);
	printf("%s\n", b64);
	OPENSSL_cleanse(priv, sizeof(priv));
	OPENSSL_cleanse(b64, sizeof(b64));
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
cmd_pubkey(void)
{
	uint8_t	 priv[KEY_LEN], pub[KEY_LEN];
	char	 line[256], b64[KEY_B64_LEN + 1];
	size_t	 len;
	int	 rc = 1;

	if (fgets(line, sizeof(line), stdin) == NULL) {
		fprintf(stderr, "tapmeshctl: no private key on stdin\n");
		return 1;
	}
	len = strcspn(line, " \t\r\n");
	line[len] = '\0';
	if (key_b64_decode(line, priv) == -1) {
		fprintf(stderr, "tapmeshctl: stdin does not hold a base64 "
		    "private key of %d bytes\n", KEY_LEN);
		goto out;
	}
	if (key_public(priv, pub) == -1) {
		fprintf(stderr, "tapmeshctl: cannot derive the public key\n");
		goto out;
	}
	key_b64_encode(pub, b64);
	printf("%s\n", b64);
	rc = fflush(stdout) == 0 ? 0 : 1;
 out:
	OPENSSL_cleanse(line, sizeof(line));
	OPENSSL_cleanse(priv, sizeof(priv));
	return rc;
}

int
main(int argc, char *argv[])
{
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char	*sock = NULL, *ifname = NULL;

	while (argc > 2 && (strcmp(argv[1], "-s") == 0 ||
	    strcmp(argv[1], "-i") == 0)) {
		if (argv[1][1] == 's')
			sock = argv[2];
		else
			ifname = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc >= 2 && (strcmp(argv[1], "show") == 0 ||
	    strcmp(argv[1], "metrics") == 0 ||
	    strcmp(argv[1], "reload") == 0)) {
		if (sock == NULL && ifname != NULL) {
			snprintf(path, sizeof(path), "%s/%s.sock", SOCKET_DIR,
			    ifname);
			sock = path;
		} else if (sock == NULL) {
			if (default_socket(path, sizeof(path)) == -1)
				return 1;
			sock = path;
		}
		return cmd_control(sock, argc - 1, argv + 1);
	}
	if (argc == 2 && strcmp(argv[1], "genkey") == 0)
		return cmd_genkey();
	if (argc == 2 && strcmp(argv[1], "pubkey") == 0)
		return cmd_pubkey();
	if (argc == 2 && strcmp(argv[1], "-V") == 0) {
		printf("tapmeshctl %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
