/*
 * The tree layer under the VMA operations (vma_tree.c): taking nodes from the pool, and
 * finding, linking and unlinking VMAs in the AVL tree keyed by start. Internal to memsrv's
 * VMA code (vma.c): everything else uses vma.h. None of these checks arguments or fails;
 * callers have checked ranges, overlaps and free nodes first.
 */
#pragma once

#include "vma.h"

/* One past the last byte of v. */
static inline uint64_t vma_end(const struct vma *v)
{
	return v->start + v->length;
}

/* Takes a zeroed node from the pool. Requires pool->free_count > 0. */
struct vma *vma_pool_take(struct vma_pool *pool);

/* The VMA with the largest start <= addr, or NULL. */
struct vma *vma_tree_floor(const struct vma_tree *t, uint64_t addr);

/* The VMA with the smallest start > addr, or NULL. */
struct vma *vma_tree_above(const struct vma_tree *t, uint64_t addr);

/* The lowest VMA ending above addr, or NULL. */
struct vma *vma_tree_from(const struct vma_tree *t, uint64_t addr);

/* Links v (a node from vma_pool_take with its fields set; its range overlaps no VMA) into
 * the tree and counts it. The caller settles virtual_size and resident. */
void vma_tree_link(struct vma_tree *t, struct vma *v);

/* Unlinks v (in the tree) and returns it to the pool. The caller settles the size counters. */
void vma_tree_unlink(struct vma_tree *t, struct vma *v);
