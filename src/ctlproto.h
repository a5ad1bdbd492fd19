/*
 * The control protocol between tapmeshctl and tapmeshd, over a UNIX
 * stream socket.  One request per connection; both directions are a
 * header followed by len bytes of payload:
 *
 *	u16 version (CTL_VERSION), u16 type, u32 len	(host byte order)
 *
 * Requests: CTL_SHOW (payload: an optional peer name), CTL_SHOW_JSON
 * (the same), CTL_METRICS and CTL_RELOAD (no payload).  The answer is
 * CTL_OK with the text to print, or CTL_ERROR with the error messages,
 * one per line.  A request with another version, an unknown type or a
 * payload over CTL_MAX_REQUEST is answered with CTL_ERROR.
 */
#ifndef TAPMESH_CTLPROTO_H
#define TAPMESH_CTLPROTO_H

#include <stdint.h>

#define CTL_VERSION		1
#define CTL_MAX_REQUEST		256
#define CTL_MAX_RESPONSE	(64U * 1024 * 1024)

enum ctl_type {
	CTL_SHOW = 1,
	CTL_SHOW_JSON = 2,
	CTL_METRICS = 3,
	CTL_RELOAD = 4,
	CTL_OK = 100,
	CTL_ERROR = 101,
};

struct ctl_hdr {
	uint16_t	 version;
	uint16_t	 type;
	uint32_t	 len;
};

#endif
