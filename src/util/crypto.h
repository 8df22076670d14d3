/* Sanfu's cryptography, all over libsodium: argon2id password hashes, random
 * tokens and codes, SHA-256 (token hashes, the event hash chain), sealing of
 * personal data under a server key and keyed search hashes of it.
 * Not for: deciding who may reveal what (src/api), storing keys in the database,
 * or any cipher choice of its own; call sf_crypto_init() once before anything else. */
#ifndef SF_CRYPTO_H
#define SF_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include <sodium/crypto_hash_sha256.h>

#include "util/err.h"

#define SF_PW_HASH_MAX 128            /* crypto_pwhash_STRBYTES, NUL included */
#define SF_PW_MAX 1024                /* longest password accepted, in bytes */
#define SF_CRYPTO_TOKEN_LEN 43        /* 32 random bytes, URL-safe base64, no padding */
#define SF_CRYPTO_TOKEN_SIZE 44       /* SF_CRYPTO_TOKEN_LEN + NUL */
#define SF_CRYPTO_HEX_SIZE 65         /* 64 hex digits of a 32-byte digest + NUL */
#define SF_CRYPTO_SEAL_MAX (1u << 20) /* longest plaintext sf_crypto_seal takes */

/* Initialise libsodium (once per process; safe to call from several threads
 * and again later). Returns 0, or SF_EINTERNAL when libsodium cannot start
 * (no usable random source): the server must not run then. */
int sf_crypto_init(void);

/* ---- passwords ---- */

/* Choose the argon2id cost of new hashes: false (the default) uses libsodium's
 * INTERACTIVE limits, true its MIN limits so tests run fast. Never true in
 * production. Process-wide; stored atomically. */
void sf_crypto_set_pwhash_cost(bool fast);

/* Hash pw with argon2id into out (an ASCII "$argon2id$..." string, NUL
 * included, that embeds salt and cost). Returns 0; SF_EINVAL if pw is NULL
 * or longer than SF_PW_MAX bytes; SF_EINTERNAL if memory for argon2 is refused. */
int sf_crypto_password_hash(const char *pw, char out[SF_PW_HASH_MAX]);

/* True when pw matches hash (argon2id or argon2i strings). False for a wrong
 * password, and for NULLs, an over-long pw or a malformed hash. */
bool sf_crypto_password_verify(const char *hash, const char *pw);

/* True when hash was not made with argon2id at the current cost (see
 * sf_crypto_set_pwhash_cost) and should be replaced after the next
 * successful verify; also true for a malformed hash. */
bool sf_crypto_password_needs_rehash(const char *hash);

/* ---- randomness ---- */

/* Fill buf with n bytes from the OS CSPRNG. */
void sf_crypto_random(void *buf, size_t n);

/* Write a fresh token of 32 random bytes as SF_CRYPTO_TOKEN_LEN URL-safe
 * base64 characters ([A-Za-z0-9_-], no padding) plus NUL. cap must be at
 * least SF_CRYPTO_TOKEN_SIZE (asserted: a caller bug, not input). */
void sf_crypto_token(char *out, size_t cap);

/* Write ndigits uniformly random decimal digits and a NUL (out holds
 * ndigits + 1 bytes), e.g. a six-digit confirmation code. */
void sf_crypto_random_digits(char *out, size_t ndigits);

/* ---- hashing ---- */

/* Lowercase hex SHA-256 of n bytes at p into out (64 digits + NUL). */
void sf_crypto_sha256_hex(const void *p, size_t n, char out[SF_CRYPTO_HEX_SIZE]);

/* Streaming SHA-256, caller-owned state: init, any number of updates, then
 * final_hex, which writes the digest and leaves the state to be init'ed again. */
struct sf_sha256 {
	crypto_hash_sha256_state st;
};
void sf_crypto_sha256_init(struct sf_sha256 *h);
void sf_crypto_sha256_update(struct sf_sha256 *h, const void *p, size_t n);
void sf_crypto_sha256_final_hex(struct sf_sha256 *h, char out[SF_CRYPTO_HEX_SIZE]);

/* SHA-256 hex of a token string: what the database stores for session and
 * API tokens, so a leaked table does not leak usable tokens. */
void sf_crypto_token_hash(const char *token, char out[SF_CRYPTO_HEX_SIZE]);

/* Compare two NUL-terminated secrets in time independent of their content
 * (it depends only on their lengths). Strings of different lengths are
 * unequal; NULL equals nothing. */
bool sf_crypto_equal(const char *a, const char *b);

/* ---- sealed personal data ---- */

/* The server key: seal encrypts personal data, index keys the search hashes.
 * Caller-owned; sf_crypto_key_release wipes it. */
struct sf_crypto_key {
	unsigned char seal[32];
	unsigned char index[32];
};

/* Load the key file at path: 128 hex digits (seal then index; surrounding
 * whitespace allowed) or exactly 64 raw bytes. When the file is absent and
 * create is true, write a new random key as hex with mode 0600 (atomically:
 * two processes starting together end up with the same key) and load it.
 * Losing this file makes every sealed value unreadable: back it up.
 * Returns 0; SF_ENOTFOUND if absent and !create; SF_EINVAL if malformed, not
 * a regular file, or accessible to others (mode & 0007: chmod 600 or 640);
 * SF_EIO on a file system error. err (may be NULL) names the path. */
int sf_crypto_key_load(const char *path, struct sf_crypto_key *k, bool create,
		       struct sf_error *err);

/* Build a key from 64 bytes (seal key, then index key); for tests and tools. */
void sf_crypto_key_from_bytes(struct sf_crypto_key *k, const unsigned char bytes[64]);

/* Wipe the key material from memory. Accepts NULL. */
void sf_crypto_key_release(struct sf_crypto_key *k);

/* Encrypt plain with XChaCha20-Poly1305 under k->seal and a fresh random
 * nonce. *out_b64 receives a malloc'd NUL-terminated standard base64 string
 * of nonce || ciphertext+tag; the caller frees it. Equal inputs give
 * different outputs. Returns 0; SF_EINVAL for NULL arguments; SF_ETOOBIG if
 * plain is longer than SF_CRYPTO_SEAL_MAX bytes. *out_b64 is NULL on failure. */
int sf_crypto_seal(const struct sf_crypto_key *k, const char *plain, char **out_b64);

/* Reverse sf_crypto_seal. *out_plain receives a malloc'd NUL-terminated
 * string; the caller frees it. Returns 0; SF_EINVAL if b64 is not valid
 * base64, too short or too long, was tampered with, or was sealed under
 * another key (err, which may be NULL, says which). *out_plain is NULL on failure. */
int sf_crypto_unseal(const struct sf_crypto_key *k, const char *b64, char **out_plain,
		     struct sf_error *err);

/* Keyed BLAKE2b-256 hex of an already normalised value (for a phone, the
 * output of sf_phone_normalise) under k->index: equal values give equal
 * hashes under one key, so a record can be found by exact value without
 * storing the value in clear. */
void sf_crypto_index(const struct sf_crypto_key *k, const char *normalised_value,
		     char out[SF_CRYPTO_HEX_SIZE]);

#endif
