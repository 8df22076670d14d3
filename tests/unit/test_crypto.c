/* Unit tests for util/crypto: passwords, tokens, hashes, sealing, the key file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/crypto.h"

/* FIPS 180-2 test vectors */
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_448 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"

static int setup(void **state)
{
	if (sf_crypto_init() != 0)
		return -1;
	sf_crypto_set_pwhash_cost(true);
	return 0;
}

static void test_init_twice(void **state)
{
	assert_int_equal(sf_crypto_init(), 0);
	assert_int_equal(sf_crypto_init(), 0);
}

static void test_password_verify(void **state)
{
	char h[SF_PW_HASH_MAX], h2[SF_PW_HASH_MAX];

	assert_int_equal(sf_crypto_password_hash("街道 correct horse 1", h), 0);
	assert_true(strncmp(h, "$argon2id$", 10) == 0);
	assert_true(sf_crypto_password_verify(h, "街道 correct horse 1"));
	assert_false(sf_crypto_password_verify(h, "街道 correct horse 2"));
	assert_false(sf_crypto_password_verify(h, "街道 correct horse 1 "));
	assert_false(sf_crypto_password_verify(h, ""));
	assert_false(sf_crypto_password_verify(h, NULL));
	/* salted: the same password never hashes the same twice */
	assert_int_equal(sf_crypto_password_hash("街道 correct horse 1", h2), 0);
	assert_string_not_equal(h, h2);
	assert_true(sf_crypto_password_verify(h2, "街道 correct horse 1"));
}

static void test_password_bad_input(void **state)
{
	char h[SF_PW_HASH_MAX], big[SF_PW_MAX + 2];

	assert_int_equal(sf_crypto_password_hash(NULL, h), SF_EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(sf_crypto_password_hash(big, h), SF_EINVAL);
	big[SF_PW_MAX] = '\0'; /* exactly the limit is fine */
	assert_int_equal(sf_crypto_password_hash(big, h), 0);
	assert_true(sf_crypto_password_verify(h, big));
	assert_false(sf_crypto_password_verify("not a hash", "a"));
	assert_false(sf_crypto_password_verify("", ""));
	assert_false(sf_crypto_password_verify(NULL, "a"));
	/* a plain SHA-256 hex must not pass as a password hash */
	assert_false(sf_crypto_password_verify(SHA_EMPTY, ""));
}

static void test_password_cost_and_rehash(void **state)
{
	char fast[SF_PW_HASH_MAX], slow[SF_PW_HASH_MAX];

	assert_int_equal(sf_crypto_password_hash("pw", fast), 0);
	assert_false(sf_crypto_password_needs_rehash(fast));

	sf_crypto_set_pwhash_cost(false);
	/* the production cost is argon2id INTERACTIVE: 64 MiB, 2 passes */
	assert_int_equal(sf_crypto_password_hash("pw", slow), 0);
	assert_non_null(strstr(slow, "$m=65536,t=2,"));
	assert_true(sf_crypto_password_verify(slow, "pw"));
	assert_false(sf_crypto_password_needs_rehash(slow));
	assert_true(sf_crypto_password_needs_rehash(fast));
	sf_crypto_set_pwhash_cost(true);
	assert_true(sf_crypto_password_needs_rehash(slow));
	/* a hash made at another cost still verifies */
	assert_true(sf_crypto_password_verify(slow, "pw"));
	assert_true(sf_crypto_password_needs_rehash("garbage"));
	assert_true(sf_crypto_password_needs_rehash(NULL));
}

static bool urlsafe(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

static void test_tokens(void **state)
{
	char a[SF_CRYPTO_TOKEN_SIZE], b[SF_CRYPTO_TOKEN_SIZE];
	bool seen_dash = false, seen_under = false;

	sf_crypto_token(a, sizeof(a));
	sf_crypto_token(b, sizeof(b));
	assert_int_equal(strlen(a), 43);
	assert_int_equal(strlen(b), 43);
	assert_string_not_equal(a, b);
	/* over many tokens: only URL-safe characters, and both of the non-alnum
	 * ones turn up (so it is not plain alphanumerics, nor "+/") */
	for (int i = 0; i < 500; i++) {
		sf_crypto_token(a, sizeof(a));
		assert_int_equal(strlen(a), SF_CRYPTO_TOKEN_LEN);
		assert_true(urlsafe(a));
		seen_dash |= strchr(a, '-') != NULL;
		seen_under |= strchr(a, '_') != NULL;
	}
	assert_true(seen_dash && seen_under);
}

static void test_random_digits(void **state)
{
	char code[7];
	int count[10] = { 0 };

	for (int i = 0; i < 2000; i++) {
		sf_crypto_random_digits(code, 6);
		assert_int_equal(strlen(code), 6);
		for (int j = 0; j < 6; j++) {
			assert_true(code[j] >= '0' && code[j] <= '9');
			count[code[j] - '0']++;
		}
	}
	/* 12000 uniform digits: each near 1200; 900 is > 9 sigma away */
	for (int d = 0; d < 10; d++)
		assert_true(count[d] > 900 && count[d] < 1500);
}

static void test_random_bytes(void **state)
{
	unsigned char a[32] = { 0 }, b[32] = { 0 };

	sf_crypto_random(a, sizeof(a));
	sf_crypto_random(b, sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
}

static void test_sha256_vectors(void **state)
{
	const char *long_msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[SF_CRYPTO_HEX_SIZE];
	struct sf_sha256 h;

	sf_crypto_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, SHA_ABC);
	sf_crypto_sha256_hex("", 0, hex);
	assert_string_equal(hex, SHA_EMPTY);

	/* streaming in uneven pieces gives the same digest */
	sf_crypto_sha256_init(&h);
	sf_crypto_sha256_update(&h, long_msg, 5);
	sf_crypto_sha256_update(&h, long_msg + 5, 0);
	sf_crypto_sha256_update(&h, long_msg + 5, strlen(long_msg) - 5);
	sf_crypto_sha256_final_hex(&h, hex);
	assert_string_equal(hex, SHA_448);

	sf_crypto_sha256_init(&h);
	sf_crypto_sha256_update(&h, "a", 1);
	sf_crypto_sha256_update(&h, "bc", 2);
	sf_crypto_sha256_final_hex(&h, hex);
	assert_string_equal(hex, SHA_ABC);
}

static void test_token_hash(void **state)
{
	char tok[SF_CRYPTO_TOKEN_SIZE], h1[SF_CRYPTO_HEX_SIZE], h2[SF_CRYPTO_HEX_SIZE];

	sf_crypto_token_hash("abc", h1);
	assert_string_equal(h1, SHA_ABC);
	sf_crypto_token(tok, sizeof(tok));
	sf_crypto_token_hash(tok, h1);
	sf_crypto_token_hash(tok, h2);
	assert_string_equal(h1, h2);
	assert_int_equal(strlen(h1), 64);
	assert_null(strstr(h1, tok));
}

static void test_equal(void **state)
{
	assert_true(sf_crypto_equal("secret-token", "secret-token"));
	assert_true(sf_crypto_equal("", ""));
	assert_false(sf_crypto_equal("secret-token", "secret-tokeN"));
	assert_false(sf_crypto_equal("secret-token", "secret-toke"));
	assert_false(sf_crypto_equal("secret", "secret-token"));
	assert_false(sf_crypto_equal("", "x"));
	assert_false(sf_crypto_equal(NULL, "x"));
	assert_false(sf_crypto_equal("x", NULL));
	assert_false(sf_crypto_equal(NULL, NULL));
}

static void key_n(struct sf_crypto_key *k, unsigned char fill)
{
	unsigned char b[64];

	for (int i = 0; i < 64; i++)
		b[i] = (unsigned char)(fill + i);
	sf_crypto_key_from_bytes(k, b);
}

static void test_seal_roundtrip(void **state)
{
	const char *plain = "张三，身份证 330110199001011234，"
			    "电话 13812348000，杭州市西湖区";
	struct sf_crypto_key k;
	char *a = NULL, *b = NULL, *back = NULL;
	struct sf_error err;

	key_n(&k, 1);
	assert_int_equal(sf_crypto_seal(&k, plain, &a), 0);
	assert_int_equal(sf_crypto_seal(&k, plain, &b), 0);
	/* fresh nonce each time; the clear text is nowhere in the output */
	assert_string_not_equal(a, b);
	assert_null(strstr(a, "13812348000"));
	assert_int_equal(sf_crypto_unseal(&k, a, &back, &err), 0);
	assert_string_equal(back, plain);
	free(back);
	back = NULL;
	assert_int_equal(sf_crypto_unseal(&k, b, &back, &err), 0);
	assert_string_equal(back, plain);
	free(back);
	back = NULL;
	free(a);
	free(b);

	assert_int_equal(sf_crypto_seal(&k, "", &a), 0);
	assert_int_equal(sf_crypto_unseal(&k, a, &back, NULL), 0);
	assert_string_equal(back, "");
	free(back);
	free(a);
	sf_crypto_key_release(&k);
}

static void test_seal_tampered(void **state)
{
	struct sf_crypto_key k, other;
	char *s = NULL, *back = (char *)"sentinel";
	struct sf_error err;
	size_t n;

	key_n(&k, 1);
	key_n(&other, 2);
	assert_int_equal(sf_crypto_seal(&k, "13812348000", &s), 0);
	n = strlen(s);

	/* every single-character change anywhere is caught */
	for (size_t i = 0; i < n; i++) {
		char saved = s[i];

		if (saved == '=')
			continue;
		s[i] = saved == 'A' ? 'B' : 'A';
		sf_error_clear(&err);
		assert_int_equal(sf_crypto_unseal(&k, s, &back, &err), SF_EINVAL);
		assert_null(back);
		assert_int_equal(err.rc, SF_EINVAL);
		s[i] = saved;
	}
	/* another key */
	assert_int_equal(sf_crypto_unseal(&other, s, &back, &err), SF_EINVAL);
	assert_null(back);
	/* truncated, not base64, empty, too short */
	s[n - 8] = '\0';
	assert_int_equal(sf_crypto_unseal(&k, s, &back, &err), SF_EINVAL);
	assert_int_equal(sf_crypto_unseal(&k, "这不是密文", &back, &err), SF_EINVAL);
	assert_int_equal(sf_crypto_unseal(&k, "", &back, &err), SF_EINVAL);
	assert_int_equal(sf_crypto_unseal(&k, "AAAA", &back, &err), SF_EINVAL);
	assert_int_equal(sf_crypto_unseal(&k, NULL, &back, &err), SF_EINVAL);
	assert_null(back);
	free(s);
}

static void test_seal_limits(void **state)
{
	struct sf_crypto_key k;
	char *big = malloc(SF_CRYPTO_SEAL_MAX + 2), *s = (char *)"sentinel";

	key_n(&k, 3);
	memset(big, 'x', SF_CRYPTO_SEAL_MAX + 1);
	big[SF_CRYPTO_SEAL_MAX + 1] = '\0';
	assert_int_equal(sf_crypto_seal(&k, big, &s), SF_ETOOBIG);
	assert_null(s);
	assert_int_equal(sf_crypto_seal(&k, NULL, &s), SF_EINVAL);
	free(big);
}

static void test_index(void **state)
{
	struct sf_crypto_key k1, k2;
	char a[SF_CRYPTO_HEX_SIZE], b[SF_CRYPTO_HEX_SIZE], c[SF_CRYPTO_HEX_SIZE];
	char plain[SF_CRYPTO_HEX_SIZE];

	key_n(&k1, 1);
	key_n(&k2, 2);
	sf_crypto_index(&k1, "13812348000", a);
	sf_crypto_index(&k1, "13812348000", b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 64);
	sf_crypto_index(&k2, "13812348000", c);
	assert_string_not_equal(a, c);
	sf_crypto_index(&k1, "13812348001", c);
	assert_string_not_equal(a, c);
	/* keyed: not the bare hash anyone could compute for a guessed phone */
	sf_crypto_sha256_hex("13812348000", 11, plain);
	assert_string_not_equal(a, plain);
}

/* ---- the key file ---- */

static char tmpdir[64];

static int key_setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sf-test-crypto-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int key_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const void *p, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_key_create_and_reload(void **state)
{
	struct sf_crypto_key k1, k2;
	struct sf_error err;
	char path[128], *s = NULL, *back = NULL;
	struct stat st;

	snprintf(path, sizeof(path), "%s/secret.key", tmpdir);
	assert_int_equal(sf_crypto_key_load(path, &k1, false, &err), SF_ENOTFOUND);
	assert_non_null(strstr(err.message, path));

	assert_int_equal(sf_crypto_key_load(path, &k1, true, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 129); /* 128 hex digits and a newline */

	/* a restart reads the same key: what one sealed, the other opens */
	assert_int_equal(sf_crypto_key_load(path, &k2, true, &err), 0);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_memory_not_equal(k1.seal, k1.index, 32);
	assert_int_equal(sf_crypto_seal(&k1, "欧阳娜娜", &s), 0);
	assert_int_equal(sf_crypto_unseal(&k2, s, &back, &err), 0);
	assert_string_equal(back, "欧阳娜娜");
	free(s);
	free(back);

	/* no temporary files left behind */
	snprintf(path, sizeof(path), "test -z \"$(ls -A '%s' | grep -v '^secret.key$')\"", tmpdir);
	assert_int_equal(system(path), 0);
}

static void test_key_file_formats(void **state)
{
	unsigned char raw[64];
	struct sf_crypto_key k, want;
	struct sf_error err;
	char path[128], hex[200];

	for (int i = 0; i < 64; i++)
		raw[i] = (unsigned char)(0xA0 + i);
	sf_crypto_key_from_bytes(&want, raw);
	snprintf(path, sizeof(path), "%s/fmt.key", tmpdir);

	/* hex with surrounding whitespace */
	hex[0] = ' ';
	for (int i = 0; i < 64; i++)
		snprintf(hex + 1 + 2 * i, 3, "%02X", raw[i]);
	memcpy(hex + 129, "\r\n", 3);
	write_file(path, hex, strlen(hex), 0600);
	assert_int_equal(sf_crypto_key_load(path, &k, false, &err), 0);
	assert_memory_equal(&k, &want, sizeof(k));

	/* 64 raw bytes */
	write_file(path, raw, sizeof(raw), 0600);
	assert_int_equal(sf_crypto_key_load(path, &k, false, &err), 0);
	assert_memory_equal(&k, &want, sizeof(k));

	/* a 32-byte key in hex is too short, even though it is 64 bytes long */
	write_file(path, hex + 1, 64, 0600);
	assert_int_equal(sf_crypto_key_load(path, &k, true, &err), SF_EINVAL);
	/* one digit short, a stray character */
	write_file(path, hex + 1, 127, 0600);
	assert_int_equal(sf_crypto_key_load(path, &k, true, &err), SF_EINVAL);
	hex[50] = 'g';
	write_file(path, hex, 129, 0600);
	assert_int_equal(sf_crypto_key_load(path, &k, true, &err), SF_EINVAL);
	/* an empty file is not silently replaced by a new key */
	write_file(path, "", 0, 0600);
	assert_int_equal(sf_crypto_key_load(path, &k, true, &err), SF_EINVAL);
	unlink(path);
}

static void test_key_file_refused(void **state)
{
	struct sf_crypto_key k;
	struct sf_error err;
	char path[128];

	snprintf(path, sizeof(path), "%s/open.key", tmpdir);
	assert_int_equal(sf_crypto_key_load(path, &k, true, &err), 0);
	assert_int_equal(chmod(path, 0644), 0);
	sf_error_clear(&err);
	assert_int_equal(sf_crypto_key_load(path, &k, false, &err), SF_EINVAL);
	assert_string_equal(err.code, "key_exposed");
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(sf_crypto_key_load(path, &k, false, &err), 0);
	unlink(path);

	/* a directory is not a key */
	assert_int_equal(sf_crypto_key_load(tmpdir, &k, true, &err), SF_EINVAL);
	/* a missing directory cannot take a new key */
	snprintf(path, sizeof(path), "%s/no/such/dir.key", tmpdir);
	assert_int_equal(sf_crypto_key_load(path, &k, true, &err), SF_EIO);
}

/* Several processes starting at once on a fresh install must all end up
 * with one key, or data sealed by one would be unreadable to the others. */
static void test_key_create_race(void **state)
{
	enum { N = 8 };
	int fds[N][2], status;
	struct sf_crypto_key keys[N];
	char path[128];
	pid_t pids[N];

	snprintf(path, sizeof(path), "%s/race.key", tmpdir);
	for (int i = 0; i < N; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct sf_crypto_key k;

			close(fds[i][0]);
			if (sf_crypto_key_load(path, &k, true, NULL) != 0)
				_exit(1);
			_exit(write(fds[i][1], &k, sizeof(k)) == (ssize_t)sizeof(k) ? 0 : 1);
		}
		close(fds[i][1]);
	}
	for (int i = 0; i < N; i++) {
		assert_int_equal(read(fds[i][0], &keys[i], sizeof(keys[i])),
				 (ssize_t)sizeof(keys[i]));
		close(fds[i][0]);
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		assert_memory_equal(&keys[i], &keys[0], sizeof(keys[0]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_twice),
		cmocka_unit_test(test_password_verify),
		cmocka_unit_test(test_password_bad_input),
		cmocka_unit_test(test_password_cost_and_rehash),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_random_digits),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_token_hash),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_seal_roundtrip),
		cmocka_unit_test(test_seal_tampered),
		cmocka_unit_test(test_seal_limits),
		cmocka_unit_test(test_index),
		cmocka_unit_test_setup_teardown(test_key_create_and_reload, key_setup,
						key_teardown),
		cmocka_unit_test_setup_teardown(test_key_file_formats, key_setup, key_teardown),
		cmocka_unit_test_setup_teardown(test_key_file_refused, key_setup, key_teardown),
		cmocka_unit_test_setup_teardown(test_key_create_race, key_setup, key_teardown),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
