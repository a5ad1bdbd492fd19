/*
 * The configuration's data model: its limits and defaults, and the
 * structs a load fills in (struct tm_config for the main file, struct
 * peer_conf for each peer file).  Apart from config.h, so that the peer
 * file parser (peerconf.c), which config.c calls, needs nothing of
 * config.c.
 */
#ifndef TAPMESH_CONFDATA_H
#define TAPMESH_CONFDATA_H

#include <net/if.h>
#include <limits.h>
#include <stdint.h>

#include "addr.h"
#include "key.h"

#define TM_MAX_ADDRS		8	/* addresses per node */
#define TM_MAX_ENDPOINTS	8	/* underlay endpoints per peer */
#define TM_NAME_MAX		64	/* peer name, including NUL */
#define TM_DEFAULT_PORT		5655
#define TM_MTU_MIN		576
#define TM_MTU_MAX		9000
#define TM_KEEPALIVE_DEFAULT	10	/* seconds */
#define TM_DEAD_TIME_DEFAULT	30	/* seconds */
#define TM_REKEY_TIME_DEFAULT	120	/* seconds */
#define TM_PROBE_INTERVAL_DEFAULT 1000	/* milliseconds */
#define TM_PATH_HOLD_DOWN_DEFAULT 10	/* seconds */
#define TM_MAX_PEERS_DEFAULT	10000
#define TM_RELAY_RATE_DEFAULT	1000	/* Mbit/s forwarded per source */
#define TM_HOST_NAME_MAX	253	/* a DNS name, without the final dot */
#define TM_MAX_PEER_KEYS	2	/* public keys per peer: a rollover */
#define TM_MAX_ALLOWED_SOURCES	64	/* allowed_sources per peer */

/* The data cipher this node asks for; a session settles on one. */
enum tm_cipher_pref {
	TM_CIPHER_AUTO = 0,
	TM_CIPHER_CHACHA20_POLY1305,
	TM_CIPHER_AES_256_GCM
};

/*
 * What a peer may use as the source of its packets, beyond the rules
 * that always hold (filter.h): anything, what the routes through the
 * TAP lead to it, or its allowed_sources.
 */
enum tm_source_check {
	TM_SOURCE_LOOSE = 0,
	TM_SOURCE_STRICT,
	TM_SOURCE_PREFIXES
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
	/*
	 * public_key is the first key of the file, the one tried first;
	 * during a key rollover public_key2 holds the second, and either
	 * authenticates the peer.
	 */
	uint8_t			 public_key[KEY_LEN];
	int			 has_public_key;	/* always, once valid */
	uint8_t			 public_key2[KEY_LEN];
	int			 has_public_key2;
	char			 psk_file[PATH_MAX];	/* resolved; "": none */
	uint8_t			 psk[KEY_LEN];		/* secret */
	int			 has_psk;
	struct tm_addr		 addrs[TM_MAX_ADDRS];
	size_t			 naddrs;
	struct endpoint_conf	 endpoints[TM_MAX_ENDPOINTS];
	size_t			 nendpoints;	/* sorted by priority */
	uint8_t			 mac[ETH_ALEN_TM];	/* derived */
	struct in6_addr		 lladdr;		/* derived */
	enum tm_source_check	 source_check;	/* the main file's if unset */
	struct tm_prefix	 allowed[TM_MAX_ALLOWED_SOURCES];
	size_t			 nallowed;
};

struct tm_config {
	char			 file[PATH_MAX];
	char			 interface[IFNAMSIZ];
	struct tm_prefix	 addrs[TM_MAX_ADDRS];
	size_t			 naddrs;
	uint16_t		 listen;
	char			 peers_dir[PATH_MAX];	/* resolved path */
	char			 private_key_file[PATH_MAX]; /* resolved */
	uint8_t			 private_key[KEY_LEN]; /* secret */
	uint8_t			 public_key[KEY_LEN];  /* derived */
	int			 private_key_kept; /* reload: unreadable */
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
	int			 dscp_copy;	/* outer DSCP: inner's, or 0 */
	int			 offload;	/* TAP segmentation offload */
	int			 read_ahead;	/* sparse flows first */
	int			 sched_priority; /* data path's SCHED_FIFO, 0: off */
	int			 sched_priority_line;
	int			 relay;		/* forward between peers */
	int			 relay_rate;	/* Mbit/s per source */
	int			 path_hold_down; /* s a better path must last */
	int			 max_peers;	/* peer files accepted at most */
	enum tm_source_check	 source_check;	/* the peers' default */
	char			 control_socket[PATH_MAX]; /* resolved */
	char			 user[TM_NAME_MAX];	/* "" : stay root */
	char			 group[TM_NAME_MAX];	/* control socket's */
	uint8_t			 mac[ETH_ALEN_TM];	/* derived */
	struct in6_addr		 lladdr;		/* derived */
	struct peer_conf	*peers;		/* sorted by file name */
	size_t			 npeers;
};

#endif
