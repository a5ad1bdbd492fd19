/*
 * Unit tests for replay.c, plus a comparison against a naive model that
 * remembers every counter it ever accepted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "replay.h"

static struct replay	 rp;

static int
setup(void **state)
{
	(void)state;
	replay_init(&rp);
	return 0;
}

/* Accept via check + update, the way the daemon uses it. */
static int
accept_ctr(struct replay *r, uint64_t c)
{
	if (replay_check(r, c) == -1)
		return -1;
	return replay_update(r, c);
}

static void
test_window_size(void **state)
{
	(void)state;
	assert_true(REPLAY_WINDOW >= 2048);
	assert_int_equal(REPLAY_BITS, 8192);
	assert_int_equal(REPLAY_WINDOW, 8128);
	assert_true(REPLAY_REJECT_AFTER == UINT64_MAX - 8192);
	/* 2^64 - 2^13 - 1 */
	assert_true(REPLAY_REJECT_AFTER == (uint64_t)0 - 8192 - 1);
}

static void
test_in_order(void **state)
{
	uint64_t	 c;

	(void)state;
	for (c = 0; c < 20000; c++)
		assert_int_equal(accept_ctr(&rp, c), 0);
	for (c = 0; c < 20000; c++)
		assert_int_equal(replay_check(&rp, c), -1);
	assert_int_equal(rp.next, 20000);
}

static void
test_duplicate(void **state)
{
	(void)state;
	assert_int_equal(accept_ctr(&rp, 0), 0);
	assert_int_equal(accept_ctr(&rp, 0), -1);
	assert_int_equal(accept_ctr(&rp, 5), 0);
	assert_int_equal(accept_ctr(&rp, 5), -1);
	assert_int_equal(replay_update(&rp, 5), -1);
	/* check alone does not commit. */
	assert_int_equal(replay_check(&rp, 3), 0);
	assert_int_equal(replay_check(&rp, 3), 0);
	assert_int_equal(replay_update(&rp, 3), 0);
	assert_int_equal(replay_check(&rp, 3), -1);
}

static void
test_reordered_within_window(void **state)
{
	uint64_t	 c;

	(void)state;
	/* Even counters first, then the odd ones late, all accepted. */
	for (c = 0; c < 8000; c += 2)
		assert_int_equal(accept_ctr(&rp, c), 0);
	for (c = 1; c < 8000; c += 2)
		assert_int_equal(accept_ctr(&rp, c), 0);
	for (c = 0; c < 8000; c++)
		assert_int_equal(replay_check(&rp, c), -1);

	/* Exactly at the window's edge. */
	replay_init(&rp);
	assert_int_equal(accept_ctr(&rp, 100000), 0);
	assert_int_equal(accept_ctr(&rp, 100000 - (REPLAY_WINDOW - 1)), 0);
	assert_int_equal(accept_ctr(&rp, 100000 - REPLAY_WINDOW), -1);
	assert_int_equal(accept_ctr(&rp, 99999), 0);
}

static void
test_too_old(void **state)
{
	(void)state;
	assert_int_equal(accept_ctr(&rp, 10), 0);
	/* The window is now 12 ... 8139. */
	assert_int_equal(accept_ctr(&rp, 11 + REPLAY_WINDOW), 0);
	assert_int_equal(accept_ctr(&rp, 10), -1);	/* seen anyway */
	assert_int_equal(accept_ctr(&rp, 11), -1);	/* unseen, too old */
	assert_int_equal(accept_ctr(&rp, 12), 0);	/* oldest in window */
	assert_int_equal(accept_ctr(&rp, 0), -1);
}

static void
test_big_jump(void **state)
{
	uint64_t	 c;

	(void)state;
	for (c = 0; c < 300; c++)
		assert_int_equal(accept_ctr(&rp, c), 0);
	/* Far beyond the ring: everything old is forgotten and refused. */
	assert_int_equal(accept_ctr(&rp, 1000000), 0);
	for (c = 0; c < 300; c++)
		assert_int_equal(replay_check(&rp, c), -1);
	/* Inside the new window, unseen counters are fresh: no stale bits. */
	for (c = 1000000 - REPLAY_WINDOW + 1; c < 1000000; c++)
		assert_int_equal(replay_check(&rp, c), 0);
	assert_int_equal(accept_ctr(&rp, 1000000 - 1), 0);
	assert_int_equal(accept_ctr(&rp, 1000000), -1);
	/* A first packet with a huge counter works as well. */
	replay_init(&rp);
	assert_int_equal(accept_ctr(&rp, (uint64_t)1 << 40), 0);
	assert_int_equal(accept_ctr(&rp, ((uint64_t)1 << 40) - 5), 0);
	assert_int_equal(accept_ctr(&rp, 3), -1);
}

/*
 * Walk the highest counter through the ring many times in steps that
 * cross word boundaries, making sure the recycled words never report a
 * counter from an earlier lap as seen, and that a partial skip clears
 * exactly the words it passes.
 */
static void
test_ring_wrap(void **state)
{
	uint64_t	 c, hi = 0;
	int		 lap;

	(void)state;
	for (lap = 0; lap < 5 * REPLAY_WORDS; lap++) {
		hi += 64 + (uint64_t)(lap % 3) * 17;
		assert_int_equal(accept_ctr(&rp, hi), 0);
		assert_int_equal(replay_check(&rp, hi), -1);
		/* Counters between the steps were never accepted. */
		assert_int_equal(replay_check(&rp, hi - 1), 0);
		assert_int_equal(replay_check(&rp, hi - 63), 0);
	}
	/* Fill the whole window, then move by a bit less than the ring. */
	replay_init(&rp);
	for (c = 0; c < REPLAY_WINDOW; c++)
		assert_int_equal(accept_ctr(&rp, c), 0);
	hi = REPLAY_WINDOW - 1 + REPLAY_BITS - 3 * 64;
	assert_int_equal(accept_ctr(&rp, hi), 0);
	/* Still-remembered counters stay seen, the rest is fresh. */
	for (c = hi - REPLAY_WINDOW + 1; c < REPLAY_WINDOW; c++)
		assert_int_equal(replay_check(&rp, c), -1);
	for (c = REPLAY_WINDOW; c < hi; c++)
		assert_int_equal(replay_check(&rp, c), 0);
	/* And by exactly one word, twice round the ring. */
	replay_init(&rp);
	for (c = 0; c < 2 * REPLAY_BITS + 64; c += 64) {
		assert_int_equal(accept_ctr(&rp, c), 0);
		if (c >= 64)
			assert_int_equal(replay_check(&rp, c - 64), -1);
		if (c >= 1)
			assert_int_equal(replay_check(&rp, c - 1), 0);
	}
}

static void
test_reject_limit(void **state)
{
	(void)state;
	assert_int_equal(accept_ctr(&rp, REPLAY_REJECT_AFTER), -1);
	assert_int_equal(accept_ctr(&rp, UINT64_MAX), -1);
	assert_int_equal(accept_ctr(&rp, UINT64_MAX - 1), -1);
	assert_int_equal(accept_ctr(&rp, REPLAY_REJECT_AFTER - 1), 0);
	assert_int_equal(rp.next, REPLAY_REJECT_AFTER);
	assert_int_equal(accept_ctr(&rp, REPLAY_REJECT_AFTER - 1), -1);
	assert_int_equal(accept_ctr(&rp, REPLAY_REJECT_AFTER - 2), 0);
	assert_int_equal(accept_ctr(&rp, REPLAY_REJECT_AFTER), -1);
	/* The filter is not broken by a refused counter. */
	assert_int_equal(accept_ctr(&rp, REPLAY_REJECT_AFTER - 3), 0);
}

/* Random traffic with reordering, duplicates and jumps vs. a model. */
#define MODEL_MAX	(1u << 24)

static void
test_against_model(void **state)
{
	uint8_t		*seen;
	uint64_t	 hi = 0, c, recent[1024] = { 0 };
	int		 have = 0, i, want, got, accepted = 0, refused = 0;

	(void)state;
	seen = calloc(MODEL_MAX, 1);
	assert_non_null(seen);
	srandom(12345);
	for (i = 0; i < 400000; i++) {
		long	 r = random() % 1000;

		if (r < 2)
			c = hi + 2000 + (uint64_t)(random() % 20000);
		else if (r < 150)
			c = recent[random() % 1024];	/* mostly duplicates */
		else if (r < 250 && have)
			c = hi - (uint64_t)(random() % 9000 % (hi + 1));
		else
			c = hi + (uint64_t)(random() % 8);
		if (c >= MODEL_MAX - 1)
			break;
		recent[i % 1024] = c;
		want = !seen[c] && (!have || c > hi ||
		    hi - c < REPLAY_WINDOW);
		got = replay_check(&rp, c) == 0;
		assert_int_equal(got, want);
		got = replay_update(&rp, c) == 0;
		assert_int_equal(got, want);
		if (want) {
			seen[c] = 1;
			if (!have || c > hi)
				hi = c;
			have = 1;
			accepted++;
		} else
			refused++;
	}
	print_message("model: %d accepted, %d refused, %d packets\n", accepted,
	    refused, i);
	/* The run must have exercised both outcomes a lot. */
	assert_true(accepted > 10000);
	assert_true(refused > 10000);
	free(seen);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_window_size, setup),
		cmocka_unit_test_setup(test_in_order, setup),
		cmocka_unit_test_setup(test_duplicate, setup),
		cmocka_unit_test_setup(test_reordered_within_window, setup),
		cmocka_unit_test_setup(test_too_old, setup),
		cmocka_unit_test_setup(test_big_jump, setup),
		cmocka_unit_test_setup(test_ring_wrap, setup),
		cmocka_unit_test_setup(test_reject_limit, setup),
		cmocka_unit_test_setup(test_against_model, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
