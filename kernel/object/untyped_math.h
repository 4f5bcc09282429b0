/*
 * The arithmetic behind untyped memory, kept free of kernel state so host tests can call it:
 * where retyped objects go inside an untyped, and how a physical range is cut into the
 * naturally aligned power-of-two blocks an untyped capability can describe.
 * Implemented in untyped.c.
 */
#pragma once

#include <stdint.h>

/*
 * Places `count` objects of 2^obj_bits bytes in an untyped of 2^untyped_bits bytes whose
 * first `free_index` bytes are used: the first object at free_index rounded up to 2^obj_bits
 * (natural alignment), the rest following it. Returns E_OK and sets *first_offset (bytes from
 * the untyped's start), or E_NOMEM if they do not fit, if an object is bigger than the
 * untyped, or if untyped_bits >= 64 or free_index > 2^untyped_bits. Never overflows.
 */
int untyped_fit(uint64_t untyped_bits, uint64_t free_index, unsigned obj_bits, unsigned count,
		uint64_t *first_offset);

/* Called by untyped_split for each block [base, base + 2^bits). */
typedef void (*untyped_block_fn)(void *ctx, uint64_t base, unsigned bits);

/*
 * Cuts [base, base + size) into the fewest naturally aligned power-of-two blocks, none
 * bigger than 2^max_bits (max_bits <= 63), in ascending address order: each block is as
 * large as the alignment of its base, the bytes left and max_bits allow. Calls
 * emit(ctx, block_base, block_bits) for each. Requires base + size <= 2^64. A page-aligned
 * range gives blocks of at least a page.
 */
void untyped_split(uint64_t base, uint64_t size, unsigned max_bits, untyped_block_fn emit,
		   void *ctx);
