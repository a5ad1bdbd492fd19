#include <sys/ioctl.h>

#include <linux/if_tun.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

int
tap_open(struct tap *tap, const char *name)
{
	struct ifreq	 ifr;
	int		 err;

	memset(tap, 0, sizeof(*tap));
	tap->fd = -1;
	if (strlen(name) >= sizeof(tap->name))
		return -ENAMETOOLONG;
	snprintf(tap->name, sizeof(tap->name), "%s", name);
	tap->created = if_nametoindex(name) == 0;

	tap->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (tap->fd == -1)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, tap->name, sizeof(tap->name));
	if (ioctl(tap->fd, TUNSETIFF, &ifr) == -1)
		goto fail;
	tap->ifindex = (int)if_nametoindex(tap->name);
	if (tap->ifindex == 0)
		goto fail;
	return 0;
 fail:
	err = -errno;
	close(tap->fd);
	tap->fd = -1;
	return err;
}

void
tap_close(struct tap *tap)
{
	if (tap->fd != -1)
		close(tap->fd);
	tap->fd = -1;
}
