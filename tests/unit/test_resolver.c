/*
 * Unit tests for resolver.c with numeric hosts only, so that no lookup
 * ever leaves the machine: the worker thread answers what the blocking
 * lookup answers, through the eventfd, and refuses requests beyond
 * RESOLVER_MAX outstanding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>

#include "resolver.h"

/* The blocking lookup of a numeric IPv4 address, v4-mapped, any family. */
static void
test_lookup_numeric(void **state)
{
	struct sockaddr_in6	 sa;
	char			 buf[INET6_ADDRSTRLEN];
	int			 rc;

	(void)state;
	rc = resolver_lookup("127.0.0.1", 5655, AF_UNSPEC, &sa);
	assert_int_equal(rc, 0);
	assert_int_equal(sa.sin6_family, AF_INET6);
	assert_int_equal(ntohs(sa.sin6_port), 5655);
	assert_non_null(inet_ntop(AF_INET6, &sa.sin6_addr, buf, sizeof(buf)));
	assert_string_equal(buf, "::ffff:127.0.0.1");
	/* An IPv4 address is no answer for an IPv6-only lookup. */
	assert_int_not_equal(resolver_lookup("127.0.0.1", 5655, AF_INET6,
	    &sa), 0);
}

static void
req_make(struct resolve_req *req, size_t i)
{
	memset(req, 0, sizeof(*req));
	snprintf(req->host, sizeof(req->host), "127.0.0.%zu", i + 1);
	req->port = (uint16_t)(1000 + i);
	req->family = AF_UNSPEC;
	req->key[0] = (uint8_t)i;
	req->endpoint = i;
}

/* Everything submitted comes back once, answered as the blocking call. */
static void
test_worker(void **state)
{
	struct resolver		*r;
	struct resolve_req	 req, out[RESOLVER_MAX];
	struct sockaddr_in6	 want;
	struct pollfd		 pfd;
	size_t			 i, n = 0;
	int			 seen[RESOLVER_MAX] = { 0 }, tries;

	(void)state;
	assert_non_null(r = resolver_new());
	for (i = 0; i < RESOLVER_MAX; i++) {
		req_make(&req, i);
		assert_int_equal(resolver_submit(r, &req), 0);
	}
	/* Nothing collected yet: every request is still outstanding. */
	req_make(&req, RESOLVER_MAX);
	assert_int_equal(resolver_submit(r, &req), -1);

	pfd.fd = resolver_fd(r);
	pfd.events = POLLIN;
	for (tries = 0; n < RESOLVER_MAX && tries < 100; tries++) {
		if (poll(&pfd, 1, 100) != 1)
			continue;
		n += resolver_collect(r, out + n, RESOLVER_MAX - n);
	}
	assert_int_equal(n, RESOLVER_MAX);
	for (i = 0; i < n; i++) {
		size_t	 k = out[i].endpoint;

		assert_true(k < RESOLVER_MAX);
		assert_int_equal(seen[k]++, 0);
		assert_int_equal(out[i].key[0], k);
		assert_int_equal(resolver_lookup(out[i].host, out[i].port,
		    AF_UNSPEC, &want), out[i].error);
		if (out[i].error == 0)
			assert_memory_equal(&want, &out[i].addr, sizeof(want));
	}
	/* Collected: room again. */
	assert_int_equal(resolver_submit(r, &req), 0);
	resolver_free(r);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_lookup_numeric),
		cmocka_unit_test(test_worker),
	};

	return cmocka_run_group_tests_name("resolver", tests, NULL, NULL);
}
