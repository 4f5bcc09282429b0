/*
 * memfuzz: a request fuzzer of memsrv, run as an unprivileged process (its capability carries
 * MEMSRV_R_MAP | MEMSRV_R_READ for its own address space only). Its spawn argument:
 *
 *   bits 0..31   the seed of its generator (xorshift64* through splitmix64)
 *   bits 32..63  requests to make (0: MEMFUZZ_DEFAULT_REQUESTS)
 *
 * Every request is random: any label (every request of the protocol, unknown ones, fault
 * labels, labels up to 2^52), any length 0..120 (mostly the right one), hostile words (other
 * address spaces, ids out of range, addresses near 0, in the kernel half, in the probe
 * window, wrapping, unaligned; bad rights, kinds and flags; slots outside the user range,
 * stale region handles, bad names) and sometimes a capability. Ranges that could succeed
 * lie in a sandbox window, so the fuzzer never unmaps itself. Three requests stay
 * malformed: MEMSRV_EXIT and MEMSRV_THREAD_EXIT (they would end it) and
 * MEMSRV_THREAD_CREATE (a thread at a hostile pc would fault and end it).
 *
 * After each request it checks: the reply is 0 or a known error; a request carrying a
 * capability is refused by the kernel with E_RIGHTS (memsrv's endpoint capabilities have no
 * grant right, so no client can hand memsrv a capability); only requests it may make
 * (map, unmap, protect, query, list, stats, audit, shared-region maps of its own space; its
 * own objects, names, shared regions and thread queries) succeed; a failed one left its
 * statistics, its VMA list, the audit and its object, name and shared-region counts exactly
 * as before (a snapshot of each);
 * the audit always finds 0 violations. It ends with MEMSRV_EXIT: code = the low 31 bits of
 * a digest of every (label, length, result), or -1 if an invariant broke (printed).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <mica/syscall.h>

#define MEMFUZZ_DEFAULT_REQUESTS 2000
#define MEMFUZZ_SANDBOX          0x400000000000ull /* 2^46: no window of memsrv's nearby */
#define MEMFUZZ_SANDBOX_PAGES    64
#define MEMFUZZ_PAGE             4096ull
#define MEMFUZZ_PLACED_MAX       16 /* placed maps kept before they are unmapped again */

/* One generated request. */
struct fuzz_request {
	uint64_t label;
	unsigned length;
	bool send_cap;
	uint64_t cap;
	uint64_t w[MSG_MAX_LENGTH];
};

/* Seeds the generator. */
void gen_seed(uint64_t seed);

/* The next value of the generator. */
uint64_t gen_next(void);

/* Tells the generator what a successful request of `label` returned: the slots of
 * MEMSRV_OBJ_CREATE and MEMSRV_NAME_LOOKUP and the handles of MEMSRV_SHM_CREATE are used
 * in later requests, so that deletes, publications, shares and maps can succeed. */
void gen_remember(uint64_t label, uint64_t result);

/* A random request; `own` is the fuzzer's address space id. */
void gen_request(struct fuzz_request *rq, unsigned own);
