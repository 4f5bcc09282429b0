/*
 * The key-value example's protocol (servers/kv: kvsrv, the server, and kvcli, a client).
 * kvsrv publishes its endpoint under KV_NAME; a client looks the name up (mem_name_lookup)
 * and calls that capability. The badge memsrv gave the client's capability is the client's
 * process id, so the server knows who calls: a key belongs to the process that first put it,
 * and only that process may change or delete it.
 *
 * A key is 1..15 printable bytes, NUL-padded in KV_KEY_WORDS words; a value at most
 * KV_VALUE_MAX bytes. Every request is a call with one of these labels; the reply's label is
 * 0 or a negative error (mica/errors.h).
 *   KV_PUT   key, value length, value words  ->            E_INVAL, E_RIGHTS (another
 *                                                          process's key), E_NOMEM (full)
 *   KV_GET   key                             -> length, value words      E_NOTMAPPED
 *   KV_DEL   key                             ->            E_NOTMAPPED, E_RIGHTS
 *   KV_STAT                                  -> keys stored, the caller's id as the server
 *                                               sees it (its badge), calls it has made
 *   KV_PAUSE                                 -> never answered: the thread that took it
 *                                               stops serving (a hung server, for the tests)
 *   KV_ATTACH                                -> the handle of the caller's bulk buffer: a
 *                                               shared region of KV_BULK_MAX bytes the server
 *                                               made and shared with the caller (read-write);
 *                                               the caller maps it (mem_shm_map)
 *   KV_PUT_BULK  key, length                 -> the value is the first `length` bytes of the
 *                                               caller's bulk buffer   E_STATE (no buffer)
 *   KV_GET_BULK  key                         -> length; the value is in the caller's buffer
 *
 * kvsrv serves with two threads receiving on the one endpoint, so one slow or paused call
 * does not stop the others; a lock keeps the store consistent.
 */
#pragma once

#define KV_NAME       "kv"
#define KV_KEY_WORDS  2
#define KV_KEY_MAX    15
#define KV_VALUE_MAX  64
#define KV_VALUE_WORD (KV_KEY_WORDS + 1) /* KV_PUT: the value starts here */
#define KV_KEYS_MAX   32
#define KV_BULK_MAX   4096 /* bytes of a bulk buffer and of a bulk value */

enum kv_label {
	KV_PUT = 1,
	KV_GET = 2,
	KV_DEL = 3,
	KV_STAT = 4,
	KV_PAUSE = 5,
	KV_ATTACH = 6,
	KV_PUT_BULK = 7,
	KV_GET_BULK = 8,
};
