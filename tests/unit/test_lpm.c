/*
 * Unit tests for lpm.c: hand-made cases (nesting, splits, removal that
 * prunes, IPv4 and IPv6 widths), then random prefixes against a naive
 * reference that scans a list, through inserts and removals, with the
 * node count checked against its bound.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "lpm.h"

static int	 vals[64];

static void
set(struct lpm *t, const char *a, unsigned int plen, int *v)
{
	uint8_t	 k[16] = { 0 };
	void	**slot;

	assert_int_equal(inet_pton(t->bits == 32 ? AF_INET : AF_INET6, a, k),
	    1);
	slot = lpm_slot(t, k, plen);
	assert_non_null(slot);
	*slot = v;
}

static void *
look(const struct lpm *t, const char *a, unsigned int *plen)
{
	uint8_t	 k[16] = { 0 };

	assert_int_equal(inet_pton(t->bits == 32 ? AF_INET : AF_INET6, a, k),
	    1);
	return lpm_lookup(t, k, plen);
}

static void *
del(struct lpm *t, const char *a, unsigned int plen)
{
	uint8_t	 k[16] = { 0 };

	assert_int_equal(inet_pton(t->bits == 32 ? AF_INET : AF_INET6, a, k),
	    1);
	return lpm_remove(t, k, plen);
}

static void
test_v4_nesting(void **state)
{
	struct lpm	 t;
	unsigned int	 plen = 99;

	(void)state;
	lpm_init(&t, 32);
	assert_null(look(&t, "10.0.0.1", NULL));
	set(&t, "10.0.0.0", 8, &vals[1]);
	set(&t, "10.1.0.0", 16, &vals[2]);
	set(&t, "10.1.2.3", 32, &vals[3]);
	set(&t, "10.1.128.0", 17, &vals[4]);	/* a sibling split */
	set(&t, "0.0.0.0", 0, &vals[0]);	/* default, inserted last */
	assert_ptr_equal(look(&t, "10.1.2.3", &plen), &vals[3]);
	assert_int_equal(plen, 32);
	assert_ptr_equal(look(&t, "10.1.2.4", &plen), &vals[2]);
	assert_int_equal(plen, 16);
	assert_ptr_equal(look(&t, "10.1.200.1", &plen), &vals[4]);
	assert_int_equal(plen, 17);
	assert_ptr_equal(look(&t, "10.200.0.1", NULL), &vals[1]);
	assert_ptr_equal(look(&t, "192.0.2.1", &plen), &vals[0]);
	assert_int_equal(plen, 0);
	/* Host bits in the key are ignored. */
	set(&t, "10.1.255.255", 16, &vals[5]);
	assert_ptr_equal(look(&t, "10.1.2.4", NULL), &vals[5]);

	assert_ptr_equal(del(&t, "10.1.0.0", 16), &vals[5]);
	assert_null(del(&t, "10.1.0.0", 16));
	assert_ptr_equal(look(&t, "10.1.2.4", NULL), &vals[1]);
	assert_ptr_equal(look(&t, "10.1.200.1", NULL), &vals[4]);
	assert_ptr_equal(del(&t, "0.0.0.0", 0), &vals[0]);
	assert_null(look(&t, "192.0.2.1", NULL));
	assert_ptr_equal(del(&t, "10.1.2.3", 32), &vals[3]);
	assert_ptr_equal(del(&t, "10.1.128.0", 17), &vals[4]);
	assert_ptr_equal(del(&t, "10.0.0.0", 8), &vals[1]);
	assert_null(t.root);
	assert_int_equal(t.nodes, 0);
	lpm_free(&t, NULL);
}

static void
test_v6(void **state)
{
	struct lpm	 t;
	unsigned int	 plen;
	uint8_t		 k[16];

	(void)state;
	lpm_init(&t, 128);
	set(&t, "2001:db8::", 32, &vals[1]);
	set(&t, "2001:db8:1::", 48, &vals[2]);
	set(&t, "2001:db8:1::5", 128, &vals[3]);
	set(&t, "fe80::", 64, &vals[4]);
	assert_ptr_equal(look(&t, "2001:db8:1::5", &plen), &vals[3]);
	assert_int_equal(plen, 128);
	assert_ptr_equal(look(&t, "2001:db8:1::6", &plen), &vals[2]);
	assert_ptr_equal(look(&t, "2001:db8:2::6", &plen), &vals[1]);
	assert_ptr_equal(look(&t, "fe80::1", &plen), &vals[4]);
	assert_null(look(&t, "2001:db9::1", NULL));
	assert_null(lpm_slot(&t, k, 129));
	memset(k, 0, sizeof(k));
	assert_null(lpm_get(&t, k, 0));
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::", k), 1);
	assert_ptr_equal(lpm_get(&t, k, 48), &vals[2]);
	assert_null(lpm_get(&t, k, 47));
	lpm_free(&t, NULL);
	assert_int_equal(t.nodes, 0);
}

/* The naive reference: a list of prefixes, scanned for the longest. */
struct ref {
	uint8_t		 key[16];
	unsigned int	 plen;
	int		*v;
};

static int
ref_contains(const struct ref *r, const uint8_t *a)
{
	unsigned int	 i;

	for (i = 0; i < r->plen; i++)
		if (((r->key[i / 8] ^ a[i / 8]) >> (7 - i % 8)) & 1)
			return 0;
	return 1;
}

static void
mask(uint8_t *k, unsigned int plen, unsigned int bytes)
{
	unsigned int	 i;

	for (i = plen; i < bytes * 8; i++)
		k[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

static void
random_against_reference(unsigned int bits, unsigned int seed)
{
	enum { N = 600, LOOKUPS = 4000 };
	static struct ref refs[N];
	struct lpm	 t;
	unsigned int	 bytes = bits / 8, i, j, n = 0, plen, best;
	uint8_t		 a[16];
	int		*want;
	void		**slot;

	srand(seed);
	lpm_init(&t, bits);
	for (i = 0; i < N; i++) {
		struct ref	 r;

		memset(&r, 0, sizeof(r));
		/* Few distinct leading bytes, so prefixes nest and collide. */
		for (j = 0; j < bytes; j++)
			r.key[j] = (uint8_t)(j < 2 ? rand() % 3 : rand());
		r.plen = (unsigned int)rand() % (bits + 1);
		mask(r.key, r.plen, bytes);
		r.v = &vals[rand() % 64];
		slot = lpm_slot(&t, r.key, r.plen);
		assert_non_null(slot);
		for (j = 0; j < n; j++)
			if (refs[j].plen == r.plen &&
			    memcmp(refs[j].key, r.key, bytes) == 0)
				break;
		if (j == n)
			n++;
		refs[j] = r;
		*slot = r.v;
		/* Every third round, a removal of a random earlier one. */
		if (i % 3 == 2 && n > 0) {
			j = (unsigned int)rand() % n;
			assert_ptr_equal(lpm_remove(&t, refs[j].key,
			    refs[j].plen), refs[j].v);
			refs[j] = refs[--n];
		}
		/* A path-compressed trie: at most two nodes per value. */
		assert_true(t.nodes <= 2 * n);
	}
	for (i = 0; i < LOOKUPS; i++) {
		for (j = 0; j < bytes; j++)
			a[j] = (uint8_t)(j < 2 ? rand() % 3 : rand());
		if (i % 2 == 0 && n > 0)	/* often inside a prefix */
			memcpy(a, refs[rand() % n].key, 2);
		want = NULL;
		best = 0;
		for (j = 0; j < n; j++)
			if (ref_contains(&refs[j], a) &&
			    (want == NULL || refs[j].plen > best)) {
				want = refs[j].v;
				best = refs[j].plen;
			}
		assert_ptr_equal(lpm_lookup(&t, a, &plen), want);
		if (want != NULL)
			assert_int_equal(plen, best);
	}
	for (j = 0; j < n; j++)
		assert_ptr_equal(lpm_remove(&t, refs[j].key, refs[j].plen),
		    refs[j].v);
	assert_null(t.root);
	assert_int_equal(t.nodes, 0);
	lpm_free(&t, NULL);
}

static void
test_random_v4(void **state)
{
	(void)state;
	random_against_reference(32, 1);
	random_against_reference(32, 2);
}

static void
test_random_v6(void **state)
{
	(void)state;
	random_against_reference(128, 3);
	random_against_reference(128, 4);
}

static int	 freed;

static void
count_free(void *v)
{
	(void)v;
	freed++;
}

static void
test_free_values(void **state)
{
	struct lpm	 t;

	(void)state;
	lpm_init(&t, 32);
	set(&t, "10.0.0.0", 8, &vals[1]);
	set(&t, "10.0.0.0", 24, &vals[2]);
	set(&t, "11.0.0.0", 8, &vals[3]);
	freed = 0;
	lpm_free(&t, count_free);
	assert_int_equal(freed, 3);
	assert_null(t.root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_nesting),
		cmocka_unit_test(test_v6),
		cmocka_unit_test(test_random_v4),
		cmocka_unit_test(test_random_v6),
		cmocka_unit_test(test_free_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
