/*
 * The TAP device: one interface for every peer.
 *
 * Every function that can fail returns 0, or -1 with errno set, as the
 * system calls under it do; frames are read by the data path from
 * tap->fd directly (datapath.c), so a write is all there is of I/O here.
 */
#ifndef TAPMESH_TAP_H
#define TAPMESH_TAP_H

#include <linux/virtio_net.h>

#include <net/if.h>

struct tap {
	int	 fd;
	int	 ifindex;
	int	 created;	/* 0 if an existing persistent TAP was adopted */
	int	 offload;	/* frames carry a struct virtio_net_hdr */
	char	 name[IFNAMSIZ];
};

/*
 * Creates the TAP named name, or attaches to an existing persistent one
 * of that name (which is then left in place at exit).  The fd is
 * non-blocking and close-on-exec.  With offload, frames are read and
 * written behind a struct virtio_net_hdr and the kernel may hand over
 * TCP super frames and frames with partial checksums (see offload.h);
 * if the kernel refuses that, tap->offload is 0 and plain frames are
 * used.  Returns 0, or -1 with errno set (tap->fd is then -1).
 */
int	 tap_open(struct tap *, const char *, int offload);

/*
 * Writes one frame, behind an empty virtio_net_hdr when the TAP has
 * offloads.  Returns 0, or -1 with errno set.
 */
int	 tap_write(const struct tap *, const void *, size_t);

/* The same behind the given virtio_net_hdr (ignored without offloads). */
int	 tap_write_vnet(const struct tap *, const struct virtio_net_hdr *,
	    const void *, size_t);

/*
 * Closes the fd; a TAP created by tap_open disappears with it because it
 * was never made persistent.
 */
void	 tap_close(struct tap *);

#endif
