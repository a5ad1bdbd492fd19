/*
 * Fuzzes the daemon's whole UDP receive path, receive_datagram, on a real
 * struct tm_ctx with two configured peers, as the network reaches it.
 *
 * Raw bytes alone never get past mac1 or the AEAD tag, so the input is
 * a script of operations, and the harness plays the two peers with their
 * private keys: it can complete real handshakes in both directions and
 * then send authentic data with fuzzed counters and contents, besides
 * raw datagrams, replays, reflections and cookie replies.  Each record:
 *
 *	op (1 byte, low 3 bits), then per op:
 *	0 raw		src(1) len(2) bytes
 *	1 initiation	peer(1) xor(2: offset, value; value 0 = none)
 *	2 we initiate	peer(1) xor(2) (to the response)
 *	3 data		peer(1) counter delta(2) len(2) bytes
 *	4 send		peer(1) len(1) bytes (the daemon sends a frame)
 *	5 replay	src(1) (the last datagram fed, again)
 *	6 reflect	xor(2) (the daemon's last datagram, fed back)
 *	7 cookie	peer(1) (a cookie reply to the daemon's last message)
 *
 * Nothing leaves the process: sendto is replaced below, and the
 * daemon's datagrams are kept for the harness to read.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <assert.h>

#include "daemon.h"
#include "frame.h"
#include "fuzz.h"
#include "key.h"
#include "receive.h"
#include "send.h"
#include "session.h"

#define NPEERS	2

/* What the harness knows as each peer. */
struct fpeer {
	struct handshake_local	 local;
	struct handshake	 hs;
	struct handshake_cookie_secret cs;
	struct aead_key		 send, recv;
	int			 has_keys;
	uint32_t		 remote_index;	/* the daemon's index */
	uint32_t		 local_index;
	uint64_t		 counter;
	uint64_t		 ts;		/* timestamp seconds */
};

static struct tm_ctx	 ctx;
static struct peer_conf	 confs[NPEERS];
static struct fpeer	 fp[NPEERS];
static uint8_t		 tap_priv[KEY_LEN];
static struct sockaddr_in6 srcs[4];

/* The daemon's last datagram. */
static uint8_t		 sent[PKT_BUF_LEN];
static size_t		 sent_len;
static unsigned long	 sent_count;
/* The last datagram fed to the daemon. */
static uint8_t		 fed[PKT_BUF_LEN];
static size_t		 fed_len;
static int		 debug;	/* FUZZ_WIRE_DEBUG set: trace every datagram */

ssize_t	 sendto(int, const void *, size_t, int, const struct sockaddr *,
	    socklen_t);

ssize_t
sendto(int fd, const void *buf, size_t len, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	(void)fd;
	(void)flags;
	assert(to != NULL && tolen == sizeof(struct sockaddr_in6));
	assert(len <= sizeof(sent));
	memcpy(sent, buf, len);
	sent_len = len;
	sent_count++;
	return (ssize_t)len;
}

static void
src_init(struct sockaddr_in6 *sa, const char *a, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin6_family = AF_INET6;
	sa->sin6_port = htons(port);
	assert(inet_pton(AF_INET6, a, &sa->sin6_addr) == 1);
}

static void
setup_once(void)
{
	uint8_t		 priv[KEY_LEN];
	struct peer_conf *pc;
	int		 i;

	log_init("fuzz_wire", 1, LOG_LEVEL_ERR);
	assert(event_init(&ctx.ev) == 0);
	fuzz_key(tap_priv, 1);
	src_init(&srcs[0], "::ffff:198.18.0.2", 5655);
	src_init(&srcs[1], "::ffff:198.18.0.3", 5655);
	src_init(&srcs[2], "2001:db8::3", 40000);
	src_init(&srcs[3], "::ffff:203.0.113.9", 1234);
	for (i = 0; i < NPEERS; i++) {
		pc = &confs[i];
		snprintf(pc->name, sizeof(pc->name), "n%d", i + 2);
		fuzz_key(priv, (unsigned int)i + 2);
		assert(handshake_local_init(&fp[i].local, priv) ==
		    HANDSHAKE_OK);
		memcpy(pc->public_key, fp[i].local.pub, KEY_LEN);
		pc->has_public_key = 1;
		assert(addr_parse(i == 0 ? "10.255.0.2" : "10.255.0.3",
		    &pc->addrs[0]) == 0);
		pc->naddrs = 1;
		assert(mac_derive(0, pc->addrs, 1, pc->mac) == 0);
		mac_to_linklocal(pc->mac, &pc->lladdr);
		pc->nendpoints = 1;
		pc->endpoints[0].port = 5655;
		pc->endpoints[0].priority = 10;
		pc->endpoints[0].sa = srcs[i];
	}
}

/* A fresh daemon state for each input, so that every run reproduces. */
static void
ctx_begin(void)
{
	struct event_loop	 ev = ctx.ev;
	size_t			 i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.ev = ev;
	memcpy(ctx.conf.private_key, tap_priv, KEY_LEN);
	assert(addr_parse("10.255.0.1", &ctx.conf.addrs[0].addr) == 0);
	ctx.conf.addrs[0].plen = 24;
	ctx.conf.naddrs = 1;
	assert(mac_derive(0, &ctx.conf.addrs[0].addr, 1, ctx.conf.mac) == 0);
	ctx.conf.keepalive = 10;
	ctx.conf.dead_time = 30;
	ctx.conf.rekey_time = 120;
	ctx.conf.cipher = TM_CIPHER_AUTO;
	ctx.mtu = TAP_MTU_DEFAULT;
	ctx.udpfd = -1;
	ctx.tap.fd = -1;
	ctx.rl_drop = (struct log_ratelimit)LOG_RATELIMIT_INIT(1, 1);
	ctx.rl_roam = (struct log_ratelimit)LOG_RATELIMIT_INIT(1, 1);
	assert(peer_table_init(&ctx.peers, confs, NPEERS) == 0);
	assert(session_init(&ctx) == 0);
	/* Up already: no netlink here, the neighbour table is not fuzzed. */
	for (i = 0; i < ctx.peers.npeers; i++)
		ctx.peers.peers[i]->up = 1;
	for (i = 0; i < NPEERS; i++) {
		memset(&fp[i].hs, 0, sizeof(fp[i].hs));
		memset(&fp[i].cs, 0, sizeof(fp[i].cs));
		fp[i].has_keys = 0;
		fp[i].counter = 0;
		fp[i].ts = 1700000000;
	}
	sent_len = fed_len = 0;
}

static void
fpeer_drop_keys(struct fpeer *f)
{
	if (f->has_keys) {
		aead_free(&f->send);
		aead_free(&f->recv);
	}
	f->has_keys = 0;
}

static void
ctx_end(void)
{
	size_t	 i;

	session_free(&ctx);
	peer_table_free(&ctx.peers);
	for (i = 0; i < NPEERS; i++) {
		fpeer_drop_keys(&fp[i]);
		handshake_clear(&fp[i].hs);
	}
}

static void
fpeer_set_keys(struct fpeer *f, const struct handshake_keys *k)
{
	fpeer_drop_keys(f);
	assert(aead_init(&f->send, k->alg, k->send) == 0);
	assert(aead_init(&f->recv, k->alg, k->recv) == 0);
	f->has_keys = 1;
	f->remote_index = k->remote_index;
	f->local_index = k->local_index;
	f->counter = 0;
}

/* Feeds one datagram to the daemon, as datapath_udp_readable does. */
static void
feed(const uint8_t *buf, size_t len, const struct sockaddr_in6 *from)
{
	uint8_t		*rbuf = ctx.rx.slot[0].buf;	/* a read slot */
	struct peer	*p;
	uint8_t		*frame = NULL;
	size_t		 flen = 0;
	int		 partial = 0;

	if (len > sizeof(ctx.rx.slot[0].buf))
		len = sizeof(ctx.rx.slot[0].buf);
	memcpy(rbuf, buf, len);
	if (buf != fed) {
		memcpy(fed, buf, len);
		fed_len = len;
	}
	p = receive_datagram(&ctx, rbuf, len, from, 0, &frame, &flen,
	    &partial);
	if (debug)
		fprintf(stderr, "fed type %u len %zu: %s, %lu sent (last %zu)\n",
		    len > 0 ? buf[0] : 0, len, p != NULL ? "frame" : "-",
		    sent_count, sent_len);
	if (p != NULL) {
		/* A frame lies inside the datagram, after the header. */
		assert(frame == rbuf + WIRE_DATA_HEADER_LEN);
		assert(flen > 0 && flen + WIRE_DATA_OVERHEAD == len);
		/* Only a session that agreed on it takes the flag. */
		assert(!partial || (fed[1] & WIRE_DATA_CSUM_PARTIAL) != 0);
		(void)frame_classify(frame, flen);
	}
}

static void
xor_at(uint8_t *msg, size_t len, const uint8_t x[2])
{
	if (x[1] != 0 && len > 0)
		msg[x[0] % len] ^= x[1];
}

/* The peer initiates; a response from the daemon gives it keys. */
static void
op_initiation(int k, const uint8_t x[2], const struct sockaddr_in6 *from)
{
	struct fpeer	*f = &fp[k];
	struct handshake_peer tap;
	struct handshake_keys keys;
	uint8_t		 msg[HANDSHAKE_INITIATION_LEN];
	unsigned long	 before = sent_count;

	assert(handshake_peer_init(&tap, ctx.hlocal.pub) == HANDSHAKE_OK);
	if (handshake_create_initiation(&f->hs, &f->local, &tap,
	    0x1000 + (uint32_t)k, f->ts++, 0, k, NULL, msg) != HANDSHAKE_OK)
		return;
	xor_at(msg, sizeof(msg), x);
	feed(msg, sizeof(msg), from);
	if (sent_count != before && sent_len == HANDSHAKE_RESPONSE_LEN &&
	    handshake_consume_response(&f->hs, &f->local, sent, sent_len) ==
	    HANDSHAKE_OK &&
	    handshake_derive_keys(&f->hs, &keys) == HANDSHAKE_OK) {
		fpeer_set_keys(f, &keys);
		handshake_keys_clear(&keys);
	}
	handshake_clear(&f->hs);
}

/* The daemon initiates (a frame to send and no session), we answer. */
static void
op_we_initiate(int k, const uint8_t x[2], const struct sockaddr_in6 *from)
{
	struct fpeer	*f = &fp[k];
	struct handshake_initiation_info info;
	struct handshake_peer tap;
	struct handshake_keys keys;
	struct peer	*p = ctx.peers.peers[k];
	uint8_t		 resp[HANDSHAKE_RESPONSE_LEN];
	unsigned long	 before = sent_count;

	/* Only sends an initiation when there is no session yet. */
	(void)send_frame(&ctx, p, (const uint8_t *)"\xff\xff\xff\xff\xff"
	    "\xff\x02\x00\x0a\xff\x00\x01\x08\x00", 14);
	if (sent_count == before || sent_len != HANDSHAKE_INITIATION_LEN)
		return;
	assert(handshake_peer_init(&tap, ctx.hlocal.pub) == HANDSHAKE_OK);
	if (handshake_consume_initiation(&f->hs, &f->local, sent, sent_len,
	    &info) != HANDSHAKE_OK ||
	    handshake_create_response(&f->hs, &tap, 0x2000 + (uint32_t)k, k,
	    NULL, resp) != HANDSHAKE_OK ||
	    handshake_derive_keys(&f->hs, &keys) != HANDSHAKE_OK) {
		handshake_clear(&f->hs);
		return;
	}
	fpeer_set_keys(f, &keys);
	handshake_keys_clear(&keys);
	xor_at(resp, sizeof(resp), x);
	feed(resp, sizeof(resp), from);
}

/* Authentic data from the peer, with a fuzzed counter and frame. */
static void
op_data(int k, uint16_t delta, const uint8_t *frame, size_t flen,
    const struct sockaddr_in6 *from)
{
	static uint8_t	 pkt[PKT_BUF_LEN];
	struct fpeer	*f = &fp[k];
	uint64_t	 ctr;

	if (!f->has_keys || flen > FRAME_MAX)
		return;
	/* Mostly forward; sometimes back into (or beyond) the window. */
	if (delta & 0x8000)
		ctr = f->counter > (delta & 0x7fffU) * 8 ?
		    f->counter - (delta & 0x7fffU) * 8 : 0;
	else if (delta == 0x7fff)
		ctr = UINT64_MAX - 1;
	else
		ctr = f->counter + delta;
	if (ctr >= f->counter)
		f->counter = ctr + 1;
	wire_data_header_write(pkt, f->remote_index, ctr);
	if (aead_seal(&f->send, ctr, pkt, WIRE_DATA_HEADER_LEN, frame, flen,
	    pkt + WIRE_DATA_HEADER_LEN) == -1)
		return;
	feed(pkt, WIRE_DATA_OVERHEAD + flen, from);
}

/* The daemon sends a frame; the peer must be able to read it. */
static void
op_send(int k, const uint8_t *frame, size_t flen)
{
	static uint8_t	 out[PKT_BUF_LEN];
	struct fpeer	*f = &fp[k];
	unsigned long	 before = sent_count;
	uint32_t	 idx;
	uint64_t	 ctr;

	if (send_frame(&ctx, ctx.peers.peers[k], frame, flen) == -1 ||
	    sent_count == before || !f->has_keys)
		return;
	if (wire_data_header_read(sent, sent_len, &idx, &ctr) == -1 ||
	    idx != f->local_index)
		return;		/* an older or newer keypair than ours */
	assert(sent_len == WIRE_DATA_OVERHEAD + flen);
	(void)aead_open(&f->recv, ctr, sent, WIRE_DATA_HEADER_LEN,
	    sent + WIRE_DATA_HEADER_LEN, sent_len - WIRE_DATA_HEADER_LEN, out);
}

/* The peer, under load, answers the daemon's last message with a cookie. */
static void
op_cookie(int k, const struct sockaddr_in6 *from)
{
	uint8_t	 reply[HANDSHAKE_COOKIE_REPLY_LEN];
	const uint8_t *a = ctx.peers.peers[k]->path.endpoint.sin6_addr.s6_addr + 12;

	if (sent_len != HANDSHAKE_INITIATION_LEN &&
	    sent_len != HANDSHAKE_RESPONSE_LEN)
		return;
	if (handshake_create_cookie_reply(&fp[k].local, &fp[k].cs, 1000, a, 4,
	    5655, sent, sent_len, reply) != HANDSHAKE_OK)
		return;
	feed(reply, sizeof(reply), from);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static uint8_t	 buf[PKT_BUF_LEN];
	size_t		 i = 0, len;
	int		 ops = 0, k;

	ctx_begin();
	while (i < n && ops++ < 64) {
		uint8_t op = d[i++] & 7;

		if (i >= n)
			break;
		k = d[i] % NPEERS;
		switch (op) {
		case 0:
			if (i + 3 > n)
				goto out;
			len = (size_t)d[i + 1] | (size_t)d[i + 2] << 8;
			if (len > n - i - 3)
				len = n - i - 3;
			feed(d + i + 3, len, &srcs[d[i] & 3]);
			i += 3 + len;
			break;
		case 1:
		case 2:
			if (i + 3 > n)
				goto out;
			if (op == 1)
				op_initiation(k, d + i + 1, &srcs[k]);
			else
				op_we_initiate(k, d + i + 1, &srcs[k]);
			i += 3;
			break;
		case 3:
			if (i + 5 > n)
				goto out;
			len = (size_t)d[i + 3] | (size_t)d[i + 4] << 8;
			if (len > n - i - 5)
				len = n - i - 5;
			op_data(k, (uint16_t)(d[i + 1] | d[i + 2] << 8),
			    d + i + 5, len, &srcs[(d[i] >> 4) & 1 ? 2 : k]);
			i += 5 + len;
			break;
		case 4:
			if (i + 2 > n)
				goto out;
			len = d[i + 1];
			if (len > n - i - 2)
				len = n - i - 2;
			op_send(k, d + i + 2, len);
			i += 2 + len;
			break;
		case 5:
			feed(fed, fed_len, &srcs[d[i] & 3]);
			i += 1;
			break;
		case 6:
			if (i + 2 > n)
				goto out;
			memcpy(buf, sent, sent_len);
			xor_at(buf, sent_len, d + i);
			feed(buf, sent_len, &srcs[3]);
			i += 2;
			break;
		default:
			op_cookie(k, &srcs[k]);
			i += 1;
			break;
		}
	}
 out:
	ctx_end();
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t frame[] = {
	    0x02, 0x00, 0x0a, 0xff, 0x00, 0x01, 0x02, 0x00, 0x0a, 0xff, 0x00,
	    0x02, 0x08, 0x00, 0x45, 0x00, 0x00, 0x1c, 0, 0, 0, 0, 64, 1, 0, 0,
	    10, 255, 0, 2, 10, 255, 0, 1, 8, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t		 s[512];
	const char	*dir;
	size_t		 n;

	setup_once();
	debug = getenv("FUZZ_WIRE_DEBUG") != NULL;
	if ((dir = fuzz_seed_dir(argc, argv)) == NULL)
		return 0;
	/* A peer's handshake, then data, a replay and a keepalive. */
	n = 0;
	s[n++] = 1; s[n++] = 0; s[n++] = 0; s[n++] = 0;
	s[n++] = 3; s[n++] = 0; s[n++] = 0; s[n++] = 0;
	s[n++] = sizeof(frame); s[n++] = 0;
	memcpy(s + n, frame, sizeof(frame)); n += sizeof(frame);
	s[n++] = 5; s[n++] = 0;
	s[n++] = 3; s[n++] = 0; s[n++] = 5; s[n++] = 0; s[n++] = 0; s[n++] = 0;
	s[n++] = 4; s[n++] = 0; s[n++] = 14;
	memcpy(s + n, frame, 14); n += 14;
	fuzz_seed_write(dir, "peer-initiates", s, n);
	/* The daemon initiates, then data from a roaming address. */
	n = 0;
	s[n++] = 2; s[n++] = 1; s[n++] = 0; s[n++] = 0;
	s[n++] = 3; s[n++] = 0x11; s[n++] = 0; s[n++] = 0;
	s[n++] = sizeof(frame); s[n++] = 0;
	memcpy(s + n, frame, sizeof(frame)); n += sizeof(frame);
	s[n++] = 7; s[n++] = 1;
	s[n++] = 6; s[n++] = 4; s[n++] = 0x80;
	fuzz_seed_write(dir, "daemon-initiates", s, n);
	/* Raw datagrams: a data header for no session, a short one. */
	n = 0;
	s[n++] = 0; s[n++] = 3; s[n++] = 40; s[n++] = 0;
	memset(s + n, 0, 40); s[n] = 4; n += 40;
	s[n++] = 0; s[n++] = 0; s[n++] = 3; s[n++] = 0;
	s[n++] = 1; s[n++] = 0; s[n++] = 0;
	fuzz_seed_write(dir, "raw", s, n);
	exit(0);
}
