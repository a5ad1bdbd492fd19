/*
 * The TAP device: one interface for every peer.
 */
#ifndef TAPMESH_TAP_H
#define TAPMESH_TAP_H

#include <net/if.h>

struct tap {
	int	 fd;
	int	 ifindex;
	int	 created;	/* 0 if an existing persistent TAP was adopted */
	char	 name[IFNAMSIZ];
};

/*
 * Creates the TAP named name, or attaches to an existing persistent one
 * of that name (which is then left in place at exit).  The fd is
 * non-blocking and close-on-exec.  Returns 0 or -errno.
 */
int	 tap_open(struct tap *, const char *);

/*
 * Closes the fd; a TAP created by tap_open disappears with it because it
 * was never made persistent.
 */
void	 tap_close(struct tap *);

#endif
