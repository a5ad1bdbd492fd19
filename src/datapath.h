/*
 * The packet path, in both directions:
 *
 * TAP read -> classify -> (ARP/NDP answered locally) -> peer by MAC ->
 * encapsulate -> UDP send;
 * UDP receive -> peer -> check -> rebuild Ethernet header -> TAP write.
 */
#ifndef TAPMESH_DATAPATH_H
#define TAPMESH_DATAPATH_H

#include <stdint.h>

struct tm_ctx;

/* Event callback: drains the TAP (ctx as the argument). */
void	 datapath_tap_readable(int, uint32_t, void *);

/* Event callback: drains the UDP socket (ctx as the argument). */
void	 datapath_udp_readable(int, uint32_t, void *);

#endif
