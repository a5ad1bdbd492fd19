/*
 * Golden tests for every rendering of the counters: `tapmeshctl show`
 * (text), `show --json`, `tapmeshctl metrics` and the summary the daemon
 * logs at exit.  The JSON field names and the metric names are an
 * interface, and the text and log lines are read by people and scripts,
 * so each output must stay byte for byte what tests/unit/golden/ holds.
 *
 * Every counter gets a value of its own (no two alike), so a counter
 * moved to another field or two counters swapped change the output.  The
 * only numbers masked are ages measured against the clock.
 *
 * With TAPMESH_GOLDEN_WRITE=1 in the environment the outputs are written
 * to the golden files instead of compared: for a change of format made
 * on purpose, to be reviewed in the diff.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "daemon.h"
#include "counters.h"
#include "log.h"
#include "sbuf.h"
#include "show.h"

static void
set_endpoint(struct endpoint_conf *ep, const char *addr, uint16_t port,
    int priority, const char *host)
{
	memset(ep, 0, sizeof(*ep));
	ep->sa.sin6_family = AF_INET6;
	ep->sa.sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, addr, &ep->sa.sin6_addr), 1);
	ep->port = port;
	ep->priority = priority;
	ep->resolved = 1;
	if (host != NULL) {
		snprintf(ep->host, sizeof(ep->host), "%s", host);
		ep->is_name = 1;
	}
}

static struct peer *
make_peer(const char *name, int n, uint64_t base)
{
	struct peer_conf	 pc;
	struct peer		*p;
	int			 i;

	memset(&pc, 0, sizeof(pc));
	snprintf(pc.name, sizeof(pc.name), "%s", name);
	for (i = 0; i < KEY_LEN; i++)
		pc.public_key[i] = (uint8_t)(n * 40 + i);
	pc.has_public_key = 1;
	assert_int_equal(addr_parse(n == 1 ? "10.9.0.2" : n == 2 ? "10.9.0.3" : "10.9.0.4",
	    &pc.addrs[0]), 0);
	assert_int_equal(addr_parse(n == 1 ? "fd00:9::2" : n == 2 ? "fd00:9::3" : "fd00:9::4",
	    &pc.addrs[1]), 0);
	pc.naddrs = 2;
	pc.mac[0] = 0x02;
	pc.mac[5] = (uint8_t)(n + 1);
	assert_int_equal(inet_pton(AF_INET6, n == 1 ? "fe80::2" : n == 2 ? "fe80::3" : "fe80::4",
	    &pc.lladdr), 1);
	if (n == 1) {
		set_endpoint(&pc.endpoints[0], "2001:db8::2", 51820, 0, NULL);
		set_endpoint(&pc.endpoints[1], "::ffff:192.0.2.2", 51821, 5,
		    "alpha.example");
		pc.nendpoints = 2;
	}
	p = peer_new(&pc);
	assert_non_null(p);
	/* Every counter a value of its own. */
	p->stats.rx_packets = base + 1;
	p->stats.rx_bytes = base * 1000 + 2;
	p->stats.tx_packets = base + 3;
	p->stats.tx_bytes = base * 3000000 + 4;
	p->stats.handshakes_sent = base + 5;
	p->stats.handshakes_done = base + 6;
	for (i = 0; i < DROP_MAX; i++)
		p->stats.drops[i] = i % 3 == 1 ? 0 : base + 10 + (uint64_t)i;
	return p;
}

static struct tm_ctx *
make_ctx(void)
{
	struct tm_ctx	*ctx;
	struct peer	*p;
	uint64_t	 now = event_now_ns();
	int		 i;

	ctx = calloc(1, sizeof(*ctx));
	assert_non_null(ctx);
	snprintf(ctx->conf.interface, sizeof(ctx->conf.interface), "tm0");
	for (i = 0; i < KEY_LEN; i++)
		ctx->conf.public_key[i] = (uint8_t)(200 + i);
	ctx->conf.listen = 51820;
	/* No sockets: the kernel's drops read 0 (see test_udp). */
	ctx->udpfd = ctx->hsfd = ctx->expfd = -1;
	assert_int_equal(addr_parse("10.9.0.1", &ctx->conf.addrs[0].addr), 0);
	ctx->conf.addrs[0].plen = 24;
	assert_int_equal(addr_parse("fd00:9::1", &ctx->conf.addrs[1].addr), 0);
	ctx->conf.addrs[1].plen = 64;
	ctx->conf.naddrs = 2;
	ctx->conf.mac[0] = 0x02;
	ctx->conf.mac[5] = 0x01;
	ctx->mtu = 1420;
	ctx->tap.offload = 1;
	ctx->offload.tso_frames = 701;
	ctx->offload.tso_segments = 702;
	ctx->offload.gro_frames = 703;
	ctx->offload.gro_segments = 704;
	ctx->offload.partial_tx = 705;
	ctx->offload.partial_rx = 706;
	ctx->ev.rounds_1ms = 823;
	ctx->ev.rounds_10ms = 822;
	ctx->ev.rounds_100ms = 821;
	ctx->ev.longest_round_ns = 824005006;
	ctx->control.refused = 801;
	ctx->control.bad_requests = 802;
	for (i = 0; i < DROP_MAX; i++)
		ctx->stats.drops[i] = i % 4 == 2 ? 0 : 900 + (uint64_t)i;

	ctx->peers.peers = calloc(3, sizeof(*ctx->peers.peers));
	assert_non_null(ctx->peers.peers);
	p = make_peer("alpha", 1, 100);
	p->up = 1;
	p->path.paths[0].probes_sent = 31;
	p->path.paths[0].probes_answered = 30;
	p->path.paths[0].rtt_ns = 1234567;
	p->path.paths[1].probes_sent = 7;
	/* Learned from ICMP 95.5 s ago (stable text), and a configured one. */
	p->path.paths[0].mtu = 1280;
	p->path.paths[0].mtu_learned_ns = now - 95500000000ULL;
	p->path.paths[1].mtu = p->path.paths[1].conf_mtu = 1400;
	p->path.has_learned = 1;
	p->path.learned.addr = p->path.paths[0].addr;
	p->path.learned.addr.sin6_port = htons(40000);
	p->path.heard[0].addr = p->path.learned.addr;
	p->path.heard[0].heard_ns = now - 1500000000ULL;
	p->path.heard[0].peer_path = 1;
	p->path.heard[0].peer_active = 1;
	p->path.heard[1].addr = p->path.paths[1].addr;
	p->path.heard[1].heard_ns = now - 2500000000ULL;
	p->path.heard[1].peer_path = -1;
	p->path.nheard = 2;
	/* Half a second from the next whole second, so the text is stable. */
	p->last_handshake_ns = now - 3723500000000ULL;
	p->handshake_rtt_ns = 2345678;
	ctx->peers.peers[0] = p;
	p = make_peer("beta", 2, 5000000);
	p->hs_sent_ns = now;
	ctx->peers.peers[1] = p;
	/* And one that never counted anything. */
	p = make_peer("gamma", 3, 0);
	memset(&p->stats, 0, sizeof(p->stats));
	ctx->peers.peers[2] = p;
	ctx->peers.npeers = 3;
	return ctx;
}

static void
free_ctx(struct tm_ctx *ctx)
{
	size_t	 i;

	for (i = 0; i < ctx->peers.npeers; i++)
		free(ctx->peers.peers[i]);
	free(ctx->peers.peers);
	free(ctx);
}

/*
 * Replaces the number that follows `after`, which follows `marker`, with
 * "N", at every occurrence of marker: the ages, which depend on the clock.
 */
static void
mask(char *s, const char *marker, const char *after)
{
	char	*p = s, *q, *w;

	while ((p = strstr(p, marker)) != NULL) {
		p += strlen(marker);
		if ((q = strstr(p, after)) == NULL)
			break;
		q += strlen(after);
		w = q;
		while (*q != '\0' && (strchr("0123456789.", *q) != NULL))
			q++;
		if (q == w)
			continue;
		*w = 'N';
		memmove(w + 1, q, strlen(q) + 1);
		p = w + 1;
	}
}

static void
mask_ages(char *s)
{
	mask(s, "  heard from ", ": ");
	mask(s, "\"age_ms\":", " ");
	mask(s, "\"mtu_learned_age_ms\":", " ");
	mask(s, "\"latest_handshake_age_ms\":", " ");
	mask(s, "tapmesh_peer_latest_handshake_seconds{", "} ");
}

static char *
read_file(const char *path)
{
	FILE	*f;
	char	*s;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return s;
}

static void
golden(const char *name, char *out)
{
	char		 path[4096];
	const char	*top = getenv("TOP_SRCDIR");
	char		*want;
	FILE		*f;

	mask_ages(out);
	snprintf(path, sizeof(path), "%s/tests/unit/golden/%s",
	    top != NULL ? top : ".", name);
	if (getenv("TAPMESH_GOLDEN_WRITE") != NULL) {
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(out, 1, strlen(out), f), strlen(out));
		assert_int_equal(fclose(f), 0);
		return;
	}
	want = read_file(path);
	if (want == NULL)
		fail_msg("%s: cannot read", path);
	assert_string_equal(out, want);
	free(want);
}

static void
test_text(void **state)
{
	struct tm_ctx	*ctx = make_ctx();
	struct sbuf	 b = { 0 };

	(void)state;
	assert_int_equal(show_text(ctx, NULL, &b), 0);
	assert_false(b.failed);
	golden("show.txt", b.s);
	sbuf_free(&b);
	memset(&b, 0, sizeof(b));
	assert_int_equal(show_text(ctx, "beta", &b), 0);
	golden("show-beta.txt", b.s);
	sbuf_free(&b);
	memset(&b, 0, sizeof(b));
	assert_int_equal(show_text(ctx, "delta", &b), -1);
	sbuf_free(&b);
	free_ctx(ctx);
}

static void
test_json(void **state)
{
	struct tm_ctx	*ctx = make_ctx();
	struct sbuf	 b = { 0 };

	(void)state;
	assert_int_equal(show_json(ctx, NULL, &b), 0);
	assert_false(b.failed);
	golden("show.json", b.s);
	sbuf_free(&b);
	free_ctx(ctx);
}

static void
test_metrics(void **state)
{
	struct tm_ctx	*ctx = make_ctx();
	struct sbuf	 b = { 0 };

	(void)state;
	show_metrics(ctx, &b);
	assert_false(b.failed);
	golden("metrics.txt", b.s);
	sbuf_free(&b);
	free_ctx(ctx);
}

/* The exit summary goes to the log: stderr here, caught in a file. */
static void
test_exit_log(void **state)
{
	struct tm_ctx	*ctx = make_ctx();
	char		 tmpl[] = "/tmp/test_show.XXXXXX";
	char		*out;
	int		 fd, saved;

	(void)state;
	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	log_init("tapmeshd", 1, LOG_LEVEL_INFO);
	counters_log(ctx);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	close(fd);
	out = read_file(tmpl);
	unlink(tmpl);
	assert_non_null(out);
	golden("exit-log.txt", out);
	free(out);
	free_ctx(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_exit_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
