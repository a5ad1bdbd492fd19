/*
 * rtnetlink requests over libmnl: link attributes, addresses and
 * neighbour entries of the TAP.
 *
 * Every request carries NLM_F_ACK and a fresh sequence number and waits
 * for the kernel's answer, so a refused request surfaces as an error here
 * instead of being lost.  Functions return 0 or -errno.
 */
#ifndef TAPMESH_NL_H
#define TAPMESH_NL_H

#include <stdint.h>

#include "addr.h"

struct mnl_socket;

struct nl {
	struct mnl_socket	*sock;
	unsigned int		 portid;
	uint32_t		 seq;
	char			*buf;		/* MNL_SOCKET_BUFFER_SIZE */
};

/* A non-blocking socket subscribed to neighbour events. */
struct nl_monitor {
	struct mnl_socket	*sock;
	char			*buf;		/* MNL_SOCKET_BUFFER_SIZE */
};

/* A neighbour event, its attributes validated. */
struct nl_neigh_event {
	int		 deleted;	/* RTM_DELNEIGH */
	int		 ifindex;
	uint16_t	 state;		/* NUD_* */
	uint8_t		 protocol;	/* NDA_PROTOCOL, 0 if absent */
	struct tm_addr	 dst;
	int		 has_lladdr;
	uint8_t		 lladdr[ETH_ALEN_TM];
};

typedef void (*nl_neigh_cb)(const struct nl_neigh_event *, void *);

/* Opens the monitor socket; returns 0 or -errno. */
int	 nl_monitor_open(struct nl_monitor *);

/* Closes it. */
void	 nl_monitor_close(struct nl_monitor *);

/* The monitor socket's fd, for the event loop. */
int	 nl_monitor_fd(const struct nl_monitor *);

/*
 * Reads every pending event and calls cb for each well-formed neighbour
 * event.  Returns 0, or -ENOBUFS when the kernel dropped events (the
 * caller must then assume anything may have changed), or another -errno.
 */
int	 nl_monitor_read(struct nl_monitor *, nl_neigh_cb, void *);

/* Opens and binds a NETLINK_ROUTE socket for requests. */
int	 nl_open(struct nl *);

/* Closes the socket. */
void	 nl_close(struct nl *);

/*
 * Sets the link's MAC (if mac is not NULL), MTU (if mtu > 0) and brings
 * it up or down.
 */
int	 nl_link_set(struct nl *, int, const uint8_t *, int, int);

/* Adds (or replaces) an address with its prefix length on the link. */
int	 nl_addr_add(struct nl *, int, const struct tm_prefix *);

/*
 * Installs (or replaces) a neighbour entry address -> mac on the link in
 * the given NUD state (NUD_PERMANENT for a live peer).
 */
int	 nl_neigh_set(struct nl *, int, const struct tm_addr *,
	    const uint8_t *, uint16_t);

/* Removes a neighbour entry; -ENOENT if there was none. */
int	 nl_neigh_del(struct nl *, int, const struct tm_addr *);

/* Writes value to /proc/sys/net/<path>; returns 0 or -errno. */
int	 nl_sysctl_set(const char *, const char *);

#endif
