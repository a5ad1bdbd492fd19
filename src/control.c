#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "daemon.h"
#include "reload.h"
#include "sbuf.h"
#include "show.h"

static void	 conn_close(struct control_conn *);

/* Makes the answer: header and body in one buffer, ready to write. */
static void
conn_answer(struct control_conn *c, uint16_t type, const char *body,
    size_t len)
{
	struct ctl_hdr	 h;

	if (len > CTL_MAX_RESPONSE) {
		body = "answer too large\n";
		len = strlen(body);
		type = CTL_ERROR;
	}
	if ((c->out = malloc(sizeof(h) + len)) == NULL) {
		conn_close(c);
		return;
	}
	h.version = CTL_VERSION;
	h.type = type;
	h.len = (uint32_t)len;
	memcpy(c->out, &h, sizeof(h));
	memcpy(c->out + sizeof(h), body, len);
	c->outlen = sizeof(h) + len;
	c->outoff = 0;
	if (event_mod_fd(&c->ctx->ev, &c->ev, EPOLLOUT) == -1)
		conn_close(c);
}

static void
conn_error(struct control_conn *c, const char *msg)
{
	c->ctx->control.bad_requests++;
	conn_answer(c, CTL_ERROR, msg, strlen(msg));
}

static void
do_reload(struct control_conn *c)
{
	struct cfg_errors	 errs = { .msg = NULL };
	struct sbuf		 b = { .s = NULL };
	size_t			 i;
	int			 rc;

	if ((rc = daemon_reload(c->ctx, &errs)) == 0) {
		sbuf_printf(&b, "reloaded %s: %zu peers\n", c->ctx->conf.file,
		    c->ctx->peers.npeers);
	} else {
		for (i = 0; i < errs.n; i++)
			sbuf_printf(&b, "%s\n", errs.msg[i]);
		sbuf_printf(&b, "reload refused; the running configuration "
		    "is unchanged\n");
	}
	if (b.failed)
		conn_error(c, "out of memory\n");
	else
		conn_answer(c, rc == 0 ? CTL_OK : CTL_ERROR, b.s, b.len);
	cfg_errors_clear(&errs);
	sbuf_free(&b);
}

static void
conn_request(struct control_conn *c, const struct ctl_hdr *h,
    const uint8_t *payload)
{
	struct sbuf	 b = { .s = NULL };
	char		 name[TM_NAME_MAX], msg[TM_NAME_MAX + 32];
	int		 rc = 0;

	switch (h->type) {
	case CTL_SHOW:
	case CTL_SHOW_JSON:
		/* control_parse checked the name's length and bytes. */
		memcpy(name, payload, h->len);
		name[h->len] = '\0';
		rc = h->type == CTL_SHOW ? show_text(c->ctx, name, &b) :
		    show_json(c->ctx, name, &b);
		if (rc == -1) {
			snprintf(msg, sizeof(msg), "no peer named \"%s\"\n",
			    name);
			conn_error(c, msg);
			sbuf_free(&b);
			return;
		}
		break;
	case CTL_METRICS:
		show_metrics(c->ctx, &b);
		break;
	case CTL_RELOAD:
		do_reload(c);
		return;
	default:
		conn_error(c, "unknown request\n");
		return;
	}
	if (b.failed)
		conn_error(c, "out of memory\n");
	else
		conn_answer(c, CTL_OK, b.s != NULL ? b.s : "", b.len);
	sbuf_free(&b);
}

int
control_parse(const uint8_t *in, size_t inlen, struct ctl_hdr *h,
    const char **err)
{
	*err = NULL;
	if (inlen < sizeof(*h))
		return 0;
	memcpy(h, in, sizeof(*h));
	if (h->version != CTL_VERSION)
		*err = "unsupported protocol version\n";
	else if (h->len > CTL_MAX_REQUEST)
		*err = "request too long\n";
	else if (inlen < sizeof(*h) + h->len)
		return 0;
	else if (inlen > sizeof(*h) + h->len)
		*err = "one request per connection\n";
	else if (h->type != CTL_SHOW && h->type != CTL_SHOW_JSON &&
	    h->type != CTL_METRICS && h->type != CTL_RELOAD)
		*err = "unknown request\n";
	else if ((h->type == CTL_SHOW || h->type == CTL_SHOW_JSON) &&
	    (h->len >= TM_NAME_MAX || memchr(in + sizeof(*h), '\0',
	    h->len) != NULL))
		*err = "bad peer name\n";
	else if ((h->type == CTL_METRICS || h->type == CTL_RELOAD) &&
	    h->len != 0)
		*err = "unexpected payload\n";
	return *err != NULL ? -1 : 1;
}

static void
conn_readable(struct control_conn *c)
{
	struct ctl_hdr	 h;
	const char	*err;
	ssize_t		 n;

	n = read(c->ev.fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->inlen += (size_t)n;
	switch (control_parse(c->in, c->inlen, &h, &err)) {
	case 0:
		if (c->inlen == sizeof(c->in))
			conn_error(c, "request too long\n");
		return;
	case -1:
		conn_error(c, err);
		return;
	}
	conn_request(c, &h, c->in + sizeof(h));
}

static void
conn_writable(struct control_conn *c)
{
	ssize_t	 n;

	n = write(c->ev.fd, c->out + c->outoff, c->outlen - c->outoff);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->outoff += (size_t)n;
	if (c->outoff == c->outlen)
		conn_close(c);
}

static void
conn_event(int fd, uint32_t events, void *arg)
{
	struct control_conn	*c = arg;

	(void)fd;
	if (c->out != NULL) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			conn_writable(c);
	} else if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		conn_readable(c);
}

static void
conn_timeout(void *arg)
{
	struct control_conn	*c = arg;

	c->ctx->control.bad_requests++;
	conn_close(c);
}

static void
conn_close(struct control_conn *c)
{
	struct control		*ctl = &c->ctx->control;
	struct control_conn	**pp;

	for (pp = &ctl->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ctl->nconns--;
	event_del_fd(&c->ctx->ev, &c->ev);
	event_timer_del(&c->ctx->ev, &c->timeout);
	close(c->ev.fd);
	free(c->out);
	free(c);
}

static void
control_accept(int fd, uint32_t events, void *arg)
{
	struct tm_ctx		*ctx = arg;
	struct control		*ctl = &ctx->control;
	struct control_conn	*c;
	int			 cfd;

	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) != -1) {
		if (ctl->nconns >= CONTROL_MAX_CONNS ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			ctl->refused++;
			close(cfd);
			continue;
		}
		c->ctx = ctx;
		c->ev = (struct event_fd){ cfd, conn_event, c };
		event_timer_init(&c->timeout, conn_timeout, c);
		if (event_add_fd(&ctx->ev, &c->ev, EPOLLIN) == -1 ||
		    event_timer_add(&ctx->ev, &c->timeout,
		    CONTROL_TIMEOUT_MS) == -1) {
			event_del_fd(&ctx->ev, &c->ev);
			close(cfd);
			free(c);
			continue;
		}
		c->next = ctl->conns;
		ctl->conns = c;
		ctl->nconns++;
	}
}

/* True if a daemon answers on the socket at path. */
static int
socket_alive(const struct sockaddr_un *sun)
{
	int	 fd, alive;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	alive = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return alive;
}

/*
 * Makes the socket's directory if it is missing.  A daemon that drops
 * privileges can remove its socket at exit only from a directory its
 * user may write to: one it creates is given to that user; about one
 * that exists and does not let it, it warns now.
 */
static int
control_dir(const struct tm_ctx *ctx, const char *dir)
{
	const struct passwd	*pw = NULL;
	struct stat		 st;
	int			 made;

	if (ctx->conf.user[0] != '\0' &&
	    (pw = getpwnam(ctx->conf.user)) == NULL) {
		log_warnx("user %s: no such user", ctx->conf.user);
		return -1;
	}
	made = mkdir(dir, 0755) == 0;
	if (!made && errno != EEXIST) {
		log_warn("%s", dir);
		return -1;
	}
	if (pw == NULL || pw->pw_uid == 0)
		return 0;
	if (made) {
		if (chown(dir, pw->pw_uid, pw->pw_gid) == -1) {
			log_warn("%s: chown", dir);
			return -1;
		}
		return 0;
	}
	if (stat(dir, &st) == 0 &&
	    !(st.st_uid == pw->pw_uid && (st.st_mode & S_IWUSR)) &&
	    !(st.st_gid == pw->pw_gid && (st.st_mode & S_IWGRP)) &&
	    !(st.st_mode & S_IWOTH))
		log_warnx("%s: user %s cannot remove the control socket from "
		    "this directory at exit; the next start replaces it", dir,
		    ctx->conf.user);
	return 0;
}

int
control_open(struct tm_ctx *ctx)
{
	struct control		*ctl = &ctx->control;
	struct sockaddr_un	 sun;
	struct group		*gr;
	char			 dir[PATH_MAX];
	mode_t			 old;
	gid_t			 gid = 0;

	ctl->fd = -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(ctx->conf.control_socket) >= sizeof(sun.sun_path)) {
		log_warnx("control socket path too long");
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    ctx->conf.control_socket);
	snprintf(ctl->path, sizeof(ctl->path), "%s", sun.sun_path);
	if (ctx->conf.group[0] != '\0') {
		if ((gr = getgrnam(ctx->conf.group)) == NULL) {
			log_warnx("group %s: no such group", ctx->conf.group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	snprintf(dir, sizeof(dir), "%s", sun.sun_path);
	if (control_dir(ctx, dirname(dir)) == -1)
		return -1;
	if (socket_alive(&sun)) {
		log_warnx("%s: another daemon answers on this control socket",
		    sun.sun_path);
		return -1;
	}
	(void)unlink(sun.sun_path);
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd == -1) {
		log_warn("control socket");
		return -1;
	}
	/* Never a moment in which others could connect. */
	old = umask(0117);
	if (bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("%s", sun.sun_path);
		goto fail;
	}
	umask(old);
	if (gid != 0 && chown(sun.sun_path, 0, gid) == -1) {
		log_warn("%s: chown", sun.sun_path);
		goto fail;
	}
	if (listen(ctl->fd, CONTROL_MAX_CONNS) == -1) {
		log_warn("%s: listen", sun.sun_path);
		goto fail;
	}
	ctl->ev = (struct event_fd){ ctl->fd, control_accept, ctx };
	if (event_add_fd(&ctx->ev, &ctl->ev, EPOLLIN) == -1) {
		log_warn("epoll_ctl");
		goto fail;
	}
	return 0;
 fail:
	close(ctl->fd);
	ctl->fd = -1;
	(void)unlink(sun.sun_path);
	return -1;
}

void
control_close(struct tm_ctx *ctx)
{
	struct control	*ctl = &ctx->control;

	while (ctl->conns != NULL)
		conn_close(ctl->conns);
	if (ctl->fd == -1)
		return;
	event_del_fd(&ctx->ev, &ctl->ev);
	close(ctl->fd);
	ctl->fd = -1;
	if (unlink(ctl->path) == -1 && errno != ENOENT)
		log_debug("%s: %s", ctl->path, strerror(errno));
}
