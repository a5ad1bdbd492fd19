/*
 * tapmeshctl: controls a running tapmeshd over its control socket (show,
 * metrics, reload), makes keys in the habits of `wg genkey | wg
 * pubkey`, and prints this node's own peer file from its configuration.
 */
#include <sys/mman.h>
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

#include "config.h"
#include "ctlproto.h"
#include "key.h"
#include "peerconf.h"

#ifndef RUNSTATEDIR
#define RUNSTATEDIR	"/run"
#endif
#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#define SOCKET_DIR	RUNSTATEDIR "/tapmesh"
#define DEFAULT_CONFIG	SYSCONFDIR "/tapmesh/tapmesh.conf"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tapmeshctl [-s socket | -i interface] show [peer] [--json]\n"
	    "       tapmeshctl [-s socket | -i interface] metrics\n"
	    "       tapmeshctl [-s socket | -i interface] reload\n"
	    "       tapmeshctl genkey\n"
	    "       tapmeshctl genpsk\n"
	    "       tapmeshctl pubkey < private.key\n"
	    "       tapmeshctl peerfile [--name name] "
	    "[--endpoint host[:port]]... [-c file]\n"
	    "       tapmeshctl -V | -h\n"
	    "The socket defaults to %s/<interface>.sock, or the only socket "
	    "there;\nthe main file of peerfile to %s.\n", SOCKET_DIR,
	    DEFAULT_CONFIG);
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

/* genkey and genpsk: a new secret, in base64, on stdout. */
static int
cmd_genkey(int psk)
{
	uint8_t	 priv[KEY_LEN];
	char	 b64[KEY_B64_LEN + 1];

	if ((psk ? key_generate_psk(priv) : key_generate(priv)) == -1) {
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

/*
 * peerfile: this node's own peer file, for the peers_dir of every other
 * node.  The main file and the private key are read by the daemon's own
 * loader, and the finished text goes through the peer-file parser before
 * it is printed, so that what other nodes are given is what tapmeshd
 * accepts, and there is one grammar for peer files, not two.
 */
struct pf_endpoint {
	char		 host[256];
	unsigned int	 port;		/* 0: this node's listen port */
};

/*
 * Splits HOST[:PORT]; an IPv6 address with a port is written in brackets
 * ("[2001:db8::1]:5655"), one without may be written bare.  Only the
 * shape is checked here: whether HOST is an address or a valid name is
 * the peer-file parser's to say, on the finished file.  Returns 0 or -1.
 */
static int
pf_parse_endpoint(const char *arg, struct pf_endpoint *ep)
{
	const char	*host = arg, *port = NULL, *end;
	char		*p;
	size_t		 len, i;
	long		 v;

	if (arg[0] == '[') {
		host = arg + 1;
		if ((end = strchr(host, ']')) == NULL)
			return -1;
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return -1;
		len = (size_t)(end - host);
	} else if ((end = strchr(arg, ':')) != NULL &&
	    strchr(end + 1, ':') == NULL) {
		port = end + 1;
		len = (size_t)(end - arg);
	} else
		len = strlen(arg);
	if (len == 0 || len >= sizeof(ep->host))
		return -1;
	/* The host is written between quotes: nothing may end them. */
	for (i = 0; i < len; i++)
		if (host[i] <= ' ' || host[i] >= 0x7f || host[i] == '"' ||
		    host[i] == '\\')
			return -1;
	memcpy(ep->host, host, len);
	ep->host[len] = '\0';
	ep->port = 0;
	if (port != NULL) {
		if (*port < '0' || *port > '9')
			return -1;
		errno = 0;
		v = strtol(port, &p, 10);
		if (*p != '\0' || errno != 0 || v < 1 || v > 65535)
			return -1;
		ep->port = (unsigned int)v;
	}
	return 0;
}

/* Writes the peer file; endpoints are preferred in the order given. */
static void
pf_format(FILE *f, const struct tm_config *conf, const char *name,
    const struct pf_endpoint *eps, size_t neps)
{
	char	 b64[KEY_B64_LEN + 1], buf[INET6_ADDRSTRLEN];
	size_t	 i;

	key_b64_encode(conf->public_key, b64);
	fprintf(f, "# tapmesh peer file of %s, from %s (tapmeshctl peerfile).\n"
	    "# Put it into the peers_dir of every other node.\n",
	    name, conf->file);
	fprintf(f, "name       = \"%s\";\n", name);
	fprintf(f, "public_key = \"%s\";\n", b64);
	fprintf(f, "address    = [ ");
	for (i = 0; i < conf->naddrs; i++)
		fprintf(f, "%s\"%s\"", i > 0 ? ", " : "",
		    addr_ntop(&conf->addrs[i].addr, buf, sizeof(buf)));
	fprintf(f, " ];\n");
	if (neps == 0)
		fprintf(f, "# No endpoints: the other nodes wait to hear from "
		    "this one.\n");
	for (i = 0; i < neps; i++)
		fprintf(f, "%s{ host = \"%s\"; port = %u; priority = %zu; }%s\n",
		    i == 0 ? "endpoints  = ( " : "               ",
		    eps[i].host, eps[i].port != 0 ? eps[i].port :
		    (unsigned int)conf->listen, (i + 1) * 10,
		    i + 1 < neps ? "," : " );");
}

/*
 * Prints the parser's complaints about the generated file without the
 * name of the memory file it was read from, which means nothing to the
 * user: "PATH:LINE: text" and "PATH: text" become "text".
 */
static void
pf_print_refusal(const struct cfg_errors *errs, const char *path,
    int default_name)
{
	const char	*m;
	size_t		 i, plen = strlen(path);

	for (i = 0; i < errs->n; i++) {
		m = errs->msg[i];
		if (strncmp(m, path, plen) == 0 && m[plen] == ':') {
			m += plen + 1;
			m += strspn(m, "0123456789");
			if (*m == ':')
				m++;
			m += strspn(m, " ");
		}
		fprintf(stderr, "tapmeshctl: the peer file would be refused: "
		    "%s\n", m);
	}
	if (default_name)
		fprintf(stderr, "tapmeshctl: the name is the host name up to "
		    "its first dot; choose one with --name\n");
}

static int
cmd_peerfile(int argc, char *argv[])
{
	struct tm_config	 conf;
	struct cfg_errors	 errs = { .msg = NULL };
	struct pf_endpoint	 eps[TM_MAX_ENDPOINTS];
	struct peer_conf	 pc;
	struct peerconf_lines	 pl;
	const char		*path = DEFAULT_CONFIG, *name = NULL;
	char			 host[256], mpath[64], *text = NULL;
	size_t			 neps = 0, len = 0, i;
	FILE			*f;
	int			 a, fd = -1, rc = 1;

	for (a = 1; a < argc; a++) {
		if (a + 1 == argc) {
			usage(stderr);
			return 2;
		}
		if (strcmp(argv[a], "-c") == 0)
			path = argv[++a];
		else if (strcmp(argv[a], "--name") == 0)
			name = argv[++a];
		else if (strcmp(argv[a], "--endpoint") == 0) {
			if (neps == TM_MAX_ENDPOINTS) {
				fprintf(stderr, "tapmeshctl: at most %d "
				    "endpoints\n", TM_MAX_ENDPOINTS);
				return 2;
			}
			if (pf_parse_endpoint(argv[++a], &eps[neps]) == -1) {
				fprintf(stderr, "tapmeshctl: --endpoint \"%s\": "
				    "expected HOST, HOST:PORT or [IPV6]:PORT\n",
				    argv[a]);
				return 2;
			}
			neps++;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (name == NULL) {
		if (gethostname(host, sizeof(host)) == -1) {
			fprintf(stderr, "tapmeshctl: gethostname: %s\n",
			    strerror(errno));
			return 1;
		}
		host[sizeof(host) - 1] = '\0';
		host[strcspn(host, ".")] = '\0';
	}

	memset(&conf, 0, sizeof(conf));
	if (config_load(path, &conf, &errs) == -1) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		goto out;
	}
	if ((f = open_memstream(&text, &len)) == NULL) {
		fprintf(stderr, "tapmeshctl: %s\n", strerror(errno));
		goto out;
	}
	pf_format(f, &conf, name != NULL ? name : host, eps, neps);
	if (fclose(f) != 0) {
		fprintf(stderr, "tapmeshctl: %s\n", strerror(errno));
		goto out;
	}
	/*
	 * The parser reads files by path; a memory file gives the text one
	 * without leaving anything behind on a crash.
	 */
	if ((fd = memfd_create("tapmesh-peerfile", MFD_CLOEXEC)) == -1 ||
	    full_io(fd, text, len, 1) == -1) {
		fprintf(stderr, "tapmeshctl: memory file: %s\n",
		    strerror(errno));
		goto out;
	}
	snprintf(mpath, sizeof(mpath), "/proc/self/fd/%d", fd);
	memset(&pc, 0, sizeof(pc));
	memset(&pl, 0, sizeof(pl));
	if (peerconf_load(mpath, &conf, &pc, &pl, &errs) == -1) {
		pf_print_refusal(&errs, mpath, name == NULL);
		goto out;
	}
	fwrite(text, 1, len, stdout);
	rc = fflush(stdout) == 0 ? 0 : 1;
 out:
	cfg_errors_clear(&errs);
	config_free(&conf);
	free(text);
	if (fd != -1)
		close(fd);
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
		return cmd_genkey(0);
	if (argc == 2 && strcmp(argv[1], "genpsk") == 0)
		return cmd_genkey(1);
	if (argc == 2 && strcmp(argv[1], "pubkey") == 0)
		return cmd_pubkey();
	if (argc >= 2 && strcmp(argv[1], "peerfile") == 0)
		return cmd_peerfile(argc - 1, argv + 1);
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
