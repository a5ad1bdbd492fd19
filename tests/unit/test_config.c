/*
 * Unit tests for config.c and peerconf.c.  Each test writes a
 * configuration tree into a fresh mkdtemp directory, loads it from there
 * (so that error messages carry short relative file names) and removes
 * the tree afterwards.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "key.h"
#include "peerconf.h"
#include "pkt.h"

#define KEY_A	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY_B	"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
#define KEY_C	"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="
#define KEY_D	"YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn8="
#define KEY_E	"gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp8="
#define KEY_FF	"//////////////////////////////////////////8="

/*
 * The X25519 private and public key of Alice in RFC 7748, section 6.1,
 * so that the derivation is checked against known values.  KEY_PRIV is
 * written into every test tree as "private.key", mode 0600.
 */
#define KEY_PRIV	"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
#define KEY_PUB		"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
#define KEY_PRIV_HEX	"77076d0a7318a57d3c16c17251b26645" \
			"df4c2f87ebc0992ab177fba51db92c2a"
#define KEY_PUB_HEX	"8520f0098930a754748b7ddcb43ef75a" \
			"0dbf3a0d26381af4eba4a98eaa9b4e6a"

/*
 * Prepended to the first line of a main file, so that adding the key
 * file moves no line number.
 */
#define KEYFILE	"private_key_file = \"private.key\"; "

/* The main file most bad cases start from: address on line 2. */
#define MAIN_NOKEY \
		"interface = \"tap0\";\n" \
		"address = [ \"10.255.0.1/24\", \"fd00:255::1/64\" ];\n"
#define MAIN	KEYFILE MAIN_NOKEY

/* A valid peer: name on line 1, key on 2, addresses on 3. */
#define PEER_A	"name = \"a\";\n" \
		"public_key = \"" KEY_A "\";\n" \
		"address = [ \"10.255.0.2\", \"fd00:255::2\" ];\n"

/* 63 characters: the longest label. */
#define L63	"abcdefghijklmnopqrstuvwxyz-0123456789-abcdefghijklmnopqrstuvwxy"
/* Host names of 253 characters (the longest) and 255. */
#define NAME_253	L63 "." L63 "." L63 "." \
		"abcdefghijklmnopqrstuvwxyz-0123456789-abcdefghijklmnopqrstuvw"
#define NAME_255	L63 "." L63 "." L63 "." L63

#define MAX_FILES	6
#define MAX_ERRS	6

/*
 * A file of a test tree: text NULL makes a directory, T_FIFO a FIFO,
 * T_LINK "target" a symlink and T_MODE "0640" changes the mode of an
 * existing file.  Markers in the text keep the tables short.
 */
#define T_FIFO		"\001"
#define T_LINK		"\002"
#define T_MODE		"\003"

struct tfile {
	const char	*path;
	const char	*text;
};

struct tree {
	char		 dir[PATH_MAX];
};

/*
 * One scratch directory per group, removed by the group teardown, so
 * that a failing test (which leaves through longjmp) leaves nothing
 * behind.  Test-only state; the modules under test have none.
 */
static struct {
	char		 dir[PATH_MAX];
	int		 oldcwd;
	unsigned int	 seq;
} scratch = { .oldcwd = -1 };

struct bad_case {
	const char	*what;
	const char	*main;		/* NULL: no main file */
	int		 conf_d;	/* create conf.d/ */
	struct tfile	 files[MAX_FILES];
	const char	*errs[MAX_ERRS];
};

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*fp;

	fp = fopen(path, "w");
	assert_non_null(fp);
	if (mode != 0)
		assert_int_equal(fchmod(fileno(fp), mode), 0);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Exactly len bytes of hex, decoded. */
static void
hex_decode(const char *hex, uint8_t *out, size_t len)
{
	assert_int_equal(strlen(hex), 2 * len);
	unhex(hex, out, len);
}

static void
assert_key_hex(const uint8_t *key, const char *hex)
{
	uint8_t	want[KEY_LEN];

	hex_decode(hex, want, sizeof(want));
	assert_memory_equal(key, want, sizeof(want));
}

static void
tree_add(const struct tfile *f)
{
	if (f->text == NULL)
		assert_int_equal(mkdir(f->path, 0755), 0);
	else if (f->text[0] == T_LINK[0])
		assert_int_equal(symlink(f->text + 1, f->path), 0);
	else if (f->text[0] == T_FIFO[0])
		assert_int_equal(mkfifo(f->path, 0600), 0);
	else if (f->text[0] == T_MODE[0])
		assert_int_equal(chmod(f->path,
		    (mode_t)strtoul(f->text + 1, NULL, 8)), 0);
	else
		write_file(f->path, f->text, 0);
}

/*
 * Creates a tree under the scratch directory, with the private key file
 * that KEYFILE names, and enters it.  files may rewrite the key file,
 * which keeps its mode 0600, or change the mode.
 */
static void
tree_make(struct tree *t, const char *main_text, int conf_d,
    const struct tfile *files, size_t nfiles)
{
	size_t	i;

	assert_true((size_t)snprintf(t->dir, sizeof(t->dir), "%s/%u",
	    scratch.dir, scratch.seq++) < sizeof(t->dir));
	assert_int_equal(mkdir(t->dir, 0700), 0);
	assert_int_equal(chdir(t->dir), 0);
	if (conf_d)
		assert_int_equal(mkdir("conf.d", 0755), 0);
	if (main_text != NULL)
		write_file("tapmesh.conf", main_text, 0);
	write_file("private.key", KEY_PRIV "\n", 0600);
	for (i = 0; i < nfiles && files[i].path != NULL; i++)
		tree_add(&files[i]);
}

/* Removes a tree without following symlinks. */
static void
rm_tree(const char *path)
{
	struct stat	 st;
	struct dirent	*d;
	DIR		*dir;
	char		 sub[PATH_MAX];

	assert_int_equal(lstat(path, &st), 0);
	if (!S_ISDIR(st.st_mode)) {
		assert_int_equal(unlink(path), 0);
		return;
	}
	dir = opendir(path);
	assert_non_null(dir);
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		assert_true((size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
		    d->d_name) < sizeof(sub));
		rm_tree(sub);
	}
	closedir(dir);
	assert_int_equal(rmdir(path), 0);
}

/* The absolute path of a file of the tree into buf (PATH_MAX bytes). */
static void
tree_path(const struct tree *t, const char *rel, char *buf)
{
	assert_true((size_t)snprintf(buf, PATH_MAX, "%s/%s", t->dir, rel) <
	    PATH_MAX);
}

static void
tree_remove(struct tree *t)
{
	assert_int_equal(fchdir(scratch.oldcwd), 0);
	rm_tree(t->dir);
}

static int
scratch_setup(void **state)
{
	const char	*tmp = getenv("TMPDIR");

	(void)state;
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if ((size_t)snprintf(scratch.dir, sizeof(scratch.dir),
	    "%s/test_config.XXXXXX", tmp) >= sizeof(scratch.dir) ||
	    mkdtemp(scratch.dir) == NULL)
		return -1;
	scratch.oldcwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return scratch.oldcwd == -1 ? -1 : 0;
}

static int
scratch_teardown(void **state)
{
	(void)state;
	if (fchdir(scratch.oldcwd) == -1)
		return -1;
	close(scratch.oldcwd);
	scratch.oldcwd = -1;
	rm_tree(scratch.dir);
	return 0;
}

static void
assert_zero_conf(const struct tm_config *conf)
{
	static const struct tm_config	zero;

	assert_null(conf->peers);
	assert_int_equal(conf->npeers, 0);
	assert_memory_equal(conf, &zero, sizeof(zero));
}

static void
print_errs(const struct cfg_errors *errs)
{
	size_t	i;

	for (i = 0; i < errs->n; i++)
		print_message("  got: %s\n", errs->msg[i]);
}

static void
assert_addr(const struct tm_addr *a, const char *want)
{
	char	buf[INET6_ADDRSTRLEN];

	assert_string_equal(addr_ntop(a, buf, sizeof(buf)), want);
}

static void
assert_in6(const struct in6_addr *a, const char *want)
{
	char	buf[INET6_ADDRSTRLEN];

	assert_non_null(inet_ntop(AF_INET6, a, buf, sizeof(buf)));
	assert_string_equal(buf, want);
}

static void
assert_endpoint(const struct endpoint_conf *ep, const char *host,
    uint16_t port, int prio, const char *sa)
{
	assert_string_equal(ep->host, host);
	assert_int_equal(ep->port, port);
	assert_int_equal(ep->priority, prio);
	assert_int_equal(ep->sa.sin6_family, AF_INET6);
	assert_int_equal(ntohs(ep->sa.sin6_port), port);
	assert_in6(&ep->sa.sin6_addr, sa);
}

static void
assert_loads(const char *path, struct tm_config *conf)
{
	struct cfg_errors	errs = { 0 };
	int			r;

	r = config_load(path, conf, &errs);
	if (r != 0 || errs.n != 0)
		print_errs(&errs);
	assert_int_equal(r, 0);
	assert_int_equal(errs.n, 0);
	cfg_errors_clear(&errs);
}

/*
 * Every field, loaded through an absolute path so that the resolution of
 * relative paths against the main file's directory shows, with the
 * files that must be skipped lying around full of garbage.  The key file
 * is the one tree_make writes.
 */
static void
test_valid_full(void **state)
{
	static const struct tfile	files[] = {
		{ "peers", NULL },
		{ "peers/b.conf",
		    "# branch office\n"
		    "name = \"branch2\";\n"
		    "public_key = \"" KEY_A "\";\n"
		    "address = [ \"10.255.0.2\", \"fd00:255::2\" ];\n"
		    "endpoints = (\n"
		    "  { host = \"192.0.2.2\"; port = 5655; priority = 20; },\n"
		    "  { host = \"198.51.100.2\"; priority = 10; },\n"
		    "  { host = \"2001:db8::2\"; port = 443;\n"
		    "    priority = 20; },\n"
		    "  { host = \"203.0.113.2\"; port = 1; }\n"
		    ");\n" },
		{ "peers/a.conf",
		    "name = \"v6-only_1.x\";\n"
		    "public_key = \"" KEY_C "\";\n"
		    "address = \"fd00:255::1:2:3:4\";\n" },
		{ "target", "name = \"linked\";\n"
		    "public_key = \"" KEY_B "\";\n"
		    "address = ( \"10.255.0.3\" );\n"
		    "endpoints = [];\n" },
	};
	static const struct tfile	junk[] = {
		{ "peers/.hidden.conf", "garbage {" },
		{ "peers/x.conf~", "garbage {" },
		{ "peers/x.conf.bak", "garbage {" },
		{ "peers/README", "garbage {" },
		{ "peers/d.conf", NULL },
		{ "peers/.conf", "garbage {" },
		{ "peers/fifo.conf", T_FIFO },
		{ "peers/link.conf", T_LINK "../target" },
	};
	struct tree		 t;
	struct tm_config	 conf;
	const struct peer_conf	*p;
	char			 path[PATH_MAX], want[PATH_MAX];
	size_t			 i;

	(void)state;
	tree_make(&t,
	    "# main\n"
	    "interface = \"tap0\";\n"
	    "address = [ \"10.255.0.1/24\", \"fd00:255::1/64\" ];\n"
	    "listen = 5656;\n"
	    "peers_dir = \"peers\";\n"
	    "private_key_file = \"private.key\";\n"
	    "mtu = 1400;\n"
	    "mac_prefix = 0x42;\n"
	    "keepalive = 5;\n"
	    "dead_time = 20;\n"
	    "rekey_time = 600;\n"
	    "cipher = \"aes-256-gcm\";\n"
	    "dscp = \"zero\";\n"
	    "read_ahead = false;\n"
	    "sched_priority = 10;\n",
	    0, files, sizeof(files) / sizeof(files[0]));
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		tree_add(&junk[i]);

	tree_path(&t, "tapmesh.conf", path);
	assert_loads(path, &conf);

	assert_string_equal(conf.file, path);
	assert_string_equal(conf.interface, "tap0");
	assert_int_equal(conf.naddrs, 2);
	assert_addr(&conf.addrs[0].addr, "10.255.0.1");
	assert_int_equal(conf.addrs[0].plen, 24);
	assert_addr(&conf.addrs[1].addr, "fd00:255::1");
	assert_int_equal(conf.addrs[1].plen, 64);
	assert_int_equal(conf.listen, 5656);
	tree_path(&t, "peers", want);
	assert_string_equal(conf.peers_dir, want);
	tree_path(&t, "private.key", want);
	assert_string_equal(conf.private_key_file, want);
	assert_key_hex(conf.private_key, KEY_PRIV_HEX);
	assert_key_hex(conf.public_key, KEY_PUB_HEX);
	assert_int_equal(conf.mtu, 1400);
	assert_int_equal(conf.mac_prefix, 0x42);
	assert_int_equal(conf.read_ahead, 0);
	assert_int_equal(conf.sched_priority, 10);
	assert_int_equal(conf.sched_priority_line, 15);
	assert_int_equal(conf.keepalive, 5);
	assert_int_equal(conf.dead_time, 20);
	assert_int_equal(conf.rekey_time, 600);
	assert_int_equal(conf.cipher, TM_CIPHER_AES_256_GCM);
	assert_int_equal(conf.dscp_copy, 0);
	assert_mac(conf.mac, "02:42:0a:ff:00:01");
	assert_in6(&conf.lladdr, "fe80::42:aff:feff:1");

	/* Sorted by file name; the skipped files left no trace. */
	assert_int_equal(conf.npeers, 3);

	p = &conf.peers[0];
	tree_path(&t, "peers/a.conf", want);
	assert_string_equal(p->file, want);
	assert_string_equal(p->name, "v6-only_1.x");
	assert_int_equal(p->has_public_key, 1);
	for (i = 0; i < KEY_LEN; i++)
		assert_int_equal(p->public_key[i], 64 + i);
	assert_int_equal(p->naddrs, 1);
	assert_addr(&p->addrs[0], "fd00:255::1:2:3:4");
	assert_int_equal(p->nendpoints, 0);
	/* IPv6 only: the last four bytes, 00:03:00:04. */
	assert_mac(p->mac, "02:42:00:03:00:04");
	assert_in6(&p->lladdr, "fe80::42:ff:fe03:4");

	p = &conf.peers[1];
	tree_path(&t, "peers/b.conf", want);
	assert_string_equal(p->file, want);
	assert_string_equal(p->name, "branch2");
	assert_int_equal(p->has_public_key, 1);
	for (i = 0; i < KEY_LEN; i++)
		assert_int_equal(p->public_key[i], i);
	assert_int_equal(p->naddrs, 2);
	assert_addr(&p->addrs[0], "10.255.0.2");
	assert_addr(&p->addrs[1], "fd00:255::2");
	assert_mac(p->mac, "02:42:0a:ff:00:02");
	assert_in6(&p->lladdr, "fe80::42:aff:feff:2");
	/* Stable sort by priority; 100 is the default. */
	assert_int_equal(p->nendpoints, 4);
	assert_endpoint(&p->endpoints[0], "198.51.100.2", TM_DEFAULT_PORT, 10,
	    "::ffff:198.51.100.2");
	assert_endpoint(&p->endpoints[1], "192.0.2.2", 5655, 20,
	    "::ffff:192.0.2.2");
	assert_endpoint(&p->endpoints[2], "2001:db8::2", 443, 20,
	    "2001:db8::2");
	assert_endpoint(&p->endpoints[3], "203.0.113.2", 1, 100,
	    "::ffff:203.0.113.2");

	/* A symlink to a regular file is a peer file. */
	p = &conf.peers[2];
	tree_path(&t, "peers/link.conf", want);
	assert_string_equal(p->file, want);
	assert_string_equal(p->name, "linked");
	assert_int_equal(p->has_public_key, 1);
	for (i = 0; i < KEY_LEN; i++)
		assert_int_equal(p->public_key[i], 32 + i);
	assert_mac(p->mac, "02:42:0a:ff:00:03");

	config_free(&conf);
	assert_zero_conf(&conf);
	tree_remove(&t);
}

/*
 * The defaults, and the derivation with mac_prefix 0, with a freshly
 * generated key as tapmeshctl genkey writes it.
 */
static void
test_valid_defaults(void **state)
{
	static const struct tfile	files[] = {
		{ "conf.d/branch2.conf",
		    "name = \"branch2\";\n"
		    "public_key = \"" KEY_A "\";\n"
		    "address = \"10.255.0.2\";\n"
		    "endpoints = ( { host = \"192.0.2.2\"; } );\n" },
	};
	struct tree		t;
	struct tm_config	conf;
	uint8_t			priv[KEY_LEN], pub[KEY_LEN];
	char			b64[KEY_B64_LEN + 2];

	(void)state;
	tree_make(&t, "interface = \"tap0\";\naddress = \"10.255.0.1/24\";\n"
	    "private_key_file = \"secret/tap0.key\";\n", 1, files, 1);
	assert_int_equal(key_generate(priv), 0);
	assert_int_equal(key_public(priv, pub), 0);
	key_b64_encode(priv, b64);
	strcat(b64, "\n");
	assert_int_equal(mkdir("secret", 0700), 0);
	write_file("secret/tap0.key", b64, 0600);

	assert_loads("tapmesh.conf", &conf);
	assert_string_equal(conf.file, "tapmesh.conf");
	assert_int_equal(conf.naddrs, 1);
	assert_int_equal(conf.listen, TM_DEFAULT_PORT);
	assert_string_equal(conf.peers_dir, "conf.d");
	assert_string_equal(conf.private_key_file, "secret/tap0.key");
	assert_memory_equal(conf.private_key, priv, sizeof(priv));
	assert_memory_equal(conf.public_key, pub, sizeof(pub));
	assert_int_equal(conf.mtu, 0);
	assert_int_equal(conf.mac_prefix, 0);
	assert_int_equal(conf.keepalive, 10);
	assert_int_equal(conf.dead_time, 30);
	assert_int_equal(conf.rekey_time, 120);
	assert_int_equal(conf.cipher, TM_CIPHER_AUTO);
	assert_int_equal(conf.clamp_mss, 0);
	assert_int_equal(conf.dscp_copy, 1);
	assert_int_equal(conf.offload, 1);
	assert_int_equal(conf.read_ahead, 1);
	assert_int_equal(conf.sched_priority, 0);
	assert_mac(conf.mac, "02:00:0a:ff:00:01");
	assert_in6(&conf.lladdr, "fe80::aff:feff:1");
	assert_int_equal(conf.npeers, 1);
	assert_string_equal(conf.peers[0].file, "conf.d/branch2.conf");
	assert_mac(conf.peers[0].mac, "02:00:0a:ff:00:02");
	/* What the kernel gives a device with MAC 02:00:0a:ff:00:02. */
	assert_in6(&conf.peers[0].lladdr, "fe80::aff:feff:2");
	assert_int_equal(conf.peers[0].nendpoints, 1);
	assert_endpoint(&conf.peers[0].endpoints[0], "192.0.2.2",
	    TM_DEFAULT_PORT, 100, "::ffff:192.0.2.2");
	config_free(&conf);
	assert_zero_conf(&conf);
	tree_remove(&t);
}

/*
 * Host names are accepted as they are written and left for hostname.c
 * to resolve: no address yet, the port set, the line kept for warnings.
 * The same address from two sources is two paths (two uplinks).
 */
static void
test_valid_names(void **state)
{
	static const struct tfile	files[] = {
		{ "conf.d/a.conf", PEER_A "endpoints = (\n"
		    "  { host = \"vpn.example.com\"; port = 443; priority = 1; },\n"
		    "  { host = \"" NAME_253 "\"; },\n"
		    "  { host = \"x_1.example.\"; source = \"192.0.2.9\"; },\n"
		    "  { host = \"198.51.100.2\"; source = \"192.0.2.9\"; },\n"
		    "  { host = \"198.51.100.2\"; source = \"192.0.2.10\"; },\n"
		    "  { host = \"localhost\"; source = \"fd00::9\"; }\n"
		    ");\n" },
	};
	const struct endpoint_conf	*ep;
	struct tree			 t;
	struct tm_config		 conf;
	size_t				 i;

	(void)state;
	tree_make(&t, MAIN, 1, files, 1);
	assert_loads("tapmesh.conf", &conf);
	assert_int_equal(conf.npeers, 1);
	assert_int_equal(conf.peers[0].nendpoints, 6);
	ep = conf.peers[0].endpoints;
	assert_string_equal(ep[0].host, "vpn.example.com");
	assert_int_equal(ep[0].is_name, 1);
	assert_int_equal(ep[0].resolved, 0);
	assert_int_equal(ep[0].line, 5);
	assert_int_equal(ep[0].port, 443);
	assert_int_equal(ntohs(ep[0].sa.sin6_port), 443);
	assert_in6(&ep[0].sa.sin6_addr, "::");
	assert_string_equal(ep[1].host, NAME_253);
	assert_int_equal(strlen(ep[1].host), TM_HOST_NAME_MAX);
	assert_int_equal(ep[1].line, 6);
	assert_string_equal(ep[2].host, "x_1.example.");
	assert_int_equal(ep[2].has_source, 1);
	for (i = 3; i < 5; i++) {
		assert_int_equal(ep[i].is_name, 0);
		assert_int_equal(ep[i].resolved, 1);
		assert_in6(&ep[i].sa.sin6_addr, "::ffff:198.51.100.2");
	}
	assert_in6(&ep[3].source, "::ffff:192.0.2.9");
	assert_in6(&ep[4].source, "::ffff:192.0.2.10");
	/* A name's family is not known yet: any source is accepted. */
	assert_int_equal(ep[5].is_name, 1);
	assert_in6(&ep[5].source, "fd00::9");
	config_free(&conf);
	tree_remove(&t);
}

/* An empty peers_dir is a valid configuration without peers. */
static void
test_valid_no_peers(void **state)
{
	struct tree		t;
	struct tm_config	conf;

	(void)state;
	tree_make(&t, KEYFILE "interface = \"tap0\";\n"
	    "address = \"fd00::1/64\";\n"
	    "peers_dir = \"conf.d/\";\nmtu = 1280;\n", 1, NULL, 0);
	assert_loads("tapmesh.conf", &conf);
	assert_int_equal(conf.npeers, 0);
	assert_null(conf.peers);
	assert_mac(conf.mac, "02:00:00:00:00:01");
	config_free(&conf);
	tree_remove(&t);
}

/*
 * A rollover's two public keys and a pre-shared key file, relative to
 * the peer file.
 */
static void
test_valid_keys(void **state)
{
	static const struct tfile	 files[] = {
		{ "conf.d/a.conf", "name = \"a\";\n"
		    "public_key = [ \"" KEY_A "\", \"" KEY_B "\" ];\n"
		    "preshared_key_file = \"a.psk\";\n"
		    "address = \"10.255.0.2\";\n" },
		{ "conf.d/a.psk", KEY_C "\n" },
		{ "conf.d/a.psk", T_MODE "0600" },
		{ "conf.d/b.conf", "name = \"b\";\n"
		    "public_key = [ \"" KEY_D "\" ];\n"
		    "address = \"10.255.0.3\";\n" },
	};
	struct tree		 t;
	struct tm_config	 conf;
	uint8_t			 k[KEY_LEN];

	(void)state;
	tree_make(&t, MAIN, 1, files, sizeof(files) / sizeof(files[0]));
	assert_loads("tapmesh.conf", &conf);
	assert_int_equal(conf.npeers, 2);
	assert_int_equal(key_b64_decode(KEY_A, k), 0);
	assert_memory_equal(conf.peers[0].public_key, k, KEY_LEN);
	assert_int_equal(peerconf_key_index(&conf.peers[0], k), 0);
	assert_int_equal(key_b64_decode(KEY_B, k), 0);
	assert_true(conf.peers[0].has_public_key2);
	assert_memory_equal(conf.peers[0].public_key2, k, KEY_LEN);
	assert_int_equal(peerconf_key_index(&conf.peers[0], k), 1);
	assert_true(conf.peers[0].has_psk);
	assert_int_equal(key_b64_decode(KEY_C, k), 0);
	assert_memory_equal(conf.peers[0].psk, k, KEY_LEN);
	assert_string_equal(conf.peers[0].psk_file, "conf.d/a.psk");
	assert_int_equal(peerconf_key_index(&conf.peers[0], k), -1);
	/* A list of one is the single key of old. */
	assert_false(conf.peers[1].has_public_key2);
	assert_false(conf.peers[1].has_psk);
	assert_null(peerconf_key(&conf.peers[1], 1));
	config_free(&conf);
	tree_remove(&t);
}

/*
 * The edges of the timer ranges, dead_time just above keepalive (also
 * above an explicit keepalive next to the default dead_time), and each
 * cipher name.
 */
static void
test_valid_channel(void **state)
{
	static const struct {
		const char		*text;
		int			 keepalive, dead_time, rekey_time;
		enum tm_cipher_pref	 cipher;
	} cases[] = {
		{ "keepalive = 1; dead_time = 2; rekey_time = 2;\n"
		  "cipher = \"chacha20-poly1305\";\n",
		  1, 2, 2, TM_CIPHER_CHACHA20_POLY1305 },
		{ "keepalive = 3599; dead_time = 3600; rekey_time = 86400;\n"
		  "cipher = \"auto\";\n",
		  3599, 3600, 86400, TM_CIPHER_AUTO },
		{ "keepalive = 29;\n", 29, 30, 120, TM_CIPHER_AUTO },
		{ "dead_time = 11;\ncipher = \"aes-256-gcm\";\n",
		  10, 11, 120, TM_CIPHER_AES_256_GCM },
	};
	struct tree		t;
	struct tm_config	conf;
	char			text[512];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true((size_t)snprintf(text, sizeof(text), "%s%s",
		    MAIN, cases[i].text) < sizeof(text));
		tree_make(&t, text, 1, NULL, 0);
		assert_loads("tapmesh.conf", &conf);
		assert_int_equal(conf.keepalive, cases[i].keepalive);
		assert_int_equal(conf.dead_time, cases[i].dead_time);
		assert_int_equal(conf.rekey_time, cases[i].rekey_time);
		assert_int_equal(conf.cipher, cases[i].cipher);
		config_free(&conf);
		tree_remove(&t);
	}
}

/*
 * source_check: the main file's mode is every peer's default, a peer
 * file overrides it, and allowed_sources are kept as written.
 */
static void
test_valid_source_check(void **state)
{
	static const struct tfile	files[] = {
		{ "conf.d/a.conf", PEER_A },
		{ "conf.d/b.conf", "name = \"b\";\n"
		    "public_key = \"" KEY_B "\";\n"
		    "address = \"10.255.0.3\";\n"
		    "source_check = \"prefixes\";\n"
		    "allowed_sources = [ \"192.0.2.0/24\", \"2001:db8::/48\" ];\n" },
	};
	struct tree		 t;
	struct tm_config	 conf;

	(void)state;
	tree_make(&t, MAIN, 1, NULL, 0);
	assert_loads("tapmesh.conf", &conf);
	assert_int_equal(conf.source_check, TM_SOURCE_LOOSE);
	config_free(&conf);
	tree_remove(&t);

	tree_make(&t, MAIN "source_check = \"strict\";\n", 1, files, 2);
	assert_loads("tapmesh.conf", &conf);
	assert_int_equal(conf.source_check, TM_SOURCE_STRICT);
	assert_int_equal(conf.npeers, 2);
	assert_int_equal(conf.peers[0].source_check, TM_SOURCE_STRICT);
	assert_int_equal(conf.peers[0].nallowed, 0);
	assert_int_equal(conf.peers[1].source_check, TM_SOURCE_PREFIXES);
	assert_int_equal(conf.peers[1].nallowed, 2);
	assert_int_equal(conf.peers[1].allowed[0].plen, 24);
	assert_int_equal(conf.peers[1].allowed[1].addr.family, AF_INET6);
	assert_int_equal(conf.peers[1].allowed[1].plen, 48);
	config_free(&conf);
	tree_remove(&t);
}

static const struct bad_case bad_cases[] = {
	{ "missing main file", NULL, 1, { { NULL, NULL } },
	    { "tapmesh.conf: No such file or directory" } },
	{ "main file is a directory", NULL, 1,
	    { { "tapmesh.conf", NULL } },
	    { "tapmesh.conf: not a regular file" } },
	{ "main file is a FIFO", NULL, 1,
	    { { "tapmesh.conf", T_FIFO } },
	    { "tapmesh.conf: not a regular file" } },
	{ "main file is a symlink to nowhere", NULL, 1,
	    { { "tapmesh.conf", T_LINK "nowhere" } },
	    { "tapmesh.conf: No such file or directory" } },
	{ "syntax error in main", "interface = \"tap0\";\naddress = ;\n", 1,
	    { { NULL, NULL } }, { "tapmesh.conf:2: syntax error" } },
	{ "syntax error in peer", MAIN, 1,
	    { { "conf.d/a.conf", "name = \"a\";\n"
	    "address = [ \"10.255.0.2\" ;\n" } },
	    { "conf.d/a.conf:2: syntax error" } },
	{ "duplicate setting", MAIN "interface = \"tap1\";\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf:3: duplicate setting name" } },
	{ "unknown key in main", MAIN "colour = \"blue\";\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf:3: unknown key \"colour\"" } },
	{ "unknown key in peer", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A "\nnmae = \"x\";\n" } },
	    { "conf.d/a.conf:5: unknown key \"nmae\"" } },
	{ "wrong types in main",
	    KEYFILE "interface = 5;\n"
	    "address = [ \"10.255.0.1/24\" ];\n"
	    "listen = \"5655\";\n"
	    "mtu = 1400.0;\n"
	    "peers_dir = [ \"conf.d\" ];\n"
	    "mac_prefix = true;\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:1: interface: expected a string",
	      "tapmesh.conf:3: listen: expected an integer",
	      "tapmesh.conf:5: peers_dir: expected a string",
	      "tapmesh.conf:4: mtu: expected an integer",
	      "tapmesh.conf:6: mac_prefix: expected an integer" } },
	{ "booleans that are not", MAIN "offload = 1;\nclamp_mss = \"yes\";\n"
	    "read_ahead = \"off\";\n",
	    1, { { NULL, NULL } },
	    { "tapmesh.conf:4: clamp_mss: expected true or false",
	      "tapmesh.conf:3: offload: expected true or false",
	      "tapmesh.conf:5: read_ahead: expected true or false" } },
	{ "wrong types of address",
	    KEYFILE "interface = \"tap0\";\naddress = 10;\n",
	    1, { { NULL, NULL } },
	    { "tapmesh.conf:2: address: expected a string or a list of "
	      "strings" } },
	{ "wrong types in peer", MAIN, 1,
	    { { "conf.d/a.conf", "name = [ \"a\" ];\n"
	    "public_key = 1;\n"
	    "address = ( \"10.255.0.2\",\n 10 );\n"
	    "endpoints = \"192.0.2.2\";\n" } },
	    { "conf.d/a.conf:1: name: expected a string",
	      "conf.d/a.conf:2: public_key: expected a string or a list of "
	      "strings",
	      "conf.d/a.conf:4: address: expected a string or a list of "
	      "strings",
	      "conf.d/a.conf:5: endpoints: expected a list of groups" } },
	{ "missing interface and address", KEYFILE "listen = 5655;\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf: missing \"interface\"",
	      "tapmesh.conf: missing \"address\"" } },
	{ "empty address list",
	    KEYFILE "interface = \"tap0\";\naddress = [];\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf:2: address: at least one address is required" } },
	{ "bad interface names",
	    KEYFILE "interface = \"tap0:1\";\n"
	    "address = \"10.255.0.1/24\";\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf:1: invalid interface name \"tap0:1\" (1..15 "
	      "characters, no '/', ':' or white space)" } },
	{ "interface name too long",
	    KEYFILE "interface = \"tap0123456789abc\";\n"
	    "address = \"10.255.0.1/24\";\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:1: invalid interface name \"tap0123456789abc\" "
	      "(1..15 characters, no '/', ':' or white space)" } },
	{ "bad CIDR",
	    KEYFILE "interface = \"tap0\";\n"
	    "address = [ \"10.255.0.1/24\",\n"
	    "  \"10.9.0.300/24\",\n"
	    "  \"10.9.0.1\",\n"
	    "  \"fd00::1::2/64\" ];\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:3: address \"10.9.0.300/24\": invalid address",
	      "tapmesh.conf:4: address \"10.9.0.1\": missing prefix length "
	      "(address/len)",
	      "tapmesh.conf:5: address \"fd00::1::2/64\": invalid address" } },
	{ "bad prefix lengths",
	    KEYFILE "interface = \"tap0\";\n"
	    "address = [ \"10.255.0.1/33\", \"fd00::1/129\",\n"
	    "  \"fd00::2/x\" ];\n",
	    1, { { NULL, NULL } },
	    { "tapmesh.conf:2: address \"10.255.0.1/33\": invalid prefix "
	      "length (0..32)",
	      "tapmesh.conf:2: address \"fd00::1/129\": invalid prefix "
	      "length (0..128)",
	      "tapmesh.conf:3: address \"fd00::2/x\": invalid prefix "
	      "length (0..128)" } },
	{ "duplicate local address",
	    KEYFILE "interface = \"tap0\";\n"
	    "address = [ \"10.255.0.1/24\",\n \"10.255.0.1/16\" ];\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf:3: duplicate address 10.255.0.1" } },
	{ "too many local addresses",
	    KEYFILE "interface = \"tap0\";\n"
	    "address = [ \"10.0.0.1/24\", \"10.0.1.1/24\", \"10.0.2.1/24\",\n"
	    " \"10.0.3.1/24\", \"10.0.4.1/24\", \"10.0.5.1/24\",\n"
	    " \"10.0.6.1/24\", \"10.0.7.1/24\", \"10.0.8.1/24\" ];\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf:2: address: more than 8 entries" } },
	{ "listen 0", MAIN "listen = 0;\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:3: listen: 0 is out of range (1..65535)" } },
	{ "listen 70000", MAIN "listen = 70000;\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:3: listen: 70000 is out of range (1..65535)" } },
	{ "mtu and mac_prefix out of range",
	    MAIN "mtu = 100;\nmac_prefix = 256;\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:3: mtu: 100 is out of range (576..9000)",
	      "tapmesh.conf:4: mac_prefix: 256 is out of range (0..255)" } },
	{ "sched_priority out of range",
	    MAIN "sched_priority = 100;\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:3: sched_priority: 100 is out of range (0..99)" } },
	{ "sched_priority not a number",
	    MAIN "sched_priority = \"high\";\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:3: sched_priority: expected an integer" } },
	{ "mtu too small for IPv6", MAIN "mtu = 1000;\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf:3: mtu: 1000 is below 1280, the minimum for "
	      "IPv6" } },
	{ "missing default peers_dir", MAIN, 0, { { NULL, NULL } },
	    { "tapmesh.conf: peers_dir \"conf.d\": No such file or "
	      "directory" } },
	{ "missing peers_dir", MAIN "peers_dir = \"nope\";\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf:3: peers_dir \"nope\": No such file or "
	      "directory" } },
	{ "peers_dir not a directory", MAIN "peers_dir = \"file\";\n", 1,
	    { { "file", "" } },
	    { "tapmesh.conf:3: peers_dir \"file\": Not a directory" } },
	{ "empty paths",
	    MAIN_NOKEY "peers_dir = \"\";\nprivate_key_file = \"\";\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf:3: peers_dir: empty path",
	      "tapmesh.conf:4: private_key_file: empty path" } },
	{ "peer address outside every prefix", MAIN, 1,
	    { { "conf.d/a.conf", "name = \"a\"; public_key = \"" KEY_C "\";\n"
	    "address = [ \"10.9.0.2\",\n \"fd00:256::2\" ];\n" } },
	    { "conf.d/a.conf:2: address 10.9.0.2 is not inside any IPv4 "
	      "prefix of the interface",
	      "conf.d/a.conf:3: address fd00:256::2 is not inside any IPv6 "
	      "prefix of the interface" } },
	{ "peer address of a family the interface lacks",
	    KEYFILE "interface = \"tap0\";\naddress = \"10.255.0.1/24\";\n", 1,
	    { { "conf.d/a.conf", "name = \"a\"; public_key = \"" KEY_C "\";\n"
	    "address = [ \"10.255.0.2\", \"fd00::2\" ];\n" } },
	    { "conf.d/a.conf:2: address fd00::2 is not inside any IPv6 "
	      "prefix of the interface" } },
	{ "peer address equal to a local one", MAIN, 1,
	    { { "conf.d/a.conf", "name = \"a\"; public_key = \"" KEY_C "\";\n"
	    "address = [\n \"10.255.0.1\" ];\n" } },
	    { "conf.d/a.conf:3: address 10.255.0.1 is a local address "
	      "(tapmesh.conf:2)" } },
	{ "peer address with a length and a bad one", MAIN, 1,
	    { { "conf.d/a.conf", "name = \"a\"; public_key = \"" KEY_C "\";\n"
	    "address = [ \"10.255.0.2/24\", \"10.255.0.x\", \"10.255.0.3\",\n"
	    "\"10.255.0.3\" ];\n" } },
	    { "conf.d/a.conf:2: address \"10.255.0.2/24\": expected a plain "
	      "address, without a prefix length",
	      "conf.d/a.conf:2: address \"10.255.0.x\": invalid address",
	      "conf.d/a.conf:3: duplicate address 10.255.0.3" } },
	{ "empty peer", MAIN, 1, { { "conf.d/a.conf", "" } },
	    { "conf.d/a.conf: missing \"name\"",
	      "conf.d/a.conf: missing \"public_key\"",
	      "conf.d/a.conf: missing \"address\"" } },
	{ "bad peer names", MAIN, 1,
	    { { "conf.d/a.conf",
	        "name = \"a b\"; public_key = \"" KEY_C "\";\n"
	        "address = \"10.255.0.2\";\n" },
	      { "conf.d/b.conf", "name = \"\"; public_key = \"" KEY_D "\";\n"
	        "address = \"10.255.0.3\";\n" },
	      { "conf.d/c.conf", "name = \"0123456789012345678901234567890"
	        "123456789012345678901234567890123\";\n"
	        "public_key = \"" KEY_E "\";\n"
	        "address = \"10.255.0.4\";\n" } },
	    { "conf.d/a.conf:1: invalid peer name \"a b\" (1..63 characters "
	      "of A-Z a-z 0-9 . _ -)",
	      "conf.d/b.conf:1: invalid peer name \"\" (1..63 characters of "
	      "A-Z a-z 0-9 . _ -)",
	      "conf.d/c.conf:1: invalid peer name \"012345678901234567890123"
	      "4567890123456789012345678901234567890123\" (1..63 characters "
	      "of A-Z a-z 0-9 . _ -)" } },
	{ "duplicate names", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A },
	      { "conf.d/b.conf", "name = \"a\"; public_key = \"" KEY_C "\";\n"
	        "address = \"10.255.0.3\";\n" } },
	    { "conf.d/b.conf:1: peer name \"a\" is already used in "
	      "conf.d/a.conf:1" } },
	{ "duplicate addresses", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A },
	      { "conf.d/b.conf", "name = \"b\";\n"
	      "public_key = \"" KEY_C "\";\n"
	      "address = [ \"fd00:255::3\", \"fd00:255::2\" ];\n" } },
	    { "conf.d/b.conf:3: address fd00:255::2 is already used in "
	      "conf.d/a.conf:3" } },
	{ "duplicate MAC between peers", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A },
	      { "conf.d/b.conf", "name = \"b\"; public_key = \"" KEY_C "\";\n"
	      "address = \"fd00:255::aff:2\";\n" } },
	    { "conf.d/b.conf:2: fd00:255::aff:2 derives the same MAC "
	      "02:00:0a:ff:00:02 as 10.255.0.2 (conf.d/a.conf:3)" } },
	{ "duplicate MAC with the local one", MAIN "mac_prefix = 7;\n", 1,
	    { { "conf.d/a.conf", "name = \"a\"; public_key = \"" KEY_C "\";\n"
	      "address = \"fd00:255::aff:1\";\n" } },
	    { "conf.d/a.conf:2: fd00:255::aff:1 derives the same MAC "
	      "02:07:0a:ff:00:01 as local address 10.255.0.1 "
	      "(tapmesh.conf:2)" } },
	{ "duplicate public keys", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A },
	      { "conf.d/b.conf", "name = \"b\";\n"
	      "public_key = \"" KEY_A "\";\naddress = \"10.255.0.3\";\n" },
	      { "conf.d/c.conf", "name = \"c\";\n"
	      "public_key = \"" KEY_FF "\";\naddress = \"10.255.0.4\";\n" } },
	    { "conf.d/b.conf:2: public key is already used in "
	      "conf.d/a.conf:2" } },
	{ "bad base64 keys", MAIN, 1,
	    { { "conf.d/a.conf", "name = \"a\";\n"
	      "public_key = \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\";\n"
	      "address = \"10.255.0.2\";\n" },
	      { "conf.d/b.conf", "name = \"b\";\n"
	      "public_key = \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh==\";\n"
	      "address = \"10.255.0.3\";\n" },
	      { "conf.d/c.conf", "name = \"c\";\n"
	      "public_key = \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=\";\n"
	      "address = \"10.255.0.4\";\n" },
	      { "conf.d/d.conf", "name = \"d\";\n"
	      "public_key = \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw*Hh8=\";\n"
	      "address = \"10.255.0.5\";\n" },
	      { "conf.d/e.conf", "name = \"e\";\n"
	      "public_key = \" AECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\";\n"
	      "address = \"10.255.0.6\";\n" },
	      { "conf.d/f.conf", "name = \"f\";\n"
	      "public_key = \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	      "A\";\n"
	      "address = \"10.255.0.7\";\n" } },
	    { "conf.d/a.conf:2: public_key: not the 44-character base64 "
	      "encoding of a 32-byte key",
	      "conf.d/b.conf:2: public_key: invalid base64 padding",
	      "conf.d/c.conf:2: public_key: non-canonical base64 (unused bits "
	      "set)",
	      "conf.d/d.conf:2: public_key: invalid base64 character",
	      "conf.d/e.conf:2: public_key: invalid base64 character",
	      "conf.d/f.conf:2: public_key: not the 44-character base64 "
	      "encoding of a 32-byte key" } },
	{ "bad endpoints", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A "endpoints = (\n"
	      "{ host = \"vpn..example.com\"; },\n"
	      "{ host = \"192.0.2.1\"; port = 0; },\n"
	      "{ host = \"192.0.2.1\"; port = 70000; priority = -1; },\n"
	      "{ port = 5655; hots = \"x\"; }\n"
	      ");\n" } },
	    { "conf.d/a.conf:5: endpoint \"vpn..example.com\": not a numeric "
	      "address, and as a host name it has a label of 0 or more than 63 "
	      "characters",
	      "conf.d/a.conf:6: port: 0 is out of range (1..65535)",
	      "conf.d/a.conf:7: port: 70000 is out of range (1..65535)",
	      "conf.d/a.conf:7: priority: -1 is out of range (0..2147483647)",
	      "conf.d/a.conf:8: unknown key \"hots\"",
	      "conf.d/a.conf:8: endpoint: missing \"host\"" } },
	{ "more bad endpoints", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A "endpoints = (\n"
	      "\"192.0.2.1\",\n"
	      "{ host = \"fe80::1%eth0\"; },\n"
	      "{ host = \"192.0.2.9\"; }, { host = \"192.0.2.9\"; }\n"
	      ");\n" } },
	    { "conf.d/a.conf:5: endpoints: expected a list of groups",
	      "conf.d/a.conf:6: endpoint \"fe80::1%eth0\": invalid IPv6 "
	      "address",
	      "conf.d/a.conf:7: endpoint 192.0.2.9 port 5655 is listed "
	      "twice" } },
	{ "bad host names", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A "endpoints = (\n"
	      "{ host = \"" NAME_255 "\"; },\n"
	      "{ host = \"192.0.2.300\"; },\n"
	      "{ host = \"-vpn.example.com\"; },\n"
	      "{ host = \"vpn example.com\"; },\n"
	      "{ host = \"VPN.example.com\"; }, { host = \"vpn.EXAMPLE.com\"; }"
	      ");\n" } },
	    { "conf.d/a.conf:5: endpoint \"abcdefghijklmnopqrstuvwxyz-0123456789-ab"
	      "...\": not a numeric "
	      "address, and as a host name it is longer than 253 characters",
	      "conf.d/a.conf:6: endpoint \"192.0.2.300\": not a numeric "
	      "address, and as a host name it ends in an all-numeric label "
	      "(not a valid address either)",
	      "conf.d/a.conf:7: endpoint \"-vpn.example.com\": not a numeric "
	      "address, and as a host name it has a label beginning or ending "
	      "with '-'",
	      "conf.d/a.conf:8: endpoint \"vpn example.com\": not a numeric "
	      "address, and as a host name it holds a character other than "
	      "A-Z a-z 0-9 - _ and dots",
	      "conf.d/a.conf:9: endpoint vpn.EXAMPLE.com port 5655 is listed "
	      "twice" } },
	{ "too many endpoints", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A "endpoints = (\n"
	      "{host=\"192.0.2.1\";},{host=\"192.0.2.2\";},"
	      "{host=\"192.0.2.3\";},{host=\"192.0.2.4\";},"
	      "{host=\"192.0.2.5\";},{host=\"192.0.2.6\";},"
	      "{host=\"192.0.2.7\";},{host=\"192.0.2.8\";},"
	      "{host=\"192.0.2.9\";}"
	      ");\n" } },
	    { "conf.d/a.conf:4: endpoints: more than 8 entries" } },
	{ "dangling symlink", MAIN, 1,
	    { { "conf.d/gone.conf", T_LINK "nowhere" } },
	    { "conf.d/gone.conf: No such file or directory" } },
	{ "two errors in two files", MAIN "listen = 0;\n", 1,
	    { { "conf.d/a.conf", "name = \"a\";\n"
	      "public_key = \"AAAA\";\naddress = \"10.255.0.2\";\n" } },
	    { "tapmesh.conf:3: listen: 0 is out of range (1..65535)",
	      "conf.d/a.conf:2: public_key: not the 44-character base64 "
	      "encoding of a 32-byte key" } },
	{ "missing private_key_file", MAIN_NOKEY, 1, { { NULL, NULL } },
	    { "tapmesh.conf: missing \"private_key_file\"" } },
	{ "key file mode 0640", MAIN, 1,
	    { { "private.key", T_MODE "0640" } },
	    { "tapmesh.conf:1: private_key_file \"private.key\": mode 0640 "
	      "lets group or others access the private key (use chmod 600)" } },
	{ "key file mode 0604", MAIN, 1,
	    { { "private.key", T_MODE "0604" } },
	    { "tapmesh.conf:1: private_key_file \"private.key\": mode 0604 "
	      "lets group or others access the private key (use chmod 600)" } },
	{ "key file missing", MAIN_NOKEY "private_key_file = \"no.key\";\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf:3: private_key_file \"no.key\": No such file or "
	      "directory" } },
	{ "key file malformed", MAIN, 1,
	    { { "private.key", KEY_PUB "x\n" } },
	    { "tapmesh.conf:1: private_key_file \"private.key\": not a base64 "
	      "X25519 private key (44 characters expected)" } },
	{ "key file a FIFO", MAIN_NOKEY "private_key_file = \"fifo\";\n", 1,
	    { { "fifo", T_FIFO } },
	    { "tapmesh.conf:3: private_key_file \"fifo\": not a regular "
	      "file" } },
	{ "bad key file, other errors, no key comparison", MAIN "listen = 0;\n",
	    1,
	    { { "private.key", "" },
	      { "conf.d/a.conf", "name = \"a\";\n"
	      "public_key = \"" KEY_PUB "\";\naddress = \"10.255.0.2\";\n" } },
	    { "tapmesh.conf:3: listen: 0 is out of range (1..65535)",
	      "tapmesh.conf:1: private_key_file \"private.key\": not a base64 "
	      "X25519 private key (44 characters expected)" } },
	{ "a key listed twice", MAIN, 1,
	    { { "conf.d/a.conf", "name = \"a\";\n"
	      "public_key = [ \"" KEY_A "\",\n \"" KEY_A "\" ];\n"
	      "address = \"10.255.0.2\";\n" } },
	    { "conf.d/a.conf:3: public_key: the same key is listed twice" } },
	{ "three public keys", MAIN, 1,
	    { { "conf.d/a.conf", "name = \"a\";\n"
	      "public_key = [ \"" KEY_A "\", \"" KEY_B "\", \"" KEY_C "\" ];\n"
	      "address = \"10.255.0.2\";\n" } },
	    { "conf.d/a.conf:2: public_key: more than 2 entries" } },
	{ "an empty key list", MAIN, 1,
	    { { "conf.d/a.conf", "name = \"a\";\npublic_key = [];\n"
	      "address = \"10.255.0.2\";\n" } },
	    { "conf.d/a.conf:2: public_key: at least one key is required" } },
	{ "a bad second key", MAIN, 1,
	    { { "conf.d/a.conf", "name = \"a\";\n"
	      "public_key = [ \"" KEY_A "\", \"AAAA\" ];\n"
	      "address = \"10.255.0.2\";\n" } },
	    { "conf.d/a.conf:2: public_key: not the 44-character base64 "
	      "encoding of a 32-byte key" } },
	{ "a rollover key shared with another peer", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A },
	      { "conf.d/b.conf", "name = \"b\";\n"
	      "public_key = [ \"" KEY_B "\", \"" KEY_A "\" ];\n"
	      "address = \"10.255.0.3\";\n" } },
	    { "conf.d/b.conf:2: public key is already used in "
	      "conf.d/a.conf:2" } },
	{ "our own key as a rollover key", MAIN, 1,
	    { { "conf.d/b.conf", "name = \"b\";\n"
	      "public_key = [ \"" KEY_B "\", \"" KEY_PUB "\" ];\n"
	      "address = \"10.255.0.3\";\n" } },
	    { "conf.d/b.conf:2: public_key is this node's own public key" } },
	{ "pre-shared key file mode 0644", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A "preshared_key_file = \"a.psk\";\n" },
	      { "conf.d/a.psk", KEY_C "\n" },
	      { "conf.d/a.psk", T_MODE "0644" } },
	    { "conf.d/a.conf:4: preshared_key_file \"conf.d/a.psk\": mode "
	      "0644 lets group or others access the pre-shared key (use "
	      "chmod 600)" } },
	{ "pre-shared key file missing", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A "preshared_key_file = \"a.psk\";\n" } },
	    { "conf.d/a.conf:4: preshared_key_file \"conf.d/a.psk\": No such "
	      "file or directory" } },
	{ "pre-shared key file malformed", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A "preshared_key_file = \"a.psk\";\n" },
	      { "conf.d/a.psk", "AAAA\n" },
	      { "conf.d/a.psk", T_MODE "0600" } },
	    { "conf.d/a.conf:4: preshared_key_file \"conf.d/a.psk\": not a "
	      "base64 pre-shared key (44 characters expected)" } },
	{ "pre-shared key file empty path", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A "preshared_key_file = \"\";\n" } },
	    { "conf.d/a.conf:4: preshared_key_file: empty path" } },
	{ "missing public_key", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A },
	      { "conf.d/b.conf",
	        "name = \"b\";\naddress = \"10.255.0.3\";\n" } },
	    { "conf.d/b.conf: missing \"public_key\"" } },
	{ "peer key is ours", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A },
	      { "conf.d/b.conf", "name = \"b\";\n"
	      "public_key = \"" KEY_PUB "\";\naddress = \"10.255.0.3\";\n" } },
	    { "conf.d/b.conf:2: public_key is this node's own public key" } },
	{ "keepalive 0", MAIN "keepalive = 0;\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:3: keepalive: 0 is out of range (1..3600)" } },
	{ "keepalive 3601 and dead_time 1",
	    MAIN "keepalive = 3601;\ndead_time = 1;\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:3: keepalive: 3601 is out of range (1..3600)",
	      "tapmesh.conf:4: dead_time: 1 is out of range (2..3600)" } },
	{ "dead_time below keepalive",
	    MAIN "keepalive = 10;\ndead_time = 5;\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:4: dead_time: 5 must be greater than keepalive "
	      "(10)" } },
	{ "dead_time equal to keepalive",
	    MAIN "dead_time = 20;\nkeepalive = 20;\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:3: dead_time: 20 must be greater than keepalive "
	      "(20)" } },
	{ "keepalive above the default dead_time", MAIN "keepalive = 30;\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf:3: keepalive: 30 must be less than dead_time (30, "
	      "the default)" } },
	{ "rekey_time 1", MAIN "rekey_time = 1;\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:3: rekey_time: 1 is out of range (2..86400)" } },
	{ "rekey_time 86401", MAIN "rekey_time = 86401;\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf:3: rekey_time: 86401 is out of range "
	      "(2..86400)" } },
	{ "cipher des", MAIN "cipher = \"des\";\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:3: cipher \"des\": expected \"auto\", "
	      "\"chacha20-poly1305\" or \"aes-256-gcm\"" } },
	{ "source_check unknown", MAIN "source_check = \"paranoid\";\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf:3: source_check \"paranoid\": expected \"loose\", "
	      "\"strict\" or \"prefixes\"" } },
	{ "source_check and allowed_sources in a peer", MAIN, 1,
	    { { "conf.d/a.conf", PEER_A "source_check = \"Strict\";\n"
	      "allowed_sources = [ \"192.0.2.1/24\", \"10.0.0.0\",\n"
	      "  \"2001:db8::/129\" ];\n" } },
	    { "conf.d/a.conf:4: source_check \"Strict\": expected \"loose\", "
	      "\"strict\" or \"prefixes\"",
	      "conf.d/a.conf:5: allowed_sources \"192.0.2.1/24\": host bits "
	      "set beyond /24",
	      "conf.d/a.conf:5: allowed_sources \"10.0.0.0\": expected "
	      "address/length",
	      "conf.d/a.conf:6: allowed_sources \"2001:db8::/129\": expected "
	      "address/length" } },
	{ "cipher names are case sensitive", MAIN "cipher = \"AES-256-GCM\";\n",
	    1, { { NULL, NULL } },
	    { "tapmesh.conf:3: cipher \"AES-256-GCM\": expected \"auto\", "
	      "\"chacha20-poly1305\" or \"aes-256-gcm\"" } },
	{ "dscp keep", MAIN "dscp = \"keep\";\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:3: dscp \"keep\": expected \"copy\" or "
	      "\"zero\"" } },
	{ "dscp a number", MAIN "dscp = 46;\n", 1, { { NULL, NULL } },
	    { "tapmesh.conf:3: dscp: expected a string" } },
	{ "wrong types of the channel settings",
	    MAIN_NOKEY "keepalive = \"10\";\ndead_time = 1.5;\n"
	    "rekey_time = [ 1 ];\ncipher = 1;\nprivate_key_file = 0;\n", 1,
	    { { NULL, NULL } },
	    { "tapmesh.conf:7: private_key_file: expected a string",
	      "tapmesh.conf:3: keepalive: expected an integer",
	      "tapmesh.conf:4: dead_time: expected an integer",
	      "tapmesh.conf:5: rekey_time: expected an integer",
	      "tapmesh.conf:6: cipher: expected a string" } },
	{ "skipped files stay skipped", MAIN, 1,
	    { { "conf.d/.a.conf", "garbage {" },
	      { "conf.d/a.conf~", "garbage {" },
	      { "conf.d/a.conf.bak", "garbage {" },
	      { "conf.d/README", "garbage {" },
	      { "conf.d/d.conf", NULL },
	      { "conf.d/z.conf", "garbage {" } },
	    { "conf.d/z.conf:1: syntax error" } },
};

#define NBAD	(sizeof(bad_cases) / sizeof(bad_cases[0]))

static void
run_bad_case(void **state)
{
	const struct bad_case	*c = *state;
	struct tree		 t;
	struct tm_config	 conf;
	struct cfg_errors	 errs = { 0 };
	size_t			 nwant, i;
	int			 r, ok;

	tree_make(&t, c->main, c->conf_d, c->files, MAX_FILES);

	memset(&conf, 0x55, sizeof(conf));
	r = config_load("tapmesh.conf", &conf, &errs);

	for (nwant = 0; nwant < MAX_ERRS && c->errs[nwant] != NULL; nwant++)
		;
	ok = errs.n == nwant;
	for (i = 0; ok && i < nwant; i++)
		if (strcmp(errs.msg[i], c->errs[i]) != 0)
			ok = 0;
	if (!ok) {
		print_message("case \"%s\":\n", c->what);
		for (i = 0; i < nwant; i++)
			print_message("  want: %s\n", c->errs[i]);
		print_errs(&errs);
	}
	assert_int_equal(r, -1);
	assert_true(ok);
	assert_int_equal(errs.lost, 0);
	assert_zero_conf(&conf);

	cfg_errors_clear(&errs);
	assert_null(errs.msg);
	assert_int_equal(errs.n, 0);
	tree_remove(&t);
}

/* Errors append to what the caller already collected. */
static void
test_errors_append(void **state)
{
	struct cfg_errors	errs = { 0 };
	struct tm_config	conf;
	struct tree		t;

	(void)state;
	cfg_error(&errs, "x.conf", 0, "first %d", 1);
	tree_make(&t, MAIN "listen = 0;\n", 1, NULL, 0);
	assert_int_equal(config_load("tapmesh.conf", &conf, &errs), -1);
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.msg[0], "x.conf: first 1");
	assert_string_equal(errs.msg[1],
	    "tapmesh.conf:3: listen: 0 is out of range (1..65535)");
	cfg_errors_clear(&errs);
	tree_remove(&t);
}

static void
test_decode_key(void **state)
{
	uint8_t	key[KEY_LEN];
	size_t	i;

	(void)state;
	assert_null(key_b64_decode_why(KEY_FF, key));
	for (i = 0; i < KEY_LEN; i++)
		assert_int_equal(key[i], 0xff);
	assert_null(key_b64_decode_why(KEY_B, key));
	assert_int_equal(key[0], 32);
	assert_int_equal(key[31], 63);
	assert_non_null(key_b64_decode_why("", key));
	assert_non_null(key_b64_decode_why(
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n", key));
	assert_non_null(key_b64_decode_why(
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A", key));
	assert_non_null(key_b64_decode_why(
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd=h8=", key));
	assert_non_null(key_b64_decode_why(
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd-_8=", key));
}

int
main(void)
{
	struct CMUnitTest	bad[NBAD];
	const struct CMUnitTest	good[] = {
		cmocka_unit_test(test_valid_full),
		cmocka_unit_test(test_valid_defaults),
		cmocka_unit_test(test_valid_names),
		cmocka_unit_test(test_valid_no_peers),
		cmocka_unit_test(test_valid_keys),
		cmocka_unit_test(test_valid_channel),
		cmocka_unit_test(test_valid_source_check),
		cmocka_unit_test(test_errors_append),
		cmocka_unit_test(test_decode_key),
	};
	size_t			i;
	int			fails;

	for (i = 0; i < NBAD; i++) {
		memset(&bad[i], 0, sizeof(bad[i]));
		bad[i].name = bad_cases[i].what;
		bad[i].test_func = run_bad_case;
		bad[i].initial_state = (void *)&bad_cases[i];
	}
	fails = cmocka_run_group_tests_name("valid", good, scratch_setup,
	    scratch_teardown);
	fails += cmocka_run_group_tests_name("invalid", bad, scratch_setup,
	    scratch_teardown);
	return fails != 0;
}
