/*
 * The queue of neighbour requests: see neighq.h.
 */
#include <sys/epoll.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "neighq.h"

/* An address whose wanted state is not acknowledged yet. */
struct neighq_op {
	struct tm_addr	 addr;
	int		 del;		/* wanted: no entry */
	uint8_t		 mac[ETH_ALEN_TM];
	uint16_t	 state;
	int		 dirty;		/* wanted but not sent since */
	uint32_t	 seq;		/* in flight; 0: none */
	uint64_t	 sent_ns;
	unsigned int	 fails;		/* refusals in a row */
	uint64_t	 retry_ns;	/* not sent again before */
};

struct neighq {
	struct tm_ctx		*ctx;
	struct nl_async		 nl;
	struct event_fd		 ev;
	struct event_timer	 timer;
	struct neighq_op	*ops;
	size_t			 n, cap;
	struct log_ratelimit	 rl;
};

static struct neighq_op *
find_addr(struct neighq *q, const struct tm_addr *a)
{
	size_t	 i;

	for (i = 0; i < q->n; i++)
		if (addr_eq(&q->ops[i].addr, a))
			return &q->ops[i];
	return NULL;
}

static struct neighq_op *
find_seq(struct neighq *q, uint32_t seq)
{
	size_t	 i;

	for (i = 0; i < q->n; i++)
		if (q->ops[i].seq == seq)
			return &q->ops[i];
	return NULL;
}

/* Sends soon: after what the loop is doing now, or after ms. */
static void
arm(struct neighq *q, uint64_t ms)
{
	struct event_loop	*el = &q->ctx->ev;
	uint64_t		 when = event_now_ns() + ms * 1000000ULL;

	if (event_timer_pending(&q->timer) && q->timer.when <= when)
		return;
	if (event_timer_add(el, &q->timer, ms) == -1)
		log_warn("neighbour queue timer");
}

/* The op of address a, new if there is none; NULL: out of memory. */
static struct neighq_op *
op_get(struct neighq *q, const struct tm_addr *a)
{
	struct neighq_op	*op, *ops;
	size_t			 cap;

	if ((op = find_addr(q, a)) != NULL)
		return op;
	if (q->n == q->cap) {
		cap = q->cap ? q->cap * 2 : 64;
		if ((ops = reallocarray(q->ops, cap, sizeof(*ops))) == NULL) {
			log_warn("neighbour queue");
			return NULL;
		}
		q->ops = ops;
		q->cap = cap;
	}
	op = &q->ops[q->n++];
	memset(op, 0, sizeof(*op));
	op->addr = *a;
	return op;
}

static void
want(struct tm_ctx *ctx, const struct tm_addr *a, const uint8_t *mac,
    uint16_t state)
{
	struct neighq		*q = ctx->neighq;
	struct neighq_op	*op;

	if (q == NULL || (op = op_get(q, a)) == NULL)
		return;
	op->del = mac == NULL;
	if (mac != NULL)
		memcpy(op->mac, mac, ETH_ALEN_TM);
	op->state = state;
	op->dirty = 1;
	op->fails = 0;
	op->retry_ns = 0;
	arm(q, 0);
}

void
neighq_set(struct tm_ctx *ctx, const struct tm_addr *a, const uint8_t *mac,
    uint16_t state)
{
	want(ctx, a, mac, state);
}

void
neighq_del(struct tm_ctx *ctx, const struct tm_addr *a)
{
	want(ctx, a, NULL, 0);
}

/*
 * How long to wait before sending again after nl_async_flush returned
 * rc (0: it was taken); *err is the error worth logging, or 0.
 */
static uint64_t
err_wait_ms(int rc, int *err)
{
	*err = rc == -EAGAIN ? 0 : rc;
	if (rc == 0)
		return 0;
	return rc == -EAGAIN ? NEIGHQ_BUSY_MS : NEIGHQ_RETRY_MIN_MS;
}

/* Sends the batch; if it was not taken, its requests are due later. */
static void
flush(struct neighq *q, uint64_t now)
{
	size_t	 i;
	int	 err;

	uint64_t	 ms = err_wait_ms(nl_async_flush(&q->nl), &err);

	if (ms == 0)
		return;
	for (i = 0; i < q->n; i++)
		if (q->ops[i].seq != 0 && q->ops[i].sent_ns == now) {
			q->ops[i].seq = 0;
			q->ops[i].dirty = 1;
			q->ops[i].retry_ns = now + ms * 1000000ULL;
		}
	if (err != 0 && log_ratelimit_ok(&q->rl, NULL))
		log_warnx("neighbour requests: %s; trying again",
		    strerror(-err));
}

/*
 * Sends every request due, then arms the timer for the next one due
 * (a retry, or an answer that is overdue).
 */
static void
send_due(struct neighq *q)
{
	struct tm_ctx		*ctx = q->ctx;
	struct neighq_op	*op;
	uint64_t		 now = event_now_ns(), next = 0, t;
	uint32_t		 seq;
	size_t			 i;

	for (i = 0; i < q->n; i++) {
		op = &q->ops[i];
		if (op->seq != 0 && now - op->sent_ns >=
		    NEIGHQ_LOST_MS * 1000000ULL) {
			op->seq = 0;	/* unanswered: lost */
			op->dirty = 1;
		}
		if (op->seq == 0 && op->dirty && now >= op->retry_ns) {
			seq = nl_async_neigh(&q->nl, ctx->tap.ifindex,
			    &op->addr, op->del ? NULL : op->mac, op->state);
			if (seq == 0) {
				flush(q, now);
				seq = nl_async_neigh(&q->nl, ctx->tap.ifindex,
				    &op->addr, op->del ? NULL : op->mac,
				    op->state);
			}
			op->seq = seq;
			op->sent_ns = now;
			op->dirty = 0;
		}
		t = op->seq != 0 ? op->sent_ns + NEIGHQ_LOST_MS * 1000000ULL :
		    op->dirty ? op->retry_ns : 0;
		if (t != 0 && (next == 0 || t < next))
			next = t;
	}
	flush(q, now);
	if (next != 0)
		arm(q, next > now ? (next - now + 999999) / 1000000ULL : 0);
}

static void
timer_fired(void *arg)
{
	send_due(arg);
}

static uint64_t
retry_ms(unsigned int fails)
{
	uint64_t	 ms = NEIGHQ_RETRY_MIN_MS;

	while (--fails > 0 && ms < NEIGHQ_RETRY_MAX_MS)
		ms *= 2;
	return ms < NEIGHQ_RETRY_MAX_MS ? ms : NEIGHQ_RETRY_MAX_MS;
}

static void
acked(uint32_t seq, int err, void *arg)
{
	struct neighq		*q = arg;
	struct neighq_op	*op;
	struct peer		*p;
	char			 abuf[INET6_ADDRSTRLEN];
	uint64_t		 ms, suppressed = 0;

	if (seq == 0 || (op = find_seq(q, seq)) == NULL)
		return;		/* answered after it was given up */
	op->seq = 0;
	/* Somebody (ip neigh flush) may have removed it already. */
	if (err == 0 || (op->del && err == -ENOENT)) {
		if (!op->dirty)
			*op = q->ops[--q->n];	/* done */
		else
			arm(q, 0);		/* a newer wish waits */
		return;
	}
	if (op->dirty) {
		arm(q, 0);	/* refused, but a newer wish replaces it */
		return;
	}
	op->dirty = 1;
	op->fails++;
	ms = retry_ms(op->fails);
	op->retry_ns = event_now_ns() + ms * 1000000ULL;
	arm(q, ms);
	if (!log_ratelimit_ok(&q->rl, &suppressed))
		return;
	p = peer_find_by_addr(&q->ctx->peers, &op->addr);
	log_warnx("%s%s%sneighbour %s: %s %s; trying again in %llu ms%s",
	    p != NULL ? "peer " : "", p != NULL ? p->conf.name : "",
	    p != NULL ? ": " : "", addr_ntop(&op->addr, abuf, sizeof(abuf)),
	    op->del ? "removing:" : "setting:", strerror(-err),
	    (unsigned long long)ms, suppressed ? " (more suppressed)" : "");
}

static void
readable(int fd, uint32_t events, void *arg)
{
	struct neighq	*q = arg;
	size_t		 i;
	int		 err;

	(void)fd;
	(void)events;
	err = nl_async_read(&q->nl, acked, q);
	if (err == -ENOBUFS) {
		/* Answers were lost: send whatever is in flight again. */
		for (i = 0; i < q->n; i++)
			if (q->ops[i].seq != 0) {
				q->ops[i].seq = 0;
				q->ops[i].dirty = 1;
			}
		arm(q, 0);
	} else if (err != 0 && log_ratelimit_ok(&q->rl, NULL))
		log_warnx("neighbour answers: %s", strerror(-err));
}

int
neighq_open(struct tm_ctx *ctx)
{
	struct neighq	*q;
	int		 err;

	if ((q = calloc(1, sizeof(*q))) == NULL) {
		log_warn("neighbour queue");
		return -1;
	}
	q->ctx = ctx;
	q->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(1, 10);
	if ((err = nl_async_open(&q->nl)) != 0) {
		log_warnx("netlink: %s", strerror(-err));
		free(q);
		return -1;
	}
	event_timer_init(&q->timer, timer_fired, q);
	q->ev = (struct event_fd){ nl_async_fd(&q->nl), readable, q };
	if (event_add_fd(&ctx->ev, &q->ev, EPOLLIN) == -1) {
		log_warn("epoll_ctl");
		nl_async_close(&q->nl);
		free(q);
		return -1;
	}
	ctx->neighq = q;
	return 0;
}

size_t
neighq_close(struct tm_ctx *ctx, int timeout_ms)
{
	struct neighq	*q = ctx->neighq;
	struct pollfd	 pfd;
	uint64_t	 end, now;
	size_t		 left;
	int		 wait;

	if (q == NULL)
		return 0;
	event_timer_del(&ctx->ev, &q->timer);
	event_del_fd(&ctx->ev, &q->ev);
	end = event_now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	pfd.fd = nl_async_fd(&q->nl);
	pfd.events = POLLIN;
	/* The loop has stopped: waiting here holds up nothing but exit. */
	/* One reading a pass: the wait is never computed past the end. */
	while (q->n > 0 && (now = event_now_ns()) < end) {
		send_due(q);
		event_timer_del(&ctx->ev, &q->timer);
		wait = (int)((end - now) / 1000000ULL);
		if (wait > NEIGHQ_RETRY_MIN_MS)
			wait = NEIGHQ_RETRY_MIN_MS;
		if (poll(&pfd, 1, wait) > 0)
			readable(pfd.fd, 0, q);
		event_timer_del(&ctx->ev, &q->timer);
	}
	left = q->n;
	nl_async_close(&q->nl);
	free(q->ops);
	free(q);
	ctx->neighq = NULL;
	return left;
}
