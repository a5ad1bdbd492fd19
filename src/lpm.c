/*
 * The path-compressed binary trie: see lpm.h.
 */
#include <stdlib.h>
#include <string.h>

#include "lpm.h"

static unsigned int
key_bit(const uint8_t *key, unsigned int i)
{
	return (key[i >> 3] >> (7 - (i & 7))) & 1;
}

/* The number of leading bits a and b share, at most max. */
static unsigned int
common_len(const uint8_t *a, const uint8_t *b, unsigned int max)
{
	unsigned int	 i = 0;
	uint8_t		 x;

	while (i < max) {
		x = a[i >> 3] ^ b[i >> 3];
		if (x == 0) {
			i = (i & ~7u) + 8;
			continue;
		}
		while ((x & (0x80 >> (i & 7))) == 0)
			i++;
		break;
	}
	return i < max ? i : max;
}

static void
key_mask(uint8_t *dst, const uint8_t *src, unsigned int plen)
{
	unsigned int	 n = plen >> 3;

	memset(dst, 0, LPM_KEY_LEN);
	memcpy(dst, src, n);
	if (plen & 7)
		dst[n] = (uint8_t)(src[n] & (0xff << (8 - (plen & 7))));
}

static struct lpm_node *
node_new(struct lpm *t, const uint8_t *key, unsigned int plen)
{
	struct lpm_node	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	key_mask(n->key, key, plen);
	n->plen = (uint8_t)plen;
	t->nodes++;
	return n;
}

void
lpm_init(struct lpm *t, unsigned int bits)
{
	memset(t, 0, sizeof(*t));
	t->bits = bits > LPM_KEY_LEN * 8 ? LPM_KEY_LEN * 8 : bits;
}

static void
free_nodes(struct lpm_node *n, void (*free_value)(void *))
{
	if (n == NULL)
		return;
	free_nodes(n->child[0], free_value);
	free_nodes(n->child[1], free_value);
	if (n->value != NULL && free_value != NULL)
		free_value(n->value);
	free(n);
}

void
lpm_free(struct lpm *t, void (*free_value)(void *))
{
	free_nodes(t->root, free_value);
	t->root = NULL;
	t->nodes = 0;
}

void **
lpm_slot(struct lpm *t, const uint8_t *key, unsigned int plen)
{
	struct lpm_node	**pp = &t->root, *n, *nn, *br;
	unsigned int	  cl;

	if (plen > t->bits)
		return NULL;
	while ((n = *pp) != NULL) {
		cl = common_len(n->key, key, n->plen < plen ? n->plen : plen);
		if (cl == n->plen) {
			if (n->plen == plen)
				return &n->value;
			pp = &n->child[key_bit(key, n->plen)];
			continue;
		}
		/* The paths part above n: a new node goes in between. */
		if ((nn = node_new(t, key, plen)) == NULL)
			return NULL;
		if (cl == plen) {
			nn->child[key_bit(n->key, plen)] = n;
			*pp = nn;
			return &nn->value;
		}
		if ((br = node_new(t, key, cl)) == NULL) {
			free(nn);
			t->nodes--;
			return NULL;
		}
		br->child[key_bit(key, cl)] = nn;
		br->child[key_bit(n->key, cl)] = n;
		*pp = br;
		return &nn->value;
	}
	if ((n = node_new(t, key, plen)) == NULL)
		return NULL;
	*pp = n;
	return &n->value;
}

/* The link to the node of exactly key/plen and to its parent's link. */
static struct lpm_node **
find_link(const struct lpm *t, const uint8_t *key, unsigned int plen,
    struct lpm_node ***parent)
{
	struct lpm_node	* const *pp = &t->root, *n;

	*parent = NULL;
	while ((n = *pp) != NULL && n->plen <= plen &&
	    common_len(n->key, key, n->plen) == n->plen) {
		if (n->plen == plen)
			return (struct lpm_node **)pp;
		*parent = (struct lpm_node **)pp;
		pp = &n->child[key_bit(key, n->plen)];
	}
	return NULL;
}

void *
lpm_get(const struct lpm *t, const uint8_t *key, unsigned int plen)
{
	struct lpm_node	**pp, **parent;

	if (plen > t->bits || (pp = find_link(t, key, plen, &parent)) == NULL)
		return NULL;
	return (*pp)->value;
}

/* Replaces the node at *pp, which has at most one child, by that child. */
static void
unlink_node(struct lpm *t, struct lpm_node **pp)
{
	struct lpm_node	*n = *pp;

	*pp = n->child[0] != NULL ? n->child[0] : n->child[1];
	free(n);
	t->nodes--;
}

void *
lpm_remove(struct lpm *t, const uint8_t *key, unsigned int plen)
{
	struct lpm_node	**pp, **parent, *n;
	void		 *v;

	if (plen > t->bits || (pp = find_link(t, key, plen, &parent)) == NULL)
		return NULL;
	n = *pp;
	v = n->value;
	n->value = NULL;
	if (n->child[0] != NULL && n->child[1] != NULL)
		return v;		/* still a branch point */
	unlink_node(t, pp);
	/* A branch point left with one child is no longer needed. */
	if (parent != NULL && (*parent)->value == NULL &&
	    ((*parent)->child[0] == NULL || (*parent)->child[1] == NULL))
		unlink_node(t, parent);
	return v;
}

void *
lpm_lookup(const struct lpm *t, const uint8_t *addr, unsigned int *plen)
{
	const struct lpm_node	*n = t->root, *best = NULL;

	while (n != NULL && common_len(n->key, addr, n->plen) == n->plen) {
		if (n->value != NULL)
			best = n;
		if (n->plen >= t->bits)
			break;
		n = n->child[key_bit(addr, n->plen)];
	}
	if (best == NULL)
		return NULL;
	if (plen != NULL)
		*plen = best->plen;
	return best->value;
}

static void
walk_nodes(const struct lpm_node *n, void (*cb)(void *, void *), void *arg)
{
	if (n == NULL)
		return;
	walk_nodes(n->child[0], cb, arg);
	walk_nodes(n->child[1], cb, arg);
	if (n->value != NULL)
		cb(n->value, arg);
}

void
lpm_walk(const struct lpm *t, void (*cb)(void *, void *), void *arg)
{
	walk_nodes(t->root, cb, arg);
}
