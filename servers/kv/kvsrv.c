/*
 * kvsrv: the key-value example server (kv.h). It creates an endpoint through memsrv,
 * publishes it as "kv", and serves calls for good: each is unpacked and checked (label,
 * length, key) before the store changes, and the caller is known by its badge.
 */
#include <memsrv_client.h>
#include <mica.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kv.h"

#define CLIENTS_MAX 1024 /* badges are process ids 1..1023 */

struct entry {
	bool used;
	uint64_t owner; /* the badge of the process that put it */
	char key[KV_KEY_MAX + 1];
	unsigned length;
	uint64_t value[KV_VALUE_MAX / 8];
};

static struct entry store[KV_KEYS_MAX];
static uint32_t calls[CLIENTS_MAX];
static struct mica_msg msg;

/* The message word `i` (past MR5 in the IPC buffer). */
static uint64_t word(unsigned i)
{
	return i < MSG_REGISTERS ? msg.mr[i] : mica_ipc_buffer()->msg[i];
}

/* Sets reply word `i`. */
static void set_word(unsigned i, uint64_t v)
{
	if (i < MSG_REGISTERS)
		msg.mr[i] = v;
	else
		mica_ipc_buffer()->msg[i] = v;
}

/* The key in words 0..1 into key[]; false if it is not 1..15 printable bytes. */
static bool take_key(char key[KV_KEY_MAX + 1])
{
	uint64_t w[KV_KEY_WORDS] = { word(0), word(1) };
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

static struct entry *free_entry(void)
{
	for (unsigned i = 0; i < KV_KEYS_MAX; i++)
		if (!store[i].used)
			return &store[i];
	return NULL;
}

/* KV_PUT: key, length, value -> (). */
static int do_put(uint64_t badge)
{
	char key[KV_KEY_MAX + 1];
	uint64_t length = word(KV_KEY_WORDS);
	if (!take_key(key) || length > KV_VALUE_MAX ||
	    msg.length != KV_VALUE_WORD + (length + 7) / 8)
		return E_INVAL;
	struct entry *e = find(key);
	if (e && e->owner != badge)
		return E_RIGHTS;
	if (!e && !(e = free_entry()))
		return E_NOMEM;
	e->used = true;
	e->owner = badge;
	memcpy(e->key, key, sizeof(e->key));
	e->length = (unsigned)length;
	memset(e->value, 0, sizeof(e->value));
	for (unsigned i = 0; i < (length + 7) / 8; i++)
		e->value[i] = word(KV_VALUE_WORD + i);
	msg.length = 0;
	return E_OK;
}

/* KV_GET: key -> length, value. */
static int do_get(void)
{
	char key[KV_KEY_MAX + 1];
	if (msg.length != KV_KEY_WORDS || !take_key(key))
		return E_INVAL;
	const struct entry *e = find(key);
	if (!e)
		return E_NOTMAPPED;
	unsigned words = (e->length + 7) / 8;
	set_word(0, e->length);
	for (unsigned i = 0; i < words; i++)
		set_word(1 + i, e->value[i]);
	msg.length = 1 + words;
	return E_OK;
}

/* KV_DEL: key -> (). */
static int do_del(uint64_t badge)
{
	char key[KV_KEY_MAX + 1];
	if (msg.length != KV_KEY_WORDS || !take_key(key))
		return E_INVAL;
	struct entry *e = find(key);
	if (!e)
		return E_NOTMAPPED;
	if (e->owner != badge)
		return E_RIGHTS;
	e->used = false;
	msg.length = 0;
	return E_OK;
}

/* KV_STAT: -> keys, the caller's badge, its calls. */
static int do_stat(uint64_t badge)
{
	unsigned keys = 0;
	for (unsigned i = 0; i < KV_KEYS_MAX; i++)
		keys += store[i].used;
	set_word(0, keys);
	set_word(1, badge);
	set_word(2, calls[badge]);
	msg.length = 3;
	return E_OK;
}

/* Waits on a notification of its own that nothing signals: the server hangs. */
static void pause_forever(void)
{
	unsigned ntfn;
	printf("kvsrv: pausing (a client asked)\n");
	if (mem_obj_create(MICA_MEMSRV_SLOT, MEMSRV_OBJ_NOTIFICATION, 0, 1, &ntfn))
		for (;;)
			mica_yield();
	for (;;)
		mica_recv(ntfn, &msg, NULL);
}

/* One request: its reply label (msg holds the reply words). */
static int handle(uint64_t badge)
{
	if (badge == 0 || badge >= CLIENTS_MAX)
		return E_RIGHTS; /* not a capability from a name lookup */
	calls[badge]++;
	switch (msg.label) {
	case KV_PUT:
		return do_put(badge);
	case KV_GET:
		return do_get();
	case KV_DEL:
		return do_del(badge);
	case KV_STAT:
		return msg.length ? E_INVAL : do_stat(badge);
	case KV_PAUSE:
		pause_forever();
		return E_STATE;
	default:
		return E_LABEL;
	}
}

int main(void *cap, uint64_t arg)
{
	cptr_t ms = (cptr_t)(uintptr_t)cap;
	unsigned ep;
	(void)arg;
	int err = mem_obj_create(ms, MEMSRV_OBJ_ENDPOINT, 0, 0, &ep);
	if (!err)
		err = mem_name_publish(ms, ep, KV_NAME);
	if (err) {
		printf("kvsrv: cannot serve: %s\n", mica_strerror(err));
		return 1;
	}
	printf("kvsrv: serving \"%s\" on slot %u\n", KV_NAME, ep);
	uint64_t badge;
	mica_recv(ep, &msg, &badge);
	for (;;) {
		int rc = handle(badge);
		if (rc)
			msg.length = 0;
		msg.label = (uint64_t)(int64_t)rc;
		msg.extra_caps = 0;
		mica_reply_recv(ep, &msg, &badge);
	}
}
