/*
 * Endpoint host names.  A name is resolved at start (blocking, like a
 * parser); one that does not resolve is a warning, not an error: its
 * path waits, unresolved, and the daemon keeps trying.  Every later
 * lookup runs in the resolver's thread (resolver.h), never in the event
 * loop, which carries the data path:
 *
 *  - every name, at once, after a reload was applied (a path whose name
 *    is new is "resolving" until the answer comes; one whose name stayed
 *    keeps its address meanwhile);
 *  - an unresolved name, after 1 s, then backing off to every 30 s;
 *  - a name whose path stays dead (down after PATH_MISSED_DOWN probes,
 *    or the peer not up) for 3 probe intervals, at most once per name
 *    per back-off interval (1 s doubling to 30 s while the answer stays
 *    the same);
 *  - every name of a live path every HOSTNAME_REFRESH seconds.
 *
 * A new address moves the path there (path_set_address), logged; the
 * session stays.
 */
#ifndef TAPMESH_HOSTNAME_H
#define TAPMESH_HOSTNAME_H

#include <stddef.h>

#include "config.h"

#define HOSTNAME_TICK_MS	250
#define HOSTNAME_BACKOFF_MIN	1	/* seconds */
#define HOSTNAME_BACKOFF_MAX	30
#define HOSTNAME_REFRESH	300

struct tm_ctx;
struct peer;

/*
 * Resolves every endpoint host name of conf (blocking), setting sa and
 * resolved.  Each name that does not resolve is reported as
 * "FILE:LINE: warning: ..." on stderr if to_stderr, else logged.
 * Returns the number of such names.
 */
size_t	 hostname_resolve_all(struct tm_config *, int);

/* Starts the re-resolution timer and the resolver.  Returns 0 or -1. */
int	 hostname_start(struct tm_ctx *);

/* Stops them (at exit). */
void	 hostname_stop(struct tm_ctx *);

/*
 * A reload was applied: every endpoint name of every peer is looked up
 * again (in the resolver's thread); a path whose name now resolves
 * elsewhere moves there when the answer arrives.
 */
void	 hostname_reloaded(struct tm_ctx *);

#endif
