/*
 * Unit tests for reload.c: a reload that runs out of memory at any of its
 * own allocations is refused with the running peers untouched (never a
 * fatal failure half-way), and the same reload then applies in full.
 * Allocations are made to fail one after the other through the linker's
 * --wrap of malloc, calloc and realloc.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon.h"
#include "key.h"
#include "reload.h"
#include "session.h"

void	*__real_malloc(size_t);
void	*__real_calloc(size_t, size_t);
void	*__real_realloc(void *, size_t);
void	*__wrap_malloc(size_t);
void	*__wrap_calloc(size_t, size_t);
void	*__wrap_realloc(void *, size_t);

/* -1: no failures; else the number of allocations left before one fails. */
static long	 fail_in = -1;

static int
fail_now(void)
{
	if (fail_in < 0)
		return 0;
	return fail_in-- == 0;
}

void *
__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t m)
{
	return fail_now() ? NULL : __real_calloc(n, m);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

static char	 dir[64];

static void
write_file(const char *name, const char *fmt, ...)
{
	char	 path[256];
	FILE	*f;
	va_list	 ap;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
}

/* A peer file for peer i (10.9.0.i) with a fresh public key. */
static void
write_peer(int i)
{
	uint8_t	 priv[KEY_LEN], pub[KEY_LEN];
	char	 b64[KEY_B64_LEN + 1], name[32];

	assert_int_equal(key_generate(priv), 0);
	assert_int_equal(key_public(priv, pub), 0);
	key_b64_encode(pub, b64);
	snprintf(name, sizeof(name), "conf.d/p%d.conf", i);
	write_file(name, "name = \"p%d\";\npublic_key = \"%s\";\n"
	    "address = [ \"10.9.0.%d\" ];\nendpoints = ( { host = "
	    "\"192.0.2.%d\"; port = 5655; } );\n", i, b64, i, i);
}

static void
remove_peer(int i)
{
	char	 path[256];

	snprintf(path, sizeof(path), "%s/conf.d/p%d.conf", dir, i);
	assert_int_equal(unlink(path), 0);
}

static struct tm_ctx *
make_ctx(void)
{
	struct cfg_errors	 errs = { .msg = NULL };
	struct tm_ctx		*ctx;
	uint8_t			 priv[KEY_LEN];
	char			 b64[KEY_B64_LEN + 1], path[256];

	snprintf(dir, sizeof(dir), "/tmp/tapmesh-reload.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/conf.d", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(key_generate(priv), 0);
	key_b64_encode(priv, b64);
	write_file("private.key", "%s\n", b64);
	write_file("tapmesh.conf", "interface = \"tm0\";\naddress = [ "
	    "\"10.9.0.1/24\" ];\nlisten = 5655;\nprivate_key_file = "
	    "\"private.key\";\npeers_dir = \"conf.d\";\n");
	write_peer(2);
	write_peer(3);
	write_peer(4);
	assert_non_null(ctx = calloc(1, sizeof(*ctx)));
	snprintf(path, sizeof(path), "%s/tapmesh.conf", dir);
	if (config_load(path, &ctx->conf, &errs) == -1)
		fail_msg("%s", errs.n ? errs.msg[0] : "config_load");
	cfg_errors_clear(&errs);
	assert_int_equal(peer_table_init(&ctx->peers, ctx->conf.peers,
	    ctx->conf.npeers), 0);
	assert_int_equal(session_init(ctx), 0);	/* makes the index */
	return ctx;
}

static void
free_ctx(struct tm_ctx *ctx)
{
	char	 cmd[128];

	session_free(ctx);
	filter_free(&ctx->filter);
	peer_table_free(&ctx->peers);
	config_free(&ctx->conf);
	free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_out_of_memory(void **state)
{
	struct tm_ctx		*ctx = make_ctx();
	struct cfg_errors	 errs = { .msg = NULL };
	struct peer		*before[3];
	long			 k;
	int			 rc = -1;

	(void)state;
	assert_int_equal(ctx->peers.npeers, 3);
	memcpy(before, ctx->peers.peers, sizeof(before));
	/* p3 goes, p5 and p6 come: every step of a reload is taken. */
	remove_peer(3);
	write_peer(5);
	write_peer(6);
	for (k = 0; k < 10000 && rc != 0; k++) {
		fail_in = k;
		rc = reload_config(ctx, &errs);
		fail_in = -1;
		cfg_errors_clear(&errs);
		if (rc == 0)
			break;
		/* Refused: the running peers are those of before. */
		assert_int_equal(ctx->peers.npeers, 3);
		assert_memory_equal(ctx->peers.peers, before, sizeof(before));
		assert_ptr_equal(peer_find_by_mac(&ctx->peers,
		    before[1]->conf.mac), before[1]);
		assert_string_equal(before[1]->conf.name, "p3");
	}
	print_message("reload refused cleanly at each of its first %ld "
	    "allocations, then applied\n", k);
	assert_true(k > 3);
	assert_int_equal(rc, 0);
	assert_int_equal(ctx->peers.npeers, 4);
	assert_non_null(peer_find_by_key(&ctx->peers, before[0]->conf.public_key));
	assert_string_equal(ctx->peers.peers[1]->conf.name, "p4");
	assert_string_equal(ctx->peers.peers[3]->conf.name, "p6");
	free_ctx(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out_of_memory),
	};

	log_init("test_reload", 1, LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
