/*
 * Receiver indexes: the 32-bit numbers a peer puts into every message it
 * sends us, so that a session is found by a hash lookup without looking
 * at the source address (which NAT may change).  An index names either a
 * handshake in flight (for responses and cookie replies) or a keypair
 * (for data).  Indexes are random, so they say nothing about the peer.
 */
#ifndef TAPMESH_INDEX_H
#define TAPMESH_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct peer;
struct keypair;

enum index_kind {
	INDEX_HANDSHAKE = 1,
	INDEX_KEYPAIR,
};

struct index_entry {
	uint32_t		 idx;
	enum index_kind		 kind;
	struct peer		*peer;
	struct keypair		*kp;	/* INDEX_KEYPAIR only */
	struct index_entry	*next;
	int			 linked;
};

struct index_table {
	struct index_entry	**buckets;
	size_t			 nbuckets;	/* a power of two */
	size_t			 count;
};

/* Allocates the table for about n entries; returns 0 or -1. */
int	 index_table_init(struct index_table *, size_t);

/* Frees the table (not the entries, which live in peers and keypairs). */
void	 index_table_free(struct index_table *);

/*
 * Gives the entry a fresh random index not in use and links it.  Returns
 * 0, or -1 if the random generator failed.
 */
int	 index_insert(struct index_table *, struct index_entry *);

/*
 * Links the entry under the index it already holds (one that was just
 * freed by index_remove, when a handshake's index passes on to the
 * keypair it produced).  Returns 0, or -1 if the index is taken.
 */
int	 index_link(struct index_table *, struct index_entry *);

/* Unlinks the entry if it is linked. */
void	 index_remove(struct index_table *, struct index_entry *);

/* The entry with that index, or NULL. */
struct index_entry *index_find(const struct index_table *, uint32_t);

#endif
