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
 * Tells systemd (NOTIFY_SOCKET, the sd_notify datagram protocol) the
 * state, e.g. "READY=1".  Does nothing when not started by systemd.
 */
void	 priv_sd_notify(const char *);

#endif
