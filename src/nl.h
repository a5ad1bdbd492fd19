/*
 * rtnetlink requests over libmnl: link attributes, addresses and
 * neighbour entries of the TAP.
 *
 * Every request carries NLM_F_ACK and a fresh sequence number, so a
 * refused request surfaces as an error instead of being lost.  Link and
 * address requests (at start) wait for the kernel's answer; neighbour
 * requests, made while the data path runs, go through struct nl_async
 * and are answered later.  Functions return 0 or -errno.
 */
#ifndef TAPMESH_NL_H
#define TAPMESH_NL_H

#include <pthread.h>
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
 * A non-blocking socket for neighbour requests that nobody waits for:
 * requests are gathered into a batch (nl_async_neigh), handed at once
 * to a thread of its own that sends it (nl_async_flush: the kernel
 * handles a request inside that send, waiting for its rtnl lock), and
 * their acknowledgements read by the event loop when the socket is
 * readable (nl_async_read), matched to the requests by sequence number.
 */
struct nl_async {
	struct mnl_socket	*sock;
	unsigned int		 portid;
	uint32_t		 seq;
	char			*buf;		/* the batch being built */
	size_t			 len;
	char			*rbuf;		/* answers */
	/* Shared with the sender thread, under mu. */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	pthread_t		 thread;
	int			 started;
	int			 stop;
	char			*out;		/* the batch being sent */
	size_t			 outlen;	/* 0: the sender is idle */
	int			 send_err;	/* -errno of a failed send */
};

/* The most a neighbour request takes in a batch. */
#define NL_NEIGH_MSG_MAX	128

/* Opens and binds the socket; 0 or -errno. */
int	 nl_async_open(struct nl_async *);

/* Closes it. */
void	 nl_async_close(struct nl_async *);

/* Its fd, for the event loop. */
int	 nl_async_fd(const struct nl_async *);

/*
 * Adds to the batch a request that sets address -> mac in state (mac not
 * NULL, created or replaced) or deletes the entry (mac NULL).  Returns
 * its sequence number, never 0; 0 if the batch is full (flush first).
 */
uint32_t nl_async_neigh(struct nl_async *, int, const struct tm_addr *,
	    const uint8_t *, uint16_t);

/*
 * Hands the batch to the sender (started at the first) and empties it.
 * Returns 0; -EAGAIN if the previous batch is still being sent, or the
 * -errno of an earlier batch that could not be sent (this one is then
 * dropped: the caller sends its requests again later).
 */
int	 nl_async_flush(struct nl_async *);

/* Called for each acknowledgement: its sequence number, 0 or -errno. */
typedef void (*nl_ack_cb)(uint32_t, int, void *);

/*
 * Reads every acknowledgement waiting.  Returns 0, -ENOBUFS when the
 * kernel dropped some (the caller must assume any request in flight may
 * be unanswered), or another -errno.
 */
int	 nl_async_read(struct nl_async *, nl_ack_cb, void *);

/* Writes value to /proc/sys/net/<path>; returns 0 or -errno. */
int	 nl_sysctl_set(const char *, const char *);

#endif
