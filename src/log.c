/*
 * Logging.  The logger's configuration is the only process-wide state in
 * tapmesh: it is set once at start, as syslog's own state is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int		 log_to_stderr = 1;
static enum log_level	 log_level = LOG_LEVEL_INFO;
static const char	*log_prog = "tapmesh";

static const int syslog_prio[] = {
	[LOG_LEVEL_ERR] = LOG_ERR,
	[LOG_LEVEL_WARN] = LOG_WARNING,
	[LOG_LEVEL_INFO] = LOG_INFO,
	[LOG_LEVEL_DEBUG] = LOG_DEBUG,
};

void
log_init(const char *prog, int to_stderr, enum log_level level)
{
	log_prog = prog;
	log_to_stderr = to_stderr;
	log_level = level;
	if (!to_stderr)
		openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

static void
vlog(enum log_level level, const char *fmt, va_list ap, const char *err)
{
	char	 msg[1024];

	if (level > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_to_stderr) {
		if (err != NULL)
			fprintf(stderr, "%s: %s: %s\n", log_prog, msg, err);
		else
			fprintf(stderr, "%s: %s\n", log_prog, msg);
		fflush(stderr);
	} else {
		if (err != NULL)
			syslog(syslog_prio[level], "%s: %s", msg, err);
		else
			syslog(syslog_prio[level], "%s", msg);
	}
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	char	 err[128];
	int	 saved = errno;

	snprintf(err, sizeof(err), "%s", strerror(saved));
	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, fmt, ap, err);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	char	 err[128];

	snprintf(err, sizeof(err), "%s", strerror(errno));
	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERR, fmt, ap, err);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERR, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

int
log_ratelimit_ok(struct log_ratelimit *rl, uint64_t *suppressed)
{
	struct timespec	 now;
	double		 dt;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (rl->last.tv_sec != 0 || rl->last.tv_nsec != 0) {
		dt = (double)(now.tv_sec - rl->last.tv_sec) +
		    (double)(now.tv_nsec - rl->last.tv_nsec) / 1e9;
		rl->tokens += dt * rl->rate;
		if (rl->tokens > rl->burst)
			rl->tokens = rl->burst;
	}
	rl->last = now;
	if (rl->tokens < 1.0) {
		rl->suppressed++;
		return 0;
	}
	rl->tokens -= 1.0;
	if (suppressed != NULL)
		*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return 1;
}
