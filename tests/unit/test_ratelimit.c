/*
 * Unit tests for ratelimit.c: a source is limited to its burst and its
 * rate, sources that fall in one set keep their own counts (none resets
 * another's), and an IPv6 /64 counts as one source.
 */
#include <arpa/inet.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ratelimit.h"

#define MS	1000000ULL

static struct ratelimit	 rl;

static int
setup(void **state)
{
	static const uint64_t	 key[2] = { 0x0123456789abcdefULL, 42 };

	(void)state;
	ratelimit_init(&rl, key);
	return 0;
}

static struct in6_addr
v4(uint32_t a)
{
	struct in6_addr	 x;

	memset(&x, 0, sizeof(x));
	x.s6_addr[10] = x.s6_addr[11] = 0xff;
	a = htonl(a);
	memcpy(&x.s6_addr[12], &a, 4);
	return x;
}

static struct in6_addr
v6(const char *s)
{
	struct in6_addr	 x;

	assert_int_equal(inet_pton(AF_INET6, s, &x), 1);
	return x;
}

/* n IPv4 sources after from (10.0.0.0 on) that fall in one set. */
static void
colliding(struct in6_addr *out, size_t n)
{
	struct in6_addr	 first = v4(0x0a000001);
	size_t		 set = ratelimit_set(&rl, &first), k = 1;
	uint32_t	 a;

	out[0] = first;
	for (a = 0x0a000002; k < n && a < 0x0a100000; a++) {
		struct in6_addr	 x = v4(a);

		if (ratelimit_set(&rl, &x) == set)
			out[k++] = x;
	}
	assert_int_equal(k, n);
}

static void
test_burst_and_rate(void **state)
{
	struct in6_addr	 a = v4(0xc0000201);
	uint64_t	 now = 1000 * MS;
	int		 i, n = 0;

	(void)state;
	for (i = 0; i < 50; i++)
		n += ratelimit_allow(&rl, &a, now);
	assert_int_equal(n, RATELIMIT_BURST);
	/* A tenth of a second brings one token back at 10 a second. */
	assert_true(ratelimit_allow(&rl, &a, now + 100 * MS));
	assert_false(ratelimit_allow(&rl, &a, now + 100 * MS));
	/* Another address of the same /24 is another source. */
	a = v4(0xc0000202);
	assert_true(ratelimit_allow(&rl, &a, now + 100 * MS));
}

/*
 * Two sources in one set, alternating every millisecond for a tenth of a
 * second: each gets its burst and the tokens of that tenth, not one
 * handshake each time (as when a differing address reset the bucket).
 */
static void
test_colliding_both_limited(void **state)
{
	struct in6_addr	 s[2];
	uint64_t	 now = 5000 * MS;
	int		 i, n[2] = { 0, 0 };

	(void)state;
	colliding(s, 2);
	for (i = 0; i < 200; i++) {
		n[i % 2] += ratelimit_allow(&rl, &s[i % 2], now);
		now += MS / 2;
	}
	assert_in_range(n[0], RATELIMIT_BURST, RATELIMIT_BURST + 1);
	assert_in_range(n[1], RATELIMIT_BURST, RATELIMIT_BURST + 1);
}

/*
 * A set full of busy sources refuses a new one instead of taking a busy
 * source's bucket; once one of them has been quiet for the time it takes
 * to fill up again, the new source gets that bucket.
 */
static void
test_full_set(void **state)
{
	struct in6_addr	 s[RATELIMIT_WAYS + 1];
	uint64_t	 now = 9000 * MS;
	size_t		 i;
	int		 j;

	(void)state;
	colliding(s, RATELIMIT_WAYS + 1);
	for (i = 0; i < RATELIMIT_WAYS; i++)
		for (j = 0; j < RATELIMIT_BURST; j++)
			assert_true(ratelimit_allow(&rl, &s[i], now));
	assert_false(ratelimit_allow(&rl, &s[RATELIMIT_WAYS], now));
	for (i = 0; i < RATELIMIT_WAYS; i++)
		assert_false(ratelimit_allow(&rl, &s[i], now));
	/* s[0] keeps sending, the others go quiet. */
	for (j = 1; j <= 12; j++)
		(void)ratelimit_allow(&rl, &s[0], now + j * 100 * MS);
	now += 1200 * MS;
	assert_true(ratelimit_allow(&rl, &s[RATELIMIT_WAYS], now));
	assert_false(ratelimit_allow(&rl, &s[0], now));
}

/* A thousand addresses of one /64 share one bucket; the next /64 not. */
static void
test_ipv6_by_64(void **state)
{
	struct in6_addr	 a = v6("2001:db8:1:2::");
	uint64_t	 now = 20000 * MS;
	uint32_t	 i;
	int		 n = 0;

	(void)state;
	for (i = 1; i <= 1000; i++) {
		uint32_t	 lo = htonl(i * 2654435761U);

		memcpy(&a.s6_addr[12], &lo, 4);
		a.s6_addr[9] = (uint8_t)i;
		n += ratelimit_allow(&rl, &a, now);
		now += MS;
	}
	/* A second: the burst and ten a second. */
	assert_in_range(n, RATELIMIT_BURST, RATELIMIT_BURST + RATELIMIT_RATE);
	a = v6("2001:db8:1:3::1");
	assert_true(ratelimit_allow(&rl, &a, now));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_burst_and_rate, setup),
		cmocka_unit_test_setup(test_colliding_both_limited, setup),
		cmocka_unit_test_setup(test_full_set, setup),
		cmocka_unit_test_setup(test_ipv6_by_64, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
