/*
 * One peer file of peers_dir.
 *
 * The peer parser validates everything a single file can tell on its own
 * (and that its addresses lie inside the interface's prefixes); checks
 * across files, such as duplicate names, MACs or public keys, and a peer
 * key equal to the node's own, are config.c's.
 */
#ifndef TAPMESH_PEERCONF_H
#define TAPMESH_PEERCONF_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "confdata.h"

/*
 * Where the fields of a peer file were defined, kept beside each
 * peer_conf while loading so that errors across files can point at both
 * lines.  Zero where unknown.
 */
struct peerconf_lines {
	int			 name;
	int			 key;
	int			 addr[TM_MAX_ADDRS];
	size_t			 mac_addr;	/* the MAC's source address */
};

/*
 * Parses the peer file at path into *pc, setting pc->file, and deriving
 * the MAC and link-local address with local->mac_prefix.  Addresses must
 * lie inside one of local's prefixes of the same family (not checked if
 * local has none, as the main file then already failed).  pc only ever
 * holds fields that passed validation, left zero otherwise, so that the
 * cross-file checks may look at it even after an error.  Returns 0 if
 * the file is valid, or -1 if errors were appended to errs.
 */
int	 peerconf_load(const char *, const struct tm_config *,
	    struct peer_conf *, struct peerconf_lines *, struct cfg_errors *);

/*
 * True if two endpoints of one peer are the same path: the same host
 * (the same address, or the same name ignoring case) and port, sent from
 * the same source.  Two endpoints to one address from two sources (two
 * uplinks) are two paths.
 */
int	 peerconf_endpoint_same(const struct endpoint_conf *,
	    const struct endpoint_conf *);

/* 1 if key (KEY_LEN bytes) is one of the peer's public keys, else 0. */
int	 peerconf_has_key(const struct peer_conf *, const uint8_t *);

/* Which of the peer's public keys key is: 0 (the first), 1, or -1. */
int	 peerconf_key_index(const struct peer_conf *, const uint8_t *);

/* 1 if two peers have a public key in common. */
int	 peerconf_shares_key(const struct peer_conf *,
	    const struct peer_conf *);

/* The peer's i-th public key (0 or 1), or NULL if it has none such. */
const uint8_t *peerconf_key(const struct peer_conf *, int);

/*
 * Looks up the string member "source_check" of a group and stores the
 * mode it names.  Returns 1 if present and valid, 0 if absent, or -1
 * (reported with file and line) if it is not one of the modes.
 */
int	 peerconf_source_check(struct cfg_errors *, const char *,
	    const struct config_setting_t *, enum tm_source_check *);

/* The name of a source_check mode, as the files spell it. */
const char *peerconf_source_check_name(enum tm_source_check);

#endif
