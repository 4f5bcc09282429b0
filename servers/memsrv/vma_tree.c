/*
 * The VMA tree's tree layer (vma_tree.h): the node pool and an AVL tree of VMAs keyed by
 * start. Each node stores the height of its subtree; every insert and delete rebalances on
 * the way back up, so heights of siblings differ by at most one and the tree is at most
 * 1.44 log2(n + 2) tall. Deletion relinks nodes and never copies one into another, so a VMA
 * pointer stays valid until that VMA itself is removed. The ranges built on it (map, unmap,
 * protect, placement, the invariant check) are vma.c's.
 */
#include "vma_tree.h"

#include <string.h>

/* Node pool: a stack of free nodes linked through ->right; free nodes have height 0. */

static void pool_put(struct vma_pool *pool, struct vma *v)
{
	memset(v, 0, sizeof(*v));
	v->right = pool->free_list;
	pool->free_list = v;
	pool->free_count++;
}

/* Takes a zeroed node; the caller has checked that free_count > 0. */
struct vma *vma_pool_take(struct vma_pool *pool)
{
	struct vma *v = pool->free_list;
	pool->free_list = v->right;
	pool->free_count--;
	memset(v, 0, sizeof(*v));
	return v;
}

int vma_pool_init(struct vma_pool *pool, struct vma *nodes, uint32_t capacity)
{
	if (!pool || (!nodes && capacity))
		return E_INVAL;
	pool->nodes = nodes;
	pool->capacity = capacity;
	pool->free_count = 0;
	pool->free_list = NULL;
	for (uint32_t i = capacity; i-- > 0;)
		pool_put(pool, &nodes[i]);
	return E_OK;
}

uint32_t vma_pool_free(const struct vma_pool *pool)
{
	return pool ? pool->free_count : 0;
}

/* AVL primitives. Each returns the new root of the subtree it was given. */

static int avl_height(const struct vma *n)
{
	return n ? n->height : 0;
}

static void avl_fix_height(struct vma *n)
{
	int l = avl_height(n->left), r = avl_height(n->right);
	n->height = (uint8_t)((l > r ? l : r) + 1);
}

static int avl_balance(const struct vma *n)
{
	return avl_height(n->left) - avl_height(n->right);
}

static struct vma *avl_rotate_right(struct vma *n)
{
	struct vma *l = n->left;
	n->left = l->right;
	l->right = n;
	avl_fix_height(n);
	avl_fix_height(l);
	return l;
}

static struct vma *avl_rotate_left(struct vma *n)
{
	struct vma *r = n->right;
	n->right = r->left;
	r->left = n;
	avl_fix_height(n);
	avl_fix_height(r);
	return r;
}

/* Restores |balance| <= 1 at n, whose children are valid AVL trees differing by <= 2. */
static struct vma *avl_rebalance(struct vma *n)
{
	avl_fix_height(n);
	if (avl_balance(n) > 1) {
		if (avl_balance(n->left) < 0)
			n->left = avl_rotate_left(n->left);
		return avl_rotate_right(n);
	}
	if (avl_balance(n) < -1) {
		if (avl_balance(n->right) > 0)
			n->right = avl_rotate_right(n->right);
		return avl_rotate_left(n);
	}
	return n;
}

static struct vma *avl_insert(struct vma *n, struct vma *v)
{
	if (!n)
		return v;
	if (v->start < n->start)
		n->left = avl_insert(n->left, v);
	else
		n->right = avl_insert(n->right, v);
	return avl_rebalance(n);
}

/* Unlinks the lowest node of subtree n into *min. */
static struct vma *avl_take_min(struct vma *n, struct vma **min)
{
	if (!n->left) {
		*min = n;
		return n->right;
	}
	n->left = avl_take_min(n->left, min);
	return avl_rebalance(n);
}

/* Unlinks the node keyed `start` (the caller knows it is there); relinks, never copies. */
static struct vma *avl_remove(struct vma *n, uint64_t start)
{
	if (!n)
		return NULL;
	if (start < n->start) {
		n->left = avl_remove(n->left, start);
	} else if (start > n->start) {
		n->right = avl_remove(n->right, start);
	} else {
		struct vma *min, *rest;
		if (!n->left || !n->right)
			return n->left ? n->left : n->right;
		rest = avl_take_min(n->right, &min);
		min->left = n->left;
		min->right = rest;
		n = min;
	}
	return avl_rebalance(n);
}

/* The VMA with the largest start <= addr, or NULL. */
struct vma *vma_tree_floor(const struct vma_tree *t, uint64_t addr)
{
	struct vma *n = t->root, *best = NULL;
	while (n) {
		if (n->start <= addr) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

/* The VMA with the smallest start > addr, or NULL. */
struct vma *vma_tree_above(const struct vma_tree *t, uint64_t addr)
{
	struct vma *n = t->root, *best = NULL;
	while (n) {
		if (n->start > addr) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

/* The lowest VMA ending above addr. */
struct vma *vma_tree_from(const struct vma_tree *t, uint64_t addr)
{
	struct vma *f = vma_tree_floor(t, addr);
	if (f && vma_end(f) > addr)
		return f;
	return vma_tree_above(t, addr);
}

/* Links v (a fresh node with its range set) into the tree. */
void vma_tree_link(struct vma_tree *t, struct vma *v)
{
	v->left = v->right = NULL;
	v->height = 1;
	t->root = avl_insert(t->root, v);
	t->count++;
}

/* Unlinks v and returns it to the pool; the caller has settled the size counters. */
void vma_tree_unlink(struct vma_tree *t, struct vma *v)
{
	t->root = avl_remove(t->root, v->start);
	t->count--;
	pool_put(t->pool, v);
}

int vma_tree_init(struct vma_tree *tree, struct vma_pool *pool, vma_resident_fn resident_in,
		  void *ctx)
{
	if (!tree || !pool)
		return E_INVAL;
	memset(tree, 0, sizeof(*tree));
	tree->pool = pool;
	tree->resident_in = resident_in;
	tree->resident_ctx = ctx;
	return E_OK;
}

const struct vma *vma_find(const struct vma_tree *tree, uint64_t addr)
{
	const struct vma *v = tree ? vma_tree_floor(tree, addr) : NULL;
	return v && addr < vma_end(v) ? v : NULL;
}

const struct vma *vma_first_from(const struct vma_tree *tree, uint64_t addr)
{
	return tree ? vma_tree_from(tree, addr) : NULL;
}

const struct vma *vma_first(const struct vma_tree *tree)
{
	return vma_first_from(tree, 0);
}

const struct vma *vma_next(const struct vma_tree *tree, const struct vma *v)
{
	return tree && v ? vma_tree_above(tree, v->start) : NULL;
}

uint32_t vma_count(const struct vma_tree *tree)
{
	return tree ? tree->count : 0;
}

uint64_t vma_virtual_size(const struct vma_tree *tree)
{
	return tree ? tree->virtual_size : 0;
}

uint64_t vma_resident(const struct vma_tree *tree)
{
	return tree ? tree->resident : 0;
}
