/*
 * What `tapmeshctl show` and `tapmeshctl metrics` print, rendered by the
 * daemon from its live state: human text aligned like `wg show`, JSON
 * (stable field names, documented in tapmeshctl(8)) and the Prometheus
 * text exposition format.
 */
#ifndef TAPMESH_SHOW_H
#define TAPMESH_SHOW_H

struct tm_ctx;
struct sbuf;

/*
 * Renders the interface and every peer, or only the peer named (NULL or
 * "" for all).  Returns 0, or -1 if no peer has that name.
 */
int	 show_text(const struct tm_ctx *, const char *, struct sbuf *);
int	 show_json(const struct tm_ctx *, const char *, struct sbuf *);

/* Renders every counter as Prometheus metrics. */
void	 show_metrics(const struct tm_ctx *, struct sbuf *);

#endif
