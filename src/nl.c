#include <sys/socket.h>
#include <sys/time.h>

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "nl.h"

/* A request the kernel does not answer within this time is an error. */
#define NL_TIMEOUT_MS	5000

int
nl_open(struct nl *nl)
{
	struct timeval	 tv = { NL_TIMEOUT_MS / 1000, 0 };
	int		 err;

	memset(nl, 0, sizeof(*nl));
	nl->buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	if (nl->buf == NULL)
		return -ENOMEM;
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl->sock == NULL)
		goto fail;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) == -1)
		goto fail;
	if (setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO,
	    &tv, sizeof(tv)) == -1)
		goto fail;
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	return 0;
 fail:
	err = -errno;
	nl_close(nl);
	return err;
}

void
nl_close(struct nl *nl)
{
	if (nl->sock != NULL)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	nl->sock = NULL;
	nl->buf = NULL;
}

/*
 * Sends the request in nl->buf and waits for its acknowledgement.  Stray
 * messages of other sequence numbers (answers to requests that timed out
 * earlier) are skipped by mnl_cb_run's sequence check failing with ESRCH.
 */
static int
nl_request(struct nl *nl, struct nlmsghdr *nlh)
{
	uint32_t	 seq;
	ssize_t		 n;
	int		 ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) == -1)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, nl->buf,
		    MNL_SOCKET_BUFFER_SIZE);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		ret = mnl_cb_run(nl->buf, (size_t)n, seq, nl->portid,
		    NULL, NULL);
		if (ret == MNL_CB_ERROR) {
			if (errno == ESRCH || errno == EPROTO)
				continue;	/* not our answer */
			return -errno;
		}
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

int
nl_link_set(struct nl *nl, int ifindex, const uint8_t *mac, int mtu, int up)
{
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifi;

	nlh = mnl_nlmsg_put_header(nl->buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	if (mac != NULL)
		mnl_attr_put(nlh, IFLA_ADDRESS, ETH_ALEN_TM, mac);
	if (mtu > 0)
		mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	return nl_request(nl, nlh);
}

static const void *
addr_bytes(const struct tm_addr *a, size_t *len)
{
	if (a->family == AF_INET) {
		*len = sizeof(a->u.v4);
		return &a->u.v4;
	}
	*len = sizeof(a->u.v6);
	return &a->u.v6;
}

int
nl_addr_add(struct nl *nl, int ifindex, const struct tm_prefix *p)
{
	struct nlmsghdr		*nlh;
	struct ifaddrmsg	*ifa;
	const void		*bytes;
	size_t			 len;

	nlh = mnl_nlmsg_put_header(nl->buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)p->addr.family;
	ifa->ifa_prefixlen = (uint8_t)p->plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	bytes = addr_bytes(&p->addr, &len);
	mnl_attr_put(nlh, IFA_LOCAL, len, bytes);
	mnl_attr_put(nlh, IFA_ADDRESS, len, bytes);
	/*
	 * The configuration already guarantees that tunnel addresses are
	 * unique, and the daemon never lets a DAD probe cross the tunnel,
	 * so DAD could only delay the address.
	 */
	if (p->addr.family == AF_INET6)
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	return nl_request(nl, nlh);
}

/*
 * Builds a neighbour request at buf (NL_NEIGH_MSG_MAX bytes at least):
 * RTM_NEWNEIGH address -> mac in state if mac is not NULL (created or
 * replaced), else RTM_DELNEIGH.
 */
static struct nlmsghdr *
neigh_msg(char *buf, int ifindex, const struct tm_addr *a,
    const uint8_t *mac, uint16_t state)
{
	struct nlmsghdr	*nlh;
	struct ndmsg	*ndm;
	const void	*bytes;
	size_t		 len;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = mac != NULL ? RTM_NEWNEIGH : RTM_DELNEIGH;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (uint8_t)a->family;
	ndm->ndm_ifindex = ifindex;
	bytes = addr_bytes(a, &len);
	mnl_attr_put(nlh, NDA_DST, len, bytes);
	if (mac != NULL) {
		nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
		ndm->ndm_state = state;
		mnl_attr_put(nlh, NDA_LLADDR, ETH_ALEN_TM, mac);
	}
	return nlh;
}

/*
 * The sender: rtnetlink handles a request inside the sendmsg that
 * carries it, waiting there for the rtnl lock, so the batches are sent
 * from this thread and the event loop never waits for the lock.  It is
 * started by the first batch, after the privilege drop, so it holds no
 * more capabilities than the loop (capabilities are per thread).
 */
static void *
nl_async_sender(void *arg)
{
	struct nl_async	*na = arg;
	size_t		 len;

	pthread_mutex_lock(&na->mu);
	for (;;) {
		while (na->outlen == 0 && !na->stop)
			pthread_cond_wait(&na->cv, &na->mu);
		if (na->outlen == 0)
			break;			/* stopped, nothing left */
		len = na->outlen;
		pthread_mutex_unlock(&na->mu);
		if (mnl_socket_sendto(na->sock, na->out, len) == -1) {
			pthread_mutex_lock(&na->mu);
			na->send_err = -errno;
		} else
			pthread_mutex_lock(&na->mu);
		na->outlen = 0;
	}
	pthread_mutex_unlock(&na->mu);
	return NULL;
}

int
nl_async_open(struct nl_async *na)
{
	int	 err, one = 1, sz = 1 << 20;

	memset(na, 0, sizeof(*na));
	pthread_mutex_init(&na->mu, NULL);
	pthread_cond_init(&na->cv, NULL);
	na->buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	na->out = malloc(MNL_SOCKET_BUFFER_SIZE);
	na->rbuf = malloc(MNL_SOCKET_BUFFER_SIZE);
	if (na->buf == NULL || na->out == NULL || na->rbuf == NULL) {
		errno = ENOMEM;
		goto fail;
	}
	na->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (na->sock == NULL)
		goto fail;
	if (mnl_socket_bind(na->sock, 0, MNL_SOCKET_AUTOPID) == -1)
		goto fail;
	/* Errors need only the request's header back, not all of it. */
	(void)mnl_socket_setsockopt(na->sock, NETLINK_CAP_ACK, &one,
	    sizeof(one));
	/* Room for the answers to a burst of requests. */
	(void)setsockopt(mnl_socket_get_fd(na->sock), SOL_SOCKET,
	    SO_RCVBUFFORCE, &sz, sizeof(sz));
	na->portid = mnl_socket_get_portid(na->sock);
	na->seq = (uint32_t)time(NULL);
	return 0;
 fail:
	err = -errno;
	nl_async_close(na);
	return err;
}

void
nl_async_close(struct nl_async *na)
{
	if (na->started) {
		pthread_mutex_lock(&na->mu);
		na->stop = 1;
		pthread_cond_signal(&na->cv);
		pthread_mutex_unlock(&na->mu);
		pthread_join(na->thread, NULL);
		na->started = 0;
	}
	if (na->sock != NULL)
		mnl_socket_close(na->sock);
	free(na->buf);
	free(na->out);
	free(na->rbuf);
	na->sock = NULL;
	na->buf = na->out = na->rbuf = NULL;
	pthread_mutex_destroy(&na->mu);
	pthread_cond_destroy(&na->cv);
}

int
nl_async_fd(const struct nl_async *na)
{
	return mnl_socket_get_fd(na->sock);
}

uint32_t
nl_async_neigh(struct nl_async *na, int ifindex, const struct tm_addr *a,
    const uint8_t *mac, uint16_t state)
{
	struct nlmsghdr	*nlh;

	if (na->len + NL_NEIGH_MSG_MAX > (size_t)MNL_SOCKET_BUFFER_SIZE)
		return 0;
	nlh = neigh_msg(na->buf + na->len, ifindex, a, mac, state);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (++na->seq == 0)
		++na->seq;		/* 0 means none to the caller */
	nlh->nlmsg_seq = na->seq;
	na->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return na->seq;
}

int
nl_async_flush(struct nl_async *na)
{
	char	*swap;
	int	 err = 0;

	if (na->len == 0)
		return 0;
	pthread_mutex_lock(&na->mu);
	if (na->send_err != 0) {
		err = na->send_err;	/* of an earlier batch */
		na->send_err = 0;
	} else if (na->outlen != 0)
		err = -EAGAIN;		/* still sending the last one */
	else if (!na->started) {
		err = pthread_create(&na->thread, NULL, nl_async_sender, na);
		na->started = err == 0;
		err = -err;
	}
	if (err == 0) {
		swap = na->out;
		na->out = na->buf;
		na->buf = swap;
		na->outlen = na->len;
		pthread_cond_signal(&na->cv);
	}
	pthread_mutex_unlock(&na->mu);
	na->len = 0;
	return err;
}

int
nl_async_read(struct nl_async *na, nl_ack_cb cb, void *arg)
{
	const struct nlmsghdr	*nlh;
	const struct nlmsgerr	*e;
	ssize_t			 n;
	int			 len;

	for (;;) {
		n = mnl_socket_recvfrom(na->sock, na->rbuf,
		    MNL_SOCKET_BUFFER_SIZE);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -errno;
		}
		len = (int)n;
		for (nlh = (const void *)na->rbuf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len)) {
			/* The kernel addresses its answers to our port. */
			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_pid != na->portid ||
			    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
				continue;	/* not an answer to us */
			e = mnl_nlmsg_get_payload(nlh);
			cb(nlh->nlmsg_seq, e->error, arg);
		}
	}
}

int
nl_sysctl_set(const char *path, const char *value)
{
	char	 full[256];
	size_t	 len = strlen(value);
	int	 fd, err = 0;

	if ((size_t)snprintf(full, sizeof(full), "/proc/sys/net/%s", path) >=
	    sizeof(full))
		return -ENAMETOOLONG;
	fd = open(full, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		err = -errno;
	close(fd);
	return err;
}

int
nl_monitor_open(struct nl_monitor *m)
{
	int	 err, sz = 1 << 20;

	memset(m, 0, sizeof(*m));
	if ((m->buf = malloc(MNL_SOCKET_BUFFER_SIZE)) == NULL)
		return -ENOMEM;
	m->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (m->sock == NULL)
		goto fail;
	if (mnl_socket_bind(m->sock, RTMGRP_NEIGH, MNL_SOCKET_AUTOPID) == -1)
		goto fail;
	/* A flush of a big table is a burst of events; room for it. */
	(void)setsockopt(mnl_socket_get_fd(m->sock), SOL_SOCKET, SO_RCVBUFFORCE,
	    &sz, sizeof(sz));
	return 0;
 fail:
	err = -errno;
	nl_monitor_close(m);
	return err;
}

void
nl_monitor_close(struct nl_monitor *m)
{
	if (m->sock != NULL)
		mnl_socket_close(m->sock);
	free(m->buf);
	m->sock = NULL;
	m->buf = NULL;
}

int
nl_monitor_fd(const struct nl_monitor *m)
{
	return mnl_socket_get_fd(m->sock);
}

static int
neigh_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr	**tb = data;
	int			  type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NDA_MAX) < 0)
		return MNL_CB_OK;	/* newer than us: skip it */
	switch (type) {
	case NDA_DST:
	case NDA_LLADDR:
		if (mnl_attr_validate(attr, MNL_TYPE_BINARY) < 0)
			return MNL_CB_ERROR;
		break;
	case NDA_PROTOCOL:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		return MNL_CB_OK;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

struct monitor_arg {
	nl_neigh_cb	 cb;
	void		*arg;
};

static int
neigh_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct monitor_arg *ma = data;
	const struct nlattr	*tb[NDA_MAX + 1];
	const struct ndmsg	*ndm;
	struct nl_neigh_event	 ev;
	uint16_t		 len;

	if (nlh->nlmsg_type != RTM_NEWNEIGH && nlh->nlmsg_type != RTM_DELNEIGH)
		return MNL_CB_OK;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ndm)))
		return MNL_CB_OK;
	ndm = mnl_nlmsg_get_payload(nlh);
	memset(tb, 0, sizeof(tb));
	if (mnl_attr_parse(nlh, sizeof(*ndm), neigh_attr_cb, tb) != MNL_CB_OK)
		return MNL_CB_OK;	/* malformed: ignore this one */
	if (tb[NDA_DST] == NULL)
		return MNL_CB_OK;
	memset(&ev, 0, sizeof(ev));
	ev.deleted = nlh->nlmsg_type == RTM_DELNEIGH;
	ev.ifindex = ndm->ndm_ifindex;
	ev.state = ndm->ndm_state;
	len = mnl_attr_get_payload_len(tb[NDA_DST]);
	if (ndm->ndm_family == AF_INET && len == sizeof(ev.dst.u.v4))
		ev.dst.family = AF_INET;
	else if (ndm->ndm_family == AF_INET6 && len == sizeof(ev.dst.u.v6))
		ev.dst.family = AF_INET6;
	else
		return MNL_CB_OK;
	memcpy(&ev.dst.u, mnl_attr_get_payload(tb[NDA_DST]), len);
	if (tb[NDA_LLADDR] != NULL &&
	    mnl_attr_get_payload_len(tb[NDA_LLADDR]) == ETH_ALEN_TM) {
		ev.has_lladdr = 1;
		memcpy(ev.lladdr, mnl_attr_get_payload(tb[NDA_LLADDR]),
		    ETH_ALEN_TM);
	}
	if (tb[NDA_PROTOCOL] != NULL)
		ev.protocol = mnl_attr_get_u8(tb[NDA_PROTOCOL]);
	ma->cb(&ev, ma->arg);
	return MNL_CB_OK;
}

int
nl_monitor_read(struct nl_monitor *m, nl_neigh_cb cb, void *arg)
{
	struct monitor_arg	 ma = { cb, arg };
	ssize_t			 n;

	for (;;) {
		n = mnl_socket_recvfrom(m->sock, m->buf, MNL_SOCKET_BUFFER_SIZE);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -errno;
		}
		/* Events carry sequence 0 and the kernel's port id 0. */
		(void)mnl_cb_run(m->buf, (size_t)n, 0, 0, neigh_msg_cb, &ma);
	}
}
