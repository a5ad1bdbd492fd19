/*
 * The per-peer timers: see timers.h.
 */
#include "daemon.h"
#include "log.h"
#include "probe.h"
#include "relay.h"
#include "send.h"
#include "session.h"
#include "timers.h"

/* The keypair created at created_ns (0: none) is past reject. */
static int
expired(uint64_t created_ns, uint64_t reject_ns, uint64_t now)
{
	return created_ns != 0 && now - created_ns >= reject_ns;
}

uint64_t
timers_retry_wait(unsigned int attempts, unsigned int jitter, int up,
    const struct timers_limits *l)
{
	uint64_t	 wait = l->retry_ns;

	if (up)
		return wait;
	while (attempts-- > 0 && wait < l->backoff_max_ns)
		wait *= 2;
	if (wait > l->backoff_max_ns)
		wait = l->backoff_max_ns;
	if (jitter >= TIMERS_JITTER_RANGE)
		jitter = TIMERS_JITTER_RANGE - 1;
	return wait - wait / 4 / TIMERS_JITTER_RANGE * jitter;
}

unsigned int
timers_due(const struct timers_state *s, const struct timers_limits *l,
    uint64_t now)
{
	unsigned int	 due = 0;
	uint64_t	 current = s->current_ns, next = s->next_ns, age;
	int		 up = s->up, handshake;

	if (expired(s->previous_ns, l->reject_ns, now))
		due |= TIMERS_EXPIRE_PREVIOUS;
	if (expired(next, l->reject_ns, now)) {
		due |= TIMERS_EXPIRE_NEXT;
		next = 0;
	}
	if (expired(current, l->reject_ns, now)) {
		due |= TIMERS_EXPIRE_CURRENT;
		current = 0;
	}
	/*
	 * The initiator confirms a session at once with a keepalive, but
	 * that one packet can be lost, and an initiator without a
	 * configured path to us (we are behind NAT) sends nothing else on
	 * an idle link; it already sends on the new keys.  So the next
	 * keypair stays until it expires or a newer handshake replaces it
	 * (WireGuard's rule).  After two retry intervals unconfirmed it no
	 * longer holds our own handshake back: the initiator may have
	 * abandoned it (crossing handshakes).
	 */
	if (next != 0 && now - next >= 2 * l->retry_ns)
		next = 0;
	if (up && now - s->last_rx_ns >= l->dead_ns) {
		due |= TIMERS_DOWN;
		up = 0;
	}
	/*
	 * A handshake that is no longer due (a session came up the other
	 * way, or a reload started it beside a working session) is
	 * abandoned rather than retried, when it would be retried: until
	 * then its answer may still come, and a missing answer tells the
	 * pre-shared key hint something.
	 */
	age = current != 0 ? now - current : 0;
	handshake = current == 0 || !up || age >= l->rekey_ns +
	    (s->current_initiator ? 0 : l->rekey_ns / 4);
	if (s->hs_sent_ns != 0) {
		if (now - s->hs_sent_ns >= timers_retry_wait(s->hs_attempts,
		    s->hs_jitter, up, l))
			due |= handshake ? TIMERS_RETRY : TIMERS_ABANDON;
	} else if (handshake && next == 0)
		due |= TIMERS_INITIATE;
	if (current != 0)
		due |= TIMERS_PROBE;
	return due;
}

int
timers_keepalive_due(int has_session, uint64_t last_tx_ns,
    const struct timers_limits *l, uint64_t now)
{
	return has_session && now - last_tx_ns >= l->keepalive_ns;
}

static void
limits(const struct tm_ctx *ctx, struct timers_limits *l)
{
	l->rekey_ns = session_rekey_ns(ctx);
	l->reject_ns = session_reject_ns(ctx);
	l->retry_ns = session_retry_ns(ctx);
	l->dead_ns = (uint64_t)ctx->conf.dead_time * 1000000000ULL;
	l->keepalive_ns = (uint64_t)ctx->conf.keepalive * 1000000000ULL;
	l->backoff_max_ns = (uint64_t)TIMERS_BACKOFF_MAX_S * 1000000000ULL;
}

static void
state(const struct peer *p, struct timers_state *s)
{
	s->current_ns = p->kp_current != NULL ? p->kp_current->created_ns : 0;
	s->current_initiator = p->kp_current != NULL &&
	    p->kp_current->initiator;
	s->previous_ns = p->kp_previous != NULL ?
	    p->kp_previous->created_ns : 0;
	s->next_ns = p->kp_next != NULL ? p->kp_next->created_ns : 0;
	s->up = p->up;
	s->last_rx_ns = p->last_rx_ns;
	s->hs_sent_ns = p->hs_sent_ns;
	s->hs_attempts = p->hs_attempts;
	/* The sender index is random and new for every initiation. */
	s->hs_jitter = p->hs_index.idx % TIMERS_JITTER_RANGE;
}

static void
drop(struct tm_ctx *ctx, struct keypair **kpp)
{
	keypair_free(ctx, *kpp);
	*kpp = NULL;
}

/*
 * A response of ours that the peer never used, two retry intervals on,
 * with no session made since: the initiator could not read it, and with
 * an initiation that authenticated, a pre-shared key mismatch is what
 * does that (psk2 mixes the key in only at the response).  A lost
 * confirmation on an idle link looks the same, hence "likely" in the log;
 * said once per keypair, which stays until replaced.
 */
static void
unconfirmed_hint(struct peer *p, const struct timers_limits *l, uint64_t now)
{
	struct keypair	*kp = p->kp_next;

	if (kp == NULL || kp->initiator || kp->hinted ||
	    now - kp->created_ns < 2 * l->retry_ns ||
	    p->last_handshake_ns >= kp->created_ns)
		return;
	kp->hinted = 1;
	session_psk_hint(p, "a handshake was answered but never confirmed");
}

/*
 * Our initiation went unanswered for a retry interval while the peer's data, authenticated
 * under a session we share, kept arriving: the peer is up and holds our
 * key, so what makes it refuse our initiation is most likely a
 * pre-shared key on one side only (the responder answers neither a
 * plain initiation when it has a key for us nor one with a key when it
 * has none).  Not said during a rollover (two public keys), where an
 * initiation to the key the peer just left goes unanswered the same way
 * until the retry tries the other.
 */
static void
unanswered_hint(struct peer *p)
{
	if (p->hs_sent_ns == 0 || p->last_rx_ns <= p->hs_sent_ns ||
	    p->conf.has_public_key2)
		return;
	session_psk_hint(p, "it sends data but answers no initiation");
}

static void
timers_peer(struct tm_ctx *ctx, struct peer *p, const struct timers_limits *l,
    uint64_t now)
{
	struct timers_state	 s;
	unsigned int		 due;

	relay_tick(ctx, p, now, l->relays);
	state(p, &s);
	due = timers_due(&s, l, now);
	if (due & TIMERS_EXPIRE_PREVIOUS)
		drop(ctx, &p->kp_previous);
	if (due & TIMERS_EXPIRE_NEXT)
		drop(ctx, &p->kp_next);
	unconfirmed_hint(p, l, now);
	if (due & TIMERS_EXPIRE_CURRENT)
		drop(ctx, &p->kp_current);
	if (due & TIMERS_DOWN)
		session_peer_down(ctx, p, now);
	if (due & (TIMERS_ABANDON | TIMERS_RETRY))
		unanswered_hint(p);
	if (due & TIMERS_ABANDON)
		session_abandon(ctx, p);
	if (due & TIMERS_RETRY)
		send_initiation(ctx, p, now, 1);
	if (due & TIMERS_INITIATE)
		send_want_handshake(ctx, p, now);
	if (due & TIMERS_PROBE)
		probe_tick(ctx, p, now);
	if (timers_keepalive_due(p->kp_current != NULL, p->last_tx_ns, l, now))
		send_keepalive(ctx, p);
}

int
timers_loop_warn_due(uint64_t slow, uint64_t warned, uint64_t warned_ns,
    uint64_t now)
{
	return slow != warned &&
	    (warned_ns == 0 || now - warned_ns >= TIMERS_LOOP_WARN_NS);
}

/*
 * A round of 100 ms or more held up every frame and every timer (BFD
 * through the tunnel notices 150 ms): said in the log, not only in the
 * counters, once a minute at most.
 */
static void
loop_warn(struct tm_ctx *ctx, uint64_t now)
{
	uint64_t	 slow = ctx->ev.rounds_100ms;

	if (!timers_loop_warn_due(slow, ctx->loop_warned, ctx->loop_warned_ns,
	    now))
		return;
	log_warnx("event loop: %llu %sround%s of 100 ms or more%s (the "
	    "longest so far %llu ms): frames and timers waited that long",
	    (unsigned long long)(slow - ctx->loop_warned),
	    ctx->loop_warned_ns == 0 ? "" : "more ",
	    slow - ctx->loop_warned == 1 ? "" : "s",
	    ctx->loop_warned_ns == 0 ? "" : " since the last warning",
	    (unsigned long long)(ctx->ev.longest_round_ns / 1000000));
	ctx->loop_warned = slow;
	ctx->loop_warned_ns = now;
}

void
timers_tick(void *arg)
{
	struct tm_ctx		*ctx = arg;
	struct timers_limits	 l;
	uint64_t		 now = event_now_ns();
	size_t			 i;

	limits(ctx, &l);
	l.relays = relay_offered(ctx, now);
	for (i = 0; i < ctx->peers.npeers; i++)
		timers_peer(ctx, ctx->peers.peers[i], &l, now);
	loop_warn(ctx, now);
	if (event_timer_add(&ctx->ev, &ctx->tick, TIMERS_TICK_MS) == -1)
		log_warn("session timer");
}

int
timers_start(struct tm_ctx *ctx)
{
	event_timer_init(&ctx->tick, timers_tick, ctx);
	return event_timer_add(&ctx->ev, &ctx->tick, 1);
}
