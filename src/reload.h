/*
 * Reload: re-reads the main file and peers_dir, validates everything,
 * then applies the result as a diff keyed by public key.  Removed peers
 * go down with their neighbour entries first, then added peers come up;
 * changed peers are updated in place; untouched peers keep their
 * sessions, replay windows and neighbour entries.  Settings that cannot
 * change without a restart (interface, addresses, port, MTU, MAC prefix,
 * key file, control socket, user, group) are refused.  SIGHUP and
 * `tapmeshctl reload` share this path.
 */
#ifndef TAPMESH_RELOAD_H
#define TAPMESH_RELOAD_H

struct tm_ctx;
struct cfg_errors;

/*
 * Returns 0 when the new configuration is running, or -1 with every
 * problem in errs and the running state exactly as it was.
 */
int	 reload_config(struct tm_ctx *, struct cfg_errors *);

/*
 * reload_config for SIGHUP and tapmeshctl reload, logging every error;
 * if out is not NULL the errors are also handed to the caller, which
 * must clear them.  Returns 0 or -1.
 */
int	 daemon_reload(struct tm_ctx *, struct cfg_errors *);

#endif
