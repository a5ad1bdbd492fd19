/*
 * Fuzzes config_load: the input becomes either the main file (first
 * byte even) or a peer file beside a valid main file (odd), in a private
 * temporary directory, and config_load parses, validates and frees it.
 *
 * Inputs that could make libconfig or the peer directory scan leave the
 * temporary directory (@include, absolute paths, "..") are skipped: they
 * would only make the run slow and dependent on the host.
 */
#include <assert.h>
#include <ctype.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"
#include "key.h"

static char	 dir[64], main_path[128], peer_path[128], base_main[128];
static char	 pub_b64[KEY_B64_LEN + 1];

static void
write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	FILE	*f;

	if ((f = fopen(path, "wb")) == NULL || fwrite(buf, 1, len, f) != len) {
		perror(path);
		abort();
	}
	fclose(f);
	(void)chmod(path, mode);
}

static const char main_conf[] =
    "interface = \"tap0\";\n"
    "address = [ \"10.255.0.1/24\", \"fd00:255::1/64\" ];\n"
    "listen = 5655;\n"
    "peers_dir = \"conf.d\";\n"
    "private_key_file = \"private.key\";\n"
    "keepalive = 2;\n"
    "dead_time = 8;\n";

static void
peer_conf(char *buf, size_t len)
{
	snprintf(buf, len,
	    "name = \"n2\";\n"
	    "public_key = \"%s\";\n"
	    "address = [ \"10.255.0.2\", \"fd00:255::2\" ];\n"
	    "endpoints = ( { host = \"198.18.0.2\"; port = 5655; priority = 10; },\n"
	    "  { host = \"2001:db8::2\"; port = 5656; priority = 20; } );\n",
	    pub_b64);
}

static void
setup(void)
{
	uint8_t	 priv[KEY_LEN], pub[KEY_LEN];
	char	 b64[KEY_B64_LEN + 2], path[160], peer[512];
	const char *tmp = getenv("TMPDIR");

	/* libFuzzer may end without atexit: run-fuzzers.sh sets TMPDIR. */
	snprintf(dir, sizeof(dir), "%s/tapmesh-fuzz-config.XXXXXX",
	    tmp != NULL && *tmp != '\0' && strlen(tmp) < 36 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/conf.d", dir);
	(void)mkdir(path, 0700);
	fuzz_key(priv, 1);
	key_b64_encode(priv, b64);
	strcat(b64, "\n");
	snprintf(path, sizeof(path), "%s/private.key", dir);
	write_file(path, b64, strlen(b64), 0600);
	fuzz_key(priv, 2);
	assert(key_public(priv, pub) == 0);
	key_b64_encode(pub, pub_b64);
	snprintf(main_path, sizeof(main_path), "%s/fuzz.main", dir);
	snprintf(base_main, sizeof(base_main), "%s/tapmesh.conf", dir);
	snprintf(peer_path, sizeof(peer_path), "%s/conf.d/n2.conf", dir);
	write_file(base_main, main_conf, sizeof(main_conf) - 1, 0644);
	peer_conf(peer, sizeof(peer));
	write_file(peer_path, peer, strlen(peer), 0644);
}

static void
cleanup(void)
{
	char	 path[160];

	unlink(main_path);
	unlink(base_main);
	unlink(peer_path);
	snprintf(path, sizeof(path), "%s/private.key", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/conf.d", dir);
	rmdir(path);
	rmdir(dir);
}

/* Would this input reach outside the temporary directory? */
static int
escapes(const uint8_t *d, size_t len)
{
	size_t	 i, j;

	for (i = 0; i < len; i++) {
		if (d[i] == '"' && i + 1 < len && d[i + 1] == '/')
			return 1;
		if (d[i] == '.' && i + 1 < len && d[i + 1] == '.')
			return 1;
		if (d[i] == '@') {
			static const char inc[] = "include";

			for (j = 0; j < 7 && i + 1 + j < len; j++)
				if (tolower(d[i + 1 + j]) != inc[j])
					break;
			if (j == 7)
				return 1;
		}
	}
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*sdir;
	char		 buf[1024];

	setup();
	atexit(cleanup);
	if ((sdir = fuzz_seed_dir(argc, argv)) == NULL)
		return 0;
	buf[0] = 0;
	memcpy(buf + 1, main_conf, sizeof(main_conf) - 1);
	fuzz_seed_write(sdir, "main-valid", buf, sizeof(main_conf));
	snprintf(buf + 1, sizeof(buf) - 1, "%s%s", main_conf,
	    "mtu = 1400;\nmac_prefix = 0x42;\ncipher = \"chacha20-poly1305\";\n"
	    "rekey_time = 60;\n");
	fuzz_seed_write(sdir, "main-options", buf, 1 + strlen(buf + 1));
	buf[0] = 1;
	peer_conf(buf + 1, sizeof(buf) - 1);
	fuzz_seed_write(sdir, "peer-valid", buf, 1 + strlen(buf + 1));
	snprintf(buf + 1, sizeof(buf) - 1,
	    "name = \"v6only\";\npublic_key = \"%s\";\n"
	    "address = \"fd00:255::99\";\n"
	    "endpoints = ( { host = \"::1\"; } );\n", pub_b64);
	fuzz_seed_write(sdir, "peer-v6only", buf, 1 + strlen(buf + 1));
	exit(0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct tm_config	 conf;
	struct cfg_errors	 errs = { .msg = NULL };
	char			 peer[512];
	const char		*path;
	size_t			 i;
	int			 rc;

	if (len < 1 || len > 4096 || escapes(data + 1, len - 1))
		return 0;
	if ((data[0] & 1) == 0) {
		write_file(main_path, data + 1, len - 1, 0644);
		path = main_path;
	} else {
		write_file(peer_path, data + 1, len - 1, 0644);
		path = base_main;
	}
	rc = config_load(path, &conf, &errs);
	if (rc == 0) {
		assert(errs.n == 0);
		assert(conf.naddrs > 0);
		for (i = 0; i < conf.npeers; i++)
			assert(conf.peers[i].naddrs > 0);
		config_free(&conf);
	} else {
		assert(errs.n + errs.lost > 0);
		for (i = 0; i < errs.n; i++)
			assert(errs.msg[i] != NULL);
	}
	cfg_errors_clear(&errs);
	/* Put the valid peer file back for the next main-file input. */
	if (data[0] & 1) {
		peer_conf(peer, sizeof(peer));
		write_file(peer_path, peer, strlen(peer), 0644);
	}
	return 0;
}
