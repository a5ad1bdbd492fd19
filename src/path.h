/*
 * Underlay paths: a peer may have several configured endpoints (e.g. two
 * Internet lines), each with a priority.  While a session is up every
 * path is probed on its own (probe.h); a path whose last three probes
 * went unanswered is down.  Traffic uses the preferred live path, moves
 * to the next one when it fails (no new handshake, the peer does not go
 * down), and moves back to a better path only after it has stayed up for
 * the hold-down time.  Without any live configured path, traffic goes to
 * the learned path: where the peer was heard from (a peer behind NAT, or
 * one that changed its address).
 *
 * An endpoint may name its host (hostname.c): the path has no address
 * ("unresolved", neither probed nor tried) until the name resolves, and
 * moves to a new address when a later lookup finds one.  Two endpoints
 * may lead to one address from two local sources (two uplinks); the
 * caller of a send names the source (path_source, or the probed path's).
 *
 * A peer behind NATs with two uplinks is heard from two addresses (two
 * mappings) that are none of our configured paths.  Every address heard
 * from is kept (a few, the least recently heard replaced first) with
 * what the peer's probes arriving from it said: which of its paths it
 * is, and whether the peer currently sends on it (its active path).  The
 * learned path in use follows the peer's active path: a packet from an
 * address the peer calls a backup does not move traffic while the
 * address in use was heard from within PATH_MISSED_DOWN probe intervals,
 * so the backup's probes cannot drag traffic over; when the peer fails
 * over, its first packet from the new path (a probe saying "active", or
 * data once the old address went quiet) moves traffic there.  Both ends
 * should use the same probe_interval.
 *
 * This module keeps one peer's paths (struct path_set) and knows nothing
 * of sessions or sending: the caller passes the time, the hold-down and
 * whether a session exists.  path_choose is a pure function.
 */
#ifndef TAPMESH_PATH_H
#define TAPMESH_PATH_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "log.h"

/* Probes unanswered in a row before a path is down. */
#define PATH_MISSED_DOWN	3
#define PATH_SET_MAX		TM_MAX_ENDPOINTS
#define PATH_MAX_LEARNED	4

/* path_choose's answers other than a configured path's index. */
#define PATH_LEARNED		(-1)	/* where the peer was heard from */
#define PATH_NONE		(-2)	/* no candidate: stay */
#define PATH_RELAY		(-3)	/* through a relay peer (relay.h) */

/*
 * An underlay path to a peer: one of its configured endpoints, probed on
 * its own, or the address it was last heard from (learned, e.g. through
 * a NAT).
 */
struct path {
	struct sockaddr_in6	 addr;
	int			 priority;	/* lower is preferred */
	int			 up;		/* probes answered (or untried) */
	uint64_t		 up_since_ns;
	uint64_t		 last_probe_ns;	/* sent */
	uint64_t		 last_reply_ns;	/* answered */
	uint32_t		 probe_seq;	/* of the last probe sent */
	int			 answered;	/* the last probe was */
	unsigned int		 missed;	/* probes unanswered in a row */
	uint64_t		 rtt_ns;
	uint64_t		 probes_sent;
	uint64_t		 probes_answered;
	int			 mtu;		/* underlay MTU; 0: unknown */
	int			 conf_mtu;	/* as configured */
	uint64_t		 mtu_learned_ns; /* mtu is from ICMP; 0: not */
	const struct in6_addr	*source;	/* send from; NULL: any */

	/* An endpoint given by host name (hostname.c). */
	const char		*host;		/* NULL: numeric */
	int			 resolved;	/* addr holds an address */
	int			 resolving;	/* a lookup is in flight */
	uint64_t		 resolve_ns;	/* latest lookup done */
	unsigned int		 resolve_backoff_s;
};

/*
 * An address the peer was heard from that is none of its configured
 * paths (a NAT mapping).  A peer behind NAT with two uplinks is heard
 * from two; its probes say which of its paths each one is and which one
 * it sends on.
 */
struct learned_path {
	struct sockaddr_in6	 addr;
	uint64_t		 heard_ns;	/* latest authenticated packet */
	int			 peer_path;	/* its probes' index; -1: none */
	int			 peer_active;	/* its latest probe said so */
};

/* One peer's paths. */
struct path_set {
	const char		*name;		/* the peer's, for the logs */
	struct sockaddr_in6	 endpoint;	/* where to send now */
	int			 has_endpoint;
	struct path		 paths[PATH_SET_MAX];	/* configured */
	size_t			 npaths;
	int			 active;	/* index, or PATH_LEARNED */
	struct path		 learned;	/* the learned path in use */
	int			 has_learned;
	struct learned_path	 heard[PATH_MAX_LEARNED];
	size_t			 nheard;
	size_t			 hs_path;	/* tried by the next handshake */

	/*
	 * The last-resort path through a relay peer (relay.h chooses it and
	 * names it; probes through it say whether it works).
	 */
	struct path		 relay;
	int			 has_relay;
	const char		*relay_name;	/* the relay peer's */
};

/*
 * Sets the paths from the peer's configured endpoints (start, or a
 * reload that changed them); a learned path is kept.  conf must outlive
 * the set (its name and source addresses are referred to).
 */
void	 path_init(struct path_set *, const struct peer_conf *);

/*
 * The path traffic should use now: the preferred live configured path,
 * PATH_LEARNED, PATH_RELAY or PATH_NONE.  With a working relay path, a
 * learned path counts only while heard from within fresh_ns.  A path that missed its latest probe is
 * not switched to, and one that came back up is switched to only after
 * it stayed up for the whole hold-down (hold_ns), so a flapping primary
 * cannot drag traffic back and forth.  Pure: it changes nothing.
 */
int	 path_choose(const struct path_set *, uint64_t now, uint64_t hold_ns,
	    uint64_t fresh_ns);

/* Moves traffic to path_choose's answer (logged through rl). */
void	 path_select(struct path_set *, uint64_t now, uint64_t hold_ns,
	    uint64_t fresh_ns, struct log_ratelimit *);

/*
 * The path through a relay: name is the relay's (NULL: none is left).
 * A new relay starts untried and up, like a new configured path; the
 * active path moves to it only when path_choose says so, or at once if
 * the peer has no endpoint at all.
 */
void	 path_set_relay(struct path_set *, const char *name,
	    struct log_ratelimit *);

/*
 * Something authenticated came through the relay: without a relay path
 * yet, name's becomes the one, and it is used if nothing direct is.
 */
void	 path_relay_heard(struct path_set *, const char *name, uint64_t now,
	    struct log_ratelimit *);

/* Whether traffic to the peer goes through the relay. */
static inline int
path_relayed(const struct path_set *ps)
{
	return ps->active == PATH_RELAY;
}

/*
 * An authenticated packet other than a probe came from from: remembers
 * it as the learned path, and uses it at once when no configured path is
 * known to work.  fresh_ns is how long an address counts as still in use
 * (PATH_MISSED_DOWN probe intervals).
 */
void	 path_heard(struct path_set *, const struct sockaddr_in6 *,
	    uint64_t now, uint64_t fresh_ns, struct log_ratelimit *);

/*
 * A probe request from from said it is the peer's path peer_path, and
 * whether the peer sends on it: a learned path follows the one the peer
 * sends on, if that one is still heard from.
 */
void	 path_probe_heard(struct path_set *, const struct sockaddr_in6 *,
	    int peer_path, int peer_active, uint64_t now, uint64_t fresh_ns,
	    struct log_ratelimit *);

/*
 * Where the next handshake goes, and from which local address: the
 * active path, or, when retrying without a session, the next configured
 * endpoint in turn.  Returns 0, or -1 if the peer has no address at all.
 */
int	 path_handshake_target(struct path_set *, int retry, int has_session,
	    struct sockaddr_in6 *, const struct in6_addr **);

/*
 * The largest Ethernet frame (header included) the active path carries
 * in one underlay packet, or 0 when its MTU is unknown (the TAP's MTU is
 * then the only limit, and the kernel fragments the underlay packet if
 * it must).
 */
int	 path_frame_limit(const struct path_set *);

/*
 * The kernel learned (ICMP "fragmentation needed" / "packet too big")
 * at now that the underlay to dst carries at most mtu bytes: every path
 * of the set to that address takes the smaller MTU, never below its
 * family's floor (pmtu_learned).
 */
void	 path_mtu_learned(struct path_set *, const struct sockaddr_in6 *, int,
	    uint64_t now);

/*
 * Forgets every MTU learned PMTU_EXPIRE_NS or longer before now: the
 * path is back to its configured MTU (or none), so full-size frames
 * probe it again.
 */
void	 path_mtu_expire(struct path_set *, uint64_t now);

/*
 * The local address datagrams to to leave from, when a configured path
 * to it names one (two uplinks on one host), else NULL.  Without a
 * session the path the handshake is tried on decides, else the active
 * one, else the first path to that address with a source.
 */
const struct in6_addr *path_source(const struct path_set *,
	    const struct sockaddr_in6 *, int has_session);

/*
 * The endpoint host name of path i now resolves to sa: the path moves
 * there (logged), and probing goes on at the new address.
 */
void	 path_set_address(struct path_set *, size_t,
	    const struct sockaddr_in6 *, struct log_ratelimit *);

/*
 * The state of a path as shown: "up", "down", "untried", "resolving"
 * (a host name without an address yet, being looked up) or "unresolved"
 * (one that did not resolve).
 */
const char *path_state(const struct path *);

#endif
