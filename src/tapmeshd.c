/*
 * tapmeshd: one TAP for all peers; the kernel and the routing daemons
 * beside it do the routing, tapmeshd moves frames.
 */
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include <linux/neighbour.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "counters.h"
#include "daemon.h"
#include "datapath.h"
#include "hostname.h"
#include "neigh.h"
#include "neighq.h"
#include "priv.h"
#include "reload.h"
#include "session.h"
#include "timers.h"
#include "udp.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#define DEFAULT_CONFIG	SYSCONFDIR "/tapmesh/tapmesh.conf"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tapmeshd [-dhstV] [-c file]\n"
	    "  -c file  configuration file (default %s)\n"
	    "  -d       log debug messages\n"
	    "  -s       log to syslog instead of stderr\n"
	    "  -t       check the configuration and exit\n"
	    "  -V       print the version and exit\n"
	    "  -h       print this help and exit\n", DEFAULT_CONFIG);
}

/* Loads the configuration, printing every error; returns 0 or -1. */
static int
load_config(const char *path, struct tm_config *conf)
{
	struct cfg_errors	 errs = { .msg = NULL };
	size_t			 i;
	int			 rc;

	rc = config_load(path, conf, &errs);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	cfg_errors_clear(&errs);
	return rc;
}

static int
sysctl_if(const char *family, const char *ifname, const char *key,
    const char *value)
{
	char	 path[128];

	snprintf(path, sizeof(path), "%s/conf/%s/%s", family, ifname, key);
	return nl_sysctl_set(path, value);
}

/*
 * A node forwarding between two peers sends the packet back out of the
 * TAP it came in on; an ICMP redirect telling the sender to go direct
 * would be wrong here (the daemon also drops any that reach it).  Router
 * advertisements are never carried (filter.c); taking none keeps a
 * router's or prefix's lifetime from depending on one that slipped in
 * before.
 */
static void
tap_sysctls(struct tm_ctx *ctx)
{
	static const struct {
		const char	*family;
		const char	*key;
		const char	*value;
	} s[] = {
		{ "ipv4", "send_redirects", "0" },
		{ "ipv4", "accept_redirects", "0" },
		{ "ipv6", "accept_redirects", "0" },
		{ "ipv6", "accept_dad", "0" },
		/* Routers and prefixes come from routing, not from peers. */
		{ "ipv6", "accept_ra", "0" },
		{ "ipv6", "autoconf", "0" },
		/* ND is never fragmented (RFC 6980). */
		{ "ipv6", "suppress_frag_ndisc", "1" },
	};
	size_t	 i;
	int	 err;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		err = sysctl_if(s[i].family, ctx->tap.name, s[i].key,
		    s[i].value);
		if (err != 0)
			log_warnx("%s: sysctl %s %s: %s", ctx->tap.name,
			    s[i].family, s[i].key, strerror(-err));
	}
}

static int
interface_setup(struct tm_ctx *ctx)
{
	char	 mbuf[18];
	size_t	 i;
	int	 err;

	if (tap_open(&ctx->tap, ctx->conf.interface, ctx->conf.offload) ==
	    -1) {
		log_warn("%s: cannot open TAP", ctx->conf.interface);
		return -1;
	}
	log_info("%s: %s TAP, ifindex %d, offloads %s", ctx->tap.name,
	    ctx->tap.created ? "created" : "adopted", ctx->tap.ifindex,
	    ctx->tap.offload ? "on" : ctx->conf.offload ?
	    "refused by the kernel" : "off");
	tap_sysctls(ctx);
	err = nl_link_set(&ctx->nl, ctx->tap.ifindex, ctx->conf.mac, ctx->mtu,
	    0);
	if (err != 0) {
		log_warnx("%s: setting MAC and MTU: %s", ctx->tap.name,
		    strerror(-err));
		return -1;
	}
	for (i = 0; i < ctx->conf.naddrs; i++) {
		err = nl_addr_add(&ctx->nl, ctx->tap.ifindex,
		    &ctx->conf.addrs[i]);
		if (err != 0) {
			char	 abuf[INET6_ADDRSTRLEN];

			log_warnx("%s: adding address %s/%d: %s",
			    ctx->tap.name, addr_ntop(&ctx->conf.addrs[i].addr,
			    abuf, sizeof(abuf)), ctx->conf.addrs[i].plen,
			    strerror(-err));
			return -1;
		}
	}
	if ((err = nl_link_set(&ctx->nl, ctx->tap.ifindex, NULL, 0, 1)) != 0) {
		log_warnx("%s: bringing up: %s", ctx->tap.name, strerror(-err));
		return -1;
	}
	log_info("%s: up, MAC %s, MTU %d", ctx->tap.name,
	    mac_ntop(ctx->conf.mac, mbuf, sizeof(mbuf)), ctx->mtu);
	/* Neighbour entries follow each peer's liveness (session.c). */
	for (i = 0; i < ctx->peers.npeers; i++)
		log_info("peer %s: MAC %s", ctx->peers.peers[i]->conf.name,
		    mac_ntop(ctx->peers.peers[i]->conf.mac, mbuf, sizeof(mbuf)));
	return 0;
}

static void
interface_teardown(struct tm_ctx *ctx)
{
	size_t	 i, left;

	if (ctx->nl.sock != NULL && ctx->tap.fd != -1)
		for (i = 0; i < ctx->peers.npeers; i++)
			neigh_peer_remove(ctx, ctx->peers.peers[i]);
	if ((left = neighq_close(ctx, NEIGHQ_EXIT_MS)) > 0)
		log_warnx("%zu neighbour entries could not be removed",
		    left);
	tap_close(&ctx->tap);
}

static void
signal_readable(int fd, uint32_t events, void *arg)
{
	struct tm_ctx		*ctx = arg;
	struct signalfd_siginfo	 si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("signal %u: shutting down", si.ssi_signo);
			event_break(&ctx->ev);
			break;
		case SIGHUP:
			log_info("SIGHUP: reloading %s", ctx->conf.file);
			daemon_reload(ctx, NULL);
			break;
		}
	}
}

static int
signals_setup(struct tm_ctx *ctx)
{
	sigset_t	 mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	ctx->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	return ctx->sigfd == -1 ? -1 : 0;
}

static int
run(struct tm_ctx *ctx)
{
	int	 err;

	/* First, before any thread or change to the system. */
	if (priv_sched(ctx->conf.file, ctx->conf.sched_priority_line,
	    ctx->conf.sched_priority) == -1)
		return 1;
	if (signals_setup(ctx) == -1) {
		log_warn("signalfd");
		return 1;
	}
	if (event_init(&ctx->ev) == -1) {
		log_warn("epoll");
		return 1;
	}
	if (peer_table_init(&ctx->peers, ctx->conf.peers,
	    ctx->conf.npeers) == -1) {
		log_warnx("out of memory");
		return 1;
	}
	if (filter_build(&ctx->filter, &ctx->conf, ctx->peers.peers,
	    ctx->peers.npeers) == -1) {
		log_warnx("out of memory");
		return 1;
	}
	if ((err = nl_open(&ctx->nl)) != 0) {
		log_warnx("netlink: %s", strerror(-err));
		return 1;
	}
	if (neighq_open(ctx) == -1)
		return 1;
	if (interface_setup(ctx) == -1)
		return 1;
	if (routes_wanted(&ctx->conf) && routes_start(ctx) == -1)
		return 1;
	if ((ctx->udpfd = udp_open(ctx->conf.listen, ctx->conf.offload,
	    ctx->conf.read_ahead, &ctx->hsfd, &ctx->expfd)) == -1) {
		log_warn("UDP port %u", ctx->conf.listen);
		return 1;
	}
	if (ctx->hsfd == -1)
		log_warn("UDP port %u: no sockets of their own for handshakes "
		    "and short data (a flood of handshakes can crowd out data, "
		    "a ping waits behind bulk data)", ctx->conf.listen);
	tapq_init(&ctx->tapio.q, ctx->tap.offload);
	slotq_init(&ctx->rx.order, RX_SLOTS);
	ctx->tap_ev = (struct event_fd){ ctx->tap.fd, datapath_tap_readable,
	    ctx };
	ctx->udp_ev = (struct event_fd){ ctx->udpfd, datapath_udp_readable,
	    ctx };
	ctx->hs_ev = (struct event_fd){ ctx->hsfd, datapath_udp_readable,
	    ctx };
	ctx->exp_ev = (struct event_fd){ ctx->expfd, datapath_udp_readable,
	    ctx };
	ctx->sig_ev = (struct event_fd){ ctx->sigfd, signal_readable, ctx };
	if (session_init(ctx) == -1 || timers_start(ctx) == -1 ||
	    neigh_watch_start(ctx) == -1 || control_open(ctx) == -1 ||
	    hostname_start(ctx) == -1)
		return 1;
	if (event_add_fd(&ctx->ev, &ctx->tap_ev, EPOLLIN) == -1 ||
	    event_add_fd(&ctx->ev, &ctx->udp_ev, EPOLLIN) == -1 ||
	    (ctx->hsfd != -1 &&
	    event_add_fd(&ctx->ev, &ctx->hs_ev, EPOLLIN) == -1) ||
	    (ctx->expfd != -1 &&
	    event_add_fd(&ctx->ev, &ctx->exp_ev, EPOLLIN) == -1) ||
	    event_add_fd(&ctx->ev, &ctx->sig_ev, EPOLLIN) == -1) {
		log_warn("epoll_ctl");
		return 1;
	}
	if (ctx->conf.user[0] != '\0' && priv_drop(ctx->conf.user) == -1)
		return 1;
	log_info("listening on UDP port %u, %zu peers", ctx->conf.listen,
	    ctx->peers.npeers);
	priv_sd_notify("READY=1");
	if (event_run(&ctx->ev) == -1) {
		log_warn("epoll_wait");
		return 1;
	}
	return ctx->exit_code;
}

int
main(int argc, char *argv[])
{
	const char	*path = DEFAULT_CONFIG;
	struct tm_ctx	*ctx;
	int		 ch, check = 0, rc, use_syslog = 0;
	enum log_level	 level = LOG_LEVEL_INFO;

	while ((ch = getopt(argc, argv, "c:dhstV")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			level = LOG_LEVEL_DEBUG;
			break;
		case 's':
			use_syslog = 1;
			break;
		case 't':
			check = 1;
			break;
		case 'V':
			printf("tapmeshd %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("tapmeshd", !use_syslog || check, level);

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		fatal("calloc");
	ctx->tap.fd = ctx->udpfd = ctx->hsfd = ctx->expfd = -1;
	ctx->sigfd = ctx->ev.epfd = -1;
	ctx->control.fd = -1;
	ctx->rl_drop = (struct log_ratelimit)LOG_RATELIMIT_INIT(1, 5);
	ctx->rl_roam = (struct log_ratelimit)LOG_RATELIMIT_INIT(1, 10);
	ctx->rl_icmp = (struct log_ratelimit)LOG_RATELIMIT_INIT(100, 100);
	ctx->rl_filter = (struct log_ratelimit)LOG_RATELIMIT_INIT(1, 5);
	filter_init(&ctx->filter);
	routes_init(&ctx->routes);
	if (load_config(path, &ctx->conf) == -1) {
		free(ctx);
		return 1;
	}
	/* A name that does not resolve yet is a warning: the path waits. */
	(void)hostname_resolve_all(&ctx->conf, check);
	if (check) {
		printf("%s: configuration OK, %zu peers\n", path,
		    ctx->conf.npeers);
		config_free(&ctx->conf);
		free(ctx);
		return 0;
	}
	ctx->mtu = ctx->conf.mtu ? ctx->conf.mtu : TAP_MTU_DEFAULT;

	rc = run(ctx);
	priv_sd_notify("STOPPING=1");

	counters_log(ctx);
	hostname_stop(ctx);
	control_close(ctx);
	neigh_watch_stop(ctx);
	routes_stop(ctx);
	interface_teardown(ctx);
	session_free(ctx);
	if (ctx->udpfd >= 0)
		close(ctx->udpfd);
	if (ctx->hsfd >= 0)
		close(ctx->hsfd);
	if (ctx->expfd >= 0)
		close(ctx->expfd);
	if (ctx->sigfd != -1)
		close(ctx->sigfd);
	nl_close(&ctx->nl);
	event_free(&ctx->ev);
	peer_table_free(&ctx->peers);
	filter_free(&ctx->filter);
	config_free(&ctx->conf);
	free(ctx);
	log_info("exiting with status %d", rc);
	return rc;
}
