/*
 * The daemon's counters, described once: per peer (struct peer_stats),
 * of the offloads (ctx->offload), of the control socket (ctx->control)
 * and the kernel's at the UDP port (struct kernel_drops).  Every output
 * (tapmeshctl show as text and as JSON, tapmeshctl metrics, the summary
 * logged at exit) reads the counters through these tables, so a counter
 * is added in one place.  The drop
 * counters are an array indexed by enum drop_reason and named by
 * peer_drop_name; counters_drops renders them for every output.
 *
 * The JSON field names and the metric names are an interface
 * (tapmeshctl(8)); tests/unit/test_show.c holds every output to a golden
 * copy.
 */
#ifndef TAPMESH_COUNTERS_H
#define TAPMESH_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

struct peer_stats;
struct sbuf;
struct tm_ctx;

/* One counter: a uint64_t at offset off in the struct of its set. */
struct counter {
	const char	*name;		/* JSON field; {name} in sentences */
	const char	*metric;	/* metric name, or the set metric's
					   "kind" label; NULL: not exported */
	const char	*help;		/* a metric of its own: its help */
	size_t		 off;
};

/* The counters of one struct. */
struct counter_set {
	const struct counter	*c;
	size_t			 n;
	const char		*metric;	/* NULL: a metric per counter */
	const char		*help;		/* of that one metric */
	const char		*label;		/* its label's name */
};

/*
 * The datagrams the kernel dropped at each of the UDP port's sockets
 * (udp.h), above all with a receive buffer full: read from the kernel
 * when shown (kernel_drops_read), not counted by the daemon.
 */
struct kernel_drops {
	uint64_t	 data;
	uint64_t	 express;
	uint64_t	 handshake;
};

/* Over a peer's struct peer_stats (drops apart). */
extern const struct counter_set	counters_peer;
/* Over ctx->offload (struct offload_stats). */
extern const struct counter_set	counters_offload;
/* Over ctx->control (struct control). */
extern const struct counter_set	counters_control;
/* Over a struct kernel_drops. */
extern const struct counter_set	counters_kernel;
/* Over ctx->ev (struct event_loop): its slow rounds. */
extern const struct counter_set	counters_loop;

/* The kernel's drops at ctx's sockets now. */
void	 kernel_drops_read(const struct tm_ctx *, struct kernel_drops *);

/* The value of counter c in base, a struct of c's set. */
uint64_t counter_value(const struct counter *, const void *);

/*
 * Appends every counter of set in base as JSON members, `"name": value`,
 * the first preceded by sep ("" opening an object, ", " continuing one),
 * the others by ", ".
 */
void	 counters_json(struct sbuf *, const struct counter_set *,
	    const void *, const char *);

/*
 * Appends the sentence tmpl with each "{name}" replaced by the value of
 * that counter of set in base, and each "{name:bytes}" by the value in
 * B, KiB, MiB, ... (two decimals above B).  An unknown name shows as
 * "{?name}", which the golden tests would catch.
 */
void	 counters_sentence(struct sbuf *, const char *,
	    const struct counter_set *, const void *);

/* How counters_drops renders the drop counters. */
enum drops_style {
	DROPS_TEXT,	/* "reason N, reason N" of those not zero, or "none" */
	DROPS_JSON,	/* {"reason": N, ...}, every reason */
	DROPS_LOG,	/* "total=N reason=N ...", every reason */
};

/* Appends the drop counters of st in that style. */
void	 counters_drops(struct sbuf *, const struct peer_stats *,
	    enum drops_style);

/* Logs every counter once, so a run leaves its figures in the log. */
void	 counters_log(const struct tm_ctx *);

#endif
