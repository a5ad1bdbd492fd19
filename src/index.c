#include <openssl/rand.h>

#include <stdlib.h>
#include <string.h>

#include "index.h"

int
index_table_init(struct index_table *t, size_t n)
{
	memset(t, 0, sizeof(*t));
	t->nbuckets = 1024;
	while (t->nbuckets < n * 4)
		t->nbuckets <<= 1;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	return t->buckets == NULL ? -1 : 0;
}

void
index_table_free(struct index_table *t)
{
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

/* Indexes are random, so their low bits are a fine hash. */
static size_t
bucket(const struct index_table *t, uint32_t idx)
{
	return idx & (t->nbuckets - 1);
}

struct index_entry *
index_find(const struct index_table *t, uint32_t idx)
{
	struct index_entry	*e;

	for (e = t->buckets[bucket(t, idx)]; e != NULL; e = e->next)
		if (e->idx == idx)
			return e;
	return NULL;
}

int
index_link(struct index_table *t, struct index_entry *e)
{
	size_t	 b;

	if (e->linked || e->idx == 0 || index_find(t, e->idx) != NULL)
		return -1;
	b = bucket(t, e->idx);
	e->next = t->buckets[b];
	t->buckets[b] = e;
	e->linked = 1;
	t->count++;
	return 0;
}

int
index_insert(struct index_table *t, struct index_entry *e)
{
	uint32_t	 idx;

	index_remove(t, e);
	do {
		if (RAND_bytes((unsigned char *)&idx, sizeof(idx)) != 1)
			return -1;
	} while (idx == 0 || index_find(t, idx) != NULL);
	e->idx = idx;
	return index_link(t, e);
}

void
index_remove(struct index_table *t, struct index_entry *e)
{
	struct index_entry	**pp;

	if (!e->linked)
		return;
	for (pp = &t->buckets[bucket(t, e->idx)]; *pp != NULL;
	    pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	e->next = NULL;
	e->linked = 0;
	t->count--;
}
