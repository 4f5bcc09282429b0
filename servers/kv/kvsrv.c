/*
 * kvsrv: the key-value example server (kv.h). It creates an endpoint through memsrv,
 * publishes it as "kv", and serves calls for good with two threads: each call is unpacked
 * and checked (label, length, key) before the store changes, the caller is known by its
 * badge (its process id, minted by memsrv), and bulk values travel through a shared buffer
 * per client.
 */
#include <memsrv_client.h>
#include <mica.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kv.h"

#define CLIENTS_MAX 1024 /* badges are process ids 1..1023 */
#define BUFFERS_MAX 8    /* clients with a bulk buffer at once */

struct entry {
	bool used;
	uint64_t owner; /* the badge of the process that put it */
	char key[KV_KEY_MAX + 1];
	unsigned length;
	uint64_t value[KV_BULK_MAX / 8];
};

/* A client's bulk buffer: a region kvsrv created and mapped, shared with the client. */
struct buffer {
	uint64_t client; /* its badge; 0: free */
	uint64_t handle;
	uint8_t *at; /* kvsrv's mapping */
};

static struct entry store[KV_KEYS_MAX];
static struct buffer buffers[BUFFERS_MAX];
static uint32_t calls[CLIENTS_MAX];
static volatile bool lock;
static cptr_t ms;

static void store_lock(void)
{
	while (__atomic_test_and_set(&lock, __ATOMIC_ACQUIRE))
		mica_yield();
}

static void store_unlock(void)
{
	__atomic_clear(&lock, __ATOMIC_RELEASE);
}

/* The message word `i` (past MR5 in this thread's IPC buffer). */
static uint64_t word(const struct mica_msg *m, unsigned i)
{
	return i < MSG_REGISTERS ? m->mr[i] : mica_ipc_buffer()->msg[i];
}

/* Sets reply word `i`. */
static void set_word(struct mica_msg *m, unsigned i, uint64_t v)
{
	if (i < MSG_REGISTERS)
		m->mr[i] = v;
	else
		mica_ipc_buffer()->msg[i] = v;
}

/* The key in words 0..1 into key[]; false if it is not 1..15 printable bytes. */
static bool take_key(const struct mica_msg *m, char key[KV_KEY_MAX + 1])
{
	uint64_t w[KV_KEY_WORDS] = { word(m, 0), word(m, 1) };
	memcpy(key, w, KV_KEY_MAX + 1);
	size_t len = strnlen(key, KV_KEY_MAX + 1);
	if (len == 0 || len > KV_KEY_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (key[i] < 0x21 || key[i] > 0x7e)
			return false;
	return true;
}

static struct entry *find(const char *key)
{
	for (unsigned i = 0; i < KV_KEYS_MAX; i++)
		if (store[i].used && strcmp(store[i].key, key) == 0)
			return &store[i];
	return NULL;
}

/* The entry `key` may be written to by `badge`: E_RIGHTS (another's), E_NOMEM (full). */
static int writable(const char *key, uint64_t badge, struct entry **out)
{
	struct entry *e = find(key);
	if (e && e->owner != badge)
		return E_RIGHTS;
	for (unsigned i = 0; !e && i < KV_KEYS_MAX; i++)
		if (!store[i].used)
			e = &store[i];
	if (!e)
		return E_NOMEM;
	*out = e;
	return E_OK;
}

/* Stores `length` bytes at `value` under key for badge. */
static void put_value(struct entry *e, const char *key, uint64_t badge, const void *value,
		      unsigned length)
{
	e->used = true;
	e->owner = badge;
	memcpy(e->key, key, sizeof(e->key));
	e->length = length;
	memcpy(e->value, value, length);
}

/* KV_PUT: key, length, value -> (). */
static int do_put(struct mica_msg *m, uint64_t badge)
{
	char key[KV_KEY_MAX + 1];
	uint64_t length = word(m, KV_KEY_WORDS), v[KV_VALUE_MAX / 8];
	struct entry *e;
	if (!take_key(m, key) || length > KV_VALUE_MAX ||
	    m->length != KV_VALUE_WORD + (length + 7) / 8)
		return E_INVAL;
	int err = writable(key, badge, &e);
	if (err)
		return err;
	for (unsigned i = 0; i < (length + 7) / 8; i++)
		v[i] = word(m, KV_VALUE_WORD + i);
	put_value(e, key, badge, v, (unsigned)length);
	m->length = 0;
	return E_OK;
}

/* KV_GET: key -> length, value (at most KV_VALUE_MAX bytes: longer ones need KV_GET_BULK). */
static int do_get(struct mica_msg *m)
{
	char key[KV_KEY_MAX + 1];
	if (m->length != KV_KEY_WORDS || !take_key(m, key))
		return E_INVAL;
	const struct entry *e = find(key);
	if (!e)
		return E_NOTMAPPED;
	if (e->length > KV_VALUE_MAX)
		return E_MSGSIZE;
	unsigned words = (e->length + 7) / 8;
	set_word(m, 0, e->length);
	for (unsigned i = 0; i < words; i++)
		set_word(m, 1 + i, e->value[i]);
	m->length = 1 + words;
	return E_OK;
}

/* KV_DEL: key -> (). */
static int do_del(struct mica_msg *m, uint64_t badge)
{
	char key[KV_KEY_MAX + 1];
	if (m->length != KV_KEY_WORDS || !take_key(m, key))
		return E_INVAL;
	struct entry *e = find(key);
	if (!e)
		return E_NOTMAPPED;
	if (e->owner != badge)
		return E_RIGHTS;
	e->used = false;
	m->length = 0;
	return E_OK;
}

/* KV_STAT: -> keys, the caller's badge, its calls. */
static int do_stat(struct mica_msg *m, uint64_t badge)
{
	unsigned keys = 0;
	if (m->length)
		return E_INVAL;
	for (unsigned i = 0; i < KV_KEYS_MAX; i++)
		keys += store[i].used;
	set_word(m, 0, keys);
	set_word(m, 1, badge);
	set_word(m, 2, calls[badge]);
	m->length = 3;
	return E_OK;
}

static struct buffer *buffer_of(uint64_t badge)
{
	for (unsigned i = 0; i < BUFFERS_MAX; i++)
		if (buffers[i].client == badge)
			return &buffers[i];
	return NULL;
}

/* A new region for `badge`, mapped here and shared with it. */
static int make_buffer(uint64_t badge, struct buffer *b)
{
	uint64_t at;
	unsigned rw = MEMSRV_PROT_R | MEMSRV_PROT_W;
	int err = mem_shm_create(ms, KV_BULK_MAX / 4096, rw, &b->handle);
	if (err)
		return err;
	err = mem_shm_map(ms, 0, b->handle, 0, rw, &at);
	if (!err)
		err = mem_shm_share(ms, b->handle, (unsigned)badge, rw);
	if (err) {
		mem_shm_release(ms, b->handle);
		return err;
	}
	b->at = (uint8_t *)(uintptr_t)at;
	b->client = badge;
	return E_OK;
}

/* KV_ATTACH: -> the caller's buffer's handle (made on its first attach). */
static int do_attach(struct mica_msg *m, uint64_t badge)
{
	struct buffer *b = buffer_of(badge);
	if (m->length)
		return E_INVAL;
	if (!b) {
		b = buffer_of(0);
		if (!b)
			return E_NOMEM;
		int err = make_buffer(badge, b);
		if (err)
			return err;
	}
	set_word(m, 0, b->handle);
	m->length = 1;
	return E_OK;
}

/* KV_PUT_BULK: key, length -> (); the value is in the caller's buffer. */
static int do_put_bulk(struct mica_msg *m, uint64_t badge)
{
	char key[KV_KEY_MAX + 1];
	uint64_t length = word(m, KV_KEY_WORDS);
	struct buffer *b = buffer_of(badge);
	struct entry *e;
	if (m->length != KV_KEY_WORDS + 1 || !take_key(m, key) || length > KV_BULK_MAX)
		return E_INVAL;
	if (!b)
		return E_STATE;
	int err = writable(key, badge, &e);
	if (err)
		return err;
	put_value(e, key, badge, b->at, (unsigned)length);
	m->length = 0;
	return E_OK;
}

/* KV_GET_BULK: key -> length; the value goes into the caller's buffer. */
static int do_get_bulk(struct mica_msg *m, uint64_t badge)
{
	char key[KV_KEY_MAX + 1];
	struct buffer *b = buffer_of(badge);
	if (m->length != KV_KEY_WORDS || !take_key(m, key))
		return E_INVAL;
	if (!b)
		return E_STATE;
	const struct entry *e = find(key);
	if (!e)
		return E_NOTMAPPED;
	memcpy(b->at, e->value, e->length);
	set_word(m, 0, e->length);
	m->length = 1;
	return E_OK;
}

/* Waits on a notification of its own that nothing signals: this thread hangs. */
static void pause_forever(void)
{
	struct mica_msg m;
	unsigned ntfn;
	printf("kvsrv: pausing a thread (a client asked)\n");
	if (mem_obj_create(ms, MEMSRV_OBJ_NOTIFICATION, 0, 1, &ntfn))
		for (;;)
			mica_yield();
	for (;;)
		mica_recv(ntfn, &m, NULL);
}

/* One request, with the store locked: its reply label (m holds the reply words). */
static int handle(struct mica_msg *m, uint64_t badge)
{
	calls[badge]++;
	switch (m->label) {
	case KV_PUT:
		return do_put(m, badge);
	case KV_GET:
		return do_get(m);
	case KV_DEL:
		return do_del(m, badge);
	case KV_STAT:
		return do_stat(m, badge);
	case KV_ATTACH:
		return do_attach(m, badge);
	case KV_PUT_BULK:
		return do_put_bulk(m, badge);
	case KV_GET_BULK:
		return do_get_bulk(m, badge);
	default:
		return E_LABEL;
	}
}

/* Receives and answers calls on `ep` for good (both threads run this). */
static int serve(void *arg)
{
	cptr_t ep = (cptr_t)(uintptr_t)arg;
	struct mica_msg m;
	uint64_t badge;
	mica_recv(ep, &m, &badge);
	for (;;) {
		int rc = E_RIGHTS; /* badge 0: not a capability from a name lookup */
		if (m.label == KV_PAUSE)
			pause_forever();
		if (badge != 0 && badge < CLIENTS_MAX) {
			store_lock();
			rc = handle(&m, badge);
			store_unlock();
		}
		if (rc)
			m.length = 0;
		m.label = (uint64_t)(int64_t)rc;
		m.extra_caps = 0;
		mica_reply_recv(ep, &m, &badge);
	}
}

int main(void *cap, uint64_t arg)
{
	unsigned ep, worker;
	(void)arg;
	ms = (cptr_t)(uintptr_t)cap;
	int err = mem_obj_create(ms, MEMSRV_OBJ_ENDPOINT, 0, 0, &ep);
	if (!err)
		err = mem_name_publish(ms, ep, KV_NAME);
	if (!err)
		err = mem_thread_create(ms, serve, (void *)(uintptr_t)ep, 0, &worker);
	if (err) {
		printf("kvsrv: cannot serve: %s\n", mica_strerror(err));
		return 1;
	}
	printf("kvsrv: serving \"%s\" on slot %u with 2 threads\n", KV_NAME, ep);
	return serve((void *)(uintptr_t)ep);
}
