/* Per-user change counters; see changes.h. The file PATH-sanfu.shm holds
 * SLOTS 64-bit counters, mapped MAP_SHARED by every process that caches
 * or writes: slot 0 a magic number, slot 1 "anybody", the rest users by
 * hash. Each process holds a shared flock on it while mapped; the last
 * one to close (the only one that gets the exclusive lock) removes it. */
#include "store/changes.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db_impl.h"
#include "util/hash.h"
#include "util/mem.h"

#define SLOTS 4096
#define MAP_LEN (SLOTS * sizeof(uint64_t))
#define MAGIC 0x3148434e55464e53ull /* "SNFUNCH1" */
enum { SLOT_MAGIC, SLOT_ALL, SLOT_FIRST };

struct sf_changes {
	char *db_path; /* NULL: process-private counters (":memory:") */
	char *path;    /* the file, once first opened */
	pthread_mutex_t mu;
	_Atomic uint64_t *_Atomic slots; /* set once, under mu */
	int fd;
};

struct sf_changes *sf_changes_new(const char *db_path)
{
	struct sf_changes *ch = sf_xcalloc(1, sizeof(*ch));

	pthread_mutex_init(&ch->mu, NULL);
	ch->fd = -1;
	if (strcmp(db_path, ":memory:") != 0 && *db_path)
		ch->db_path = sf_xstrdup(db_path);
	return ch;
}

void sf_changes_free(struct sf_changes *ch)
{
	_Atomic uint64_t *slots;

	if (!ch)
		return;
	slots = atomic_load(&ch->slots);
	if (slots)
		munmap((void *)slots, MAP_LEN);
	if (ch->fd >= 0 && ch->path) {
		/* Nobody else holds it: no process caches, so no counter is
		 * needed; a process opening it meanwhile sees it gone. */
		if (flock(ch->fd, LOCK_EX | LOCK_NB) == 0)
			unlink(ch->path);
		close(ch->fd);
	}
	pthread_mutex_destroy(&ch->mu);
	free(ch->path);
	free(ch->db_path);
	free(ch);
}

/* Open and lock the file; create it when asked. Returns the descriptor,
 * or -1 (errno ENOENT when it does not exist and create is false). */
static int open_file(struct sf_changes *ch, bool create)
{
	struct stat db, st, now;
	mode_t mode = 0600;
	bool have_db = stat(ch->db_path, &db) == 0;

	if (!ch->path) {
		/* Beside the file itself, whichever link or relative path each
		 * process named the database by (as SQLite does for -shm). */
		char *real = realpath(ch->db_path, NULL);
		const char *base = real ? real : ch->db_path;
		size_t n = strlen(base);

		ch->path = sf_xmalloc(n + sizeof("-sanfu.shm"));
		memcpy(ch->path, base, n);
		memcpy(ch->path + n, "-sanfu.shm", sizeof("-sanfu.shm"));
		free(real);
	}
	if (have_db)
		mode = db.st_mode & 0666;
	for (int tries = 0; tries < 16; tries++) {
		int fd = open(ch->path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), mode);

		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_SH) != 0 || fstat(fd, &st) != 0) {
			close(fd);
			return -1;
		}
		/* A closing process may have removed it between our open and
		 * our lock: then open the path again. */
		if (stat(ch->path, &now) != 0 || now.st_ino != st.st_ino ||
		    now.st_dev != st.st_dev) {
			close(fd);
			continue;
		}
		/* Like SQLite's -shm: root gives it to the database's owner. */
		if (have_db && geteuid() == 0 &&
		    (st.st_uid != db.st_uid || st.st_gid != db.st_gid) &&
		    fchown(fd, db.st_uid, db.st_gid) != 0) {
			close(fd);
			return -1;
		}
		if (st.st_size < (off_t)MAP_LEN && ftruncate(fd, (off_t)MAP_LEN) != 0) {
			close(fd);
			return -1;
		}
		return fd;
	}
	errno = EAGAIN;
	return -1;
}

/* The mapped counters, mapping them first if need be (creating the file
 * when create); NULL when there are none. */
static _Atomic uint64_t *attach(struct sf_changes *ch, bool create)
{
	_Atomic uint64_t *slots = atomic_load(&ch->slots);
	void *p;
	int fd = -1;

	if (slots)
		return slots;
	pthread_mutex_lock(&ch->mu);
	slots = atomic_load(&ch->slots);
	if (slots)
		goto out;
	if (!ch->db_path) {
		p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	} else {
		fd = open_file(ch, create);
		if (fd < 0)
			goto out;
		p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	}
	if (p == MAP_FAILED)
		goto out;
	slots = p;
	{
		uint64_t seen = 0;

		/* A file of another layout (another version) is not ours to use. */
		if (!atomic_compare_exchange_strong(&slots[SLOT_MAGIC], &seen, MAGIC) &&
		    seen != MAGIC) {
			munmap(p, MAP_LEN);
			slots = NULL;
			goto out;
		}
	}
	ch->fd = fd;
	fd = -1;
	atomic_store(&ch->slots, slots);
out:
	if (fd >= 0)
		close(fd);
	pthread_mutex_unlock(&ch->mu);
	return slots;
}

static size_t slot_of(int64_t user_id)
{
	if (user_id == 0)
		return SLOT_ALL;
	/* neighbouring ids land far apart */
	return SLOT_FIRST + (size_t)(sf_hash_mix64((uint64_t)user_id) % (SLOTS - SLOT_FIRST));
}

bool sf_changes_stamp(struct sf_changes *ch, int64_t user_id, struct sf_changes_stamp *out)
{
	_Atomic uint64_t *slots = ch ? attach(ch, true) : NULL;

	if (!slots)
		return false;
	out->all = atomic_load(&slots[SLOT_ALL]);
	out->user = atomic_load(&slots[slot_of(user_id)]);
	return true;
}

bool sf_changes_same(struct sf_changes *ch, int64_t user_id, const struct sf_changes_stamp *stamp)
{
	_Atomic uint64_t *slots = ch ? atomic_load(&ch->slots) : NULL;

	return slots && atomic_load(&slots[slot_of(user_id)]) == stamp->user &&
	       atomic_load(&slots[SLOT_ALL]) == stamp->all;
}

void sf_changes_bump(struct sf_changes *ch, int64_t user_id)
{
	_Atomic uint64_t *slots = ch ? attach(ch, false) : NULL;

	if (slots)
		atomic_fetch_add(&slots[slot_of(user_id)], 1);
}

#define BASE(c) ((struct sf_conn_base *)(void *)(c))

void sf_changes_note(struct sf_conn *c, int64_t user_id)
{
	struct sf_conn_base *b = BASE(c);

	if (!b->db->changes)
		return;
	if (!b->in_batch && !b->in_tx && !b->db->ops->in_tx(c)) {
		sf_changes_bump(b->db->changes, user_id);
		return;
	}
	for (int i = 0; i < b->nchanged && i < SF_CONN_CHANGED; i++)
		if (b->changed[i] == user_id)
			return;
	if (b->nchanged < SF_CONN_CHANGED)
		b->changed[b->nchanged] = user_id;
	if (b->nchanged <= SF_CONN_CHANGED)
		b->nchanged++;
}

void sf_changes_flush(struct sf_conn *c)
{
	struct sf_conn_base *b = BASE(c);

	if (b->nchanged > SF_CONN_CHANGED)
		sf_changes_bump(b->db->changes, 0);
	else
		for (int i = 0; i < b->nchanged; i++)
			sf_changes_bump(b->db->changes, b->changed[i]);
	b->nchanged = 0;
}

void sf_changes_discard(struct sf_conn *c)
{
	BASE(c)->nchanged = 0;
}
