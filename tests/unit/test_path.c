/*
 * Unit tests for path.c: which path carries the traffic (failover order,
 * hold-down, missed probes, the learned path), the source address of a
 * send, the frame limit of a path MTU.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "log.h"
#include "path.h"
#include "pmtu.h"
#include "wire.h"

#define SEC	1000000000ULL
#define HOLD	(5 * SEC)
#define T0	(1000 * SEC)
#define FRESH	(3 * SEC)

static struct peer_conf		 conf;
static struct path_set		 ps;
static struct log_ratelimit	 rl = LOG_RATELIMIT_INIT(100, 100);

static void
sa(struct sockaddr_in6 *s, const char *v4, uint16_t port)
{
	memset(s, 0, sizeof(*s));
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(port);
	s->sin6_addr.s6_addr[10] = 0xff;
	s->sin6_addr.s6_addr[11] = 0xff;
	assert_int_equal(inet_pton(AF_INET, v4, &s->sin6_addr.s6_addr[12]), 1);
}

/* Three endpoints, priorities 10, 20, 30, all resolved and untried. */
static int
setup(void **state)
{
	static const char *const hosts[] = { "192.0.2.1", "198.51.100.1",
	    "203.0.113.1" };
	size_t	 i;

	(void)state;
	memset(&conf, 0, sizeof(conf));
	memset(&ps, 0, sizeof(ps));
	strcpy(conf.name, "b");
	conf.nendpoints = 3;
	for (i = 0; i < 3; i++) {
		sa(&conf.endpoints[i].sa, hosts[i], 5655);
		conf.endpoints[i].priority = 10 * (int)(i + 1);
		conf.endpoints[i].resolved = 1;
	}
	path_init(&ps, &conf);
	return 0;
}

static void
test_init(void **state)
{
	(void)state;
	assert_int_equal(ps.npaths, 3);
	assert_int_equal(ps.active, 0);
	assert_true(ps.has_endpoint);
	assert_memory_equal(&ps.endpoint, &conf.endpoints[0].sa,
	    sizeof(ps.endpoint));
	assert_string_equal(path_state(&ps.paths[0]), "untried");
	ps.paths[2].resolved = 0;
	assert_string_equal(path_state(&ps.paths[2]), "unresolved");
}

/* Traffic takes the best live path, in priority order. */
static void
test_failover_order(void **state)
{
	(void)state;
	assert_int_equal(path_choose(&ps, T0, HOLD, FRESH), 0);
	ps.paths[0].up = 0;
	assert_int_equal(path_choose(&ps, T0, HOLD, FRESH), 1);
	ps.paths[1].up = 0;
	assert_int_equal(path_choose(&ps, T0, HOLD, FRESH), 2);
	ps.paths[2].up = 0;
	assert_int_equal(path_choose(&ps, T0, HOLD, FRESH), PATH_NONE);
	ps.has_learned = 1;
	assert_int_equal(path_choose(&ps, T0, HOLD, FRESH), PATH_LEARNED);
	/* Equal priorities: the first one configured. */
	ps.paths[1].up = ps.paths[2].up = 1;
	ps.paths[2].priority = 20;
	assert_int_equal(path_choose(&ps, T0, HOLD, FRESH), 1);
	/* A lower priority number wins wherever it stands. */
	ps.paths[2].priority = 5;
	assert_int_equal(path_choose(&ps, T0, HOLD, FRESH), 2);
}

/*
 * The relay is the last resort: below every live configured path, and
 * below a learned path heard from lately; a stale learned path loses
 * to a working relay, a dead relay to anything.
 */
static void
test_relay_last_resort(void **state)
{
	(void)state;
	path_set_relay(&ps, "hub", &rl);
	assert_true(ps.has_relay);
	assert_int_equal(path_choose(&ps, T0, HOLD, FRESH), 0);
	ps.paths[0].up = ps.paths[1].up = ps.paths[2].up = 0;
	assert_int_equal(path_choose(&ps, T0, HOLD, FRESH), PATH_RELAY);
	ps.has_learned = 1;
	ps.learned.last_reply_ns = T0 - FRESH / 2;
	assert_int_equal(path_choose(&ps, T0, HOLD, FRESH), PATH_LEARNED);
	ps.learned.last_reply_ns = T0 - FRESH;
	assert_int_equal(path_choose(&ps, T0, HOLD, FRESH), PATH_RELAY);
	ps.relay.up = 0;
	assert_int_equal(path_choose(&ps, T0, HOLD, FRESH), PATH_LEARNED);
	/* Traffic moves to the relay and back, and forgets it when gone. */
	ps.relay.up = 1;
	path_select(&ps, T0, HOLD, FRESH, &rl);
	assert_true(path_relayed(&ps));
	path_set_relay(&ps, NULL, &rl);
	assert_false(ps.has_relay);
	assert_int_equal(ps.active, PATH_LEARNED);
}

/* A path that came back waits the whole hold-down; a missed probe too. */
static void
test_hold_down(void **state)
{
	(void)state;
	ps.paths[0].up = 0;
	path_select(&ps, T0, HOLD, FRESH, &rl);
	assert_int_equal(ps.active, 1);
	/* The primary answers again at T0. */
	ps.paths[0].up = 1;
	ps.paths[0].up_since_ns = T0;
	assert_int_equal(path_choose(&ps, T0, HOLD, FRESH), 1);
	assert_int_equal(path_choose(&ps, T0 + HOLD - 1, HOLD, FRESH), 1);
	assert_int_equal(path_choose(&ps, T0 + HOLD, HOLD, FRESH), 0);
	/* A path that missed its latest probe is not switched to. */
	ps.paths[0].missed = 1;
	assert_int_equal(path_choose(&ps, T0 + 10 * HOLD, HOLD, FRESH), 1);
	/* ... but the active one keeps the traffic while it is up. */
	ps.paths[1].missed = 2;
	assert_int_equal(path_choose(&ps, T0 + 10 * HOLD, HOLD, FRESH), 1);
	ps.paths[0].missed = 0;
	path_select(&ps, T0 + HOLD, HOLD, FRESH, &rl);
	assert_int_equal(ps.active, 0);
	assert_memory_equal(&ps.endpoint, &ps.paths[0].addr,
	    sizeof(ps.endpoint));
}

/* path_choose changes nothing: it may be asked any number of times. */
static void
test_choose_is_pure(void **state)
{
	struct path_set	 before;

	(void)state;
	ps.paths[0].up = 0;
	memcpy(&before, &ps, sizeof(before));
	(void)path_choose(&ps, T0, HOLD, FRESH);
	(void)path_choose(&ps, T0 + HOLD, 0, FRESH);
	assert_memory_equal(&before, &ps, sizeof(ps));
}

/* Heard from a new address: used at once only with no working path. */
static void
test_heard(void **state)
{
	struct sockaddr_in6	 nat, nat2;
	const uint64_t		 fresh = 3 * SEC;

	(void)state;
	sa(&nat, "192.0.2.99", 40000);
	sa(&nat2, "192.0.2.99", 40001);
	/* From a configured path: the probes decide, nothing is learned. */
	path_heard(&ps, &conf.endpoints[1].sa, T0, fresh, &rl);
	assert_int_equal(ps.nheard, 0);
	assert_int_equal(ps.active, 0);
	/* From elsewhere while the active path works: kept, not used. */
	path_heard(&ps, &nat, T0, fresh, &rl);
	assert_int_equal(ps.nheard, 1);
	assert_true(ps.has_learned);
	assert_int_equal(ps.active, 0);
	/* The active path missed a probe: traffic follows the peer. */
	ps.paths[0].missed = 1;
	path_heard(&ps, &nat, T0 + 1, fresh, &rl);
	assert_int_equal(ps.active, PATH_LEARNED);
	assert_memory_equal(&ps.endpoint, &nat, sizeof(nat));
	/* The peer's probes from nat say it sends on that path. */
	path_probe_heard(&ps, &nat, 0, 1, T0 + 1, fresh, &rl);
	/*
	 * A first packet from an unknown address moves traffic, until a
	 * probe from there names it a backup: back to the active one.
	 */
	path_heard(&ps, &nat2, T0 + 2, fresh, &rl);
	assert_memory_equal(&ps.endpoint, &nat2, sizeof(nat2));
	path_probe_heard(&ps, &nat2, 1, 0, T0 + 2, fresh, &rl);
	assert_memory_equal(&ps.endpoint, &nat, sizeof(nat));
	/* Then the backup's packets do not drag traffic over ... */
	path_heard(&ps, &nat2, T0 + 3, fresh, &rl);
	assert_memory_equal(&ps.endpoint, &nat, sizeof(nat));
	/* ... unless the address in use went quiet. */
	path_heard(&ps, &nat2, T0 + 1 + fresh, fresh, &rl);
	assert_memory_equal(&ps.endpoint, &nat2, sizeof(nat2));
	path_heard(&ps, &nat, T0 + 1 + fresh, fresh, &rl);
	assert_memory_equal(&ps.endpoint, &nat, sizeof(nat));
	/* The peer fails over: its probe says "active" from nat2. */
	path_probe_heard(&ps, &nat2, 1, 1, T0 + 2 + fresh, fresh, &rl);
	assert_memory_equal(&ps.endpoint, &nat2, sizeof(nat2));
}

/* The learned table is bounded; the one in use is never replaced. */
static void
test_heard_bounded(void **state)
{
	struct sockaddr_in6	 a;
	int			 i;

	(void)state;
	for (i = 0; i < 3; i++)
		ps.paths[i].up = 0;
	path_select(&ps, T0, HOLD, FRESH, &rl);
	for (i = 0; i < 20; i++) {
		sa(&a, "192.0.2.99", (uint16_t)(40000 + i));
		path_heard(&ps, &a, T0 + (uint64_t)i, SEC, &rl);
		assert_true(ps.nheard <= PATH_MAX_LEARNED);
	}
	assert_memory_equal(&ps.endpoint, &a, sizeof(a));
	assert_int_equal(ps.active, PATH_LEARNED);
}

/* Two uplinks to one address: the path decides the source. */
static void
test_source(void **state)
{
	struct sockaddr_in6	 to;
	const struct in6_addr	*src;
	struct in6_addr		 s1, s2;

	(void)state;
	memset(&s1, 0, sizeof(s1));
	memset(&s2, 0, sizeof(s2));
	s1.s6_addr[15] = 1;
	s2.s6_addr[15] = 2;
	conf.endpoints[1].sa = conf.endpoints[0].sa;
	conf.endpoints[0].source = s1;
	conf.endpoints[0].has_source = 1;
	conf.endpoints[1].source = s2;
	conf.endpoints[1].has_source = 1;
	path_init(&ps, &conf);
	assert_ptr_equal(path_source(&ps, &ps.endpoint, 1),
	    &conf.endpoints[0].source);
	ps.paths[0].up = 0;
	path_select(&ps, T0, HOLD, FRESH, &rl);
	assert_int_equal(ps.active, 1);
	assert_ptr_equal(path_source(&ps, &ps.endpoint, 1),
	    &conf.endpoints[1].source);
	/* Retrying a handshake without a session walks the paths. */
	assert_int_equal(path_handshake_target(&ps, 1, 0, &to, &src), 0);
	assert_int_equal(ps.hs_path, 1);
	assert_ptr_equal(src, &conf.endpoints[1].source);
	assert_int_equal(path_handshake_target(&ps, 1, 0, &to, &src), 0);
	assert_int_equal(ps.hs_path, 2);
	assert_memory_equal(&to, &conf.endpoints[2].sa, sizeof(to));
	assert_null(src);
	/* With a session a handshake goes to the active path. */
	assert_int_equal(path_handshake_target(&ps, 1, 1, &to, &src), 0);
	assert_memory_equal(&to, &ps.endpoint, sizeof(to));
	/* An address of no path has no source. */
	sa(&to, "192.0.2.200", 1);
	assert_null(path_source(&ps, &to, 1));
}

/*
 * A learned underlay MTU only goes down (not below its family's floor),
 * bounds the frame size, and expires after ten minutes.
 */
static void
test_mtu(void **state)
{
	(void)state;
	assert_int_equal(path_frame_limit(&ps), 0);
	path_mtu_learned(&ps, &conf.endpoints[0].sa, 1400, T0);
	assert_int_equal(ps.paths[0].mtu, 1400);
	assert_int_equal(path_frame_limit(&ps),
	    1400 - 20 - 8 - WIRE_DATA_OVERHEAD);
	path_mtu_learned(&ps, &conf.endpoints[0].sa, 1450, T0 + SEC);
	assert_int_equal(ps.paths[0].mtu, 1400);
	assert_int_equal(ps.paths[0].mtu_learned_ns, T0);
	/* Below the IPv4 floor: the floor, learned now. */
	path_mtu_learned(&ps, &conf.endpoints[0].sa, 68, T0 + 2 * SEC);
	assert_int_equal(ps.paths[0].mtu, PMTU_LEARNED_MIN4);
	assert_int_equal(ps.paths[1].mtu, 0);
	/* Ten minutes on, it is forgotten: unknown again, as configured. */
	path_mtu_expire(&ps, T0 + 2 * SEC + PMTU_EXPIRE_NS - 1);
	assert_int_equal(ps.paths[0].mtu, PMTU_LEARNED_MIN4);
	path_mtu_expire(&ps, T0 + 2 * SEC + PMTU_EXPIRE_NS);
	assert_int_equal(ps.paths[0].mtu, 0);
	assert_int_equal(ps.paths[0].mtu_learned_ns, 0);
	assert_int_equal(path_frame_limit(&ps), 0);
	/* A configured MTU is what an expired one goes back to. */
	ps.paths[1].mtu = ps.paths[1].conf_mtu = 1450;
	path_mtu_learned(&ps, &conf.endpoints[1].sa, 1300, T0);
	assert_int_equal(ps.paths[1].mtu, 1300);
	path_mtu_expire(&ps, T0 + PMTU_EXPIRE_NS);
	assert_int_equal(ps.paths[1].mtu, 1450);
	path_mtu_expire(&ps, T0 + 10 * PMTU_EXPIRE_NS);
	assert_int_equal(ps.paths[1].mtu, 1450);
	path_mtu_learned(&ps, &conf.endpoints[0].sa, 1400, T0);
	/* A new address of a named endpoint forgets it. */
	ps.paths[0].host = "b.example";
	path_set_address(&ps, 0, &conf.endpoints[2].sa, &rl);
	assert_int_equal(ps.paths[0].mtu, 0);
	assert_int_equal(ps.paths[0].mtu_learned_ns, 0);
	assert_memory_equal(&ps.endpoint, &conf.endpoints[2].sa,
	    sizeof(ps.endpoint));
}

/*
 * An IPv6 path is never taken below 1280 bytes: a forged "packet too
 * big" quoting our datagram can lower it no further.
 */
static void
test_mtu_ipv6_floor(void **state)
{
	struct sockaddr_in6	 s6;

	(void)state;
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(5655);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &s6.sin6_addr), 1);
	conf.endpoints[0].sa = s6;
	path_init(&ps, &conf);
	path_mtu_learned(&ps, &s6, 1000, T0);
	assert_int_equal(ps.paths[0].mtu, 1280);
	assert_int_equal(path_frame_limit(&ps),
	    1280 - 40 - 8 - WIRE_DATA_OVERHEAD);
	path_mtu_learned(&ps, &s6, 576, T0);
	assert_int_equal(ps.paths[0].mtu, 1280);
	path_mtu_learned(&ps, &s6, 1279, T0);
	assert_int_equal(ps.paths[0].mtu, 1280);
	assert_int_equal(ps.paths[1].mtu, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init, setup),
		cmocka_unit_test_setup(test_mtu_ipv6_floor, setup),
		cmocka_unit_test_setup(test_failover_order, setup),
		cmocka_unit_test_setup(test_relay_last_resort, setup),
		cmocka_unit_test_setup(test_hold_down, setup),
		cmocka_unit_test_setup(test_choose_is_pure, setup),
		cmocka_unit_test_setup(test_heard, setup),
		cmocka_unit_test_setup(test_heard_bounded, setup),
		cmocka_unit_test_setup(test_source, setup),
		cmocka_unit_test_setup(test_mtu, setup),
	};

	log_init("test_path", 1, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
