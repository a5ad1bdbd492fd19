/*
 * Privilege drop: after the TAP, the UDP socket, netlink and the control
 * socket are open, the daemon becomes an unprivileged user that keeps
 * only CAP_NET_ADMIN (for neighbour entries), in every capability set
 * including the bounding set.
 */
#ifndef TAPMESH_PRIV_H
#define TAPMESH_PRIV_H

#include <pthread.h>

/* Becomes user (and its primary group); returns 0 or -1 (logged). */
int	 priv_drop(const char *);

/*
 * Scheduling: with prio 1..99 (sched_priority, from file:line) the
 * calling thread, the data path, runs SCHED_FIFO at that priority, so
 * that a frame wakes it at once instead of waiting behind bulk work of
 * other processes.  Must run before priv_drop (CAP_SYS_NICE).  Logs the
 * real-time policy it runs with, also one set from outside.  Returns 0,
 * or -1 (logged, naming file and line).
 */
int	 priv_sched(const char *, int, int);

/*
 * Sets up attr for a helper thread (netlink sender, resolver): the
 * normal scheduler, whatever the data path runs at.  Returns 0 or -1.
 */
int	 priv_helper_attr(pthread_attr_t *);

/*
 * Tells systemd (NOTIFY_SOCKET, the sd_notify datagram protocol) the
 * state, e.g. "READY=1".  Does nothing when not started by systemd.
 */
void	 priv_sd_notify(const char *);

#endif
