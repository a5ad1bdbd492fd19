/*
 * ARP responder for peers.
 *
 * The kernel on the TAP asks for a peer's IPv4 address; the daemon answers
 * with the peer's synthetic MAC without sending anything over the tunnel.
 */
#ifndef TAPMESH_ARP_H
#define TAPMESH_ARP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"

/*
 * Looks up the MAC answering for an address.  Returns 1 and fills mac if
 * the address belongs to a peer that should be answered for, else 0.
 */
typedef int (*resp_lookup_fn)(void *, const struct tm_addr *,
    uint8_t [ETH_ALEN_TM]);

#define ARP_FRAME_LEN	42	/* Ethernet + ARP for IPv4 over Ethernet */

/*
 * Answers an ARP request frame.  On success writes the complete reply
 * frame (ARP_FRAME_LEN bytes) into out and returns its length; returns 0
 * if nothing is to be answered (a reply, an unknown target, a gratuitous
 * request), or -1 if the frame is malformed (too short, wrong hardware or
 * protocol type or lengths, an unknown opcode, a sender hardware address
 * that is not the Ethernet source or is a group address) or if out is
 * shorter than ARP_FRAME_LEN.  The lookup is called at most once, with an
 * AF_INET address.  out may be the frame's own buffer: the request is
 * read completely before the reply is written.
 */
ssize_t	 arp_respond(const uint8_t *, size_t, resp_lookup_fn, void *,
	    uint8_t *, size_t);

#endif
