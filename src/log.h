/*
 * Logging: stderr in the foreground, syslog otherwise.
 *
 * log_warn appends strerror(errno); the x variants do not.  fatal and
 * fatalx log and exit(1).  Nothing that arrives from the network should
 * reach these per packet: use struct log_ratelimit for that.
 */
#ifndef TAPMESH_LOG_H
#define TAPMESH_LOG_H

#include <stdarg.h>
#include <stdint.h>
#include <time.h>

enum log_level {
	LOG_LEVEL_ERR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Starts logging as progname, to stderr (foreground) or syslog. */
void	 log_init(const char *, int, enum log_level);

/* Changes the level below which messages are dropped. */
void	 log_set_level(enum log_level);

void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * A token bucket for messages caused by outside input: at most burst
 * messages, refilled at rate per second.  Zero-initialised it allows
 * nothing; use LOG_RATELIMIT_INIT.
 */
struct log_ratelimit {
	double		 tokens;
	double		 rate;
	double		 burst;
	struct timespec	 last;
	uint64_t	 suppressed;
};
#define LOG_RATELIMIT_INIT(rate, burst) { (burst), (rate), (burst), {0, 0}, 0 }

/*
 * True if a message may be logged now; counts it as suppressed otherwise.
 * When it returns true after suppressing some, *suppressed (if not NULL)
 * receives their number so the caller can mention it.
 */
int	 log_ratelimit_ok(struct log_ratelimit *, uint64_t *);

#endif
