/*
 * Randomised placement: one generator for all address spaces, so a fixed seed reproduces
 * every placement of a run that makes the same requests in the same order.
 */
#include "layout.h"

#include "rng.h"

static struct rng placement;

void layout_seed(uint64_t seed)
{
	rng_seed(&placement, seed);
}

int layout_place(const struct vma_tree *tree, uint64_t length, enum layout_window window,
		 uint64_t *start)
{
	uint64_t lo = window == LAYOUT_STACK ? LAYOUT_STACK_LO : LAYOUT_MMAP_LO;
	uint64_t hi = window == LAYOUT_STACK ? LAYOUT_STACK_HI : LAYOUT_MMAP_HI;
	return vma_find_free(tree, length, VMA_PAGE, lo, hi, rng_next(&placement), start);
}

int layout_place_pair(const struct vma_tree *tree, uint64_t *start)
{
	return vma_find_free(tree, LAYOUT_PAIR_BYTES, LAYOUT_PAIR_BYTES, LAYOUT_MMAP_LO,
			     LAYOUT_MMAP_HI, rng_next(&placement), start);
}
