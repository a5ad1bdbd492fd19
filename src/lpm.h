/*
 * Longest-prefix match over bit strings of up to 128 bits: a binary
 * trie with path compression (every node either holds a value or has
 * two children), one per address family.  Pure and allocation-counted,
 * so that the route mirror (routes.c) and the address owners (filter.c)
 * share it and a unit test can hold it to a naive reference.
 *
 * A lookup walks at most one node per prefix length on the path, so it
 * costs a few dozen memory reads even with a full routing table; an
 * insertion adds at most two nodes.
 */
#ifndef TAPMESH_LPM_H
#define TAPMESH_LPM_H

#include <stddef.h>
#include <stdint.h>

#define LPM_KEY_LEN	16		/* bytes: an IPv6 address */

struct lpm_node {
	struct lpm_node	*child[2];
	void		*value;		/* NULL: a branch point only */
	uint8_t		 key[LPM_KEY_LEN]; /* bits beyond plen are zero */
	uint8_t		 plen;
};

struct lpm {
	struct lpm_node	*root;
	unsigned int	 bits;		/* 32 or 128 */
	size_t		 nodes;		/* allocated, for memory figures */
};

/* An empty trie for keys of bits bits (at most 128). */
void	 lpm_init(struct lpm *, unsigned int);

/*
 * Frees every node; free_value (if not NULL) is called on each value
 * first.
 */
void	 lpm_free(struct lpm *, void (*)(void *));

/*
 * The slot of the value of key/plen (bits beyond plen are ignored),
 * created empty (NULL) if there was none.  NULL if out of memory (the
 * trie is then unchanged) or plen is beyond the trie's bits.  A slot
 * left empty must be given back with lpm_remove.
 */
void	**lpm_slot(struct lpm *, const uint8_t *, unsigned int);

/* The value stored for exactly key/plen, or NULL. */
void	*lpm_get(const struct lpm *, const uint8_t *, unsigned int);

/*
 * Removes the value of exactly key/plen and returns it (NULL if there
 * was none), freeing the nodes no longer needed.
 */
void	*lpm_remove(struct lpm *, const uint8_t *, unsigned int);

/*
 * The value of the longest stored prefix containing addr (bits bits
 * long), or NULL; *plen (if not NULL) is set to that prefix's length.
 */
void	*lpm_lookup(const struct lpm *, const uint8_t *, unsigned int *);

/* Calls cb on every value, in no particular order. */
void	 lpm_walk(const struct lpm *, void (*)(void *, void *), void *);

#endif
