#include <sys/epoll.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event.h"

#define EVENT_BATCH	32

/*
 * The time of the current round, as libuv's loop time and BIRD's
 * current_time(): read when epoll_wait returns and before the timers
 * run, and handed to everything that asks in between.  The data path
 * asks for every datagram it seals or opens; reading the clock each
 * time (a vDSO call) was 2-3.4 % of a daemon's CPU under load.  Every
 * stamp taken in one round is the same value and the value never goes
 * back, so an age computed from two stamps cannot wrap.  Outside
 * event_run (start-up, shutdown, the unit tests) each call reads the
 * clock.  Only the loop's thread may call event_now_ns.
 */
static uint64_t	 round_now;
static int	 in_round;

static uint64_t
clock_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Starts a new round at the clock's time; returns it. */
static uint64_t
round_start(void)
{
	uint64_t	 t = clock_ns();

	if (t > round_now)
		round_now = t;
	return round_now;
}

uint64_t
event_now_ns(void)
{
	return in_round ? round_now : clock_ns();
}

int
event_init(struct event_loop *el)
{
	memset(el, 0, sizeof(*el));
	el->epfd = epoll_create1(EPOLL_CLOEXEC);
	return el->epfd == -1 ? -1 : 0;
}

void
event_free(struct event_loop *el)
{
	size_t	 i;

	for (i = 0; i < el->nheap; i++)
		el->heap[i]->when = 0;
	free(el->heap);
	if (el->epfd != -1)
		close(el->epfd);
	memset(el, 0, sizeof(*el));
	el->epfd = -1;
}

static int
event_ctl(struct event_loop *el, int op, struct event_fd *ev, uint32_t events)
{
	struct epoll_event	 ee;

	memset(&ee, 0, sizeof(ee));
	ee.events = events;
	ee.data.ptr = ev;
	return epoll_ctl(el->epfd, op, ev->fd, &ee);
}

int
event_add_fd(struct event_loop *el, struct event_fd *ev, uint32_t events)
{
	return event_ctl(el, EPOLL_CTL_ADD, ev, events);
}

int
event_mod_fd(struct event_loop *el, struct event_fd *ev, uint32_t events)
{
	return event_ctl(el, EPOLL_CTL_MOD, ev, events);
}

void
event_del_fd(struct event_loop *el, struct event_fd *ev)
{
	size_t	 i;

	epoll_ctl(el->epfd, EPOLL_CTL_DEL, ev->fd, NULL);
	for (i = 0; i < el->ndeferred; i++)
		if (el->deferred[i] == ev)
			el->deferred[i--] = el->deferred[--el->ndeferred];
	for (i = 0; i < el->nrunning; i++)
		if (el->running[i] == ev)
			el->running[i] = NULL;
}

int
event_defer(struct event_loop *el, struct event_fd *ev)
{
	size_t	 i;

	for (i = 0; i < el->ndeferred; i++)
		if (el->deferred[i] == ev)
			return 0;
	if (el->ndeferred == EVENT_DEFER_MAX)
		return -1;
	el->deferred[el->ndeferred++] = ev;
	return 0;
}

void
event_timer_init(struct event_timer *t, event_timer_cb cb, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
	t->arg = arg;
}

int
event_timer_pending(const struct event_timer *t)
{
	return t->when != 0;
}

static void
heap_swap(struct event_loop *el, size_t a, size_t b)
{
	struct event_timer	*t = el->heap[a];

	el->heap[a] = el->heap[b];
	el->heap[b] = t;
	el->heap[a]->heap_idx = a;
	el->heap[b]->heap_idx = b;
}

static void
heap_up(struct event_loop *el, size_t i)
{
	while (i > 0) {
		size_t	 parent = (i - 1) / 2;

		if (el->heap[parent]->when <= el->heap[i]->when)
			break;
		heap_swap(el, i, parent);
		i = parent;
	}
}

static void
heap_down(struct event_loop *el, size_t i)
{
	for (;;) {
		size_t	 l = 2 * i + 1, r = l + 1, m = i;

		if (l < el->nheap && el->heap[l]->when < el->heap[m]->when)
			m = l;
		if (r < el->nheap && el->heap[r]->when < el->heap[m]->when)
			m = r;
		if (m == i)
			break;
		heap_swap(el, i, m);
		i = m;
	}
}

void
event_timer_del(struct event_loop *el, struct event_timer *t)
{
	size_t	 i = t->heap_idx;

	if (t->when == 0)
		return;
	t->when = 0;
	el->nheap--;
	if (i != el->nheap) {
		el->heap[i] = el->heap[el->nheap];
		el->heap[i]->heap_idx = i;
		heap_down(el, i);
		heap_up(el, i);
	}
}

int
event_timer_add(struct event_loop *el, struct event_timer *t, uint64_t ms)
{
	event_timer_del(el, t);
	if (el->nheap == el->heap_cap) {
		size_t			 cap = el->heap_cap ? el->heap_cap * 2 : 64;
		struct event_timer	**h;

		h = reallocarray(el->heap, cap, sizeof(*h));
		if (h == NULL)
			return -1;
		el->heap = h;
		el->heap_cap = cap;
	}
	t->when = event_now_ns() + ms * 1000000ULL;
	t->heap_idx = el->nheap;
	el->heap[el->nheap++] = t;
	heap_up(el, t->heap_idx);
	return 0;
}

void
event_break(struct event_loop *el)
{
	el->stop = 1;
}

/* Fires every timer that is due; returns the ms until the next one. */
static int
event_run_timers(struct event_loop *el)
{
	uint64_t	 now = event_now_ns();

	while (el->nheap > 0 && !el->stop) {
		struct event_timer	*t = el->heap[0];

		if (t->when > now)
			return (int)((t->when - now + 999999) / 1000000);
		event_timer_del(el, t);
		t->cb(t->arg);
	}
	return -1;
}

int
event_run(struct event_loop *el)
{
	struct epoll_event	 evs[EVENT_BATCH];
	struct event_fd		*ev;
	uint64_t		 woke = 0, round;
	size_t			 d;
	int			 n, i, timeout;

	el->stop = 0;
	in_round = 1;
	while (!el->stop) {
		(void)round_start();
		timeout = event_run_timers(el);
		if (woke != 0) {
			round = clock_ns() - woke;
			if (round > el->longest_round_ns)
				el->longest_round_ns = round;
			el->rounds_1ms += round >= 1000000;
			el->rounds_10ms += round >= 10000000;
			el->rounds_100ms += round >= 100000000;
		}
		if (el->stop)
			break;
		/* Deferred work: only look whether anything else is ready. */
		if (el->ndeferred > 0)
			timeout = 0;
		n = epoll_wait(el->epfd, evs, EVENT_BATCH, timeout);
		woke = round_start();
		if (n == -1) {
			if (errno == EINTR)
				continue;
			in_round = 0;
			return -1;
		}
		/* Taken before the callbacks, which may defer again. */
		el->nrunning = el->ndeferred;
		memcpy(el->running, el->deferred,
		    el->ndeferred * sizeof(el->running[0]));
		el->ndeferred = 0;
		for (i = 0; i < n && !el->stop; i++) {
			ev = evs[i].data.ptr;
			for (d = 0; d < el->nrunning; d++)
				if (el->running[d] == ev)
					el->running[d] = NULL;	/* runs now */
			ev->cb(ev->fd, evs[i].events, ev->arg);
		}
		for (d = 0; d < el->nrunning && !el->stop; d++)
			if ((ev = el->running[d]) != NULL)
				ev->cb(ev->fd, EPOLLIN, ev->arg);
		el->nrunning = 0;
	}
	in_round = 0;
	return 0;
}
