/*
 * Helpers over libconfig shared by the main-file parser (config.c) and
 * the peer-file parser (peerconf.c), and the list of errors a load
 * collects (which the daemon reads too: reload, tapmeshctl reload).
 */
#ifndef TAPMESH_CFG_H
#define TAPMESH_CFG_H

#include <stddef.h>

/*
 * Collected error messages, each already formatted as "FILE:LINE: text"
 * (or "FILE: text" where no line applies).
 */
struct cfg_errors {
	char			**msg;
	size_t			 n;
	size_t			 lost;	/* dropped for lack of memory */
};

/* Appends a formatted message to errs. */
void	 cfg_error(struct cfg_errors *, const char *, int, const char *, ...)
	    __attribute__((format(printf, 4, 5)));

/* Frees every message in errs and empties it. */
void	 cfg_errors_clear(struct cfg_errors *);

/*
 * The helpers over libconfig, for the parsers alone.  The structs are
 * only declared so that this header does not pull in libconfig.h.
 * Wherever a file name is passed, it is the file being
 * parsed; a setting that came from an @include names its own file.
 */
struct config_t;
struct config_setting_t;

/*
 * Reads the libconfig file at path into cf (initialised by the caller).
 * Reports a file that cannot be opened, is not a regular file, or does
 * not parse.  Returns 0, or -1.
 */
int	 cfg_read(struct config_t *, const char *, struct cfg_errors *);

/*
 * Appends a message located at the file and line of a setting, or at
 * the file alone if the setting is NULL.
 */
void	 cfg_serror(struct cfg_errors *, const char *,
	    const struct config_setting_t *, const char *, ...)
	    __attribute__((format(printf, 4, 5)));

/*
 * Reports every member of a group whose name is not in the NULL
 * terminated list keys.  Returns the number reported.
 */
int	 cfg_check_keys(struct cfg_errors *, const char *,
	    const struct config_setting_t *, const char *const *);

/*
 * Looks up the string member key of a group.  Returns 1 and sets *val
 * and *where if it is present, 0 if absent, or -1 (reported) if it is
 * not a string.
 */
int	 cfg_get_string(struct cfg_errors *, const char *,
	    const struct config_setting_t *, const char *, const char **,
	    const struct config_setting_t **);

/*
 * Looks up the boolean member key of a group.  Returns 1 and sets *val
 * if it is present, 0 if absent, or -1 (reported) if it is not true or
 * false.
 */
int	 cfg_get_bool(struct cfg_errors *, const char *,
	    const struct config_setting_t *, const char *, int *);

/*
 * Looks up the integer member key of a group.  Returns 1 and sets *val
 * and *where if it is present and within min..max, 0 if absent, or -1
 * (reported) if it is not an integer or out of range.
 */
int	 cfg_get_int(struct cfg_errors *, const char *,
	    const struct config_setting_t *, const char *, long long,
	    long long, long long *, const struct config_setting_t **);

/*
 * Looks up the member key of a group holding one string or an array or
 * list of strings, and stores the string settings (at most max) in
 * elems.  Returns 1 with *n set if present (possibly empty), 0 if
 * absent, or -1 (reported) if it has the wrong type, holds anything but
 * strings or more than max elements.
 */
int	 cfg_get_strings(struct cfg_errors *, const char *,
	    const struct config_setting_t *, const char *, size_t,
	    const struct config_setting_t **, size_t *);

/*
 * Resolves a path named in a file against that file's directory, so
 * that a configuration tree can be moved or tested as a whole.  Returns
 * 0, or -1 if the result does not fit in out.
 */
int	 cfg_resolve_path(const char *, const char *, char *, size_t);

#endif
