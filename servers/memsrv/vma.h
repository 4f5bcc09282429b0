/*
 * The VMA layer of memsrv: each address space's set of virtual memory areas, kept in an AVL
 * tree keyed by start address. A pure data structure (no kernel calls, no heap): nodes come
 * from a caller-provided pool, and memsrv's pager/vspace layer does the mapping work that the
 * callbacks here report. docs/memsrv-vma.md describes the invariants and the error codes.
 *
 * Every operation validates its arguments and the tree's state first and then applies a change
 * that cannot fail: an error return (a negative code from mica/errors.h) means nothing changed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mica/errors.h>

#define VMA_PAGE     4096ull
#define VMA_USER_MIN 0x1000ull    /* page 0 is never mapped */
#define VMA_USER_MAX (1ull << 48) /* end of the TTBR0 (user) half */

/* Access rights: bits of vma.rights. W and X together are refused (E_WX). */
#define VMA_R   1u
#define VMA_W   2u
#define VMA_X   4u
#define VMA_RWX (VMA_R | VMA_W | VMA_X)

enum vma_kind {
	VMA_ANON,   /* anonymous memory (heap, mmap) */
	VMA_STACK,  /* a stack: its lowest guard_pages pages are never accessible */
	VMA_ELF,    /* a segment of an ELF image */
	VMA_DEVICE, /* device memory (MMIO); always eager */
	VMA_SHARED, /* memory shared with other address spaces */
	VMA_KINDS,
};

enum vma_backing {
	VMA_LAZY,  /* zero-filled page by page on first touch, through the fault path */
	VMA_EAGER, /* every page is provided when the VMA is mapped */
	VMA_BACKINGS,
};

/*
 * One VMA: [start, start + length), page-aligned, inside [VMA_USER_MIN, VMA_USER_MAX).
 * `user` is opaque here (memsrv: device physical base, ELF segment record, shared region id).
 * `offset` locates `start` in that object: a split gives the upper piece offset + (split
 * point - start), so memsrv finds a page's place as user/offset + (addr - start). For ANON
 * and STACK the layer sets offset = start, so neighbouring anonymous maps can merge.
 */
struct vma {
	uint64_t start;
	uint64_t length;
	uint64_t offset;
	uint64_t user;
	uint64_t resident;    /* resident pages (never counts guard pages) */
	uint64_t guard_pages; /* the lowest guard_pages pages are a guard: never accessible */
	uint8_t rights;       /* VMA_R | VMA_W | VMA_X, never W and X together */
	uint8_t kind;         /* enum vma_kind */
	uint8_t backing;      /* enum vma_backing */
	uint8_t height;       /* AVL: height of this subtree (a leaf is 1); 0 while free */
	struct vma *left, *right;
};

/* Node storage over a caller-provided array, shared by any number of trees. */
struct vma_pool {
	struct vma *nodes;
	uint32_t capacity;
	uint32_t free_count;
	struct vma *free_list; /* linked through ->right */
};

/*
 * Counts the resident pages in [start, start + length), which lies inside one VMA. Called when
 * a VMA is split or trimmed, before frames are released, so per-VMA counts stay exact.
 */
typedef uint64_t (*vma_resident_fn)(void *ctx, uint64_t start, uint64_t length);

/* Told about each piece [start, start + length) of VMA `v` just before it is removed. */
typedef void (*vma_unmap_fn)(void *ctx, const struct vma *v, uint64_t start, uint64_t length);

/* One address space's VMAs. The counters are kept up to date by every change. */
struct vma_tree {
	struct vma *root;
	struct vma_pool *pool;
	uint32_t count;        /* VMAs in the tree */
	uint64_t virtual_size; /* sum of lengths, bytes (guard pages included) */
	uint64_t resident;     /* sum of resident pages */
	vma_resident_fn resident_in;
	void *resident_ctx;
};

/* How a fault at an address relates to the VMAs (vma_classify). */
enum vma_fault {
	VMA_FAULT_OK,       /* inside a VMA whose rights allow the access: fill the page */
	VMA_FAULT_UNMAPPED, /* no VMA there */
	VMA_FAULT_GUARD,    /* a stack's guard page */
	VMA_FAULT_RIGHTS,   /* the VMA does not allow this access */
};

/* What vma_check found wrong (0 means nothing). */
enum vma_check_result {
	VMA_CHECK_OK,
	VMA_CHECK_NODE,     /* a node outside the pool array, or a free node in the tree */
	VMA_CHECK_ORDER,    /* keys out of order or VMAs overlapping */
	VMA_CHECK_BALANCE,  /* a wrong height, a balance factor outside -1..1, or too tall */
	VMA_CHECK_ATTR,     /* a VMA with a bad range, rights, kind, backing, guard or count */
	VMA_CHECK_MERGE,    /* two neighbours that should have been merged */
	VMA_CHECK_COUNTERS, /* count, virtual_size or resident disagree with the VMAs */
	VMA_CHECK_POOL,     /* the free list is inconsistent with free_count */
};

/*
 * Makes `pool` hand out the `capacity` nodes of `nodes` (owned by the caller, which must keep
 * them alive). Returns 0, or E_INVAL if pool is NULL or nodes is NULL with capacity > 0.
 */
int vma_pool_init(struct vma_pool *pool, struct vma *nodes, uint32_t capacity);

/* The number of nodes `pool` can still hand out (0 for NULL). */
uint32_t vma_pool_free(const struct vma_pool *pool);

/*
 * Makes `tree` an empty VMA tree drawing nodes from `pool` (a tree holding VMAs would lose
 * their nodes: unmap everything first). `resident_in` (may be NULL, then resident counting is
 * off and vma_resident_add refuses) counts resident pages for splits. Returns 0, or E_INVAL if
 * tree or pool is NULL.
 */
int vma_tree_init(struct vma_tree *tree, struct vma_pool *pool, vma_resident_fn resident_in,
		  void *ctx);

/*
 * Maps [start, start + length) as a new VMA, merged with a neighbour that it continues (same
 * rights, kind, backing and user, contiguous offset; docs/memsrv-vma.md "Merging").
 * guard_pages must be >= 1 and < length pages for VMA_STACK and 0 otherwise; VMA_DEVICE must be
 * VMA_EAGER. Returns 0, E_INVAL (bad rights bits, kind, backing, guard, zero length, NULL tree),
 * E_WX, E_ALIGN, E_RANGE (below VMA_USER_MIN, wraps, above VMA_USER_MAX), E_MAPPED (overlaps a
 * VMA) or E_NOMEM (needs a node and the pool is empty).
 */
int vma_map(struct vma_tree *tree, uint64_t start, uint64_t length, unsigned rights, unsigned kind,
	    unsigned backing, uint64_t guard_pages, uint64_t user);

/*
 * Removes every mapped page in [start, start + length), like munmap: holes in the range are
 * allowed, and a range with nothing mapped succeeds. VMAs are trimmed or split as needed.
 * `fn` (may be NULL) is called in address order for each removed piece before it goes; it
 * must not change the tree. Returns 0, E_INVAL, E_ALIGN, E_RANGE, or E_NOMEM if the range is
 * inside one VMA (a split) and the pool is empty.
 */
int vma_unmap(struct vma_tree *tree, uint64_t start, uint64_t length, vma_unmap_fn fn, void *ctx);

/*
 * Sets the rights of every page in [start, start + length), splitting VMAs at the range ends
 * and merging afterwards. Every page must be mapped. Returns 0, E_INVAL, E_WX, E_ALIGN, E_RANGE,
 * E_NOTMAPPED (a hole in the range) or E_NOMEM (fewer free nodes than the splits needed, at
 * most 2).
 */
int vma_protect(struct vma_tree *tree, uint64_t start, uint64_t length, unsigned rights);

/*
 * Picks a random start for `length` bytes: uniformly among every start s that is a multiple
 * of `align` with [s, s + length) free and inside [lo, hi), using `rng` (s = the (rng mod N)th
 * of the N candidates in address order). O(log n + k) for k VMAs in [lo, hi). Writes *start
 * and returns 0, or E_INVAL (NULL, zero length), E_ALIGN (length/lo/hi not page multiples,
 * align not a power of two in [VMA_PAGE, VMA_USER_MAX]), E_RANGE (lo/hi outside the user range
 * or lo >= hi) or E_NOMEM (no room).
 */
int vma_find_free(const struct vma_tree *tree, uint64_t length, uint64_t align, uint64_t lo,
		  uint64_t hi, uint64_t rng, uint64_t *start);

/* The VMA containing addr, or NULL. O(log n). */
const struct vma *vma_find(const struct vma_tree *tree, uint64_t addr);

/* The lowest VMA ending above addr (containing it or above it), or NULL. O(log n). */
const struct vma *vma_first_from(const struct vma_tree *tree, uint64_t addr);

/* The lowest VMA, or NULL. O(log n). */
const struct vma *vma_first(const struct vma_tree *tree);

/* The VMA after v (which must be in tree) in address order, or NULL. O(log n). */
const struct vma *vma_next(const struct vma_tree *tree, const struct vma *v);

/* The number of VMAs (0 for NULL). O(1). */
uint32_t vma_count(const struct vma_tree *tree);

/* The sum of the VMAs' lengths in bytes (0 for NULL). O(1). */
uint64_t vma_virtual_size(const struct vma_tree *tree);

/* The sum of the VMAs' resident pages (0 for NULL). O(1). */
uint64_t vma_resident(const struct vma_tree *tree);

/*
 * Adds `pages` (may be negative) to the resident count of the VMA containing addr. Returns 0,
 * E_INVAL (NULL tree, addr in a guard page), E_STATE (the tree has no resident_in function),
 * E_NOTMAPPED, or E_RANGE (the count would leave [0, the VMA's accessible pages]).
 */
int vma_resident_add(struct vma_tree *tree, uint64_t addr, int64_t pages);

/*
 * Classifies an access (a non-empty set of VMA_R/W/X) at addr: returns an enum vma_fault
 * (>= 0) and sets *out (if not NULL) to the VMA or NULL, or returns E_INVAL for a NULL tree
 * or a bad access set.
 */
int vma_classify(const struct vma_tree *tree, uint64_t addr, unsigned access,
		 const struct vma **out);

/*
 * Checks every invariant: AVL order, heights and balance, no overlaps, valid VMAs, no
 * unmerged neighbours, counters equal to the sums, and the pool's free list. O(n + capacity).
 * Returns VMA_CHECK_OK (0) or what is wrong (enum vma_check_result). For tests and audits.
 */
int vma_check(const struct vma_tree *tree);
