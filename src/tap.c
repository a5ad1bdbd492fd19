#include <sys/ioctl.h>
#include <sys/uio.h>

#include <linux/if_tun.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "offload.h"
#include "tap.h"

/*
 * Asks for checksum and TCP segmentation offload: the kernel then hands
 * over 64 KB segments instead of MTU-sized ones.  Without it (an old
 * kernel) the fd is opened again for plain frames.
 */
static int
tap_offload(int fd)
{
	unsigned int	 off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 |
			    TUN_F_TSO_ECN;

	return ioctl(fd, TUNSETOFFLOAD, off);
}

int
tap_open(struct tap *tap, const char *name, int offload)
{
	struct ifreq	 ifr;
	int		 err;

	memset(tap, 0, sizeof(*tap));
	tap->fd = -1;
	if (strlen(name) >= sizeof(tap->name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(tap->name, sizeof(tap->name), "%s", name);
	tap->created = if_nametoindex(name) == 0;

	tap->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (tap->fd == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0);
	memcpy(ifr.ifr_name, tap->name, sizeof(tap->name));
	if (ioctl(tap->fd, TUNSETIFF, &ifr) == -1)
		goto fail;
	if (offload) {
		if (tap_offload(tap->fd) == 0)
			tap->offload = 1;
		else {
			/* The flags of an attached fd cannot change. */
			close(tap->fd);
			return tap_open(tap, name, 0);
		}
	}
	tap->ifindex = (int)if_nametoindex(tap->name);
	if (tap->ifindex == 0)
		goto fail;
	return 0;
 fail:
	err = errno;
	close(tap->fd);
	tap->fd = -1;
	errno = err;
	return -1;
}

void
tap_close(struct tap *tap)
{
	if (tap->fd != -1)
		close(tap->fd);
	tap->fd = -1;
}

int
tap_write(const struct tap *tap, const void *frame, size_t len)
{
	struct virtio_net_hdr	 vh;

	memset(&vh, 0, sizeof(vh));
	return tap_write_vnet(tap, &vh, frame, len);
}

int
tap_write_vnet(const struct tap *tap, const struct virtio_net_hdr *vh,
    const void *frame, size_t len)
{
	struct iovec		 iov[2];
	ssize_t			 n;

	if (!tap->offload)
		n = write(tap->fd, frame, len);
	else {
		iov[0].iov_base = (void *)(uintptr_t)vh;
		iov[0].iov_len = sizeof(*vh);
		iov[1].iov_base = (void *)(uintptr_t)frame;
		iov[1].iov_len = len;
		n = writev(tap->fd, iov, 2);
		len += sizeof(*vh);
	}
	if (n == -1)
		return -1;
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}
