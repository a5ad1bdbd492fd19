/*
 * One peer file of peers_dir: name, public keys, pre-shared key, tunnel
 * addresses and underlay endpoints.
 */
#include <arpa/inet.h>

#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cfg.h"
#include "confdata.h"
#include "key.h"
#include "peerconf.h"

#define PEERCONF_PRIORITY	100
#define TM_STR(x)		TM_STR2(x)
#define TM_STR2(x)		#x

static const char *const peer_keys[] = {
	"name", "public_key", "preshared_key_file", "address", "endpoints",
	"source_check", "allowed_sources", NULL
};

static const char *const source_check_names[] = {
	[TM_SOURCE_LOOSE] = "loose",
	[TM_SOURCE_STRICT] = "strict",
	[TM_SOURCE_PREFIXES] = "prefixes",
};

static const char *const endpoint_keys[] = {
	"host", "port", "priority", "mtu", "source", NULL
};

static int
valid_peer_name(const char *s)
{
	size_t	len = strlen(s), i;

	if (len == 0 || len >= TM_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static void
parse_name(struct cfg_errors *errs, const config_setting_t *root,
    struct peer_conf *pc, struct peerconf_lines *pl)
{
	const config_setting_t	*s;
	const char		*v;
	int			 r;

	r = cfg_get_string(errs, pc->file, root, "name", &v, &s);
	if (r == 0)
		cfg_error(errs, pc->file, 0, "missing \"name\"");
	if (r != 1)
		return;
	if (!valid_peer_name(v)) {
		cfg_serror(errs, pc->file, s, "invalid peer name \"%s\" "
		    "(1..%d characters of A-Z a-z 0-9 . _ -)", v,
		    TM_NAME_MAX - 1);
		return;
	}
	snprintf(pc->name, sizeof(pc->name), "%s", v);
	pl->name = (int)config_setting_source_line(s);
}

/*
 * public_key: one key, or a list of two during a key rollover ("NEW",
 * "OLD"), either of which authenticates the peer.
 */
static void
parse_key(struct cfg_errors *errs, const config_setting_t *root,
    struct peer_conf *pc, struct peerconf_lines *pl)
{
	const config_setting_t	*elems[TM_MAX_PEER_KEYS];
	uint8_t			*keys[TM_MAX_PEER_KEYS] = { pc->public_key,
				    pc->public_key2 };
	const char		*why;
	size_t			 n, i;
	int			 r;

	r = cfg_get_strings(errs, pc->file, root, "public_key",
	    TM_MAX_PEER_KEYS, elems, &n);
	if (r == 0)
		cfg_error(errs, pc->file, 0, "missing \"public_key\"");
	if (r != 1)
		return;
	if (n == 0) {
		cfg_serror(errs, pc->file,
		    config_setting_get_member(root, "public_key"),
		    "public_key: at least one key is required");
		return;
	}
	for (i = 0; i < n; i++) {
		why = key_b64_decode_why(config_setting_get_string(elems[i]),
		    keys[i]);
		if (why != NULL) {
			cfg_serror(errs, pc->file, elems[i], "public_key: %s",
			    why);
			return;
		}
	}
	if (n == 2 && memcmp(pc->public_key, pc->public_key2, KEY_LEN) == 0) {
		cfg_serror(errs, pc->file, elems[1],
		    "public_key: the same key is listed twice");
		return;
	}
	pc->has_public_key = 1;
	pc->has_public_key2 = n == 2;
	pl->key = (int)config_setting_source_line(elems[0]);
}

/*
 * preshared_key_file: a file holding 32 random bytes in base64, with the
 * private key's rules (mode 0600, owner), relative to the peer file.
 */
static void
parse_psk(struct cfg_errors *errs, const config_setting_t *root,
    struct peer_conf *pc)
{
	const config_setting_t	*s;
	const char		*v;
	char			 msg[PATH_MAX + 128];
	size_t			 plen;

	if (cfg_get_string(errs, pc->file, root, "preshared_key_file", &v,
	    &s) != 1)
		return;
	if (v[0] == '\0') {
		cfg_serror(errs, pc->file, s, "preshared_key_file: empty path");
		return;
	}
	if (cfg_resolve_path(pc->file, v, pc->psk_file,
	    sizeof(pc->psk_file)) == -1) {
		cfg_serror(errs, pc->file, s, "preshared_key_file: path too "
		    "long");
		pc->psk_file[0] = '\0';
		return;
	}
	if (key_load_secret(pc->psk_file, "pre-shared key", "pre-shared key",
	    pc->psk, msg, sizeof(msg)) == -1) {
		/* The message begins with the path, which is said already. */
		plen = strlen(pc->psk_file);
		cfg_serror(errs, pc->file, s, "preshared_key_file \"%s\": %s",
		    pc->psk_file, strncmp(msg, pc->psk_file, plen) == 0 &&
		    msg[plen] == ':' ? msg + plen + 2 : msg);
		return;
	}
	pc->has_psk = 1;
}

static void
parse_addrs(struct cfg_errors *errs, const config_setting_t *root,
    const struct tm_config *local, struct peer_conf *pc,
    struct peerconf_lines *pl)
{
	const config_setting_t	*elems[TM_MAX_ADDRS];
	struct tm_addr		 a;
	const char		*v;
	char			 buf[INET6_ADDRSTRLEN];
	size_t			 n, i, j;
	int			 r, bad;

	r = cfg_get_strings(errs, pc->file, root, "address", TM_MAX_ADDRS,
	    elems, &n);
	if (r == 0)
		cfg_error(errs, pc->file, 0, "missing \"address\"");
	if (r != 1)
		return;
	if (n == 0) {
		cfg_serror(errs, pc->file,
		    config_setting_get_member(root, "address"),
		    "address: at least one address is required");
		return;
	}
	for (i = 0; i < n; i++) {
		v = config_setting_get_string(elems[i]);
		if (strchr(v, '/') != NULL) {
			cfg_serror(errs, pc->file, elems[i], "address \"%s\": "
			    "expected a plain address, without a prefix "
			    "length", v);
			continue;
		}
		if (addr_parse(v, &a) == -1) {
			cfg_serror(errs, pc->file, elems[i],
			    "address \"%s\": invalid address", v);
			continue;
		}
		addr_ntop(&a, buf, sizeof(buf));
		for (bad = 0, j = 0; j < pc->naddrs; j++)
			if (addr_eq(&pc->addrs[j], &a))
				bad = 1;
		if (bad) {
			cfg_serror(errs, pc->file, elems[i],
			    "duplicate address %s", buf);
			continue;
		}
		/* A peer must be reachable on the link, without a router. */
		for (bad = local->naddrs > 0, j = 0; j < local->naddrs; j++)
			if (prefix_contains(&local->addrs[j], &a))
				bad = 0;
		if (bad) {
			cfg_serror(errs, pc->file, elems[i], "address %s is "
			    "not inside any %s prefix of the interface", buf,
			    a.family == AF_INET ? "IPv4" : "IPv6");
			continue;
		}
		pl->addr[pc->naddrs] =
		    (int)config_setting_source_line(elems[i]);
		pc->addrs[pc->naddrs++] = a;
	}
	if (pc->naddrs > 0) {
		mac_derive(local->mac_prefix, pc->addrs, pc->naddrs, pc->mac);
		mac_to_linklocal(pc->mac, &pc->lladdr);
		pl->mac_addr = (size_t)mac_source(pc->addrs, pc->naddrs);
	}
}

/*
 * A host name as DNS spells it (RFC 1123, with '_' tolerated as
 * resolvers do): dot-separated labels of 1..63 letters, digits, '-' and
 * '_', not beginning or ending with '-', at most TM_HOST_NAME_MAX
 * characters without a final dot.  The last label must not be all
 * digits, so that a mistyped address ("192.0.2.300") is not taken for a
 * name.  Returns NULL, or what is wrong.
 */
static const char *
host_name_invalid(const char *s)
{
	size_t	 len = strlen(s), i, label = 0, start = 0;
	int	 digits = 1;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0)
		return "is empty";
	if (len > TM_HOST_NAME_MAX)
		return "is longer than " TM_STR(TM_HOST_NAME_MAX) " characters";
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (label == 0 || label > 63)
				return "has a label of 0 or more than 63 "
				    "characters";
			if (s[start] == '-' || s[i - 1] == '-')
				return "has a label beginning or ending with "
				    "'-'";
			if (i == len && digits)
				return "ends in an all-numeric label (not a "
				    "valid address either)";
			label = 0;
			digits = 1;
			start = i + 1;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return "holds a character other than A-Z a-z 0-9 - _ "
			    "and dots";
		if (s[i] < '0' || s[i] > '9')
			digits = 0;
		label++;
	}
	return NULL;
}

/*
 * The host of an endpoint: a numeric address (into a), or a host name
 * (ep->is_name, resolved later).  Returns 0, or -1 if reported.
 */
static int
parse_host(struct cfg_errors *errs, const char *file,
    const config_setting_t *g, struct endpoint_conf *ep, struct tm_addr *a)
{
	const config_setting_t	*s;
	const char		*host, *why;
	int			 r;

	r = cfg_get_string(errs, file, g, "host", &host, &s);
	if (r == 0)
		cfg_serror(errs, file, g, "endpoint: missing \"host\"");
	if (r != 1)
		return -1;
	if (addr_parse(host, a) == 0) {
		snprintf(ep->host, sizeof(ep->host), "%s", host);
		return 0;
	}
	if (strchr(host, ':') != NULL) {
		cfg_serror(errs, file, s, "endpoint \"%s\": invalid IPv6 "
		    "address", host);
		return -1;
	}
	if ((why = host_name_invalid(host)) != NULL) {
		cfg_serror(errs, file, s, "endpoint \"%.*s%s\": not a numeric "
		    "address, and as a host name it %s", 40, host,
		    strlen(host) > 40 ? "..." : "", why);
		return -1;
	}
	snprintf(ep->host, sizeof(ep->host), "%s", host);
	ep->is_name = 1;
	ep->line = (int)config_setting_source_line(s);
	return 0;
}

/* Returns 0 and fills ep, or -1 if the endpoint group was reported. */
static int
parse_endpoint(struct cfg_errors *errs, const char *file,
    const config_setting_t *g, struct endpoint_conf *ep)
{
	const config_setting_t	*s;
	struct tm_addr		 a;
	const char		*host;
	long long		 v;
	int			 r, bad = 0;

	memset(ep, 0, sizeof(*ep));
	memset(&a, 0, sizeof(a));
	if (cfg_check_keys(errs, file, g, endpoint_keys) > 0)
		bad = 1;
	if (parse_host(errs, file, g, ep, &a) == -1)
		bad = 1;

	ep->port = TM_DEFAULT_PORT;
	r = cfg_get_int(errs, file, g, "port", 1, 65535, &v, &s);
	if (r == 1)
		ep->port = (uint16_t)v;
	else if (r == -1)
		bad = 1;

	ep->priority = PEERCONF_PRIORITY;
	r = cfg_get_int(errs, file, g, "priority", 0, INT_MAX, &v, &s);
	if (r == 1)
		ep->priority = (int)v;
	else if (r == -1)
		bad = 1;

	/* The underlay MTU of this path, when it is known to be small. */
	r = cfg_get_int(errs, file, g, "mtu", TM_MTU_MIN, 65535, &v, &s);
	if (r == 1)
		ep->mtu = (int)v;
	else if (r == -1)
		bad = 1;

	/* The local address this path leaves from (a second uplink). */
	r = cfg_get_string(errs, file, g, "source", &host, &s);
	if (r == 1) {
		struct tm_addr	 src;

		if (addr_parse(host, &src) == -1) {
			cfg_serror(errs, file, s, "endpoint: source \"%s\" must "
			    "be a numeric IPv4 or IPv6 address", host);
			bad = 1;
		} else if (!ep->is_name && a.family != 0 &&
		    src.family != a.family) {
			cfg_serror(errs, file, s, "endpoint: source \"%s\" is "
			    "not of the host's address family", host);
			bad = 1;
		} else if (src.family == AF_INET) {
			ep->source.s6_addr[10] = 0xff;
			ep->source.s6_addr[11] = 0xff;
			memcpy(&ep->source.s6_addr[12], &src.u.v4, 4);
			ep->has_source = 1;
		} else {
			ep->source = src.u.v6;
			ep->has_source = 1;
		}
	} else if (r == -1)
		bad = 1;

	if (bad)
		return -1;

	/* One dual-stack socket sends to everything, IPv4 as v4-mapped. */
	ep->sa.sin6_family = AF_INET6;
	ep->sa.sin6_port = htons(ep->port);
	if (ep->is_name)
		return 0;		/* the address comes from hostname.c */
	ep->resolved = 1;
	if (a.family == AF_INET) {
		ep->sa.sin6_addr.s6_addr[10] = 0xff;
		ep->sa.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&ep->sa.sin6_addr.s6_addr[12], &a.u.v4, 4);
	} else
		ep->sa.sin6_addr = a.u.v6;
	return 0;
}

int
peerconf_endpoint_same(const struct endpoint_conf *a,
    const struct endpoint_conf *b)
{
	if (a->is_name != b->is_name || a->port != b->port ||
	    a->has_source != b->has_source || (a->has_source &&
	    memcmp(&a->source, &b->source, sizeof(a->source)) != 0))
		return 0;
	if (a->is_name)
		return strcasecmp(a->host, b->host) == 0;
	return memcmp(&a->sa.sin6_addr, &b->sa.sin6_addr,
	    sizeof(a->sa.sin6_addr)) == 0;
}

static void
parse_endpoints(struct cfg_errors *errs, const config_setting_t *root,
    struct peer_conf *pc)
{
	const config_setting_t	*s, *g;
	struct endpoint_conf	 ep;
	size_t			 i, j;
	int			 n, k, dup;

	if ((s = config_setting_get_member(root, "endpoints")) == NULL)
		return;
	/* libconfig arrays only hold scalars, but an empty one is fine. */
	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    config_setting_type(s) != CONFIG_TYPE_ARRAY) {
		cfg_serror(errs, pc->file, s,
		    "endpoints: expected a list of groups");
		return;
	}
	n = config_setting_length(s);
	if (n > TM_MAX_ENDPOINTS) {
		cfg_serror(errs, pc->file, s, "endpoints: more than %d entries",
		    TM_MAX_ENDPOINTS);
		return;
	}
	for (k = 0; k < n; k++) {
		g = config_setting_get_elem(s, (unsigned int)k);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cfg_serror(errs, pc->file, g,
			    "endpoints: expected a list of groups");
			continue;
		}
		if (parse_endpoint(errs, pc->file, g, &ep) == -1)
			continue;
		for (dup = 0, j = 0; j < pc->nendpoints; j++)
			if (peerconf_endpoint_same(&pc->endpoints[j], &ep))
				dup = 1;
		if (dup) {
			cfg_serror(errs, pc->file, g, "endpoint %s port %u is "
			    "listed twice", ep.host, ep.port);
			continue;
		}
		/*
		 * Insertion after every endpoint of lower or equal priority
		 * keeps the file's order among equals.
		 */
		for (i = pc->nendpoints; i > 0 &&
		    pc->endpoints[i - 1].priority > ep.priority; i--)
			pc->endpoints[i] = pc->endpoints[i - 1];
		pc->endpoints[i] = ep;
		pc->nendpoints++;
	}
}

int
peerconf_source_check(struct cfg_errors *errs, const char *file,
    const config_setting_t *root, enum tm_source_check *mode)
{
	const config_setting_t	*s;
	const char		*v;
	size_t			 i;
	int			 r;

	if ((r = cfg_get_string(errs, file, root, "source_check", &v, &s)) != 1)
		return r;
	for (i = 0; i < sizeof(source_check_names) /
	    sizeof(source_check_names[0]); i++)
		if (strcmp(v, source_check_names[i]) == 0) {
			*mode = (enum tm_source_check)i;
			return 1;
		}
	cfg_serror(errs, file, s, "source_check \"%s\": expected \"loose\", "
	    "\"strict\" or \"prefixes\"", v);
	return -1;
}

const char *
peerconf_source_check_name(enum tm_source_check mode)
{
	if ((size_t)mode >= sizeof(source_check_names) /
	    sizeof(source_check_names[0]))
		return "unknown";
	return source_check_names[mode];
}

/*
 * The prefixes a peer in "prefixes" mode may send from, besides its own
 * addresses.  Host bits must be clear, so that a typo in the length is
 * not silently taken for a wider or narrower prefix.
 */
static void
parse_allowed(struct cfg_errors *errs, const config_setting_t *root,
    struct peer_conf *pc)
{
	const config_setting_t	*elems[TM_MAX_ALLOWED_SOURCES];
	struct tm_prefix	 p, net;
	const char		*v;
	size_t			 n, i;

	if (cfg_get_strings(errs, pc->file, root, "allowed_sources",
	    TM_MAX_ALLOWED_SOURCES, elems, &n) != 1)
		return;
	for (i = 0; i < n; i++) {
		v = config_setting_get_string(elems[i]);
		/* Zeroed, so that reload can compare the lists bytewise. */
		memset(&p, 0, sizeof(p));
		if (prefix_parse(v, &p) == -1) {
			cfg_serror(errs, pc->file, elems[i], "allowed_sources "
			    "\"%s\": expected address/length", v);
			continue;
		}
		net = p;
		prefix_mask(&net);
		if (!addr_eq(&net.addr, &p.addr)) {
			cfg_serror(errs, pc->file, elems[i], "allowed_sources "
			    "\"%s\": host bits set beyond /%d", v, p.plen);
			continue;
		}
		pc->allowed[pc->nallowed++] = p;
	}
}

int
peerconf_load(const char *path, const struct tm_config *local,
    struct peer_conf *pc, struct peerconf_lines *pl, struct cfg_errors *errs)
{
	config_t		 cf;
	const config_setting_t	*root;
	size_t			 before = errs->n + errs->lost;
	int			 len;

	memset(pc, 0, sizeof(*pc));
	memset(pl, 0, sizeof(*pl));
	len = snprintf(pc->file, sizeof(pc->file), "%s", path);
	if (len < 0 || (size_t)len >= sizeof(pc->file)) {
		cfg_error(errs, path, 0, "path too long");
		pc->file[0] = '\0';
		return -1;
	}

	config_init(&cf);
	if (cfg_read(&cf, pc->file, errs) == -1)
		goto out;
	root = config_root_setting(&cf);
	cfg_check_keys(errs, pc->file, root, peer_keys);
	parse_name(errs, root, pc, pl);
	parse_key(errs, root, pc, pl);
	parse_psk(errs, root, pc);
	parse_addrs(errs, root, local, pc, pl);
	parse_endpoints(errs, root, pc);
	pc->source_check = local->source_check;
	(void)peerconf_source_check(errs, pc->file, root, &pc->source_check);
	parse_allowed(errs, root, pc);
 out:
	config_destroy(&cf);
	return errs->n + errs->lost == before ? 0 : -1;
}

int
peerconf_has_key(const struct peer_conf *pc, const uint8_t *key)
{
	return peerconf_key_index(pc, key) != -1;
}

int
peerconf_key_index(const struct peer_conf *pc, const uint8_t *key)
{
	if (pc->has_public_key && memcmp(pc->public_key, key, KEY_LEN) == 0)
		return 0;
	if (pc->has_public_key2 && memcmp(pc->public_key2, key, KEY_LEN) == 0)
		return 1;
	return -1;
}

int
peerconf_shares_key(const struct peer_conf *a, const struct peer_conf *b)
{
	return (a->has_public_key && peerconf_has_key(b, a->public_key)) ||
	    (a->has_public_key2 && peerconf_has_key(b, a->public_key2));
}

const uint8_t *
peerconf_key(const struct peer_conf *pc, int i)
{
	if (i == 0 && pc->has_public_key)
		return pc->public_key;
	if (i == 1 && pc->has_public_key2)
		return pc->public_key2;
	return NULL;
}
