/*
 * The peer table: every configured peer with its runtime state, found by
 * destination MAC (a hash, for every unicast frame) or by tunnel address
 * (for the ARP/NDP responders).
 */
#ifndef TAPMESH_PEER_H
#define TAPMESH_PEER_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "handshake.h"
#include "index.h"
#include "log.h"
#include "path.h"
#include "relaystate.h"

/* Why a packet was dropped; the counters are indexed by these. */
enum drop_reason {
	DROP_MALFORMED = 0,	/* too short, bad header or field */
	DROP_NO_PEER,		/* unicast frame to a MAC of no peer */
	DROP_NO_SESSION,	/* datagram from no known peer or session */
	DROP_NO_ENDPOINT,	/* peer has no endpoint to send to */
	DROP_REDIRECT,		/* ICMP redirect kept off the tunnel */
	DROP_NDP,		/* ARP/NDP not answered locally */
	DROP_TOO_BIG,		/* frame larger than the tunnel carries */
	DROP_IO,		/* a send or write that failed */
	DROP_BAD_AUTH,		/* data that failed authentication */
	DROP_REPLAY,		/* a counter seen before or too old */
	DROP_HANDSHAKE,		/* a handshake message refused */
	DROP_RATELIMIT,		/* a handshake or relaying over a limit */
	DROP_SPOOFED_SOURCE,	/* an IP source the peer may not use */
	DROP_ND_FROM_PEER,	/* ICMPv6 neighbour/router discovery */
	DROP_ECN,		/* CE on the outer over a not-ECT inner */
	DROP_RELAY,		/* a relay message refused */
	DROP_MAX
};

struct peer_stats {
	uint64_t	 rx_packets;
	uint64_t	 rx_bytes;
	uint64_t	 tx_packets;
	uint64_t	 tx_bytes;
	uint64_t	 handshakes_sent;	/* initiations */
	uint64_t	 handshakes_done;	/* sessions established */
	uint64_t	 drops[DROP_MAX];
};

/* Neighbour entries of a peer: its addresses plus its link-local one. */
#define PEER_MAX_NEIGH	(TM_MAX_ADDRS + 1)

struct keypair;

struct peer {
	struct peer_conf	 conf;
	struct peer		*mac_next;	/* hash chain */
	struct path_set		 path;		/* underlay paths (path.h) */
	uint32_t		 neigh_installed; /* bit i: neigh_addr(i) */
	int			 up;		/* authenticated traffic seen */

	/* Keeping the neighbour entries ours (neigh.c). */
	int			 neigh_dirty;	/* restore them soon */
	unsigned int		 neigh_restores; /* in this window */
	uint64_t		 neigh_window_ns;
	uint64_t		 neigh_holdoff_ns; /* no restores before */
	unsigned int		 neigh_backoff_s;

	/*
	 * The secure channel (session.c).  hpeer[i] is the identity of the
	 * i-th public key of its file (two during a key rollover), each
	 * with the pre-shared key.
	 */
	struct handshake_peer	 hpeer[TM_MAX_PEER_KEYS];
	int			 hs_key;	/* hpeer of the initiation */
	int			 last_mac1_key;	/* hpeer of last_mac1's reply */
	struct log_ratelimit	 rl_psk;	/* pre-shared key hints */
	struct handshake	 hs;		/* our initiation in flight */
	struct index_entry	 hs_index;	/* its sender index */
	uint64_t		 hs_sent_ns;	/* 0: none in flight */
	unsigned int		 hs_attempts;	/* unanswered while down */
	uint8_t			 last_mac1[HANDSHAKE_MAC_LEN];
	uint32_t		 last_mac1_index;
	uint8_t			 cookie[HANDSHAKE_COOKIE_LEN];
	uint64_t		 cookie_ns;	/* 0: no cookie */
	uint8_t			 last_timestamp[HANDSHAKE_TAI64N_LEN];
	struct keypair		*kp_current;	/* sends and receives */
	struct keypair		*kp_previous;	/* receives, after a rekey */
	struct keypair		*kp_next;	/* responder, unconfirmed */
	uint64_t		 last_rx_ns;	/* authenticated packet */
	uint64_t		 last_tx_ns;	/* any packet sent */
	uint64_t		 last_handshake_ns;
	uint64_t		 handshake_rtt_ns;

	struct relay_peer	 relay;		/* relay.h */
	struct peer_stats	 stats;
};

struct peer_table {
	struct peer		**peers;	/* each allocated on its own */
	size_t			 npeers;
	struct peer		**buckets;
	size_t			 nbuckets;	/* a power of two */
};

/*
 * Builds the table from a validated configuration.  Returns 0, or -1 if
 * out of memory.
 */
int	 peer_table_init(struct peer_table *, const struct peer_conf *,
	    size_t);

/* A new peer of that configuration, with no state; NULL if out of memory. */
struct peer *peer_new(const struct peer_conf *);

/*
 * Frees a peer and what it holds itself (its relay pairs), wiping it; its
 * sessions and neighbour entries are gone already (session_peer_free,
 * neigh_peer_remove).
 */
void	 peer_free(struct peer *);

/*
 * Makes the table hold exactly the n peers given (a reload's result),
 * rebuilding the MAC hash.  The array is taken over by the table.  Peers
 * that were in the table before but are not given are not freed here.
 * Returns 0, or -1 if out of memory (the table is then unchanged).
 */
int	 peer_table_set(struct peer_table *, struct peer **, size_t);

/*
 * peer_table_set in two steps, for a reload that must allocate before
 * it changes anything: the zeroed buckets of the MAC hash for n peers
 * (NULL if out of memory; their number in *nbuckets), then the change,
 * which cannot fail and takes the buckets over.
 */
struct peer **peer_buckets_new(size_t n, size_t *nbuckets);
void	 peer_table_commit(struct peer_table *, struct peer **, size_t,
	    struct peer **, size_t);

/* Frees the table and every peer in it. */
void	 peer_table_free(struct peer_table *);

/*
 * The id by which relays name p (WIRE_RELAY_ID_LEN bytes, PROTOCOL
 * section 7): the first bytes of its static public key.
 */
const uint8_t *peer_relay_id(const struct peer *);

/* The peer owning a MAC, or NULL. */
struct peer *peer_find_by_mac(const struct peer_table *, const uint8_t *);

/* The peer with this public key (KEY_LEN bytes, any of its keys), or NULL. */
struct peer *peer_find_by_key(const struct peer_table *, const uint8_t *);

/* The peer owning a tunnel address (link-local included), or NULL. */
struct peer *peer_find_by_addr(const struct peer_table *,
	    const struct tm_addr *);

/*
 * The number of neighbour entries of the peer, and the i-th address:
 * its configured addresses, then its IPv6 link-local address.
 */
size_t	 peer_neigh_count(const struct peer *);
void	 peer_neigh_addr(const struct peer *, size_t, struct tm_addr *);

/* Short names of the drop reasons for logs and counters. */
const char *peer_drop_name(enum drop_reason);

#endif
