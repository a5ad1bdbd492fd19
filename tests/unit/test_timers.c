/*
 * Unit tests for timers.c's decisions: keypair expiry, dead time, when a
 * handshake or a rekey is due, retried (backing off) or abandoned,
 * keepalives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "timers.h"

#define SEC	1000000000ULL
#define T0	(1000 * SEC)

/*
 * The defaults: rekey 120 s, reject 1.5 x, retry 5 s, dead 15 s, ka 10 s,
 * back-off up to TIMERS_BACKOFF_MAX_S.
 */
static const struct timers_limits lim = {
	120 * SEC, 180 * SEC, 5 * SEC, 15 * SEC, 10 * SEC,
	TIMERS_BACKOFF_MAX_S * SEC, 0
};

/* A session we initiated at T0, the peer up and heard from at T0. */
static struct timers_state
fresh(int initiator)
{
	struct timers_state	 s;

	memset(&s, 0, sizeof(s));
	s.current_ns = T0;
	s.current_initiator = initiator;
	s.up = 1;
	s.last_rx_ns = T0;
	return s;
}

static void
test_quiet(void **state)
{
	struct timers_state	 s = fresh(1);

	(void)state;
	assert_int_equal(timers_due(&s, &lim, T0 + SEC), TIMERS_PROBE);
	s.last_rx_ns = T0 + 118 * SEC;
	assert_int_equal(timers_due(&s, &lim, T0 + 119 * SEC), TIMERS_PROBE);
}

/* No session at all: a handshake, and nothing to probe. */
static void
test_no_session(void **state)
{
	struct timers_state	 s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(timers_due(&s, &lim, T0), TIMERS_INITIATE);
	/* A responder's keypair waiting for confirmation holds it back. */
	s.next_ns = T0 - SEC;
	assert_int_equal(timers_due(&s, &lim, T0), 0);
	/*
	 * Unconfirmed for two retry intervals: initiate, but keep it (its
	 * confirmation may have been lost) until it expires.
	 */
	assert_int_equal(timers_due(&s, &lim, T0 - SEC + 2 * lim.retry_ns),
	    TIMERS_INITIATE);
	assert_int_equal(timers_due(&s, &lim, T0 - SEC + lim.reject_ns - 1),
	    TIMERS_INITIATE);
	assert_int_equal(timers_due(&s, &lim, T0 - SEC + lim.reject_ns),
	    TIMERS_EXPIRE_NEXT | TIMERS_INITIATE);
}

/* The initiator rekeys after rekey_time, the responder a quarter later. */
static void
test_rekey_due(void **state)
{
	struct timers_state	 s = fresh(1);

	(void)state;
	s.last_rx_ns = T0 + 119 * SEC;
	assert_int_equal(timers_due(&s, &lim, T0 + 120 * SEC - 1),
	    TIMERS_PROBE);
	assert_int_equal(timers_due(&s, &lim, T0 + 120 * SEC),
	    TIMERS_INITIATE | TIMERS_PROBE);
	s = fresh(0);
	s.last_rx_ns = T0 + 119 * SEC;
	assert_int_equal(timers_due(&s, &lim, T0 + 120 * SEC), TIMERS_PROBE);
	s.last_rx_ns = T0 + 140 * SEC;
	assert_int_equal(timers_due(&s, &lim, T0 + 150 * SEC - 1),
	    TIMERS_PROBE);
	assert_int_equal(timers_due(&s, &lim, T0 + 150 * SEC),
	    TIMERS_INITIATE | TIMERS_PROBE);
}

/* Our initiation in flight: retried when due, abandoned when not. */
static void
test_retry_abandon(void **state)
{
	struct timers_state	 s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.hs_sent_ns = T0;
	assert_int_equal(timers_due(&s, &lim, T0 + lim.retry_ns - 1), 0);
	assert_int_equal(timers_due(&s, &lim, T0 + lim.retry_ns),
	    TIMERS_RETRY);
	/*
	 * A session came up the other way: ours is not needed any more,
	 * and is abandoned instead of retried (its answer may come until).
	 */
	s = fresh(0);
	s.hs_sent_ns = T0 + SEC;
	assert_int_equal(timers_due(&s, &lim, T0 + 2 * SEC), TIMERS_PROBE);
	assert_int_equal(timers_due(&s, &lim, T0 + SEC + lim.retry_ns),
	    TIMERS_ABANDON | TIMERS_PROBE);
}

/*
 * A peer that is down and does not answer: each unanswered retry doubles
 * the wait, up to the maximum; jitter takes up to a quarter off; a live
 * peer's rekey keeps the plain retry time.
 */
static void
test_backoff(void **state)
{
	static const uint64_t	 want[] = { 5, 10, 20, 40, 80, 120, 120 };
	struct timers_state	 s;
	uint64_t		 w, total = 0;
	unsigned int		 n;

	(void)state;
	for (n = 0; n < sizeof(want) / sizeof(want[0]); n++) {
		assert_int_equal(timers_retry_wait(n, 0, 0, &lim), want[n] * SEC);
		total += timers_retry_wait(n, 0, 0, &lim);
	}
	/* Seven tries in the first 5 minutes, then two a minute at most... */
	assert_true(total == 395 * SEC);
	assert_int_equal(timers_retry_wait(1000, 0, 0, &lim),
	    TIMERS_BACKOFF_MAX_S * SEC);
	/* ...never sooner than every retry time while the peer is up. */
	assert_int_equal(timers_retry_wait(6, 0, 1, &lim), lim.retry_ns);
	assert_int_equal(timers_retry_wait(6, TIMERS_JITTER_RANGE - 1, 1, &lim),
	    lim.retry_ns);
	/* Jitter: at most a quarter off, more jitter is never later. */
	w = timers_retry_wait(3, TIMERS_JITTER_RANGE - 1, 0, &lim);
	assert_true(w < 40 * SEC && w > 30 * SEC);
	assert_true(timers_retry_wait(3, 512, 0, &lim) > w);
	assert_true(timers_retry_wait(3, 99999, 0, &lim) == w);
	assert_true(timers_retry_wait(0, TIMERS_JITTER_RANGE - 1, 0, &lim) >
	    lim.retry_ns * 3 / 4);

	/* timers_due follows it. */
	memset(&s, 0, sizeof(s));
	s.hs_sent_ns = T0;
	s.hs_attempts = 3;
	assert_int_equal(timers_due(&s, &lim, T0 + 40 * SEC - 1), 0);
	assert_int_equal(timers_due(&s, &lim, T0 + 40 * SEC), TIMERS_RETRY);
	s.hs_jitter = TIMERS_JITTER_RANGE - 1;
	assert_int_equal(timers_due(&s, &lim, T0 + w), TIMERS_RETRY);
	assert_int_equal(timers_due(&s, &lim, T0 + w - 1), 0);
	/* Up (a rekey that gets no answer): the plain retry time. */
	s = fresh(1);
	s.current_ns = T0 - 121 * SEC;
	s.last_rx_ns = T0;
	s.hs_sent_ns = T0;
	s.hs_attempts = 3;
	assert_int_equal(timers_due(&s, &lim, T0 + lim.retry_ns),
	    TIMERS_RETRY | TIMERS_PROBE);
}

/* Nothing authenticated for dead_time: down, and a handshake. */
static void
test_dead_time(void **state)
{
	struct timers_state	 s = fresh(1);

	(void)state;
	assert_int_equal(timers_due(&s, &lim, T0 + lim.dead_ns - 1),
	    TIMERS_PROBE);
	assert_int_equal(timers_due(&s, &lim, T0 + lim.dead_ns),
	    TIMERS_DOWN | TIMERS_INITIATE | TIMERS_PROBE);
	/* Already down: not again. */
	s.up = 0;
	assert_int_equal(timers_due(&s, &lim, T0 + lim.dead_ns),
	    TIMERS_INITIATE | TIMERS_PROBE);
}

/* Keypairs end at reject (1.5 x rekey), whichever they are. */
static void
test_expiry(void **state)
{
	struct timers_state	 s = fresh(1);

	(void)state;
	s.previous_ns = T0 - 100 * SEC;
	s.last_rx_ns = T0 + 79 * SEC;
	assert_int_equal(timers_due(&s, &lim, T0 + 80 * SEC),
	    TIMERS_EXPIRE_PREVIOUS | TIMERS_PROBE);
	s.previous_ns = 0;
	s.last_rx_ns = T0 + 179 * SEC;
	assert_int_equal(timers_due(&s, &lim, T0 + 180 * SEC),
	    TIMERS_EXPIRE_CURRENT | TIMERS_INITIATE);
	s.next_ns = T0;
	s.current_ns = 0;
	assert_int_equal(timers_due(&s, &lim, T0 + 180 * SEC),
	    TIMERS_EXPIRE_NEXT | TIMERS_INITIATE);
}

static void
test_keepalive_due(void **state)
{
	(void)state;
	assert_false(timers_keepalive_due(1, T0, &lim, T0 + lim.keepalive_ns -
	    1));
	assert_true(timers_keepalive_due(1, T0, &lim, T0 + lim.keepalive_ns));
	assert_false(timers_keepalive_due(0, T0, &lim, T0 + 100 * SEC));
}

/* Slow rounds: the first at once, then once a minute, only new ones. */
static void
test_loop_warn_due(void **state)
{
	(void)state;
	assert_false(timers_loop_warn_due(0, 0, 0, T0));
	assert_true(timers_loop_warn_due(1, 0, 0, T0));
	/* Warned at T0 of 1: nothing new, or too soon. */
	assert_false(timers_loop_warn_due(1, 1, T0, T0 + 120 * SEC));
	assert_false(timers_loop_warn_due(3, 1, T0, T0 + 60 * SEC - 1));
	assert_true(timers_loop_warn_due(3, 1, T0, T0 + 60 * SEC));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_no_session),
		cmocka_unit_test(test_rekey_due),
		cmocka_unit_test(test_retry_abandon),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_dead_time),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_keepalive_due),
		cmocka_unit_test(test_loop_warn_due),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
