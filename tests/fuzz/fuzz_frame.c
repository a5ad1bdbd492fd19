/*
 * Fuzzes what the kernel can write into the TAP (or a peer sends):
 * frame_classify, prio_frame, the DSCP/ECN reader and rewriter, then
 * the ARP and NDP responders with a lookup that knows a few peers (so
 * that replies get built), and checks what they write.
 */
#include <arpa/inet.h>

#include <assert.h>

#include "arp.h"
#include "csum.h"
#include "frame.h"
#include "fuzz.h"
#include "ndp.h"
#include "prio.h"
#include "tos.h"

static const char *const known[] = {
	"10.255.0.2", "10.255.0.3", "fd00:255::2", "fe80::aff:feff:2",
};

static int
lookup(void *arg, const struct tm_addr *a, uint8_t mac[ETH_ALEN_TM])
{
	struct tm_addr	 k;
	size_t		 i;

	(void)arg;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (addr_parse(known[i], &k) == 0 && addr_eq(&k, a)) {
			memcpy(mac, "\x02\x00\x0a\xff\x00\x02", ETH_ALEN_TM);
			mac[5] = (uint8_t)(2 + i);
			return 1;
		}
	}
	return 0;
}

/* The kernel's requests, as seeds. */
static void
write_seeds(const char *dir)
{
	static const uint8_t me[6] = { 0x02, 0x00, 0x0a, 0xff, 0x00, 0x01 };
	uint8_t		 f[128], *ip6, *icmp;
	struct in6_addr	 src, dst, tgt;
	uint16_t	 ck;

	/* ARP who-has 10.255.0.2 tell 10.255.0.1. */
	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	memcpy(f + 6, me, 6);
	f[12] = 0x08; f[13] = 0x06;
	f[14] = 0; f[15] = 1; f[16] = 0x08; f[17] = 0; f[18] = 6; f[19] = 4;
	f[20] = 0; f[21] = 1;
	memcpy(f + 22, me, 6);
	inet_pton(AF_INET, "10.255.0.1", f + 28);
	inet_pton(AF_INET, "10.255.0.2", f + 38);
	fuzz_seed_write(dir, "arp-request", f, ARP_FRAME_LEN);

	/* NS for fd00:255::2 from fd00:255::1, with a source LL option. */
	inet_pton(AF_INET6, "fd00:255::1", &src);
	inet_pton(AF_INET6, "ff02::1:ff00:2", &dst);
	inet_pton(AF_INET6, "fd00:255::2", &tgt);
	memset(f, 0, sizeof(f));
	memcpy(f, "\x33\x33\xff\x00\x00\x02", 6);
	memcpy(f + 6, me, 6);
	f[12] = 0x86; f[13] = 0xdd;
	ip6 = f + 14;
	ip6[0] = 0x60;
	ip6[5] = 32;		/* payload length */
	ip6[6] = 58;		/* ICMPv6 */
	ip6[7] = 255;
	memcpy(ip6 + 8, &src, 16);
	memcpy(ip6 + 24, &dst, 16);
	icmp = ip6 + 40;
	icmp[0] = 135;
	memcpy(icmp + 8, &tgt, 16);
	icmp[24] = 1; icmp[25] = 1;
	memcpy(icmp + 26, me, 6);
	ck = icmp6_checksum(&src, &dst, icmp, 32);
	icmp[2] = (uint8_t)(ck >> 8);
	icmp[3] = (uint8_t)ck;
	fuzz_seed_write(dir, "ndp-ns", f, 14 + 40 + 32);

	/* The same as DAD: from ::, without the option. */
	memset(&src, 0, sizeof(src));
	memcpy(ip6 + 8, &src, 16);
	ip6[5] = 24;
	icmp[2] = icmp[3] = 0;
	ck = icmp6_checksum(&src, &dst, icmp, 24);
	icmp[2] = (uint8_t)(ck >> 8);
	icmp[3] = (uint8_t)ck;
	fuzz_seed_write(dir, "ndp-ns-dad", f, 14 + 40 + 24);

	/* An ICMP redirect and a plain unicast IPv4 frame. */
	memset(f, 0, sizeof(f));
	memcpy(f, "\x02\x00\x0a\xff\x00\x02", 6);
	memcpy(f + 6, me, 6);
	f[12] = 0x08; f[13] = 0x00;
	f[14] = 0x45; f[23] = 1; f[34] = 5;
	fuzz_seed_write(dir, "icmp-redirect", f, 14 + 20 + 8);
	f[34] = 8;
	fuzz_seed_write(dir, "ipv4-unicast", f, 14 + 20 + 8);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_seeds_only(argc, argv, write_seeds);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	enum frame_class cls;
	uint8_t		*frame, out[NDP_NA_FRAME_LEN + 64];
	ssize_t		 n;
	int		 tos, r;

	/* A copy of exactly len bytes, so ASan sees any overread. */
	if ((frame = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(frame, data, len);
	cls = frame_classify(frame, len);
	assert(frame_class_name(cls) != NULL);
	if (len < ETH_HDR_LEN)
		assert(cls == FRAME_MALFORMED);
	assert(prio_frame(frame, len) == 0 || prio_frame(frame, len) == 1);

	/* CE folded in changes the ECN bits only, and only of IP packets. */
	tos = tos_frame_get(frame, len);
	r = tos_frame_decap(frame, len, TOS_CE);
	assert(r >= -1 && r <= 1);
	if (tos == -1)
		assert(r == 0);
	else if (r == 1)
		assert(tos_frame_get(frame, len) ==
		    ((tos & ~TOS_ECN_MASK) | TOS_CE));

	/* Both responders see every input, whatever its class. */
	n = arp_respond(frame, len, lookup, NULL, out, sizeof(out));
	assert(n == -1 || n == 0 || n == ARP_FRAME_LEN);
	if (n > 0) {
		assert(cls == FRAME_ARP);
		/* A reply is never sent from a group MAC. */
		assert(!mac_is_group(out + 6));
	}
	n = ndp_respond(frame, len, lookup, NULL, out, sizeof(out));
	assert(n >= -1 && n <= (ssize_t)sizeof(out));
	if (n > 0) {
		assert(cls == FRAME_NDP);
		assert(!mac_is_group(out + 6));
	}
	/* A too short output buffer is refused, never overrun. */
	n = ndp_respond(frame, len, lookup, NULL, out, 10);
	assert(n <= 0);
	/* In place, as the daemon may call it. */
	if (len >= ARP_FRAME_LEN) {
		n = arp_respond(frame, len, lookup, NULL, frame, len);
		assert(n <= (ssize_t)len);
	}
	free(frame);
	return 0;
}
