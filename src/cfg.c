/*
 * Helpers over libconfig for the configuration parsers (config.c for the
 * main file, peerconf.c for the peer files): reading a file, typed
 * look-ups that report their own errors, and the error list itself.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"

static void
cfg_verror(struct cfg_errors *errs, const char *file, int line,
    const char *fmt, va_list ap)
{
	char	 *text = NULL, *msg = NULL, **nmsg;
	va_list	  ap2;
	int	  len;

	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (len < 0 || (text = malloc((size_t)len + 1)) == NULL)
		goto lost;
	vsnprintf(text, (size_t)len + 1, fmt, ap);

	if (line > 0)
		len = snprintf(NULL, 0, "%s:%d: %s", file, line, text);
	else
		len = snprintf(NULL, 0, "%s: %s", file, text);
	if (len < 0 || (msg = malloc((size_t)len + 1)) == NULL)
		goto lost;
	if (line > 0)
		snprintf(msg, (size_t)len + 1, "%s:%d: %s", file, line, text);
	else
		snprintf(msg, (size_t)len + 1, "%s: %s", file, text);

	nmsg = reallocarray(errs->msg, errs->n + 1, sizeof(*errs->msg));
	if (nmsg == NULL)
		goto lost;
	errs->msg = nmsg;
	errs->msg[errs->n++] = msg;
	free(text);
	return;
 lost:
	/* Still counted, so that the load fails even when out of memory. */
	errs->lost++;
	free(text);
	free(msg);
}

void
cfg_error(struct cfg_errors *errs, const char *file, int line,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	cfg_verror(errs, file, line, fmt, ap);
	va_end(ap);
}

void
cfg_errors_clear(struct cfg_errors *errs)
{
	size_t	i;

	for (i = 0; i < errs->n; i++)
		free(errs->msg[i]);
	free(errs->msg);
	errs->msg = NULL;
	errs->n = 0;
	errs->lost = 0;
}

void
cfg_serror(struct cfg_errors *errs, const char *file,
    const config_setting_t *s, const char *fmt, ...)
{
	va_list	ap;
	int	line = 0;

	if (s != NULL) {
		if (config_setting_source_file(s) != NULL)
			file = config_setting_source_file(s);
		line = (int)config_setting_source_line(s);
	}
	va_start(ap, fmt);
	cfg_verror(errs, file, line, fmt, ap);
	va_end(ap);
}

int
cfg_read(config_t *cf, const char *path, struct cfg_errors *errs)
{
	struct stat	 st;
	FILE		*fp = NULL;
	int		 fd, ok = 0;

	/*
	 * Opened here rather than by config_read_file, whose only message
	 * for any failure to open is "file I/O error".  O_NONBLOCK keeps a
	 * FIFO put in place of the file from blocking the open forever;
	 * reads of a regular file ignore it.
	 */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		cfg_error(errs, path, 0, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		cfg_error(errs, path, 0, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_error(errs, path, 0, "not a regular file");
		goto out;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		cfg_error(errs, path, 0, "%s", strerror(errno));
		goto out;
	}
	fd = -1;
	errno = 0;
	ok = config_read(cf, fp);
	if (!ok && ferror(fp))
		cfg_error(errs, path, 0, "%s", strerror(errno));
	else if (!ok)
		cfg_error(errs, config_error_file(cf) != NULL ?
		    config_error_file(cf) : path, config_error_line(cf), "%s",
		    config_error_text(cf));
 out:
	if (fp != NULL)
		fclose(fp);
	if (fd != -1)
		close(fd);
	return ok ? 0 : -1;
}

int
cfg_check_keys(struct cfg_errors *errs, const char *file,
    const config_setting_t *group, const char *const *keys)
{
	const config_setting_t	*s;
	const char		*name;
	int			 i, n, bad = 0;
	size_t			 k;

	n = config_setting_length(group);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(group, (unsigned int)i);
		if ((name = config_setting_name(s)) == NULL)
			continue;
		for (k = 0; keys[k] != NULL; k++)
			if (strcmp(name, keys[k]) == 0)
				break;
		if (keys[k] == NULL) {
			cfg_serror(errs, file, s, "unknown key \"%s\"", name);
			bad++;
		}
	}
	return bad;
}

int
cfg_get_string(struct cfg_errors *errs, const char *file,
    const config_setting_t *group, const char *key, const char **val,
    const config_setting_t **where)
{
	const config_setting_t	*s;

	if ((s = config_setting_get_member(group, key)) == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_serror(errs, file, s, "%s: expected a string", key);
		return -1;
	}
	*val = config_setting_get_string(s);
	*where = s;
	return 1;
}

int
cfg_get_bool(struct cfg_errors *errs, const char *file,
    const config_setting_t *group, const char *key, int *val)
{
	const config_setting_t	*s;

	if ((s = config_setting_get_member(group, key)) == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cfg_serror(errs, file, s, "%s: expected true or false", key);
		return -1;
	}
	*val = config_setting_get_bool(s);
	return 1;
}

int
cfg_get_int(struct cfg_errors *errs, const char *file,
    const config_setting_t *group, const char *key, long long min,
    long long max, long long *val, const config_setting_t **where)
{
	const config_setting_t	*s;
	long long		 v;

	if ((s = config_setting_get_member(group, key)) == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		cfg_serror(errs, file, s, "%s: expected an integer", key);
		return -1;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		cfg_serror(errs, file, s,
		    "%s: %lld is out of range (%lld..%lld)", key, v, min, max);
		return -1;
	}
	*val = v;
	*where = s;
	return 1;
}

int
cfg_get_strings(struct cfg_errors *errs, const char *file,
    const config_setting_t *group, const char *key, size_t max,
    const config_setting_t **elems, size_t *n)
{
	const config_setting_t	*s, *e;
	int			 i, len;

	*n = 0;
	if ((s = config_setting_get_member(group, key)) == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if (max < 1) {
			cfg_serror(errs, file, s, "%s: more than %zu entries",
			    key, max);
			return -1;
		}
		elems[(*n)++] = s;
		return 1;
	}
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		cfg_serror(errs, file, s,
		    "%s: expected a string or a list of strings", key);
		return -1;
	}
	len = config_setting_length(s);
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			cfg_serror(errs, file, e,
			    "%s: expected a string or a list of strings", key);
			*n = 0;
			return -1;
		}
	}
	if ((size_t)len > max) {
		cfg_serror(errs, file, s, "%s: more than %zu entries", key,
		    max);
		return -1;
	}
	for (i = 0; i < len; i++)
		elems[(*n)++] = config_setting_get_elem(s, (unsigned int)i);
	return 1;
}

int
cfg_resolve_path(const char *file, const char *rel, char *out, size_t outlen)
{
	const char	*slash;
	int		 dirlen, len;

	slash = strrchr(file, '/');
	if (rel[0] == '/' || slash == NULL)
		dirlen = 0;
	else
		dirlen = (int)(slash - file) + 1;
	len = snprintf(out, outlen, "%.*s%s", dirlen, file, rel);
	if (len < 0 || (size_t)len >= outlen)
		return -1;
	return 0;
}
