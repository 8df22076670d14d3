/* The events chain's hashes for `sanfu gen`'s bulk load: the bytes
 * store/chain.c hashes for an event ("<length>:<text>;" per column, "N;"
 * for NULL, after the previous hash), written without stdio, and SHA-256
 * by nettle, which uses the CPU's SHA instructions where it has them (ten
 * million events are hashed one after the other). Same digests as
 * util/crypto's. */
#include <nettle/sha2.h>
#include <stdint.h>
#include <string.h>

#include "store/gen.h"
#include "store/gen_impl.h"

/* SHA-256 fed in pieces: nettle's, which picks the CPU's SHA instructions
 * at run time where it has them. */
struct sha {
	struct sha256_ctx ctx;
};

static void sha_init(struct sha *s)
{
	sha256_init(&s->ctx);
}

static void sha_update(struct sha *s, const void *data, size_t n)
{
	sha256_update(&s->ctx, n, data);
}

static void sha_final_hex(struct sha *s, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_digest(&s->ctx, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}

/* ---- store/chain.c's bytes for an event ---- */

struct hbuf {
	struct sha sha;
	size_t n;
	char b[1024];
};

static size_t dec(char *out, int64_t v)
{
	char t[24];
	size_t n = 0, k = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		t[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		out[k++] = '-';
	while (n)
		out[k++] = t[--n];
	out[k] = '\0';
	return k;
}

static void hb_put(struct hbuf *hb, const char *p, size_t n)
{
	if (hb->n + n > sizeof(hb->b)) {
		sha_update(&hb->sha, hb->b, hb->n);
		hb->n = 0;
		if (n > sizeof(hb->b)) {
			sha_update(&hb->sha, p, n);
			return;
		}
	}
	memcpy(hb->b + hb->n, p, n);
	hb->n += n;
}

static void hb_field(struct hbuf *hb, const char *s, size_t len)
{
	char t[24];
	size_t k;

	if (!s) {
		hb_put(hb, "N;", 2);
		return;
	}
	k = dec(t, (int64_t)len);
	t[k++] = ':';
	hb_put(hb, t, k);
	hb_put(hb, s, len);
	hb_put(hb, ";", 1);
}

static void hb_str(struct hbuf *hb, const char *s)
{
	hb_field(hb, s, s ? strlen(s) : 0);
}

static void hb_int(struct hbuf *hb, int64_t v)
{
	char t[24];

	hb_field(hb, t, dec(t, v));
}

void sf_store_gen_event_hash(const struct sf_order_event *ev, const char *prev, char out[65])
{
	struct hbuf hb;

	sha_init(&hb.sha);
	hb.n = 0;
	hb_put(&hb, prev, strlen(prev));
	hb_int(&hb, ev->id);
	hb_int(&hb, ev->order_id);
	hb_int(&hb, ev->seq);
	hb_str(&hb, ev->action);
	hb_str(&hb, ev->from_state);
	hb_str(&hb, ev->to_state);
	if (ev->actor_user_id)
		hb_int(&hb, ev->actor_user_id);
	else
		hb_str(&hb, NULL);
	hb_str(&hb, ev->actor_name ? ev->actor_name : "");
	hb_str(&hb, ev->actor_role ? ev->actor_role : "");
	hb_int(&hb, ev->at);
	hb_str(&hb, ev->public ? "1" : "0");
	hb_str(&hb, ev->body ? ev->body : "{}");
	sha_update(&hb.sha, hb.b, hb.n);
	sha_final_hex(&hb.sha, out);
}

void sf_store_gen_hash_queued(struct sf_store_gen_event *e)
{
	const struct sf_order_event ev = { .id = e->id,
					   .order_id = e->order_id,
					   .seq = e->seq,
					   .action = e->action,
					   .from_state = e->from,
					   .to_state = e->to,
					   .actor_user_id = e->actor,
					   .actor_name = e->name,
					   .actor_role = e->role,
					   .at = e->at,
					   .public = e->public != 0,
					   .body = e->body };

	sf_store_gen_event_hash(&ev, e->prev, e->hash);
}
