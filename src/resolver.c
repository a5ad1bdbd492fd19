#include <sys/eventfd.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "resolver.h"

/*
 * Shared between the loop and the worker, under mu.  Whoever drops the
 * last reference frees it, so that the loop never waits for a lookup
 * that hangs in a slow resolver at shutdown.
 */
struct resolver {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 refs;
	int			 started;
	int			 stop;
	int			 efd;		/* -1 once the loop let go */
	struct resolve_req	 pending[RESOLVER_MAX];	/* a ring */
	size_t			 head;
	size_t			 npending;
	int			 busy;		/* the worker holds one */
	struct resolve_req	 done[RESOLVER_MAX];
	size_t			 ndone;
};

int
resolver_lookup(const char *host, uint16_t port, int family,
    struct sockaddr_in6 *addr)
{
	struct addrinfo	 hints, *res = NULL;
	char		 serv[8];
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%u", port);
	if ((rc = getaddrinfo(host, serv, &hints, &res)) != 0)
		return rc;
	memset(addr, 0, sizeof(*addr));
	addr->sin6_family = AF_INET6;
	addr->sin6_port = htons(port);
	if (res->ai_family == AF_INET) {
		const struct sockaddr_in *sin = (void *)res->ai_addr;

		addr->sin6_addr.s6_addr[10] = 0xff;
		addr->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&addr->sin6_addr.s6_addr[12], &sin->sin_addr, 4);
	} else if (res->ai_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (void *)res->ai_addr;

		addr->sin6_addr = sin6->sin6_addr;
	} else
		rc = EAI_FAMILY;
	freeaddrinfo(res);
	return rc;
}

struct resolver *
resolver_new(void)
{
	struct resolver	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_warn("resolver");
		return NULL;
	}
	if ((r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		log_warn("resolver: eventfd");
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->refs = 1;
	return r;
}

int
resolver_fd(const struct resolver *r)
{
	return r->efd;
}

/* Drops a reference, under mu, which it releases; frees on the last. */
static void
resolver_unref(struct resolver *r)
{
	int	 last = --r->refs == 0;

	pthread_mutex_unlock(&r->mu);
	if (!last)
		return;
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r);
}

static void *
resolver_worker(void *arg)
{
	struct resolver		*r = arg;
	struct resolve_req	 req;
	uint64_t		 one = 1;

	pthread_mutex_lock(&r->mu);
	while (!r->stop) {
		if (r->npending == 0) {
			pthread_cond_wait(&r->cv, &r->mu);
			continue;
		}
		req = r->pending[r->head];
		r->head = (r->head + 1) % RESOLVER_MAX;
		r->npending--;
		r->busy = 1;
		pthread_mutex_unlock(&r->mu);

		req.error = resolver_lookup(req.host, req.port, req.family,
		    &req.addr);

		pthread_mutex_lock(&r->mu);
		r->busy = 0;
		if (r->stop)
			break;
		r->done[r->ndone++] = req;
		/* The loop closes efd only under mu, after setting stop. */
		if (write(r->efd, &one, sizeof(one)) == -1 && errno != EAGAIN)
			break;
	}
	resolver_unref(r);
	return NULL;
}

static int
resolver_start(struct resolver *r)
{
	pthread_attr_t	 attr;
	pthread_t	 t;
	int		 err;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r->refs++;
	if ((err = pthread_create(&t, &attr, resolver_worker, r)) != 0) {
		r->refs--;
		log_warnx("resolver: cannot start its thread: %s",
		    strerror(err));
	} else
		r->started = 1;
	pthread_attr_destroy(&attr);
	return err == 0 ? 0 : -1;
}

int
resolver_submit(struct resolver *r, const struct resolve_req *req)
{
	int	 rc = -1;

	pthread_mutex_lock(&r->mu);
	if (r->npending + (size_t)r->busy + r->ndone >= RESOLVER_MAX)
		goto out;
	if (!r->started && resolver_start(r) == -1)
		goto out;
	r->pending[(r->head + r->npending) % RESOLVER_MAX] = *req;
	r->npending++;
	pthread_cond_signal(&r->cv);
	rc = 0;
 out:
	pthread_mutex_unlock(&r->mu);
	return rc;
}

size_t
resolver_collect(struct resolver *r, struct resolve_req *out, size_t max)
{
	uint64_t	 v;
	size_t		 n;

	pthread_mutex_lock(&r->mu);
	if (read(r->efd, &v, sizeof(v)) == -1 && errno != EAGAIN)
		log_warn("resolver: eventfd");	/* read resets it */
	n = r->ndone < max ? r->ndone : max;
	memcpy(out, r->done, n * sizeof(*out));
	memmove(r->done, r->done + n, (r->ndone - n) * sizeof(*out));
	r->ndone -= n;
	v = 1;
	if (r->ndone > 0 && write(r->efd, &v, sizeof(v)) == -1)
		log_warn("resolver: eventfd");	/* come back for the rest */
	pthread_mutex_unlock(&r->mu);
	return n;
}

void
resolver_free(struct resolver *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = 1;
	pthread_cond_signal(&r->cv);
	close(r->efd);
	r->efd = -1;
	resolver_unref(r);
}
