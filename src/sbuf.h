/*
 * A growable string buffer for building control-socket answers.  An
 * allocation failure is remembered and reported once at the end, so the
 * builders need no error checks on every line.
 */
#ifndef TAPMESH_SBUF_H
#define TAPMESH_SBUF_H

#include <stddef.h>

struct sbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

/* Appends formatted text. */
void	 sbuf_printf(struct sbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Appends s as a JSON string literal, quotes included. */
void	 sbuf_json_str(struct sbuf *, const char *);

/* Frees the buffer's memory. */
void	 sbuf_free(struct sbuf *);

#endif
