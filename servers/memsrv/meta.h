/*
 * memsrv's own memory for its tables (the page hash, per-slot words, the chunk table, the
 * address-space table): fresh frames retyped from untyped and mapped read-write into memsrv's
 * VSpace in a window of its own, so their size follows the RAM memsrv is given instead of
 * being fixed in its image. Memory handed out here is zeroed and never given back.
 */
#pragma once

#include <stdint.h>

#define META_BASE 0x1000000000ull /* the window, in memsrv's own address space */

/*
 * Maps `bytes` (rounded up to pages) of zeroed memory after the previous allocation and
 * returns it, or NULL (E_NOMEM from the retype or a kernel error: nothing is handed out then,
 * the pages mapped before the failure stay memsrv's).
 */
void *meta_alloc(uint64_t bytes);

/* Pages (frames) and page tables meta_alloc has mapped so far. */
uint64_t meta_pages(void);
