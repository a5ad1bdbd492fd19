/*
 * Fuzzes control_parse, the check of everything a client writes to the
 * control socket before the daemon acts on it, with the invariants the
 * daemon relies on: a request accepted is exactly one header and its
 * payload, of a known type, with a payload that fits its use.
 */
#include <assert.h>

#include "config.h"
#include "control.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct {
		struct ctl_hdr	 h;
		char		 p[8];
	} seed;
	const char	*dir;
	static const uint16_t types[] = { CTL_SHOW, CTL_SHOW_JSON,
	    CTL_METRICS, CTL_RELOAD };
	char		 name[32];
	size_t		 i;

	if ((dir = fuzz_seed_dir(argc, argv)) == NULL)
		return 0;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memset(&seed, 0, sizeof(seed));
		seed.h.version = CTL_VERSION;
		seed.h.type = types[i];
		seed.h.len = i < 2 ? 2 : 0;
		memcpy(seed.p, "n2", 2);
		snprintf(name, sizeof(name), "seed-%zu", i);
		fuzz_seed_write(dir, name, &seed, sizeof(seed.h) + seed.h.len);
	}
	exit(0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ctl_hdr	 h;
	const char	*err;
	size_t		 i;
	int		 r;

	/* Every prefix, as the bytes trickle in over a stream socket. */
	for (i = 0; i <= len && i <= sizeof(h) + CTL_MAX_REQUEST + 1; i++) {
		r = control_parse(data, i, &h, &err);
		assert(r >= -1 && r <= 1);
		assert((r == -1) == (err != NULL));
		if (r == 1) {
			assert(i == sizeof(h) + h.len);
			assert(h.version == CTL_VERSION);
			assert(h.len <= CTL_MAX_REQUEST);
			if (h.type == CTL_SHOW || h.type == CTL_SHOW_JSON)
				assert(h.len < TM_NAME_MAX &&
				    memchr(data + sizeof(h), '\0', h.len) ==
				    NULL);
			else
				assert((h.type == CTL_METRICS ||
				    h.type == CTL_RELOAD) && h.len == 0);
		}
		if (r != 0)
			break;
	}
	return 0;
}
