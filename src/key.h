/*
 * X25519 key pairs: generation, the base64 text form used in
 * configuration files, Diffie-Hellman, and loading the private key file.
 *
 * Peers are identified by their static public key, so the text form is
 * strict: exactly 44 characters of standard base64 with one '=' of
 * padding, and the unused low bits of the last character must be zero.
 * That way one key has exactly one spelling and a configuration can be
 * compared as text.
 */
#ifndef TAPMESH_KEY_H
#define TAPMESH_KEY_H

#include <stddef.h>
#include <stdint.h>

#define KEY_LEN		32	/* X25519 keys, public and private */
#define KEY_B64_LEN	44	/* without the terminating NUL */

/*
 * Writes the base64 form of a 32-byte key and a terminating NUL into out,
 * which must hold KEY_B64_LEN + 1 bytes.
 */
void	 key_b64_encode(const uint8_t [KEY_LEN], char [KEY_B64_LEN + 1]);

/*
 * Decodes a NUL-terminated base64 key.  Returns 0, or -1 if the string is
 * not exactly KEY_B64_LEN characters of canonical base64 (wrong length,
 * a character outside the alphabet, missing or misplaced padding, or
 * non-zero trailing bits).  The output is untouched on failure.
 */
int	 key_b64_decode(const char *, uint8_t [KEY_LEN]);

/*
 * The same decoder, for messages to the user: returns NULL on success,
 * or a description of what is wrong with the string (the first of: its
 * length, its padding, a character, the unused bits), never quoting it.
 */
const char *key_b64_decode_why(const char *, uint8_t [KEY_LEN]);

/*
 * Fills priv with a new private key from RAND_priv_bytes, clamped as
 * RFC 7748 describes so that the stored key is the one actually used.
 * Returns 0, or -1 if the random generator failed.
 */
int	 key_generate(uint8_t [KEY_LEN]);

/* Computes the public key of a private key.  Returns 0 or -1. */
int	 key_public(const uint8_t [KEY_LEN], uint8_t [KEY_LEN]);

/*
 * X25519(priv, pub) into out, where mine is priv's own public key (as
 * key_public computed it once; NULL: computed here).  Deriving a public
 * key costs a scalar multiplication, as much as the DH itself, so a
 * caller that keeps a key pair passes its public half.  Returns -1 if
 * OpenSSL fails or the result is all zeros (the peer sent a low-order
 * point, which would make the "shared" secret known to anyone); out is
 * then zeroed.
 */
int	 key_dh(const uint8_t [KEY_LEN], const uint8_t *, const uint8_t [KEY_LEN],
	    uint8_t [KEY_LEN]);

/*
 * Reads a private key file: one base64 key, optionally followed by
 * whitespace.  The file must be a regular file that neither group nor
 * others can read or write, owned by root or by the user reading it, so
 * a key that leaked through a bad mode or belongs to somebody else is
 * refused instead of silently used.  Returns 0, or -1 with a message
 * (naming the path, never key material) in errbuf.
 */
int	 key_load_file(const char *, uint8_t [KEY_LEN], char *, size_t);

/*
 * The same checks for any secret key file; what names the key in
 * messages ("private key"), form its text form ("X25519 private key").
 */
int	 key_load_secret(const char *, const char *, const char *,
	    uint8_t [KEY_LEN], char *, size_t);

/*
 * Fills psk with a new pre-shared key: 32 bytes from RAND_priv_bytes.
 * Returns 0, or -1 if the random generator failed.
 */
int	 key_generate_psk(uint8_t [KEY_LEN]);

#endif
