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

/*
 * Installs PERMANENT entries for every address of the peer.  These and
 * the changes below are queued (neighq.h): they reach the kernel soon
 * after, without the caller waiting for it.
 */
void	 neigh_peer_up(struct tm_ctx *, struct peer *);

/* Turns the peer's entries to FAILED. */
void	 neigh_peer_down(struct tm_ctx *, struct peer *);

/* Removes every entry installed for the peer. */
void	 neigh_peer_remove(struct tm_ctx *, struct peer *);

/*
 * Forgets the peer's entries without touching the kernel: the interface
 * is gone, and they went with it.
 */
void	 neigh_peer_forget(struct peer *);

/*
 * Watches neighbour events on the TAP: when another process (an operator's
 * `ip neigh flush`, FRR's zebra) deletes or replaces an entry of a live
 * peer, the daemon puts its entry back shortly after.  A peer whose
 * entries are taken again and again is left alone for a while, with
 * growing pauses, instead of fighting the other owner in a loop; ARP and
 * NS for it are answered all the same, so the kernel can still resolve
 * it.  Returns 0 or -1 (logged).
 */
int	 neigh_watch_start(struct tm_ctx *);

/* Stops watching. */
void	 neigh_watch_stop(struct tm_ctx *);

#endif
