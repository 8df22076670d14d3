/* Sanfu's cryptography over libsodium; see crypto.h. Every primitive is
 * libsodium's: this file only picks parameters, encodes, and handles the key
 * file. Nothing here logs a secret. */
#include "util/crypto.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "util/mem.h"

static_assert(SF_PW_HASH_MAX == crypto_pwhash_STRBYTES, "SF_PW_HASH_MAX");
static_assert(SF_CRYPTO_TOKEN_SIZE ==
		      sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	      "SF_CRYPTO_TOKEN_SIZE");
static_assert(sizeof(((struct sf_crypto_key *)0)->seal) ==
		      crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
	      "seal key size");
static_assert(sizeof(((struct sf_crypto_key *)0)->index) <= crypto_generichash_KEYBYTES_MAX,
	      "index key size");

#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES
#define B64_VARIANT sodium_base64_VARIANT_ORIGINAL
#define KEY_FILE_MAX 4096

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;
/* The one setting tests flip; read on every hash, so it must be atomic. */
static atomic_bool pwhash_fast;

static void init_sodium(void)
{
	init_rc = sodium_init() < 0 ? SF_EINTERNAL : 0;
}

int sf_crypto_init(void)
{
	pthread_once(&init_once, init_sodium);
	return init_rc;
}

/* ---- passwords ---- */

void sf_crypto_set_pwhash_cost(bool fast)
{
	atomic_store(&pwhash_fast, fast);
}

static void pwhash_limits(unsigned long long *ops, size_t *mem)
{
	if (atomic_load(&pwhash_fast)) {
		*ops = crypto_pwhash_argon2id_OPSLIMIT_MIN;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_MIN;
	} else {
		*ops = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
	}
}

int sf_crypto_password_hash(const char *pw, char out[SF_PW_HASH_MAX])
{
	unsigned long long ops;
	size_t mem, n;

	out[0] = '\0';
	if (!pw)
		return SF_EINVAL;
	n = strnlen(pw, SF_PW_MAX + 1);
	if (n > SF_PW_MAX)
		return SF_EINVAL;
	pwhash_limits(&ops, &mem);
	if (crypto_pwhash_str_alg(out, pw, n, ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		out[0] = '\0';
		return SF_EINTERNAL;
	}
	return 0;
}

/* A stored hash must end within SF_PW_HASH_MAX bytes: libsodium reads it as a
 * C string of at most that size. */
static bool hash_well_formed(const char *hash)
{
	return hash && strnlen(hash, SF_PW_HASH_MAX) < SF_PW_HASH_MAX;
}

bool sf_crypto_password_verify(const char *hash, const char *pw)
{
	size_t n;

	if (!hash_well_formed(hash) || !pw)
		return false;
	n = strnlen(pw, SF_PW_MAX + 1);
	if (n > SF_PW_MAX)
		return false;
	return crypto_pwhash_str_verify(hash, pw, n) == 0;
}

bool sf_crypto_password_needs_rehash(const char *hash)
{
	unsigned long long ops;
	size_t mem;

	if (!hash_well_formed(hash))
		return true;
	pwhash_limits(&ops, &mem);
	/* The argon2id variant answers -1 for argon2i strings: those need a
	 * rehash too. */
	return crypto_pwhash_argon2id_str_needs_rehash(hash, ops, mem) != 0;
}

/* ---- randomness ---- */

void sf_crypto_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

void sf_crypto_token(char *out, size_t cap)
{
	unsigned char raw[32];

	assert(cap >= SF_CRYPTO_TOKEN_SIZE);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, cap, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void sf_crypto_random_digits(char *out, size_t ndigits)
{
	for (size_t i = 0; i < ndigits; i++)
		out[i] = (char)('0' + randombytes_uniform(10));
	out[ndigits] = '\0';
}

/* ---- hashing ---- */

void sf_crypto_sha256_hex(const void *p, size_t n, char out[SF_CRYPTO_HEX_SIZE])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, p, n);
	sodium_bin2hex(out, SF_CRYPTO_HEX_SIZE, d, sizeof(d));
}

void sf_crypto_sha256_init(struct sf_sha256 *h)
{
	crypto_hash_sha256_init(&h->st);
}

void sf_crypto_sha256_update(struct sf_sha256 *h, const void *p, size_t n)
{
	crypto_hash_sha256_update(&h->st, p, n);
}

void sf_crypto_sha256_final_hex(struct sf_sha256 *h, char out[SF_CRYPTO_HEX_SIZE])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_final(&h->st, d);
	sodium_bin2hex(out, SF_CRYPTO_HEX_SIZE, d, sizeof(d));
}

void sf_crypto_token_hash(const char *token, char out[SF_CRYPTO_HEX_SIZE])
{
	sf_crypto_sha256_hex(token, strlen(token), out);
}

bool sf_crypto_equal(const char *a, const char *b)
{
	unsigned char ha[32], hb[32];

	if (!a || !b)
		return false;
	/* Comparing digests makes the time independent of where the strings
	 * differ and of which one is shorter. */
	crypto_generichash(ha, sizeof(ha), (const unsigned char *)a, strlen(a), NULL, 0);
	crypto_generichash(hb, sizeof(hb), (const unsigned char *)b, strlen(b), NULL, 0);
	return sodium_memcmp(ha, hb, sizeof(ha)) == 0;
}

/* ---- the key file ---- */

void sf_crypto_key_from_bytes(struct sf_crypto_key *k, const unsigned char bytes[64])
{
	memcpy(k->seal, bytes, 32);
	memcpy(k->index, bytes + 32, 32);
}

void sf_crypto_key_release(struct sf_crypto_key *k)
{
	if (k)
		sodium_memzero(k, sizeof(*k));
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 128 hex digits (whitespace around them allowed), or 64 raw bytes that are
 * not themselves hex text (a 64-digit hex file is a 32-byte key, too short). */
static int parse_key(const unsigned char *p, size_t n, unsigned char raw[64])
{
	size_t lo = 0, hi = n, used = 0;
	bool all_hex = true;

	while (lo < hi && is_space(p[lo]))
		lo++;
	while (hi > lo && is_space(p[hi - 1]))
		hi--;
	for (size_t i = lo; i < hi; i++)
		if (!is_hex(p[i]))
			all_hex = false;
	if (all_hex && hi - lo == 128) {
		if (sodium_hex2bin(raw, 64, (const char *)p + lo, 128, NULL, &used, NULL) != 0 ||
		    used != 64)
			return SF_EINVAL;
		return 0;
	}
	if (n == 64 && !all_hex) {
		memcpy(raw, p, 64);
		return 0;
	}
	return SF_EINVAL;
}

static int read_key(const char *path, struct sf_crypto_key *k, struct sf_error *err)
{
	unsigned char buf[KEY_FILE_MAX], raw[64];
	struct stat st;
	size_t n = 0;
	ssize_t r;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return sf_error_set(err, SF_ENOTFOUND, "key_missing", NULL,
					    "key file %s does not exist", path);
		return sf_error_set(err, SF_EIO, NULL, NULL, "cannot open key file %s: %m", path);
	}
	if (fstat(fd, &st) != 0) {
		rc = sf_error_set(err, SF_EIO, NULL, NULL, "cannot stat key file %s: %m", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = sf_error_set(err, SF_EINVAL, "key_invalid", NULL,
				  "key file %s is not a regular file", path);
		goto out;
	}
	if (st.st_mode & 0007) {
		rc = sf_error_set(err, SF_EINVAL, "key_exposed", NULL,
				  "key file %s is accessible to others; chmod 600 it", path);
		goto out;
	}
	while (n < sizeof(buf)) {
		r = read(fd, buf + n, sizeof(buf) - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = sf_error_set(err, SF_EIO, NULL, NULL, "cannot read key file %s: %m",
					  path);
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n == sizeof(buf) || parse_key(buf, n, raw) != 0) {
		rc = sf_error_set(err, SF_EINVAL, "key_invalid", NULL,
				  "key file %s must hold 128 hex digits", path);
		goto out;
	}
	sf_crypto_key_from_bytes(k, raw);
out:
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(raw, sizeof(raw));
	close(fd);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void sync_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (!slash)
		dir = sf_xstrdup(".");
	else
		dir = sf_xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Write a new key to a private temporary file, then link() it into place:
 * link never replaces, so when two processes race, both keep the winner's key. */
static int create_key(const char *path, struct sf_error *err)
{
	unsigned char raw[64];
	char hex[129 + 1];
	char tmp[4096];
	int fd, rc = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= sizeof(tmp))
		return sf_error_set(err, SF_EINVAL, "key_invalid", NULL, "key file path too long");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return sf_error_set(err, SF_EIO, NULL, NULL, "cannot create key file %s: %m", path);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, 129, raw, sizeof(raw));
	hex[128] = '\n';
	hex[129] = '\0';
	if (fchmod(fd, 0600) != 0 || write_all(fd, hex, 129) != 0 || fsync(fd) != 0) {
		rc = sf_error_set(err, SF_EIO, NULL, NULL, "cannot write key file %s: %m", path);
		close(fd);
		goto out;
	}
	if (close(fd) != 0) {
		rc = sf_error_set(err, SF_EIO, NULL, NULL, "cannot write key file %s: %m", path);
		goto out;
	}
	if (link(tmp, path) != 0 && errno != EEXIST) {
		rc = sf_error_set(err, SF_EIO, NULL, NULL, "cannot create key file %s: %m", path);
		goto out;
	}
	sync_parent_dir(path);
out:
	unlink(tmp);
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

int sf_crypto_key_load(const char *path, struct sf_crypto_key *k, bool create, struct sf_error *err)
{
	int rc = read_key(path, k, err);

	if (rc != SF_ENOTFOUND || !create)
		return rc;
	rc = create_key(path, err);
	if (rc)
		return rc;
	return read_key(path, k, err);
}

/* ---- sealing ---- */

int sf_crypto_seal(const struct sf_crypto_key *k, const char *plain, char **out_b64)
{
	unsigned char *bin;
	unsigned long long clen;
	size_t n, b64_size;

	if (out_b64)
		*out_b64 = NULL;
	if (!k || !plain || !out_b64)
		return SF_EINVAL;
	n = strnlen(plain, SF_CRYPTO_SEAL_MAX + 1);
	if (n > SF_CRYPTO_SEAL_MAX)
		return SF_ETOOBIG;
	bin = sf_xmalloc(NONCE_LEN + n + TAG_LEN);
	randombytes_buf(bin, NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(bin + NONCE_LEN, &clen,
						   (const unsigned char *)plain, n, NULL, 0, NULL,
						   bin, k->seal);
	b64_size = sodium_base64_ENCODED_LEN(NONCE_LEN + clen, B64_VARIANT);
	*out_b64 = sf_xmalloc(b64_size);
	sodium_bin2base64(*out_b64, b64_size, bin, NONCE_LEN + clen, B64_VARIANT);
	free(bin);
	return 0;
}

int sf_crypto_unseal(const struct sf_crypto_key *k, const char *b64, char **out_plain,
		     struct sf_error *err)
{
	const size_t b64_max =
		sodium_base64_ENCODED_LEN(NONCE_LEN + SF_CRYPTO_SEAL_MAX + TAG_LEN, B64_VARIANT);
	unsigned char *bin = NULL;
	unsigned long long plen;
	size_t n, bin_len;
	char *plain = NULL;
	int rc = 0;

	if (out_plain)
		*out_plain = NULL;
	if (!k || !b64 || !out_plain)
		return sf_error_set(err, SF_EINVAL, "sealed_invalid", NULL, "nothing to unseal");
	n = strnlen(b64, b64_max);
	if (n >= b64_max)
		return sf_error_set(err, SF_EINVAL, "sealed_invalid", NULL,
				    "sealed value too long");
	bin = sf_xmalloc(n / 4 * 3 + 3);
	if (sodium_base642bin(bin, n / 4 * 3 + 3, b64, n, NULL, &bin_len, NULL, B64_VARIANT) != 0) {
		rc = sf_error_set(err, SF_EINVAL, "sealed_invalid", NULL,
				  "sealed value is not base64");
		goto out;
	}
	if (bin_len < NONCE_LEN + TAG_LEN) {
		rc = sf_error_set(err, SF_EINVAL, "sealed_invalid", NULL, "sealed value too short");
		goto out;
	}
	plain = sf_xmalloc(bin_len - NONCE_LEN - TAG_LEN + 1);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain, &plen, NULL,
						       bin + NONCE_LEN, bin_len - NONCE_LEN, NULL,
						       0, bin, k->seal) != 0) {
		rc = sf_error_set(err, SF_EINVAL, "sealed_invalid", NULL,
				  "sealed value was altered or sealed under another key");
		goto out;
	}
	plain[plen] = '\0';
	/* A sealed C string has no NUL inside; one means a foreign value. */
	if (memchr(plain, '\0', plen)) {
		rc = sf_error_set(err, SF_EINVAL, "sealed_invalid", NULL,
				  "sealed value is not text");
		goto out;
	}
	*out_plain = plain;
	plain = NULL;
out:
	free(bin);
	free(plain);
	return rc;
}

void sf_crypto_index(const struct sf_crypto_key *k, const char *normalised_value,
		     char out[SF_CRYPTO_HEX_SIZE])
{
	unsigned char d[32];

	crypto_generichash(d, sizeof(d), (const unsigned char *)normalised_value,
			   strlen(normalised_value), k->index, sizeof(k->index));
	sodium_bin2hex(out, SF_CRYPTO_HEX_SIZE, d, sizeof(d));
}
