/*
 * Where memsrv puts things in the address spaces it manages, and the randomised placement
 * (ASLR) of stacks, IPC buffers and unplaced maps.
 *
 * Placement picks uniformly among every page-aligned start in a window where the area fits
 * (vma_find_free with a value of the seeded xorshift64* generator, rng.h). Both windows span
 * 2^40 bytes, 2^28 page-aligned starts: LAYOUT_ASLR_BITS bits of entropy for a page-sized
 * area in an empty window (a little less for larger areas or fuller windows).
 */
#pragma once

#include <stdint.h>

#include "vma.h"

#define LAYOUT_MMAP_LO     0x0000010000000000ull /* 1 TiB: anonymous maps, IPC buffers */
#define LAYOUT_MMAP_HI     0x0000020000000000ull
#define LAYOUT_STACK_LO    0x00007e0000000000ull /* stacks */
#define LAYOUT_STACK_HI    0x00007f0000000000ull
#define LAYOUT_ASLR_BITS   28
#define LAYOUT_PAIR_BYTES  0x2000ull /* the console's IPC buffer and UART page: one L3 table */
#define LAYOUT_STACK_PAGES 16        /* a process's stack, plus one guard page below it */

enum layout_window {
	LAYOUT_MMAP,
	LAYOUT_STACK,
};

/* Reseeds the placement generator (rng_seed). */
void layout_seed(uint64_t seed);

/*
 * Picks a random free start for `length` bytes in `window` of `tree`. Returns 0 and *start, or
 * vma_find_free's error (E_ALIGN for a length that is not whole pages, E_NOMEM: no room).
 */
int layout_place(const struct vma_tree *tree, uint64_t length, enum layout_window window,
		 uint64_t *start);

/*
 * Picks a random free, LAYOUT_PAIR_BYTES-aligned pair of pages in the LAYOUT_MMAP window:
 * the console process's IPC buffer (at *start) and its UART page (at *start + 4 KiB), which
 * therefore share one L3 table. Returns 0 or vma_find_free's error.
 */
int layout_place_pair(const struct vma_tree *tree, uint64_t *start);
