/*
 * kvcli: a client of the key-value example server (kv.h). Started with string arguments, it
 * looks "kv" up and runs its commands in order, one line each:
 *     kvcli put KEY VALUE | get KEY | del KEY | stat | pause | putbig KEY BYTES |
 *           getbig KEY  [more commands ...]
 * putbig and getbig move the value through the bulk buffer the server shares with it.
 * It exits 0 if every command worked, 1 otherwise.
 */
#include <memsrv_client.h>
#include <mica.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kv.h"

static cptr_t server;
static uint8_t *bulk; /* the shared bulk buffer, once attached */

/* Calls the server with `label` and words a[0..n); *reply gets the answer. */
static int kv_call(unsigned label, const uint64_t *a, unsigned n, struct mica_msg *reply)
{
	struct ipc_buffer *buf = mica_ipc_buffer();
	*reply = (struct mica_msg){ .label = label, .length = n };
	for (unsigned i = 0; i < n; i++) {
		if (i < MSG_REGISTERS)
			reply->mr[i] = a[i];
		else
			buf->msg[i] = a[i];
	}
	uint64_t info = mica_call(server, reply);
	int err = mica_msg_error(info);
	return err ? err : (int)(int64_t)reply->label;
}

/* Reply word `i`. */
static uint64_t reply_word(const struct mica_msg *m, unsigned i)
{
	return i < MSG_REGISTERS ? m->mr[i] : mica_ipc_buffer()->msg[i];
}

/* Packs the key (and for put the value) into a[]; returns the words, or 0 if too long. */
static unsigned pack(const char *key, const char *value, uint64_t *a)
{
	size_t klen = strlen(key), vlen = value ? strlen(value) : 0;
	if (klen > KV_KEY_MAX || vlen > KV_VALUE_MAX)
		return 0;
	memset(a, 0, (KV_VALUE_WORD + KV_VALUE_MAX / 8) * sizeof(uint64_t));
	memcpy(a, key, klen);
	if (!value)
		return KV_KEY_WORDS;
	a[KV_KEY_WORDS] = vlen;
	memcpy(&a[KV_VALUE_WORD], value, vlen);
	return KV_VALUE_WORD + (unsigned)((vlen + 7) / 8);
}

static int put(const char *key, const char *value)
{
	uint64_t a[KV_VALUE_WORD + KV_VALUE_MAX / 8];
	struct mica_msg r;
	unsigned n = pack(key, value, a);
	int err = n ? kv_call(KV_PUT, a, n, &r) : E_INVAL;
	printf("kvcli: put %s: %s\n", key, err ? mica_strerror(err) : "ok");
	return err;
}

static int get(const char *key)
{
	uint64_t a[KV_VALUE_WORD + KV_VALUE_MAX / 8];
	uint64_t v[KV_VALUE_MAX / 8 + 1] = { 0 };
	struct mica_msg r;
	unsigned n = pack(key, NULL, a);
	int err = n ? kv_call(KV_GET, a, n, &r) : E_INVAL;
	if (!err) {
		uint64_t len = reply_word(&r, 0);
		for (unsigned i = 0; len <= KV_VALUE_MAX && i < (len + 7) / 8; i++)
			v[i] = reply_word(&r, 1 + i);
		printf("kvcli: get %s = %.*s\n", key, (int)len, (const char *)v);
	} else {
		printf("kvcli: get %s: %s\n", key, mica_strerror(err));
	}
	return err;
}

static int del(const char *key)
{
	uint64_t a[KV_VALUE_WORD + KV_VALUE_MAX / 8];
	struct mica_msg r;
	unsigned n = pack(key, NULL, a);
	int err = n ? kv_call(KV_DEL, a, n, &r) : E_INVAL;
	printf("kvcli: del %s: %s\n", key, err ? mica_strerror(err) : "ok");
	return err;
}

static int stat(void)
{
	struct mica_msg r;
	int err = kv_call(KV_STAT, NULL, 0, &r);
	if (err)
		printf("kvcli: stat: %s\n", mica_strerror(err));
	else
		printf("kvcli: stat: %lu keys, I am client %lu, %lu calls\n",
		       (unsigned long)r.mr[0], (unsigned long)r.mr[1], (unsigned long)r.mr[2]);
	return err;
}

static int pause_server(void)
{
	struct mica_msg r;
	printf("kvcli: pause: waiting for the server\n");
	int err = kv_call(KV_PAUSE, NULL, 0, &r);
	printf("kvcli: pause: %s\n", err ? mica_strerror(err) : "answered");
	return err;
}

/* Maps the bulk buffer the server shares with this process (once). */
static int attach(void)
{
	struct mica_msg r;
	uint64_t at;
	if (bulk)
		return E_OK;
	int err = kv_call(KV_ATTACH, NULL, 0, &r);
	if (!err)
		err = mem_shm_map(MICA_MEMSRV_SLOT, 0, r.mr[0], 0, MEMSRV_PROT_R | MEMSRV_PROT_W,
				  &at);
	if (!err)
		bulk = (uint8_t *)(uintptr_t)at;
	return err;
}

/* A sum of the bytes, to compare values without printing them. */
static unsigned checksum(const uint8_t *p, unsigned n)
{
	unsigned sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum = sum * 31 + p[i];
	return sum;
}

static int putbig(const char *key, const char *count)
{
	uint64_t a[KV_VALUE_WORD + KV_VALUE_MAX / 8], n = 0;
	struct mica_msg r;
	for (const char *s = count; *s >= '0' && *s <= '9' && n <= KV_BULK_MAX; s++)
		n = n * 10 + (uint64_t)(*s - '0');
	int err = n <= KV_BULK_MAX && pack(key, NULL, a) ? attach() : E_INVAL;
	if (!err) {
		for (unsigned i = 0; i < n; i++)
			bulk[i] = (uint8_t)('a' + i % 26);
		a[KV_KEY_WORDS] = n;
		err = kv_call(KV_PUT_BULK, a, KV_KEY_WORDS + 1, &r);
	}
	if (err)
		printf("kvcli: putbig %s: %s\n", key, mica_strerror(err));
	else
		printf("kvcli: putbig %s: %lu bytes, sum %u\n", key, (unsigned long)n,
		       checksum(bulk, (unsigned)n));
	return err;
}

static int getbig(const char *key)
{
	uint64_t a[KV_VALUE_WORD + KV_VALUE_MAX / 8];
	struct mica_msg r;
	int err = pack(key, NULL, a) ? attach() : E_INVAL;
	if (!err)
		err = kv_call(KV_GET_BULK, a, KV_KEY_WORDS, &r);
	if (err) {
		printf("kvcli: getbig %s: %s\n", key, mica_strerror(err));
		return err;
	}
	unsigned n = (unsigned)r.mr[0];
	printf("kvcli: getbig %s: %u bytes, sum %u, starts %.8s\n", key, n, checksum(bulk, n),
	       (const char *)bulk);
	return E_OK;
}

/* Runs the command at argv[*i], moving *i past its words. Returns 0 or an error. */
static int command(int argc, char **argv, int *i)
{
	const char *cmd = argv[(*i)++];
	int left = argc - *i;
	if (strcmp(cmd, "put") == 0 && left >= 2) {
		*i += 2;
		return put(argv[*i - 2], argv[*i - 1]);
	}
	if ((strcmp(cmd, "get") == 0 || strcmp(cmd, "del") == 0) && left >= 1) {
		(*i)++;
		return cmd[0] == 'g' ? get(argv[*i - 1]) : del(argv[*i - 1]);
	}
	if (strcmp(cmd, "putbig") == 0 && left >= 2) {
		*i += 2;
		return putbig(argv[*i - 2], argv[*i - 1]);
	}
	if (strcmp(cmd, "getbig") == 0 && left >= 1) {
		(*i)++;
		return getbig(argv[*i - 1]);
	}
	if (strcmp(cmd, "stat") == 0)
		return stat();
	if (strcmp(cmd, "pause") == 0)
		return pause_server();
	printf("kvcli: expected put KEY VALUE, get KEY, del KEY, stat, pause, putbig KEY BYTES or "
	       "getbig KEY, not '%s'\n",
	       cmd);
	return E_INVAL;
}

int main(int argc, char **argv)
{
	unsigned slot, publisher;
	int err = mem_name_lookup(MICA_MEMSRV_SLOT, KV_NAME, 0, &slot, &publisher);
	if (err) {
		printf("kvcli: lookup %s: %s\n", KV_NAME, mica_strerror(err));
		return 1;
	}
	server = slot;
	int failed = 0;
	for (int i = 1; i < argc;)
		failed |= command(argc, argv, &i) != 0;
	return failed;
}
