/*
 * Fuzzes addr_parse and prefix_parse (every address and prefix of a
 * configuration passes through them), with a round-trip check: what
 * parses must format and parse back to the same address.
 */
#include <arpa/inet.h>

#include <assert.h>

#include "addr.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const seeds[] = {
		"10.255.0.1", "fd00:255::1", "10.255.0.1/24", "fd00:255::1/64",
		"::ffff:192.0.2.1", "fe80::aff:feff:1/128", "0.0.0.0/0",
		"2001:db8::/32",
	};
	const char	*dir;
	char		 name[32];
	size_t		 i;

	if ((dir = fuzz_seed_dir(argc, argv)) == NULL)
		return 0;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		snprintf(name, sizeof(name), "seed-%zu", i);
		fuzz_seed_write(dir, name, seeds[i], strlen(seeds[i]));
	}
	exit(0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct tm_addr	 a, b;
	struct tm_prefix p;
	uint8_t		 mac[ETH_ALEN_TM];
	char		 s[256], out[INET6_ADDRSTRLEN];

	if (len >= sizeof(s))
		return 0;
	memcpy(s, data, len);
	s[len] = '\0';

	if (addr_parse(s, &a) == 0) {
		assert(a.family == AF_INET || a.family == AF_INET6);
		assert(addr_ntop(&a, out, sizeof(out)) != NULL);
		assert(addr_parse(out, &b) == 0);
		assert(addr_eq(&a, &b));
		assert(mac_derive(0x42, &a, 1, mac) == 0);
		assert(!mac_is_group(mac));
	}
	if (prefix_parse(s, &p) == 0) {
		assert(p.addr.family == AF_INET || p.addr.family == AF_INET6);
		assert(p.plen >= 0 &&
		    p.plen <= (p.addr.family == AF_INET ? 32 : 128));
		/* The prefix's own address lies inside it. */
		assert(prefix_contains(&p, &p.addr));
		assert(addr_ntop(&p.addr, out, sizeof(out)) != NULL);
	}
	return 0;
}
