/*
 * The kernel's neighbour entries of the peers: PERMANENT while a peer is
 * up, FAILED while it is down (so the kernel fails fast and ECMP with
 * net.ipv4.fib_multipath_use_neigh=1 skips it), removed at shutdown.
 * Only entries this daemon installed are ever touched.
 */
#ifndef TAPMESH_NEIGH_H
#define TAPMESH_NEIGH_H

struct tm_ctx;
struct peer;

/* Installs PERMANENT entries for every address of the peer; 0 or -1. */
int	 neigh_peer_up(struct tm_ctx *, struct peer *);

/* Turns the peer's entries to FAILED. */
void	 neigh_peer_down(struct tm_ctx *, struct peer *);

/* Removes every entry installed for the peer. */
void	 neigh_peer_remove(struct tm_ctx *, struct peer *);

#endif
