/*
 * Privilege drop: after the TAP, the UDP socket, netlink and the control
 * socket are open, the daemon becomes an unprivileged user that keeps
 * only CAP_NET_ADMIN (for neighbour entries), in every capability set
 * including the bounding set.
 */
#ifndef TAPMESH_PRIV_H
#define TAPMESH_PRIV_H

/* Becomes user (and its primary group); returns 0 or -1 (logged). */
int	 priv_drop(const char *);

/*
 * Scheduling: with prio 1..99 (sched_priority, from file:line) the
 * calling thread, the data path, runs SCHED_FIFO at that priority, so
 * that a frame wakes it at once instead of waiting behind bulk work of
 * other processes.  A real-time policy, this one or one set from
 * outside, is marked SCHED_RESET_ON_FORK, so that threads started
 * later run with the normal scheduler.  Must run before priv_drop
 * (CAP_SYS_NICE) and before any thread starts.  Logs the real-time
 * policy it runs with.  Returns 0, or -1 if sched_priority's policy
 * cannot be set (logged, naming file and line).
 */
int	 priv_sched(const char *, int, int);

/*
 * Tells systemd (NOTIFY_SOCKET, the sd_notify datagram protocol) the
 * state, e.g. "READY=1".  Does nothing when not started by systemd.
 */
void	 priv_sd_notify(const char *);

#endif
