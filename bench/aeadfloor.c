/*
 * aeadfloor: what sealing and opening one data message costs through
 * the calls tapmeshd makes (aead_seal, aead_open of src/aead.c), in CPU
 * time of this thread.
 *
 *	aeadfloor CIPHER BYTES SECONDS
 *
 * CIPHER is chacha20-poly1305 or aes-256-gcm, BYTES the frame sealed
 * into one message (its associated data the 16-byte header of a data
 * message), SECONDS how long to measure.  Each message is sealed under a
 * new nonce and opened again, the tag checked; a failed open is an error
 * (exit 1), so the figure is of work that was done.  The buffers stay in
 * cache: this is the floor the cipher sets, not the daemon's.
 *
 * Prints one line: CIPHER BYTES SEAL_NS OPEN_NS CORE_S_PER_GB, the
 * nanoseconds being the median of nine runs of equal length, the last
 * figure seal + open of a GB in such messages.
 *
 * Unlike `openssl speed -evp`, which in OpenSSL 3.0 times EVP_EncryptUpdate
 * alone on one stream, every message here pays what a message costs: the
 * nonce set, the associated data, the tag made and checked (for
 * ChaCha20-Poly1305 also a ChaCha20 block for the Poly1305 key).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aead.h"
#include "wire.h"

#define RUNS		9
#define BYTES_MAX	65536

static uint8_t	 plain[BYTES_MAX], sealed[BYTES_MAX + AEAD_TAG_LEN],
		 opened[BYTES_MAX];

static uint64_t
cpu_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
usage(void)
{
	fprintf(stderr, "usage: aeadfloor chacha20-poly1305|aes-256-gcm "
	    "BYTES SECONDS\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct aead_key	 key;
	enum aead_alg	 alg;
	uint8_t		 raw[AEAD_KEY_LEN], ad[WIRE_DATA_HEADER_LEN];
	uint64_t	 seal_ns[RUNS], open_ns[RUNS], t0, t1, t2, ctr = 0;
	uint64_t	 per_run, n, i, r;
	unsigned long	 bytes;
	double		 secs;
	char		*end;

	if (argc != 4)
		usage();
	if (strcmp(argv[1], "chacha20-poly1305") == 0)
		alg = AEAD_CHACHA20_POLY1305;
	else if (strcmp(argv[1], "aes-256-gcm") == 0)
		alg = AEAD_AES_256_GCM;
	else
		usage();
	errno = 0;
	bytes = strtoul(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || bytes == 0 || bytes > BYTES_MAX)
		usage();
	secs = strtod(argv[3], &end);
	if (*end != '\0' || !(secs > 0 && secs <= 600))
		usage();

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < bytes; i++)
		plain[i] = (uint8_t)i;
	memset(ad, 0x5a, sizeof(ad));
	if (aead_init(&key, alg, raw) == -1) {
		fprintf(stderr, "aeadfloor: %s: cannot set up the cipher\n",
		    argv[1]);
		return 1;
	}

	/* How many messages a run takes: a short trial first. */
	t0 = cpu_ns();
	for (n = 0; n < 1000000 && (n < 64 || cpu_ns() - t0 < 20000000); n++)
		if (aead_seal(&key, ctr++, ad, sizeof(ad), plain, bytes,
		    sealed) == -1)
			goto fail;
	per_run = (uint64_t)(secs * 1e9 / RUNS / 2 / ((cpu_ns() - t0) /
	    (double)n));
	if (per_run < 16)
		per_run = 16;

	for (r = 0; r < RUNS; r++) {
		t0 = cpu_ns();
		for (i = 0; i < per_run; i++)
			if (aead_seal(&key, ctr + i, ad, sizeof(ad), plain,
			    bytes, sealed) == -1)
				goto fail;
		t1 = cpu_ns();
		/* The message of the last counter, opened as many times. */
		for (i = 0; i < per_run; i++)
			if (aead_open(&key, ctr + per_run - 1, ad, sizeof(ad),
			    sealed, bytes + AEAD_TAG_LEN, opened) == -1)
				goto fail;
		t2 = cpu_ns();
		ctr += per_run;
		seal_ns[r] = (t1 - t0) / per_run;
		open_ns[r] = (t2 - t1) / per_run;
	}
	if (memcmp(opened, plain, bytes) != 0)
		goto fail;
	qsort(seal_ns, RUNS, sizeof(seal_ns[0]), cmp_u64);
	qsort(open_ns, RUNS, sizeof(open_ns[0]), cmp_u64);
	printf("%s %lu %llu %llu %.3f\n", argv[1], bytes,
	    (unsigned long long)seal_ns[RUNS / 2],
	    (unsigned long long)open_ns[RUNS / 2],
	    (double)(seal_ns[RUNS / 2] + open_ns[RUNS / 2]) / bytes);
	aead_free(&key);
	return 0;
 fail:
	fprintf(stderr, "aeadfloor: %s: a message did not seal or open\n",
	    argv[1]);
	aead_free(&key);
	return 1;
}
