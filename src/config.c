/*
 * Configuration: the main file, the scan of peers_dir, and the checks
 * that span several files.  The peer files themselves are parsed in
 * peerconf.c.
 */
#include <sys/stat.h>
#include <sys/un.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config.h"

#ifndef RUNSTATEDIR
#define RUNSTATEDIR	"/run"
#endif
#include "key.h"
#include "peerconf.h"


#define CFG_CONF_SUFFIX		".conf"

/* Everything config_load needs besides conf while it runs. */
struct load_ctx {
	struct cfg_errors	*errs;
	int			 addr_line[TM_MAX_ADDRS];
	size_t			 mac_addr;	/* the MAC's source address */
	int			 peers_dir_ok;
	int			 key_ok;	/* conf->public_key is set */
	const struct tm_config	*running;	/* reload: the running one */
	struct peerconf_lines	*plines;	/* beside conf->peers */
};

static const char *const main_keys[] = {
	"interface", "address", "listen", "peers_dir", "private_key_file",
	"mtu", "mac_prefix", "keepalive", "dead_time", "rekey_time", "cipher",
	"control_socket", "user", "group", "probe_interval", "path_hold_down",
	"clamp_mss", "max_peers", "offload", "source_check", "dscp",
	"relay", "relay_rate", "read_ahead", "sched_priority",
	NULL
};

static const struct {
	const char		*name;
	enum tm_cipher_pref	 pref;
} ciphers[] = {
	{ "auto",		TM_CIPHER_AUTO },
	{ "chacha20-poly1305",	TM_CIPHER_CHACHA20_POLY1305 },
	{ "aes-256-gcm",	TM_CIPHER_AES_256_GCM },
};

/* The rules of the kernel's dev_valid_name(). */
static int
valid_ifname(const char *s)
{
	size_t	len = strlen(s), i;

	if (len == 0 || len >= IFNAMSIZ)
		return 0;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' ||
		    isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * Parses one interface address, telling apart the ways it can be wrong
 * since a bare address (without /len) is the most likely mistake.
 */
static int
parse_local_addr(struct cfg_errors *errs, const char *file,
    const config_setting_t *s, struct tm_prefix *p)
{
	const char	*v = config_setting_get_string(s);
	const char	*slash = strrchr(v, '/');
	char		 buf[INET6_ADDRSTRLEN];
	struct tm_addr	 a;
	size_t		 alen;

	if (prefix_parse(v, p) == 0)
		return 0;
	if (slash == NULL) {
		if (addr_parse(v, &a) == 0)
			cfg_serror(errs, file, s, "address \"%s\": missing "
			    "prefix length (address/len)", v);
		else
			cfg_serror(errs, file, s, "address \"%s\": invalid "
			    "address", v);
		return -1;
	}
	alen = (size_t)(slash - v);
	if (alen < sizeof(buf)) {
		memcpy(buf, v, alen);
		buf[alen] = '\0';
	}
	if (alen >= sizeof(buf) || addr_parse(buf, &a) == -1)
		cfg_serror(errs, file, s, "address \"%s\": invalid address", v);
	else
		cfg_serror(errs, file, s, "address \"%s\": invalid prefix "
		    "length (0..%d)", v, a.family == AF_INET ? 32 : 128);
	return -1;
}

static void
parse_addresses(struct load_ctx *ctx, struct tm_config *conf,
    const config_setting_t *root)
{
	const config_setting_t	*elems[TM_MAX_ADDRS], *s;
	struct tm_prefix	 p;
	char			 buf[INET6_ADDRSTRLEN];
	size_t			 n, i, j;
	int			 r, dup;

	r = cfg_get_strings(ctx->errs, conf->file, root, "address",
	    TM_MAX_ADDRS, elems, &n);
	if (r == 0)
		cfg_error(ctx->errs, conf->file, 0, "missing \"address\"");
	if (r != 1)
		return;
	if (n == 0) {
		s = config_setting_get_member(root, "address");
		cfg_serror(ctx->errs, conf->file, s,
		    "address: at least one address is required");
		return;
	}
	for (i = 0; i < n; i++) {
		if (parse_local_addr(ctx->errs, conf->file, elems[i], &p) == -1)
			continue;
		for (dup = 0, j = 0; j < conf->naddrs; j++)
			if (addr_eq(&conf->addrs[j].addr, &p.addr))
				dup = 1;
		if (dup) {
			cfg_serror(ctx->errs, conf->file, elems[i],
			    "duplicate address %s",
			    addr_ntop(&p.addr, buf, sizeof(buf)));
			continue;
		}
		ctx->addr_line[conf->naddrs] =
		    (int)config_setting_source_line(elems[i]);
		conf->addrs[conf->naddrs++] = p;
	}
}

static int
parse_path(struct load_ctx *ctx, struct tm_config *conf,
    const config_setting_t *root, const char *key, const char *deflt,
    char *out, size_t outlen, const config_setting_t **where)
{
	const char	*v = deflt;

	*where = NULL;
	if (cfg_get_string(ctx->errs, conf->file, root, key, &v, where) == -1)
		return -1;
	if (v == NULL)
		return 0;
	if (v[0] == '\0') {
		cfg_serror(ctx->errs, conf->file, *where, "%s: empty path",
		    key);
		return -1;
	}
	if (cfg_resolve_path(conf->file, v, out, outlen) == -1) {
		cfg_serror(ctx->errs, conf->file, *where, "%s: path too long",
		    key);
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * Loads the private key file named at setting s and derives the public
 * key.  The message of key_load_file begins with the path, which the
 * error already names; it is left out rather than said twice.
 */
static void
load_private_key(struct load_ctx *ctx, struct tm_config *conf,
    const config_setting_t *s)
{
	const char	*path = conf->private_key_file, *why;
	char		 msg[PATH_MAX + 128];
	size_t		 plen = strlen(path);

	/*
	 * Read again on reload too: a new key (same path or another) is how
	 * a node rotates its key (reload.c re-handshakes under it).  A
	 * daemon that dropped to a user who may not read the file it read
	 * as root keeps its key, rather than refusing every reload; the
	 * reload says so.
	 */
	if (ctx->running != NULL &&
	    strcmp(path, ctx->running->private_key_file) == 0 &&
	    access(path, R_OK) == -1 && errno == EACCES) {
		memcpy(conf->private_key, ctx->running->private_key,
		    sizeof(conf->private_key));
		memcpy(conf->public_key, ctx->running->public_key,
		    sizeof(conf->public_key));
		conf->private_key_kept = 1;
		ctx->key_ok = 1;
		return;
	}
	if (key_load_file(path, conf->private_key, msg, sizeof(msg)) == -1) {
		why = msg;
		if (strncmp(msg, path, plen) == 0 && msg[plen] == ':' &&
		    msg[plen + 1] == ' ')
			why = msg + plen + 2;
		cfg_serror(ctx->errs, conf->file, s,
		    "private_key_file \"%s\": %s", path, why);
		return;
	}
	if (key_public(conf->private_key, conf->public_key) == -1) {
		cfg_serror(ctx->errs, conf->file, s,
		    "private_key_file \"%s\": cannot derive the public key",
		    path);
		return;
	}
	ctx->key_ok = 1;
}

/*
 * The timers of the secure channel.  A peer must not be declared dead
 * before it was due to send even one keepalive, so dead_time has to
 * exceed keepalive; the error goes to dead_time's line, or to
 * keepalive's if dead_time kept its default.
 */
static void
parse_timers(struct load_ctx *ctx, struct tm_config *conf,
    const config_setting_t *root)
{
	const config_setting_t	*ka_s = NULL, *dt_s = NULL, *s;
	long long		 n;
	int			 ka, dt;

	conf->keepalive = TM_KEEPALIVE_DEFAULT;
	conf->dead_time = TM_DEAD_TIME_DEFAULT;
	conf->rekey_time = TM_REKEY_TIME_DEFAULT;
	ka = cfg_get_int(ctx->errs, conf->file, root, "keepalive", 1, 3600,
	    &n, &ka_s);
	if (ka == 1)
		conf->keepalive = (int)n;
	dt = cfg_get_int(ctx->errs, conf->file, root, "dead_time", 2, 3600,
	    &n, &dt_s);
	if (dt == 1)
		conf->dead_time = (int)n;
	if (ka != -1 && dt != -1 && conf->dead_time <= conf->keepalive) {
		if (dt == 1)
			cfg_serror(ctx->errs, conf->file, dt_s, "dead_time: %d "
			    "must be greater than keepalive (%d)",
			    conf->dead_time, conf->keepalive);
		else
			cfg_serror(ctx->errs, conf->file, ka_s, "keepalive: %d "
			    "must be less than dead_time (%d, the default)",
			    conf->keepalive, conf->dead_time);
	}
	if (cfg_get_int(ctx->errs, conf->file, root, "rekey_time", 2, 86400,
	    &n, &s) == 1)
		conf->rekey_time = (int)n;
	conf->probe_interval = TM_PROBE_INTERVAL_DEFAULT;
	if (cfg_get_int(ctx->errs, conf->file, root, "probe_interval", 100,
	    60000, &n, &s) == 1)
		conf->probe_interval = (int)n;
	(void)cfg_get_bool(ctx->errs, conf->file, root, "clamp_mss",
	    &conf->clamp_mss);
	conf->offload = 1;
	(void)cfg_get_bool(ctx->errs, conf->file, root, "offload",
	    &conf->offload);
	conf->read_ahead = 1;
	(void)cfg_get_bool(ctx->errs, conf->file, root, "read_ahead",
	    &conf->read_ahead);
	if (cfg_get_int(ctx->errs, conf->file, root, "sched_priority", 0, 99,
	    &n, &s) == 1) {
		conf->sched_priority = (int)n;
		conf->sched_priority_line = config_setting_source_line(s);
	}
	(void)cfg_get_bool(ctx->errs, conf->file, root, "relay", &conf->relay);
	conf->relay_rate = TM_RELAY_RATE_DEFAULT;
	if (cfg_get_int(ctx->errs, conf->file, root, "relay_rate", 1, 100000,
	    &n, &s) == 1)
		conf->relay_rate = (int)n;
	conf->max_peers = TM_MAX_PEERS_DEFAULT;
	if (cfg_get_int(ctx->errs, conf->file, root, "max_peers", 1, 1000000,
	    &n, &s) == 1)
		conf->max_peers = (int)n;
	conf->path_hold_down = TM_PATH_HOLD_DOWN_DEFAULT;
	if (cfg_get_int(ctx->errs, conf->file, root, "path_hold_down", 0, 3600,
	    &n, &s) == 1)
		conf->path_hold_down = (int)n;
}

static void
parse_cipher(struct load_ctx *ctx, struct tm_config *conf,
    const config_setting_t *root)
{
	const config_setting_t	*s;
	const char		*v;
	size_t			 i;

	conf->cipher = TM_CIPHER_AUTO;
	if (cfg_get_string(ctx->errs, conf->file, root, "cipher", &v, &s) != 1)
		return;
	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (strcmp(v, ciphers[i].name) == 0) {
			conf->cipher = ciphers[i].pref;
			return;
		}
	cfg_serror(ctx->errs, conf->file, s, "cipher \"%s\": expected "
	    "\"auto\", \"chacha20-poly1305\" or \"aes-256-gcm\"", v);
}

/* The outer DSCP: "copy" (the default) or "zero". */
static void
parse_dscp(struct load_ctx *ctx, struct tm_config *conf,
    const config_setting_t *root)
{
	const config_setting_t	*s;
	const char		*v;

	conf->dscp_copy = 1;
	if (cfg_get_string(ctx->errs, conf->file, root, "dscp", &v, &s) != 1)
		return;
	if (strcmp(v, "zero") == 0)
		conf->dscp_copy = 0;
	else if (strcmp(v, "copy") != 0)
		cfg_serror(ctx->errs, conf->file, s, "dscp \"%s\": expected "
		    "\"copy\" or \"zero\"", v);
}

/* A user or group name: letters, digits, '.', '_' and '-'. */
static int
valid_account(const char *s)
{
	size_t	 i;

	if (s[0] == '\0' || s[0] == '-' || strlen(s) >= TM_NAME_MAX)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) == NULL)
			return 0;
	return 1;
}

/* control_socket, user and group. */
static void
parse_operations(struct load_ctx *ctx, struct tm_config *conf,
    const config_setting_t *root)
{
	const config_setting_t	*s;
	const char		*v;
	char			 deflt[PATH_MAX];
	int			 len;

	len = snprintf(deflt, sizeof(deflt), "%s/tapmesh/%s.sock", RUNSTATEDIR,
	    conf->interface[0] != '\0' ? conf->interface : "tapmesh");
	if (len < 0 || (size_t)len >= sizeof(deflt))
		deflt[0] = '\0';
	(void)parse_path(ctx, conf, root, "control_socket", deflt,
	    conf->control_socket, sizeof(conf->control_socket), &s);
	if (strlen(conf->control_socket) >= sizeof(((struct sockaddr_un *)0)->
	    sun_path))
		cfg_serror(ctx->errs, conf->file, s, "control_socket \"%s\": "
		    "longer than a UNIX socket path may be",
		    conf->control_socket);

	if (cfg_get_string(ctx->errs, conf->file, root, "user", &v, &s) == 1) {
		if (!valid_account(v))
			cfg_serror(ctx->errs, conf->file, s, "user \"%s\": not "
			    "a valid user name", v);
		else
			snprintf(conf->user, sizeof(conf->user), "%s", v);
	}
	if (cfg_get_string(ctx->errs, conf->file, root, "group", &v, &s) == 1) {
		if (!valid_account(v))
			cfg_serror(ctx->errs, conf->file, s, "group \"%s\": "
			    "not a valid group name", v);
		else
			snprintf(conf->group, sizeof(conf->group), "%s", v);
	}
}

static void
parse_main(struct load_ctx *ctx, struct tm_config *conf,
    const config_setting_t *root)
{
	const config_setting_t	*s = NULL, *mtu_s = NULL;
	const char		*v, *why = NULL;
	struct tm_addr		 a[TM_MAX_ADDRS];
	struct stat		 st;
	long long		 n;
	size_t			 i;
	int			 r, has_v6 = 0;

	cfg_check_keys(ctx->errs, conf->file, root, main_keys);

	r = cfg_get_string(ctx->errs, conf->file, root, "interface", &v, &s);
	if (r == 0)
		cfg_error(ctx->errs, conf->file, 0, "missing \"interface\"");
	else if (r == 1 && !valid_ifname(v))
		cfg_serror(ctx->errs, conf->file, s, "invalid interface name "
		    "\"%s\" (1..%d characters, no '/', ':' or white space)",
		    v, IFNAMSIZ - 1);
	else if (r == 1)
		snprintf(conf->interface, sizeof(conf->interface), "%s", v);

	parse_addresses(ctx, conf, root);

	conf->listen = TM_DEFAULT_PORT;
	if (cfg_get_int(ctx->errs, conf->file, root, "listen", 1, 65535, &n,
	    &s) == 1)
		conf->listen = (uint16_t)n;

	if (parse_path(ctx, conf, root, "peers_dir", "conf.d",
	    conf->peers_dir, sizeof(conf->peers_dir), &s) == 0) {
		if (stat(conf->peers_dir, &st) == -1)
			why = strerror(errno);
		else if (!S_ISDIR(st.st_mode))
			why = strerror(ENOTDIR);
		if (why != NULL)
			cfg_serror(ctx->errs, conf->file, s,
			    "peers_dir \"%s\": %s", conf->peers_dir, why);
		else
			ctx->peers_dir_ok = 1;
	}

	if (parse_path(ctx, conf, root, "private_key_file", NULL,
	    conf->private_key_file, sizeof(conf->private_key_file), &s) == 0) {
		if (s == NULL)
			cfg_error(ctx->errs, conf->file, 0,
			    "missing \"private_key_file\"");
		else
			load_private_key(ctx, conf, s);
	}

	if (cfg_get_int(ctx->errs, conf->file, root, "mtu", TM_MTU_MIN,
	    TM_MTU_MAX, &n, &mtu_s) == 1)
		conf->mtu = (int)n;
	for (i = 0; i < conf->naddrs; i++)
		if (conf->addrs[i].addr.family == AF_INET6)
			has_v6 = 1;
	/* IPv6 needs a link MTU of at least 1280 (RFC 8200, section 5). */
	if (conf->mtu != 0 && conf->mtu < 1280 && has_v6)
		cfg_serror(ctx->errs, conf->file, mtu_s, "mtu: %d is below "
		    "1280, the minimum for IPv6", conf->mtu);

	if (cfg_get_int(ctx->errs, conf->file, root, "mac_prefix", 0, 255, &n,
	    &s) == 1)
		conf->mac_prefix = (uint8_t)n;

	parse_timers(ctx, conf, root);
	parse_cipher(ctx, conf, root);
	parse_dscp(ctx, conf, root);
	parse_operations(ctx, conf, root);
	conf->source_check = TM_SOURCE_LOOSE;
	(void)peerconf_source_check(ctx->errs, conf->file, root,
	    &conf->source_check);

	if (conf->naddrs > 0) {
		for (i = 0; i < conf->naddrs; i++)
			a[i] = conf->addrs[i].addr;
		mac_derive(conf->mac_prefix, a, conf->naddrs, conf->mac);
		mac_to_linklocal(conf->mac, &conf->lladdr);
		ctx->mac_addr = (size_t)mac_source(a, conf->naddrs);
	}
}

/* Only "*.conf", never dotfiles, so editor and backup files are skipped. */
static int
conf_dir_filter(const struct dirent *d)
{
	size_t	len = strlen(d->d_name), slen = strlen(CFG_CONF_SUFFIX);

	if (d->d_name[0] == '.' || len <= slen)
		return 0;
	return strcmp(d->d_name + len - slen, CFG_CONF_SUFFIX) == 0;
}

/* strcmp order, not the locale's, so that the order is the same anywhere. */
static int
conf_dir_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void
load_peers(struct load_ctx *ctx, struct tm_config *conf)
{
	struct dirent		**names = NULL;
	struct peer_conf	 *pc;
	struct peerconf_lines	 *pl;
	struct stat		  st;
	char			  path[PATH_MAX];
	const char		 *sep;
	size_t			  dlen;
	int			  i, n, len;

	if ((n = scandir(conf->peers_dir, &names, conf_dir_filter,
	    conf_dir_cmp)) == -1) {
		cfg_error(ctx->errs, conf->peers_dir, 0, "%s", strerror(errno));
		return;
	}
	dlen = strlen(conf->peers_dir);
	sep = dlen > 0 && conf->peers_dir[dlen - 1] == '/' ? "" : "/";
	if (n > 0) {
		conf->peers = calloc((size_t)n, sizeof(*conf->peers));
		ctx->plines = calloc((size_t)n, sizeof(*ctx->plines));
		if (conf->peers == NULL || ctx->plines == NULL) {
			cfg_error(ctx->errs, conf->peers_dir, 0, "%s",
			    strerror(errno));
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		len = snprintf(path, sizeof(path), "%s%s%s", conf->peers_dir,
		    sep, names[i]->d_name);
		if (len < 0 || (size_t)len >= sizeof(path)) {
			cfg_error(ctx->errs, conf->peers_dir, 0,
			    "%s: path too long", names[i]->d_name);
			continue;
		}
		/*
		 * stat, not lstat: a symlink to a peer file is fine, while a
		 * dangling one is reported, as a peer would silently vanish.
		 */
		if (stat(path, &st) == -1) {
			cfg_error(ctx->errs, path, 0, "%s", strerror(errno));
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		pc = &conf->peers[conf->npeers];
		pl = &ctx->plines[conf->npeers];
		conf->npeers++;
		peerconf_load(path, conf, pc, pl, ctx->errs);
	}
 out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * Checks one peer against the local node and every peer before it.  Only
 * fields that passed validation are set, so a peer that already failed
 * adds no noise here.  A pair that shares an address also derives the
 * same MAC when that address is its source; the MAC is then not
 * reported a second time.
 */
static void
check_peer(struct load_ctx *ctx, const struct tm_config *conf, size_t j)
{
	const struct peer_conf		*p = &conf->peers[j], *q;
	const struct peerconf_lines	*pl = &ctx->plines[j], *ql;
	char				 a[INET6_ADDRSTRLEN];
	char				 b[INET6_ADDRSTRLEN];
	char				 m[18];
	size_t				 i, k, l;
	int				 shared = 0;

	for (k = 0; k < p->naddrs; k++)
		for (l = 0; l < conf->naddrs; l++)
			if (addr_eq(&p->addrs[k], &conf->addrs[l].addr)) {
				cfg_error(ctx->errs, p->file, pl->addr[k],
				    "address %s is a local address (%s:%d)",
				    addr_ntop(&p->addrs[k], a, sizeof(a)),
				    conf->file, ctx->addr_line[l]);
				shared = 1;
			}
	if (!shared && p->naddrs > 0 && conf->naddrs > 0 &&
	    memcmp(p->mac, conf->mac, sizeof(p->mac)) == 0)
		cfg_error(ctx->errs, p->file, pl->addr[pl->mac_addr],
		    "%s derives the same MAC %s as local address %s (%s:%d)",
		    addr_ntop(&p->addrs[pl->mac_addr], a, sizeof(a)),
		    mac_ntop(p->mac, m, sizeof(m)),
		    addr_ntop(&conf->addrs[ctx->mac_addr].addr, b, sizeof(b)),
		    conf->file, ctx->addr_line[ctx->mac_addr]);
	/* A peer entry for ourselves would have us handshake with ourselves. */
	if (ctx->key_ok && peerconf_has_key(p, conf->public_key))
		cfg_error(ctx->errs, p->file, pl->key,
		    "public_key is this node's own public key");

	for (i = 0; i < j; i++) {
		q = &conf->peers[i];
		ql = &ctx->plines[i];
		if (p->name[0] != '\0' && strcmp(p->name, q->name) == 0)
			cfg_error(ctx->errs, p->file, pl->name,
			    "peer name \"%s\" is already used in %s:%d",
			    p->name, q->file, ql->name);
		shared = 0;
		for (k = 0; k < p->naddrs; k++)
			for (l = 0; l < q->naddrs; l++)
				if (addr_eq(&p->addrs[k], &q->addrs[l])) {
					cfg_error(ctx->errs, p->file,
					    pl->addr[k], "address %s is "
					    "already used in %s:%d",
					    addr_ntop(&p->addrs[k], a,
					    sizeof(a)), q->file, ql->addr[l]);
					shared = 1;
				}
		if (!shared && p->naddrs > 0 && q->naddrs > 0 &&
		    memcmp(p->mac, q->mac, sizeof(p->mac)) == 0)
			cfg_error(ctx->errs, p->file, pl->addr[pl->mac_addr],
			    "%s derives the same MAC %s as %s (%s:%d)",
			    addr_ntop(&p->addrs[pl->mac_addr], a, sizeof(a)),
			    mac_ntop(p->mac, m, sizeof(m)),
			    addr_ntop(&q->addrs[ql->mac_addr], b, sizeof(b)),
			    q->file, ql->addr[ql->mac_addr]);
		if (peerconf_shares_key(p, q))
			cfg_error(ctx->errs, p->file, pl->key,
			    "public key is already used in %s:%d", q->file,
			    ql->key);
	}
}

int
config_load(const char *path, struct tm_config *conf,
    struct cfg_errors *errs)
{
	return config_reload(path, conf, errs, NULL);
}

int
config_reload(const char *path, struct tm_config *conf,
    struct cfg_errors *errs, const struct tm_config *running)
{
	struct load_ctx	 ctx;
	config_t	 cf;
	size_t		 before = errs->n + errs->lost, j;
	int		 len;

	memset(conf, 0, sizeof(*conf));
	memset(&ctx, 0, sizeof(ctx));
	ctx.errs = errs;
	ctx.running = running;
	config_init(&cf);

	len = snprintf(conf->file, sizeof(conf->file), "%s", path);
	if (len < 0 || (size_t)len >= sizeof(conf->file)) {
		cfg_error(errs, path, 0, "path too long");
		goto out;
	}
	if (cfg_read(&cf, conf->file, errs) == -1)
		goto out;
	parse_main(&ctx, conf, config_root_setting(&cf));
	if (ctx.peers_dir_ok)
		load_peers(&ctx, conf);
	/* A bound on memory and work, checked before anything is applied. */
	if (conf->max_peers > 0 && conf->npeers > (size_t)conf->max_peers)
		cfg_error(errs, conf->file, 0, "%zu peer files in %s, more than "
		    "max_peers (%d)", conf->npeers, conf->peers_dir,
		    conf->max_peers);
	for (j = 0; j < conf->npeers; j++)
		check_peer(&ctx, conf, j);
 out:
	config_destroy(&cf);
	free(ctx.plines);
	if (errs->n + errs->lost != before) {
		config_free(conf);
		return -1;
	}
	return 0;
}

void
config_free(struct tm_config *conf)
{
	OPENSSL_cleanse(conf->private_key, sizeof(conf->private_key));
	if (conf->peers != NULL)
		OPENSSL_cleanse(conf->peers,
		    conf->npeers * sizeof(*conf->peers));
	free(conf->peers);
	memset(conf, 0, sizeof(*conf));
}
