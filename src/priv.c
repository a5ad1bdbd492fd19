#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <linux/capability.h>

#include <errno.h>
#include <sched.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"

int
priv_drop(const char *user)
{
	struct __user_cap_header_struct	 hdr;
	struct __user_cap_data_struct	 data[_LINUX_CAPABILITY_U32S_3];
	struct passwd			*pw;
	int				 cap;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("user %s: %s", user, errno ? strerror(errno) :
		    "no such user");
		return -1;
	}
	/* Nothing but CAP_NET_ADMIN may ever come back, even via exec. */
	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (cap != CAP_NET_ADMIN &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno != EINVAL) {
			log_warn("dropping capability %d", cap);
			return -1;
		}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1 ||
	    setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		log_warn("becoming user %s", user);
		return -1;
	}
	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective =
	    data[CAP_TO_INDEX(CAP_NET_ADMIN)].permitted =
	    CAP_TO_MASK(CAP_NET_ADMIN);
	if (syscall(SYS_capset, &hdr, data) == -1) {
		log_warn("keeping CAP_NET_ADMIN");
		return -1;
	}
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("prctl");
		return -1;
	}
	/* Make sure it stuck: root must be out of reach now. */
	if (pw->pw_uid != 0 && (setuid(0) != -1 || seteuid(0) != -1)) {
		log_warnx("could regain root after dropping privileges");
		return -1;
	}
	log_info("running as %s (uid %u), keeping CAP_NET_ADMIN only", user,
	    (unsigned)pw->pw_uid);
	return 0;
}

int
priv_sched(const char *file, int line, int prio)
{
	struct sched_param	 sp;
	int			 policy;

	memset(&sp, 0, sizeof(sp));
	if ((policy = sched_getscheduler(0)) == -1 ||
	    sched_getparam(0, &sp) == -1) {
		log_warn("sched_getscheduler");
		return -1;
	}
	policy &= ~SCHED_RESET_ON_FORK;
	if (prio > 0) {
		policy = SCHED_FIFO;
		sp.sched_priority = prio;
	} else if (policy != SCHED_FIFO && policy != SCHED_RR)
		return 0;
	/*
	 * Threads started later (netlink sender, resolver) begin with the
	 * normal scheduler: only the data path runs real-time.
	 */
	if (sched_setscheduler(0, policy | SCHED_RESET_ON_FORK, &sp) == -1) {
		if (prio == 0)
			log_warn("helper threads will inherit the real-time "
			    "policy");
		else {
			log_warnx("%s:%d: sched_priority %d: cannot run the "
			    "data path at SCHED_FIFO: %s%s", file, line, prio,
			    strerror(errno), errno == EPERM ? " (it needs "
			    "CAP_SYS_NICE, and no RestrictRealtime= in a "
			    "systemd unit)" : "");
			return -1;
		}
	}
	/* Said also when it came from outside (chrt, systemd). */
	log_info("data path scheduled %s, priority %d%s",
	    policy == SCHED_FIFO ? "SCHED_FIFO" : "SCHED_RR",
	    sp.sched_priority, prio > 0 ? "" : " (inherited)");
	return 0;
}

void
priv_sd_notify(const char *state)
{
	struct sockaddr_un	 sun;
	const char		*path = getenv("NOTIFY_SOCKET");
	socklen_t		 len;
	size_t			 plen;
	int			 fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	plen = strlen(path);
	if (plen >= sizeof(sun.sun_path))
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) == -1)
		log_debug("sd_notify: %s", strerror(errno));
	close(fd);
}
