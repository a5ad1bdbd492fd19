#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "peer.h"
#include "peerconf.h"

static const char *const drop_names[DROP_MAX] = {
	[DROP_MALFORMED] = "malformed",
	[DROP_NO_PEER] = "no_peer",
	[DROP_NO_SESSION] = "no_session",
	[DROP_NO_ENDPOINT] = "no_endpoint",
	[DROP_REDIRECT] = "redirect",
	[DROP_NDP] = "arp_ndp",
	[DROP_TOO_BIG] = "too_big",
	[DROP_IO] = "io",
	[DROP_BAD_AUTH] = "bad_auth",
	[DROP_REPLAY] = "replay",
	[DROP_HANDSHAKE] = "handshake",
	[DROP_RATELIMIT] = "ratelimit",
	[DROP_SPOOFED_SOURCE] = "spoofed_source",
	[DROP_ND_FROM_PEER] = "nd_from_peer",
	[DROP_ECN] = "ecn",
	[DROP_RELAY] = "relay",
};

const char *
peer_drop_name(enum drop_reason r)
{
	return r < DROP_MAX ? drop_names[r] : "unknown";
}

/*
 * Synthetic MACs differ in their last four bytes, which come straight
 * from tunnel addresses; mixing them spreads consecutive addresses.
 */
static size_t
mac_hash(const uint8_t *mac, size_t nbuckets)
{
	uint32_t	 h;

	h = ((uint32_t)mac[2] << 24 | (uint32_t)mac[3] << 16 |
	    (uint32_t)mac[4] << 8 | mac[5]) ^ ((uint32_t)mac[1] << 8);
	h *= 0x9e3779b1U;
	return (h >> 8) & (nbuckets - 1);
}

struct peer *
peer_new(const struct peer_conf *conf)
{
	struct peer	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->conf = *conf;
	path_init(&p->path, &p->conf);
	return p;
}

struct peer **
peer_buckets_new(size_t n, size_t *nbuckets)
{
	*nbuckets = 16;
	while (*nbuckets < n * 2)
		*nbuckets <<= 1;
	return calloc(*nbuckets, sizeof(struct peer *));
}

int
peer_table_set(struct peer_table *pt, struct peer **peers, size_t n)
{
	struct peer	**buckets;
	size_t		  nbuckets;

	if ((buckets = peer_buckets_new(n, &nbuckets)) == NULL)
		return -1;
	peer_table_commit(pt, peers, n, buckets, nbuckets);
	return 0;
}

void
peer_table_commit(struct peer_table *pt, struct peer **peers, size_t n,
    struct peer **buckets, size_t nbuckets)
{
	size_t	 i, b;

	for (i = 0; i < n; i++) {
		b = mac_hash(peers[i]->conf.mac, nbuckets);
		peers[i]->mac_next = buckets[b];
		buckets[b] = peers[i];
	}
	free(pt->buckets);
	if (pt->peers != peers)
		free(pt->peers);
	pt->buckets = buckets;
	pt->nbuckets = nbuckets;
	pt->peers = peers;
	pt->npeers = n;
}

int
peer_table_init(struct peer_table *pt, const struct peer_conf *confs,
    size_t n)
{
	struct peer	**peers;
	size_t		  i;

	memset(pt, 0, sizeof(*pt));
	if ((peers = calloc(n ? n : 1, sizeof(*peers))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((peers[i] = peer_new(&confs[i])) == NULL)
			goto fail;
	}
	if (peer_table_set(pt, peers, n) == 0)
		return 0;
 fail:
	while (i-- > 0)
		free(peers[i]);
	free(peers);
	return -1;
}

void
peer_free(struct peer *p)
{
	free(p->relay.pairs);
	explicit_bzero(p, sizeof(*p));
	free(p);
}

void
peer_table_free(struct peer_table *pt)
{
	size_t	 i;

	for (i = 0; i < pt->npeers; i++)
		peer_free(pt->peers[i]);
	free(pt->buckets);
	free(pt->peers);
	memset(pt, 0, sizeof(*pt));
}

const uint8_t *
peer_relay_id(const struct peer *p)
{
	return p->conf.public_key;
}

struct peer *
peer_find_by_mac(const struct peer_table *pt, const uint8_t *mac)
{
	struct peer	*p;

	for (p = pt->buckets[mac_hash(mac, pt->nbuckets)]; p != NULL;
	    p = p->mac_next)
		if (memcmp(p->conf.mac, mac, ETH_ALEN_TM) == 0)
			return p;
	return NULL;
}

size_t
peer_neigh_count(const struct peer *p)
{
	return p->conf.naddrs + 1;
}

void
peer_neigh_addr(const struct peer *p, size_t i, struct tm_addr *a)
{
	if (i < p->conf.naddrs) {
		*a = p->conf.addrs[i];
		return;
	}
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	a->u.v6 = p->conf.lladdr;
}

/*
 * ARP and NDP requests are rare next to data packets, and a linear scan
 * keeps the table simple; it is bounded by the peer count.
 */
struct peer *
peer_find_by_addr(const struct peer_table *pt, const struct tm_addr *a)
{
	struct tm_addr	 na;
	size_t		 i, j;

	for (i = 0; i < pt->npeers; i++) {
		struct peer	*p = pt->peers[i];

		for (j = 0; j < peer_neigh_count(p); j++) {
			peer_neigh_addr(p, j, &na);
			if (addr_eq(&na, a))
				return p;
		}
	}
	return NULL;
}

struct peer *
peer_find_by_key(const struct peer_table *pt, const uint8_t *key)
{
	size_t	 i;

	for (i = 0; i < pt->npeers; i++)
		if (peerconf_has_key(&pt->peers[i]->conf, key))
			return pt->peers[i];
	return NULL;
}
