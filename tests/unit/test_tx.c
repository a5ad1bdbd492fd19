/*
 * Unit tests for the transmit queue's batches (tx.h): one clock read for
 * a whole batch, datagrams queued until the batch ends and then sent,
 * sent at once outside a batch.  The datagrams go to a socket of this
 * test's own on the loopback address.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon.h"
#include "event.h"
#include "tx.h"

struct fixture {
	struct tm_ctx		*ctx;
	struct peer		*peer;
	int			 rfd;	/* where the datagrams arrive */
	struct sockaddr_in6	 to;
};

static int
setup(void **state)
{
	struct fixture	*f;
	socklen_t	 sl = sizeof(f->to);

	assert_non_null(f = calloc(1, sizeof(*f)));
	assert_non_null(f->ctx = calloc(1, sizeof(*f->ctx)));
	assert_non_null(f->peer = calloc(1, sizeof(*f->peer)));
	f->to.sin6_family = AF_INET6;
	f->to.sin6_addr = in6addr_loopback;
	assert_true((f->rfd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK,
	    0)) != -1);
	assert_int_equal(bind(f->rfd, (struct sockaddr *)&f->to,
	    sizeof(f->to)), 0);
	assert_int_equal(getsockname(f->rfd, (struct sockaddr *)&f->to, &sl),
	    0);
	assert_true((f->ctx->udpfd = socket(AF_INET6, SOCK_DGRAM, 0)) != -1);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	close(f->rfd);
	close(f->ctx->udpfd);
	free(f->peer);
	free(f->ctx);
	free(f);
	return 0;
}

static void
pause_ms(long ms)
{
	struct timespec	 ts = { 0, ms * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Seals (here: writes) msg into the next buffer and hands it to tx_data. */
static void
put(struct fixture *f, const char *msg)
{
	uint8_t	*buf = tx_buffer(f->ctx);
	size_t	 len = strlen(msg);

	memcpy(buf, msg, len);
	assert_int_equal(tx_data(f->ctx, f->peer, &f->to, NULL, 0, 0, len,
	    len), 0);
}

/* The next datagram at the test's socket, or "" if none is there. */
static const char *
got(struct fixture *f)
{
	static char	 buf[64];
	ssize_t		 n;

	n = recv(f->rfd, buf, sizeof(buf) - 1, 0);
	if (n == -1) {
		assert_int_equal(errno, EAGAIN);
		n = 0;
	}
	buf[n] = '\0';
	return buf;
}

static void
test_batch_clock(void **state)
{
	struct fixture	*f = *state;
	uint64_t	 t0, before;

	before = event_now_ns();
	tx_begin(f->ctx);
	t0 = tx_now(f->ctx);
	assert_true(t0 >= before);
	pause_ms(3);
	/* One reading for the whole batch... */
	assert_true(tx_now(f->ctx) == t0);
	put(f, "one");
	tx_end(f->ctx);
	/* ...and the time now again once it ended. */
	assert_true(tx_now(f->ctx) >= t0 + 3000000ULL);
	assert_string_equal(got(f), "one");
}

static void
test_batch_queues(void **state)
{
	struct fixture	*f = *state;
	uint64_t	 t0;

	tx_begin(f->ctx);
	t0 = tx_now(f->ctx);
	put(f, "first");
	put(f, "second");
	/* Queued, in the queue's own slots, not sent yet. */
	assert_int_equal(f->ctx->tx.n, 2);
	assert_ptr_not_equal(tx_buffer(f->ctx), f->ctx->tx.out);
	assert_string_equal(got(f), "");
	assert_int_equal(f->peer->stats.tx_packets, 0);
	tx_end(f->ctx);
	assert_int_equal(f->ctx->tx.n, 0);
	assert_string_equal(got(f), "first");
	assert_string_equal(got(f), "second");
	assert_int_equal(f->peer->stats.tx_packets, 2);
	assert_int_equal(f->peer->stats.tx_bytes, 11);
	assert_true(f->peer->last_tx_ns >= t0);
}

static void
test_outside_batch(void **state)
{
	struct fixture	*f = *state;

	/* No batch: the datagram leaves at once, from tx.out. */
	assert_ptr_equal(tx_buffer(f->ctx), f->ctx->tx.out);
	put(f, "now");
	assert_int_equal(f->ctx->tx.n, 0);
	assert_string_equal(got(f), "now");
	assert_int_equal(f->peer->stats.tx_packets, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batch_clock, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_batch_queues, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_outside_batch, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
