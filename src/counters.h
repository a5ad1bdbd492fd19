/*
 * The daemon's counters: per peer (struct peer_stats), of the interface
 * (drops no peer can be charged with), of the offloads and of the
 * control socket.
 */
#ifndef TAPMESH_COUNTERS_H
#define TAPMESH_COUNTERS_H

struct tm_ctx;

/* Logs every counter once, so a run leaves its figures in the log. */
void	 counters_log(const struct tm_ctx *);

#endif
