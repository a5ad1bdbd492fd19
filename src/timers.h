/*
 * The per-peer timers, looked at every TIMERS_TICK_MS: keypairs that
 * expire, a peer that went quiet for dead_time, the handshake that is
 * due (none usable, peer down, keys old: the initiator renews them after
 * rekey_time, the responder a quarter later if the initiator did not),
 * retried or no longer needed, path probes, keepalives.  The same tick
 * logs the event loop's rounds of 100 ms or more, once a minute at most.
 *
 * What is due is decided by pure functions of the peer's times
 * (timers_due, timers_keepalive_due), unit-tested on their own;
 * timers_tick applies their answers.
 */
#ifndef TAPMESH_TIMERS_H
#define TAPMESH_TIMERS_H

#include <stddef.h>
#include <stdint.h>

struct tm_ctx;

/* How often the timers are looked at. */
#define TIMERS_TICK_MS		100

/* At most one warning of slow event-loop rounds in this long. */
#define TIMERS_LOOP_WARN_NS	(60ULL * 1000000000ULL)

/* A peer's times as timers_due sees them; 0: no such keypair / none. */
struct timers_state {
	uint64_t	 current_ns;	/* created, the current keypair */
	int		 current_initiator;
	uint64_t	 previous_ns;
	uint64_t	 next_ns;	/* the responder's unconfirmed one */
	int		 up;
	uint64_t	 last_rx_ns;	/* authenticated packet */
	uint64_t	 hs_sent_ns;	/* our initiation in flight */
	unsigned int	 hs_attempts;	/* retries unanswered while down */
	unsigned int	 hs_jitter;	/* 0..1023, drawn per initiation */
};

/* The limits, in nanoseconds (session.h, tapmesh.conf(5)). */
struct timers_limits {
	uint64_t	 rekey_ns;
	uint64_t	 reject_ns;
	uint64_t	 retry_ns;
	uint64_t	 dead_ns;
	uint64_t	 keepalive_ns;
	uint64_t	 backoff_max_ns;	/* TIMERS_BACKOFF_MAX_S */
	size_t		 relays;	/* peers offering to relay */
};

/*
 * A peer that is down and does not answer is retried less and less
 * often, up to this: each initiation costs X25519 work on the one event
 * loop, and a hub may have thousands of sites configured that are off.
 */
#define TIMERS_BACKOFF_MAX_S	120
#define TIMERS_JITTER_RANGE	1024	/* hs_jitter is below this */

/*
 * How long after our initiation a retry is due: retry_ns while the peer
 * is up (a rekey keeps its pace), else retry_ns doubled for every retry
 * that went unanswered, up to backoff_max_ns, less up to a quarter of it
 * by jitter (out of TIMERS_JITTER_RANGE), so that peers that went down
 * together do not retry in step.  Pure.
 */
uint64_t timers_retry_wait(unsigned int attempts, unsigned int jitter,
	    int up, const struct timers_limits *);

/* What timers_due answers, as bits, in the order they are applied. */
#define TIMERS_EXPIRE_PREVIOUS	0x001	/* older than reject */
#define TIMERS_EXPIRE_NEXT	0x002
#define TIMERS_EXPIRE_CURRENT	0x004
#define TIMERS_DOWN		0x010	/* nothing heard for dead_time */
#define TIMERS_ABANDON		0x020	/* our handshake is not needed */
#define TIMERS_RETRY		0x040	/* ours got no answer: again,
					   after timers_retry_wait */
#define TIMERS_INITIATE		0x080	/* a handshake is due */
#define TIMERS_PROBE		0x100	/* a session: probe its paths */

/* Everything due at now but the keepalive.  Pure. */
unsigned int timers_due(const struct timers_state *,
	    const struct timers_limits *, uint64_t now);

/*
 * Whether a keepalive is due at now: a session exists and nothing was
 * sent since last_tx_ns for the keepalive time.  Asked after the probes
 * went out, since they too keep the peer's NAT mapping open.  Pure.
 */
int	 timers_keepalive_due(int has_session, uint64_t last_tx_ns,
	    const struct timers_limits *, uint64_t now);

/* Starts the timers (after session_init); 0 or -1 (logged). */
int	 timers_start(struct tm_ctx *);

/* The timer callback: every peer's timers, then the next tick. */
void	 timers_tick(void *);

/*
 * Whether to warn of rounds of 100 ms or more: slow is their count now,
 * warned the count at the last warning, warned_ns its time (0: none).
 * Yes when there are new ones and the last warning is a minute old.
 */
int	 timers_loop_warn_due(uint64_t slow, uint64_t warned,
	    uint64_t warned_ns, uint64_t now);

#endif
