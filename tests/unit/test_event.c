/*
 * Unit tests for the event loop's deferred callbacks (event_defer): a
 * callback that left work is called again without its fd being ready
 * and without waiting for the next timer, once a round, after the ready
 * fds; one that is ready anyway is not called twice in a round; a fd
 * removed in the round is not called; the table's bound.  The round's
 * time: one value for every call in a round, newer in the next round,
 * the clock itself outside the loop.
 */
#include <sys/epoll.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "event.h"

struct t {
	struct event_loop	 el;
	struct event_fd		 a, b;
	struct event_timer	 stop;
	int			 pa[2], pb[2];
	int			 calls_a, calls_b, more_a, del_b_from_a;
	int			 drain_a;
	uint32_t		 last_a;
	int			 order[16], norder;
};

static void
cb_a(int fd, uint32_t events, void *arg)
{
	struct t	*t = arg;

	t->calls_a++;
	t->last_a = events;
	if (t->drain_a) {
		char	 c;

		assert_int_equal(read(fd, &c, 1), 1);
	}
	if (t->norder < 16)
		t->order[t->norder++] = 'a';
	if (t->del_b_from_a)
		event_del_fd(&t->el, &t->b);
	if (t->more_a > 0) {
		t->more_a--;
		assert_int_equal(event_defer(&t->el, &t->a), 0);
		/* Twice in a round is once. */
		assert_int_equal(event_defer(&t->el, &t->a), 0);
	}
}

static void
cb_b(int fd, uint32_t events, void *arg)
{
	struct t	*t = arg;
	char		 c;

	(void)events;
	t->calls_b++;
	if (t->norder < 16)
		t->order[t->norder++] = 'b';
	(void)read(fd, &c, 1);
}

static void
cb_stop(void *arg)
{
	event_break(&((struct t *)arg)->el);
}

static void
setup(struct t *t)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(event_init(&t->el), 0);
	assert_int_equal(pipe2(t->pa, O_NONBLOCK), 0);
	assert_int_equal(pipe2(t->pb, O_NONBLOCK), 0);
	t->a = (struct event_fd){ t->pa[0], cb_a, t };
	t->b = (struct event_fd){ t->pb[0], cb_b, t };
	assert_int_equal(event_add_fd(&t->el, &t->a, EPOLLIN), 0);
	assert_int_equal(event_add_fd(&t->el, &t->b, EPOLLIN), 0);
	event_timer_init(&t->stop, cb_stop, t);
}

static void
teardown(struct t *t)
{
	event_free(&t->el);
	close(t->pa[0]);
	close(t->pa[1]);
	close(t->pb[0]);
	close(t->pb[1]);
}

static void
test_defer_runs_again(void **state)
{
	struct t	 t;
	uint64_t	 t0;

	(void)state;
	setup(&t);
	/* a's fd never becomes ready: a runs only because it deferred. */
	assert_int_equal(event_defer(&t.el, &t.a), 0);
	t.more_a = 4;
	/* b is ready once: it runs in the first round, before a. */
	assert_int_equal(write(t.pb[1], "x", 1), 1);
	assert_int_equal(event_timer_add(&t.el, &t.stop, 200), 0);
	t0 = event_now_ns();
	/* A deferral keeps epoll_wait from sleeping; the timer stops. */
	assert_int_equal(event_run(&t.el), 0);
	assert_int_equal(t.calls_a, 5);
	assert_int_equal(t.last_a, EPOLLIN);
	assert_int_equal(t.calls_b, 1);
	assert_int_equal(t.order[0], 'b');
	assert_int_equal(t.order[1], 'a');
	/* Then the loop slept until the timer: about 200 ms. */
	assert_true(event_now_ns() - t0 >= 150 * 1000000ull);
	teardown(&t);
}

static void
test_ready_and_deferred_once(void **state)
{
	struct t	 t;

	(void)state;
	setup(&t);
	/*
	 * a is ready and deferred in the same round: one call, which takes
	 * the byte; after it a is neither, so that is the only call.
	 */
	assert_int_equal(write(t.pa[1], "x", 1), 1);
	assert_int_equal(event_defer(&t.el, &t.a), 0);
	t.drain_a = 1;
	assert_int_equal(event_timer_add(&t.el, &t.stop, 20), 0);
	assert_int_equal(event_run(&t.el), 0);
	assert_int_equal(t.calls_a, 1);
	assert_int_equal(t.calls_b, 0);
	teardown(&t);
}

static void
test_removed_not_called(void **state)
{
	struct t	 t;

	(void)state;
	setup(&t);
	/* b deferred, a ready; a removes b before b's deferred call. */
	assert_int_equal(event_defer(&t.el, &t.b), 0);
	assert_int_equal(write(t.pa[1], "x", 1), 1);
	t.del_b_from_a = 1;
	assert_int_equal(event_timer_add(&t.el, &t.stop, 20), 0);
	assert_int_equal(event_run(&t.el), 0);
	assert_true(t.calls_a >= 1);
	assert_int_equal(t.calls_b, 0);
	teardown(&t);

	/* Removed between rounds: forgotten too. */
	setup(&t);
	assert_int_equal(event_defer(&t.el, &t.b), 0);
	event_del_fd(&t.el, &t.b);
	assert_int_equal(event_timer_add(&t.el, &t.stop, 20), 0);
	assert_int_equal(event_run(&t.el), 0);
	assert_int_equal(t.calls_b, 0);
	teardown(&t);
}

static void
test_bound(void **state)
{
	struct event_loop	 el;
	struct event_fd		 ev[EVENT_DEFER_MAX + 1];
	size_t			 i;

	(void)state;
	assert_int_equal(event_init(&el), 0);
	for (i = 0; i < EVENT_DEFER_MAX; i++)
		assert_int_equal(event_defer(&el, &ev[i]), 0);
	assert_int_equal(event_defer(&el, &ev[EVENT_DEFER_MAX]), -1);
	/* One already there is still fine. */
	assert_int_equal(event_defer(&el, &ev[0]), 0);
	event_free(&el);
}

/* Sleeps ms milliseconds of wall time. */
static void
sleep_ms(long ms)
{
	struct timespec	 ts = { 0, ms * 1000000L };

	while (nanosleep(&ts, &ts) == -1)
		;
}

struct rt {
	struct event_loop	 el;
	struct event_fd	 ev;
	uint64_t		 seen[2][2];	/* per round: first, after sleep */
	int			 rounds;
	long			 sleep_ms;	/* in each round */
	int			 p[2];
};

static void
cb_round_time(int fd, uint32_t events, void *arg)
{
	struct rt	*rt = arg;
	char		 c;

	(void)fd;
	(void)events;
	if (rt->rounds == 0)
		(void)read(fd, &c, 1);
	rt->seen[rt->rounds][0] = event_now_ns();
	sleep_ms(rt->sleep_ms);
	rt->seen[rt->rounds][1] = event_now_ns();
	if (++rt->rounds == 2)
		event_break(&rt->el);
	else
		assert_int_equal(event_defer(&rt->el, &rt->ev), 0);
}

/* Runs two rounds of cb_round_time, each sleeping ms. */
static void
run_two_rounds(struct rt *rt, long ms)
{
	memset(rt, 0, sizeof(*rt));
	rt->sleep_ms = ms;
	assert_int_equal(event_init(&rt->el), 0);
	assert_int_equal(pipe2(rt->p, O_NONBLOCK), 0);
	rt->ev = (struct event_fd){ rt->p[0], cb_round_time, rt };
	assert_int_equal(event_add_fd(&rt->el, &rt->ev, EPOLLIN), 0);
	assert_int_equal(write(rt->p[1], "x", 1), 1);
	assert_int_equal(event_run(&rt->el), 0);
	assert_int_equal(rt->rounds, 2);
}

static void
free_rounds(struct rt *rt)
{
	event_free(&rt->el);
	close(rt->p[0]);
	close(rt->p[1]);
}

static void
test_round_time(void **state)
{
	struct rt	 rt;
	uint64_t	 t0, t1;

	(void)state;
	/* Outside the loop, each call reads the clock. */
	t0 = event_now_ns();
	sleep_ms(3);
	t1 = event_now_ns();
	assert_true(t1 - t0 >= 3000000ull);

	run_two_rounds(&rt, 3);
	/*
	 * The first round took 3 ms or more (a slow machine may take
	 * longer); the second's end is not measured: event_break ended it.
	 */
	assert_true(rt.el.rounds_1ms >= 1);
	assert_true(rt.el.rounds_10ms <= rt.el.rounds_1ms);
	assert_true(rt.el.rounds_100ms <= rt.el.rounds_10ms);
	assert_true(rt.el.longest_round_ns >= 3000000ull);
	/* Within a round, one time, though 3 ms passed. */
	assert_true(rt.seen[0][0] == rt.seen[0][1]);
	assert_true(rt.seen[1][0] == rt.seen[1][1]);
	/* The next round began after the first one's sleep. */
	assert_true(rt.seen[1][0] - rt.seen[0][0] >= 3000000ull);
	assert_true(rt.seen[0][0] >= t1);
	/* And after the loop, the clock again. */
	t0 = event_now_ns();
	sleep_ms(3);
	assert_true(event_now_ns() - t0 >= 3000000ull);
	free_rounds(&rt);
}

/* Rounds of 100 ms count in every bucket. */
static void
test_slow_rounds(void **state)
{
	struct rt	 rt;

	(void)state;
	run_two_rounds(&rt, 101);
	/* The second round's end is not measured: event_break ended it. */
	assert_true(rt.el.rounds_100ms >= 1);
	assert_true(rt.el.rounds_10ms >= rt.el.rounds_100ms);
	assert_true(rt.el.rounds_1ms >= rt.el.rounds_10ms);
	assert_true(rt.el.longest_round_ns >= 101000000ull);
	free_rounds(&rt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defer_runs_again),
		cmocka_unit_test(test_ready_and_deferred_once),
		cmocka_unit_test(test_removed_not_called),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_round_time),
		cmocka_unit_test(test_slow_rounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
