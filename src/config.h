/*
 * Configuration: the main file and one file per peer in peers_dir.
 *
 * A configuration is parsed into a fresh struct tm_config, validated
 * completely, and only then handed to the daemon; a load that reports any
 * error returns nothing usable, so the caller keeps its old state.
 */
#ifndef TAPMESH_CONFIG_H
#define TAPMESH_CONFIG_H

#include <net/if.h>
#include <limits.h>
#include <stdint.h>

#include "addr.h"

#define TM_MAX_ADDRS		8	/* addresses per node */
#define TM_MAX_ENDPOINTS	8	/* underlay endpoints per peer */
#define TM_NAME_MAX		64	/* peer name, including NUL */
#define TM_KEY_LEN		32	/* X25519 key length */
#define TM_DEFAULT_PORT		5655
#define TM_MTU_MIN		576
#define TM_MTU_MAX		9000
#define TM_KEEPALIVE_DEFAULT	10	/* seconds */
#define TM_DEAD_TIME_DEFAULT	30	/* seconds */
#define TM_REKEY_TIME_DEFAULT	120	/* seconds */
#define TM_PROBE_INTERVAL_DEFAULT 1000	/* milliseconds */
#define TM_PATH_HOLD_DOWN_DEFAULT 10	/* seconds */
#define TM_MAX_PEERS_DEFAULT	10000
#define TM_HOST_NAME_MAX	253	/* a DNS name, without the final dot */

/* The data cipher this node asks for; a session settles on one. */
enum tm_cipher_pref {
	TM_CIPHER_AUTO = 0,
	TM_CIPHER_CHACHA20_POLY1305,
	TM_CIPHER_AES_256_GCM
};

/*
 * An endpoint's host is a numeric address or a host name.  A name is
 * resolved outside the parser (hostname.c), at start and reload and
 * again later; until then sa holds the port and no address.
 */
struct endpoint_conf {
	char			 host[256];
	uint16_t		 port;
	int			 priority;	/* lower is preferred */
	int			 mtu;		/* underlay MTU; 0: unknown */
	int			 is_name;	/* host is a name, not numeric */
	int			 resolved;	/* sa holds an address */
	int			 line;		/* of host, for messages */
	struct sockaddr_in6	 sa;		/* IPv4 as v4-mapped */
	struct in6_addr		 source;	/* local address to send from */
	int			 has_source;
};

struct peer_conf {
	char			 name[TM_NAME_MAX];
	char			 file[PATH_MAX];	/* where it was defined */
	uint8_t			 public_key[TM_KEY_LEN];
	int			 has_public_key;	/* always, once valid */
	struct tm_addr		 addrs[TM_MAX_ADDRS];
	size_t			 naddrs;
	struct endpoint_conf	 endpoints[TM_MAX_ENDPOINTS];
	size_t			 nendpoints;	/* sorted by priority */
	uint8_t			 mac[ETH_ALEN_TM];	/* derived */
	struct in6_addr		 lladdr;		/* derived */
};

struct tm_config {
	char			 file[PATH_MAX];
	char			 interface[IFNAMSIZ];
	struct tm_prefix	 addrs[TM_MAX_ADDRS];
	size_t			 naddrs;
	uint16_t		 listen;
	char			 peers_dir[PATH_MAX];	/* resolved path */
	char			 private_key_file[PATH_MAX]; /* resolved */
	uint8_t			 private_key[TM_KEY_LEN]; /* secret */
	uint8_t			 public_key[TM_KEY_LEN];  /* derived */
	int			 mtu;		/* 0: derive from overhead */
	uint8_t			 mac_prefix;
	/*
	 * Seconds: without sending before a keepalive, without hearing from
	 * a peer before it is down, between renewals of session keys.
	 */
	int			 keepalive;
	int			 dead_time;	/* > keepalive */
	int			 rekey_time;
	enum tm_cipher_pref	 cipher;
	int			 probe_interval; /* ms between path probes */
	int			 clamp_mss;	/* rewrite the MSS of TCP SYNs */
	int			 offload;	/* TAP segmentation offload */
	int			 path_hold_down; /* s a better path must last */
	int			 max_peers;	/* peer files accepted at most */
	char			 control_socket[PATH_MAX]; /* resolved */
	char			 user[TM_NAME_MAX];	/* "" : stay root */
	char			 group[TM_NAME_MAX];	/* control socket's */
	uint8_t			 mac[ETH_ALEN_TM];	/* derived */
	struct in6_addr		 lladdr;		/* derived */
	struct peer_conf	*peers;		/* sorted by file name */
	size_t			 npeers;
};

/*
 * Collected error messages, each already formatted as "FILE:LINE: text"
 * (or "FILE: text" where no line applies).
 */
struct cfg_errors {
	char			**msg;
	size_t			 n;
	size_t			 lost;	/* dropped for lack of memory */
};

/*
 * Loads the main file at path, its private key file and every peer file
 * of its peers_dir into *conf.  Every problem found is appended to errs;
 * loading goes on after an error so that all of them are reported at
 * once.  Returns 0 if the configuration is valid, or -1 (conf is then
 * zeroed, the private key wiped, and holds nothing to free).  conf holds
 * the private key: copy it as little as possible.
 * Relative paths in the main file are resolved against the directory
 * part of path, and the results are kept as they are, so a caller that
 * changes its working directory should pass an absolute path.
 */
int	 config_load(const char *, struct tm_config *, struct cfg_errors *);

/*
 * Like config_load, for a reload of the running configuration: the
 * private key is taken from running instead of its file (which the
 * daemon may no longer be allowed to read after dropping privileges),
 * and a private_key_file naming another file is an error.
 */
int	 config_reload(const char *, struct tm_config *, struct cfg_errors *,
	    const struct tm_config *);

/*
 * Frees what config_load allocated inside conf and wipes the private key
 * with OPENSSL_cleanse; conf is left zeroed.
 */
void	 config_free(struct tm_config *);

/* Appends a formatted message to errs. */
void	 cfg_error(struct cfg_errors *, const char *, int, const char *, ...)
	    __attribute__((format(printf, 4, 5)));

/* Frees every message in errs and empties it. */
void	 cfg_errors_clear(struct cfg_errors *);

/*
 * Helpers over libconfig shared by the main-file parser (config.c) and
 * the peer-file parser (peerconf.c); the daemon has no use for them.
 * The structs are only declared so that this header does not pull in
 * libconfig.h.  Wherever a file name is passed, it is the file being
 * parsed; a setting that came from an @include names its own file.
 */
struct config_t;
struct config_setting_t;

/*
 * Reads the libconfig file at path into cf (initialised by the caller).
 * Reports a file that cannot be opened, is not a regular file, or does
 * not parse.  Returns 0, or -1.
 */
int	 cfg_read(struct config_t *, const char *, struct cfg_errors *);

/*
 * Appends a message located at the file and line of a setting, or at
 * the file alone if the setting is NULL.
 */
void	 cfg_serror(struct cfg_errors *, const char *,
	    const struct config_setting_t *, const char *, ...)
	    __attribute__((format(printf, 4, 5)));

/*
 * Reports every member of a group whose name is not in the NULL
 * terminated list keys.  Returns the number reported.
 */
int	 cfg_check_keys(struct cfg_errors *, const char *,
	    const struct config_setting_t *, const char *const *);

/*
 * Looks up the string member key of a group.  Returns 1 and sets *val
 * and *where if it is present, 0 if absent, or -1 (reported) if it is
 * not a string.
 */
int	 cfg_get_string(struct cfg_errors *, const char *,
	    const struct config_setting_t *, const char *, const char **,
	    const struct config_setting_t **);

/*
 * Looks up the boolean member key of a group.  Returns 1 and sets *val
 * if it is present, 0 if absent, or -1 (reported) if it is not true or
 * false.
 */
int	 cfg_get_bool(struct cfg_errors *, const char *,
	    const struct config_setting_t *, const char *, int *);

/*
 * Looks up the integer member key of a group.  Returns 1 and sets *val
 * and *where if it is present and within min..max, 0 if absent, or -1
 * (reported) if it is not an integer or out of range.
 */
int	 cfg_get_int(struct cfg_errors *, const char *,
	    const struct config_setting_t *, const char *, long long,
	    long long, long long *, const struct config_setting_t **);

/*
 * Looks up the member key of a group holding one string or an array or
 * list of strings, and stores the string settings (at most max) in
 * elems.  Returns 1 with *n set if present (possibly empty), 0 if
 * absent, or -1 (reported) if it has the wrong type, holds anything but
 * strings or more than max elements.
 */
int	 cfg_get_strings(struct cfg_errors *, const char *,
	    const struct config_setting_t *, const char *, size_t,
	    const struct config_setting_t **, size_t *);

#endif
