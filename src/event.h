/*
 * A small epoll event loop: fd callbacks and one-shot timers kept in a
 * binary min-heap.  Everything runs in one thread; callbacks may add and
 * remove fds and timers, including their own.
 */
#ifndef TAPMESH_EVENT_H
#define TAPMESH_EVENT_H

#include <stddef.h>
#include <stdint.h>

typedef void (*event_fd_cb)(int, uint32_t, void *);
typedef void (*event_timer_cb)(void *);

struct event_fd {
	int		 fd;
	event_fd_cb	 cb;
	void		*arg;
};

struct event_timer {
	uint64_t	 when;		/* monotonic ns; 0 when not armed */
	size_t		 heap_idx;
	event_timer_cb	 cb;
	void		*arg;
};

/* Callbacks that left work for the next round (event_defer). */
#define EVENT_DEFER_MAX	4

struct event_loop {
	int			 epfd;
	int			 stop;
	struct event_fd		*deferred[EVENT_DEFER_MAX];
	size_t			 ndeferred;
	struct event_fd		*running[EVENT_DEFER_MAX]; /* this round's */
	size_t			 nrunning;
	struct event_timer	**heap;
	size_t			 nheap;
	size_t			 heap_cap;
	/*
	 * The longest round so far, from epoll_wait's return through its
	 * callbacks and the timers that were due next: how long the data
	 * path, which runs in this loop, was held up at most.
	 */
	uint64_t		 longest_round_ns;
	/*
	 * Rounds that long or longer: 1 ms (the scale of a ping through
	 * a busy tunnel), 10 ms (a scheduler's slice, a host's stolen
	 * time), 100 ms (BFD at 50 ms x 3 notices 150).  Each counts in
	 * every bucket it reaches.
	 */
	uint64_t		 rounds_1ms;
	uint64_t		 rounds_10ms;
	uint64_t		 rounds_100ms;
};

/* Creates the epoll instance.  Returns 0, or -1 with errno set. */
int	 event_init(struct event_loop *);

/* Closes the epoll instance and forgets every timer. */
void	 event_free(struct event_loop *);

/* Watches ev->fd for the epoll events mask.  Returns 0 or -1 (errno). */
int	 event_add_fd(struct event_loop *, struct event_fd *, uint32_t);

/* Changes the epoll events watched for ev->fd.  Returns 0 or -1. */
int	 event_mod_fd(struct event_loop *, struct event_fd *, uint32_t);

/* Stops watching ev->fd (and forgets an event_defer of it). */
void	 event_del_fd(struct event_loop *, struct event_fd *);

/*
 * Calls ev's callback (with EPOLLIN) in the next round whether or not
 * its fd is ready, without waiting: for work it left queued in memory so
 * that the other callbacks have their turn.  Returns 0, or -1 if
 * EVENT_DEFER_MAX callbacks are already deferred.
 */
int	 event_defer(struct event_loop *, struct event_fd *);

/* Initialises a timer (not armed). */
void	 event_timer_init(struct event_timer *, event_timer_cb, void *);

/* Arms (or re-arms) the timer to fire after ms milliseconds. */
int	 event_timer_add(struct event_loop *, struct event_timer *, uint64_t);

/* Disarms the timer if armed. */
void	 event_timer_del(struct event_loop *, struct event_timer *);

/* True if the timer is armed. */
int	 event_timer_pending(const struct event_timer *);

/* Runs until event_break; returns 0, or -1 if epoll_wait fails. */
int	 event_run(struct event_loop *);

/* Makes event_run return after the current callback. */
void	 event_break(struct event_loop *);

/*
 * The monotonic clock in nanoseconds.  Inside event_run: the time the
 * current round began (epoll_wait returned, or the due timers were
 * taken), the same for every call in the round.  Outside it: the clock.
 */
uint64_t event_now_ns(void);

#endif
