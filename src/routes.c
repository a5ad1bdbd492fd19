/*
 * The route mirror: see routes.h.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <linux/rtnetlink.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "daemon.h"
#include "routes.h"

/* Next hops kept per route; a wider ECMP group keeps its first ones. */
#define ROUTES_MAX_NH	64
/* Room for a burst of notifications (a routing daemon's full table). */
#define ROUTES_RCVBUF	(8 << 20)
#define ROUTES_BUF_SIZE	32768

/* A route message reduced to what the mirror keeps. */
struct route_msg {
	int		 family;
	uint8_t		 dst[16];
	unsigned int	 plen;
	uint32_t	 table;
	uint32_t	 priority;
	uint8_t		 tos;
	unsigned int	 nnh;
	struct route_nh	 nh[ROUTES_MAX_NH];
};

void
routes_init(struct routes *rt)
{
	memset(rt, 0, sizeof(*rt));
	lpm_init(&rt->v4, 32);
	lpm_init(&rt->v6, 128);
}

static size_t
route_size(unsigned int nnh)
{
	return sizeof(struct route) + nnh * sizeof(struct route_nh);
}

static int
route_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr	**tb = data;
	int			  type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, RTA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case RTA_OIF:
	case RTA_PRIORITY:
	case RTA_TABLE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	case RTA_DST:
	case RTA_GATEWAY:
	case RTA_VIA:
	case RTA_MULTIPATH:
		if (mnl_attr_validate(attr, MNL_TYPE_BINARY) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		return MNL_CB_OK;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

/* The gateway of a next hop (RTA_GATEWAY or RTA_VIA), or none. */
static int
nh_gateway(const struct nlattr *gw, const struct nlattr *via, int family,
    struct route_nh *nh)
{
	const uint8_t	*v;
	uint16_t	 len, vfam;

	memset(nh, 0, sizeof(*nh));
	if (gw != NULL) {
		len = mnl_attr_get_payload_len(gw);
		if (len != (family == AF_INET ? 4 : 16))
			return -1;
		nh->family = (uint8_t)family;
		memcpy(nh->addr, mnl_attr_get_payload(gw), len);
	} else if (via != NULL) {
		len = mnl_attr_get_payload_len(via);
		v = mnl_attr_get_payload(via);
		if (len < 2)
			return -1;
		memcpy(&vfam, v, 2);
		if ((vfam != AF_INET && vfam != AF_INET6) ||
		    len - 2 != (vfam == AF_INET ? 4 : 16))
			return -1;
		nh->family = (uint8_t)vfam;
		memcpy(nh->addr, v + 2, len - 2);
	}
	return 0;
}

static void
msg_add_nh(struct route_msg *m, const struct route_nh *nh)
{
	unsigned int	 i;

	for (i = 0; i < m->nnh; i++)
		if (memcmp(&m->nh[i], nh, sizeof(*nh)) == 0)
			return;
	if (m->nnh < ROUTES_MAX_NH)
		m->nh[m->nnh++] = *nh;
}

/* The next hops of RTA_MULTIPATH that leave through ifindex. */
static int
parse_multipath(const struct nlattr *mp, int ifindex, struct route_msg *m)
{
	const struct rtnexthop	*nh = mnl_attr_get_payload(mp);
	int			 left = mnl_attr_get_payload_len(mp);
	const struct nlattr	*tb[RTA_MAX + 1];
	struct route_nh		 r;

	while (left >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
	    nh->rtnh_len <= left) {
		if (nh->rtnh_ifindex == ifindex) {
			memset(tb, 0, sizeof(tb));
			if (mnl_attr_parse_payload(RTNH_DATA(nh),
			    nh->rtnh_len - RTNH_LENGTH(0), route_attr_cb,
			    tb) != MNL_CB_OK ||
			    nh_gateway(tb[RTA_GATEWAY], tb[RTA_VIA], m->family,
			    &r) == -1)
				return -1;
			msg_add_nh(m, &r);
		}
		left -= (int)RTNH_ALIGN(nh->rtnh_len);
		nh = (const struct rtnexthop *)((const char *)nh +
		    RTNH_ALIGN(nh->rtnh_len));
	}
	return 0;
}

/* 1 if the message is a unicast route of ours, 0 if not, -1 if bad. */
static int
parse_route(const struct nlmsghdr *nlh, int ifindex, struct route_msg *m)
{
	const struct nlattr	*tb[RTA_MAX + 1];
	const struct rtmsg	*rtm;
	struct route_nh		 nh;
	uint16_t		 len;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)))
		return -1;
	rtm = mnl_nlmsg_get_payload(nlh);
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    rtm->rtm_type != RTN_UNICAST || (rtm->rtm_flags & RTM_F_CLONED))
		return 0;
	memset(tb, 0, sizeof(tb));
	if (mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, tb) != MNL_CB_OK)
		return -1;
	memset(m, 0, offsetof(struct route_msg, nh));
	m->family = rtm->rtm_family;
	m->plen = rtm->rtm_dst_len;
	if (m->plen > (m->family == AF_INET ? 32u : 128u))
		return -1;
	if (tb[RTA_DST] != NULL) {
		len = mnl_attr_get_payload_len(tb[RTA_DST]);
		if (len != (m->family == AF_INET ? 4 : 16))
			return -1;
		memcpy(m->dst, mnl_attr_get_payload(tb[RTA_DST]), len);
	} else if (m->plen != 0)
		return -1;
	m->table = tb[RTA_TABLE] != NULL ? mnl_attr_get_u32(tb[RTA_TABLE]) :
	    rtm->rtm_table;
	m->priority = tb[RTA_PRIORITY] != NULL ?
	    mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	m->tos = rtm->rtm_tos;
	if (tb[RTA_MULTIPATH] != NULL)
		return parse_multipath(tb[RTA_MULTIPATH], ifindex, m) == -1 ?
		    -1 : 1;
	if (tb[RTA_OIF] != NULL &&
	    (int)mnl_attr_get_u32(tb[RTA_OIF]) == ifindex) {
		if (nh_gateway(tb[RTA_GATEWAY], tb[RTA_VIA], m->family, &nh) ==
		    -1)
			return -1;
		msg_add_nh(m, &nh);
	}
	return 1;
}

static struct lpm *
family_trie(struct routes *rt, int family)
{
	return family == AF_INET ? &rt->v4 : &rt->v6;
}

static int
nh_in(const struct route_nh *set, unsigned int n, const struct route_nh *nh)
{
	unsigned int	 i;

	for (i = 0; i < n; i++)
		if (memcmp(&set[i], nh, sizeof(*nh)) == 0)
			return 1;
	return 0;
}

/* Drops route *rp from its prefix's list. */
static void
route_unlink(struct routes *rt, struct route **rp)
{
	struct route	*r = *rp;

	*rp = r->next;
	free(r);
	rt->nroutes--;
}

/* The next hops a deletion names leave; a route left with none goes. */
static void
apply_del(struct routes *rt, struct route **rp, const struct route_msg *m)
{
	struct route	*r = *rp;
	unsigned int	 i, j;

	for (i = 0, j = 0; i < r->nnh; i++)
		if (!nh_in(m->nh, m->nnh, &r->nh[i]))
			r->nh[j++] = r->nh[i];
	r->nnh = (uint8_t)j;
	if (r->nnh == 0)
		route_unlink(rt, rp);
}

/*
 * A new route replaces the one of its key, or adds its next hops to it
 * (merge: an appended route, or a dump, where a key seen twice is an
 * IPv4 route appended to another).
 */
static int
apply_new(struct routes *rt, struct route **rp, const struct route_msg *m,
    int merge)
{
	struct route	*r = *rp, *nr;
	unsigned int	 i, n = m->nnh;

	if (r != NULL && merge)
		for (i = 0; i < r->nnh; i++)
			if (!nh_in(m->nh, m->nnh, &r->nh[i]) &&
			    n < ROUTES_MAX_NH)
				n++;
	if ((nr = malloc(route_size(n))) == NULL)
		return -1;
	nr->table = m->table;
	nr->priority = m->priority;
	nr->tos = m->tos;
	memcpy(nr->nh, m->nh, m->nnh * sizeof(m->nh[0]));
	nr->nnh = (uint8_t)m->nnh;
	if (r != NULL && merge)
		for (i = 0; i < r->nnh && nr->nnh < n; i++)
			if (!nh_in(m->nh, m->nnh, &r->nh[i]))
				nr->nh[nr->nnh++] = r->nh[i];
	if (r != NULL) {
		nr->next = r->next;
		free(r);
	} else {
		nr->next = NULL;
		rt->nroutes++;
	}
	*rp = nr;
	return 0;
}

int
routes_apply(struct routes *rt, const struct nlmsghdr *nlh)
{
	struct route_msg m;
	struct route	**head, **rp;
	struct lpm	 *t;
	void		**slot;
	int		  del = nlh->nlmsg_type == RTM_DELROUTE, rc = 0;

	if ((!del && nlh->nlmsg_type != RTM_NEWROUTE) ||
	    parse_route(nlh, rt->ifindex, &m) != 1)
		return 0;
	t = family_trie(rt, m.family);
	/* A route that no longer leaves through the TAP is gone. */
	if (!del && m.nnh == 0 && (nlh->nlmsg_flags & NLM_F_APPEND))
		return 0;
	if ((del || m.nnh == 0) && lpm_get(t, m.dst, m.plen) == NULL)
		return 0;
	if ((slot = lpm_slot(t, m.dst, m.plen)) == NULL)
		return -1;
	head = (struct route **)slot;
	for (rp = head; *rp != NULL; rp = &(*rp)->next)
		if ((*rp)->table == m.table && (*rp)->priority == m.priority &&
		    (*rp)->tos == m.tos)
			break;
	if (del && *rp != NULL)
		apply_del(rt, rp, &m);
	else if (!del && m.nnh == 0 && *rp != NULL)
		route_unlink(rt, rp);
	else if (!del && m.nnh > 0)
		rc = apply_new(rt, rp, &m, (nlh->nlmsg_flags &
		    (NLM_F_APPEND | NLM_F_MULTI)) != 0);
	if (*head == NULL)
		(void)lpm_remove(t, m.dst, m.plen);
	return rc;
}

int
routes_feasible(const struct routes *rt, int family, const uint8_t *src,
    const struct peer *p)
{
	const struct route	*r;
	const struct route_nh	*nh;
	struct tm_addr		 a;
	size_t			 j, n = peer_neigh_count(p);
	unsigned int		 i;

	r = lpm_lookup(family == AF_INET ? &rt->v4 : &rt->v6, src, NULL);
	for (; r != NULL; r = r->next)
		for (i = 0; i < r->nnh; i++) {
			nh = &r->nh[i];
			if (nh->family == 0)
				return 1;	/* no gateway: any peer */
			for (j = 0; j < n; j++) {
				peer_neigh_addr(p, j, &a);
				if (a.family == nh->family &&
				    memcmp(&a.u, nh->addr, a.family ==
				    AF_INET ? 4 : 16) == 0)
					return 1;
			}
		}
	return 0;
}

static void
add_route_size(void *v, void *arg)
{
	const struct route	*r;
	size_t			*bytes = arg;

	for (r = v; r != NULL; r = r->next)
		*bytes += route_size(r->nnh);
}

size_t
routes_memory(const struct routes *rt)
{
	size_t	 bytes = (rt->v4.nodes + rt->v6.nodes) *
		    sizeof(struct lpm_node);

	lpm_walk(&rt->v4, add_route_size, &bytes);
	lpm_walk(&rt->v6, add_route_size, &bytes);
	return bytes;
}

static void
free_routes(void *v)
{
	struct route	*r = v, *next;

	for (; r != NULL; r = next) {
		next = r->next;
		free(r);
	}
}

static void
routes_clear(struct routes *rt)
{
	lpm_free(&rt->v4, free_routes);
	lpm_free(&rt->v6, free_routes);
	rt->nroutes = 0;
}

static int
apply_cb(const struct nlmsghdr *nlh, void *data)
{
	return routes_apply(data, nlh) == -1 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* Fills the mirror from a dump of every table on a socket of its own. */
static int
routes_dump(struct routes *rt)
{
	struct mnl_socket	*nl;
	struct nlmsghdr		*nlh;
	struct rtmsg		*rtm;
	char			*buf;
	unsigned int		 portid;
	uint32_t		 seq = (uint32_t)time(NULL);
	ssize_t			 n;
	int			 ret = -1;

	if ((buf = malloc(ROUTES_BUF_SIZE)) == NULL)
		return -1;
	if ((nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) == NULL ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == -1) {
		log_warn("routes: netlink");
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) == -1) {
		log_warn("routes: dump request");
		goto out;
	}
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, ROUTES_BUF_SIZE);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_warn("routes: dump");
			goto out;
		}
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, apply_cb, rt);
		if (ret == MNL_CB_ERROR) {
			log_warn("routes: dump");
			ret = -1;
			goto out;
		}
		if (ret == MNL_CB_STOP)
			break;
	}
	ret = 0;
 out:
	if (nl != NULL)
		mnl_socket_close(nl);
	free(buf);
	return ret;
}

/* Rebuilds the mirror from a new dump; on failure it stays empty. */
static int
routes_resync(struct routes *rt)
{
	routes_clear(rt);
	if (routes_dump(rt) == -1) {
		routes_clear(rt);
		return -1;
	}
	return 0;
}

static void
routes_readable(int fd, uint32_t events, void *arg)
{
	struct tm_ctx	*ctx = arg;
	struct routes	*rt = &ctx->routes;
	ssize_t		 n;
	int		 lost = 0;

	(void)fd;
	(void)events;
	for (;;) {
		n = mnl_socket_recvfrom(rt->mon, rt->buf, ROUTES_BUF_SIZE);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			if (errno == ENOBUFS) {
				lost = 1;
				continue;
			}
			log_warn("routes: notifications");
			break;
		}
		/* Notifications carry sequence 0 and the kernel's port 0. */
		if (mnl_cb_run(rt->buf, (size_t)n, 0, 0, apply_cb, rt) ==
		    MNL_CB_ERROR && errno == ENOMEM)
			lost = 1;
	}
	if (!lost)
		return;
	/* Some changes are unknown: the only safe view is a new dump. */
	rt->resyncs++;
	if (routes_resync(rt) == -1)
		log_warnx("routes: rebuilding the mirror failed; strict peers' "
		    "routed sources are dropped until the next route change");
	else
		log_info("routes: notifications lost, mirror rebuilt: %zu "
		    "routes via %s", rt->nroutes, ctx->tap.name);
}

int
routes_wanted(const struct tm_config *conf)
{
	size_t	 i;

	for (i = 0; i < conf->npeers; i++)
		if (conf->peers[i].source_check == TM_SOURCE_STRICT)
			return 1;
	return 0;
}

int
routes_start(struct tm_ctx *ctx)
{
	struct routes	*rt = &ctx->routes;
	int		 sz = ROUTES_RCVBUF;

	if (rt->active)
		return 0;
	rt->ifindex = ctx->tap.ifindex;
	if ((rt->buf = malloc(ROUTES_BUF_SIZE)) == NULL) {
		log_warn("routes");
		return -1;
	}
	rt->mon = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (rt->mon == NULL || mnl_socket_bind(rt->mon, RTMGRP_IPV4_ROUTE |
	    RTMGRP_IPV6_ROUTE, MNL_SOCKET_AUTOPID) == -1) {
		log_warn("routes: netlink");
		goto fail;
	}
	if (setsockopt(mnl_socket_get_fd(rt->mon), SOL_SOCKET, SO_RCVBUFFORCE,
	    &sz, sizeof(sz)) == -1)
		(void)setsockopt(mnl_socket_get_fd(rt->mon), SOL_SOCKET,
		    SO_RCVBUF, &sz, sizeof(sz));
	/* Subscribed first, so no change between dump and events is lost. */
	if (routes_dump(rt) == -1)
		goto fail;
	rt->ev = (struct event_fd){ mnl_socket_get_fd(rt->mon),
	    routes_readable, ctx };
	if (event_add_fd(&ctx->ev, &rt->ev, EPOLLIN) == -1) {
		log_warn("routes: epoll");
		goto fail;
	}
	rt->active = 1;
	log_info("routes: %zu routes via %s mirrored for strict source "
	    "checks (%zu KiB)", rt->nroutes, ctx->tap.name,
	    routes_memory(rt) / 1024);
	return 0;
 fail:
	routes_stop(ctx);
	return -1;
}

void
routes_stop(struct tm_ctx *ctx)
{
	struct routes	*rt = &ctx->routes;

	if (rt->active)
		event_del_fd(&ctx->ev, &rt->ev);
	if (rt->mon != NULL)
		mnl_socket_close(rt->mon);
	free(rt->buf);
	routes_clear(rt);
	routes_init(rt);
}
