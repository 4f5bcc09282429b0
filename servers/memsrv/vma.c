/*
 * VMA ranges (vma.h, docs/memsrv-vma.md): map, unmap and protect over the tree layer
 * (vma_tree.c), with the splits and merges they need; placement of new VMAs in the free gaps;
 * resident-page accounting, fault classification, and the invariant check.
 *
 * Each public operation checks everything first (arguments, overlaps, coverage, free nodes)
 * and only then changes the tree with helpers that cannot fail.
 */
#include "vma.h"

#include "vma_tree.h"

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Argument checks shared by the operations. */

static int check_range(uint64_t start, uint64_t length)
{
	if (length == 0)
		return E_INVAL;
	if ((start | length) & (VMA_PAGE - 1))
		return E_ALIGN;
	if (start < VMA_USER_MIN || start >= VMA_USER_MAX || length > VMA_USER_MAX - start)
		return E_RANGE;
	return E_OK;
}

static int check_rights(unsigned rights)
{
	if (rights & ~VMA_RWX)
		return E_INVAL;
	if ((rights & VMA_W) && (rights & VMA_X))
		return E_WX;
	return E_OK;
}

/* The accessible (non-guard) pages of v inside [s, e), which lies inside v. */
static uint64_t open_pages(const struct vma *v, uint64_t s, uint64_t e)
{
	uint64_t guard_end = v->start + v->guard_pages * VMA_PAGE;
	if (s < guard_end)
		s = min_u64(guard_end, e);
	return (e - s) / VMA_PAGE;
}

/*
 * Of `res` resident pages shared between [s, e) of v and other parts of v with `out`
 * accessible pages, how many are inside [s, e): asked of resident_in, then clamped to what is
 * possible, so a wrong answer cannot break the counters' invariants.
 */
static uint64_t resident_part(const struct vma_tree *t, const struct vma *v, uint64_t res,
			      uint64_t s, uint64_t e, uint64_t out)
{
	if (res == 0 || !t->resident_in)
		return 0;
	uint64_t in = open_pages(v, s, e);
	uint64_t n = t->resident_in(t->resident_ctx, s, e - s);
	uint64_t lo = res > out ? res - out : 0, hi = min_u64(res, in);
	return n < lo ? lo : min_u64(n, hi);
}

/* Changing VMAs. None of these can fail; the callers have checked for free nodes. */

/* Makes u the part of v from `at` on, holding all but low_res of v's resident pages. */
static void split_fields(struct vma *v, struct vma *u, uint64_t at, uint64_t low_res)
{
	uint64_t low = (at - v->start) / VMA_PAGE;
	*u = *v;
	u->start = at;
	u->length = vma_end(v) - at;
	u->offset = v->offset + (at - v->start);
	u->guard_pages = v->guard_pages > low ? v->guard_pages - low : 0;
	u->resident = v->resident - low_res;
	v->length = at - v->start;
	v->guard_pages = min_u64(v->guard_pages, low);
	v->resident = low_res;
}

/* Splits v at `at` (strictly inside it); v keeps the lower part. Returns the upper part. */
static struct vma *split_at(struct vma_tree *t, struct vma *v, uint64_t at)
{
	uint64_t low_res =
	    resident_part(t, v, v->resident, v->start, at, open_pages(v, at, vma_end(v)));
	struct vma *u = vma_pool_take(t->pool);
	split_fields(v, u, at, low_res);
	vma_tree_link(t, u);
	return u;
}

/* Removes [v->start, at) of v, which held `res` resident pages. */
static void cut_low(struct vma_tree *t, struct vma *v, uint64_t at, uint64_t res)
{
	uint64_t bytes = at - v->start, pages = bytes / VMA_PAGE;
	v->guard_pages = v->guard_pages > pages ? v->guard_pages - pages : 0;
	v->offset += bytes;
	v->length -= bytes;
	v->start = at; /* still above its predecessor: the order holds without relinking */
	v->resident -= res;
	t->virtual_size -= bytes;
	t->resident -= res;
}

/* Removes [at, end) of v, which held `res` resident pages. */
static void cut_high(struct vma_tree *t, struct vma *v, uint64_t at, uint64_t res)
{
	uint64_t bytes = vma_end(v) - at;
	v->length -= bytes;
	v->guard_pages = min_u64(v->guard_pages, v->length / VMA_PAGE);
	v->resident -= res;
	t->virtual_size -= bytes;
	t->resident -= res;
}

/* Whether b, starting where a ends, continues a: same attributes, same object, and no guard. */
static bool mergeable(const struct vma *a, const struct vma *b)
{
	return vma_end(a) == b->start && a->rights == b->rights && a->kind == b->kind &&
	       a->backing == b->backing && a->user == b->user &&
	       a->offset + a->length == b->offset &&
	       (b->guard_pages == 0 || a->guard_pages * VMA_PAGE == a->length);
}

/* Folds b (mergeable after a) into a. */
static void merge_pair(struct vma_tree *t, struct vma *a, struct vma *b)
{
	a->length += b->length;
	a->guard_pages += b->guard_pages;
	a->resident += b->resident;
	vma_tree_unlink(t, b);
}

/* Merges every mergeable pair among the VMAs from the one holding start - 1 to the one at end. */
static void merge_around(struct vma_tree *t, uint64_t start, uint64_t end)
{
	struct vma *v = vma_tree_from(t, start - 1);
	while (v && v->start < end) {
		struct vma *n = vma_tree_above(t, v->start);
		if (n && mergeable(v, n))
			merge_pair(t, v, n);
		else
			v = n;
	}
}

static int map_check(const struct vma_tree *t, uint64_t start, uint64_t length, unsigned rights,
		     unsigned kind, unsigned backing, uint64_t guard)
{
	int err = check_rights(rights);
	if (err)
		return err;
	if (kind >= VMA_KINDS || backing >= VMA_BACKINGS)
		return E_INVAL;
	if ((kind == VMA_DEVICE && backing != VMA_EAGER) || (kind == VMA_STACK) != (guard != 0))
		return E_INVAL;
	err = check_range(start, length);
	if (err)
		return err;
	if (guard >= length / VMA_PAGE)
		return E_INVAL;
	struct vma *v = vma_tree_from(t, start);
	return v && v->start < start + length ? E_MAPPED : E_OK;
}

/* Puts the checked range described by c into the tree, growing a neighbour when it can. */
static void map_apply(struct vma_tree *t, const struct vma *c)
{
	struct vma *prev = vma_tree_floor(t, c->start - 1), *next = vma_tree_from(t, c->start);
	if (prev && mergeable(prev, c)) {
		prev->length += c->length;
		prev->guard_pages += c->guard_pages;
	} else if (next && mergeable(c, next)) {
		next->start = c->start; /* still above prev: the order holds */
		next->length += c->length;
		next->offset = c->offset;
		next->guard_pages += c->guard_pages;
	} else {
		struct vma *v = vma_pool_take(t->pool);
		*v = *c;
		vma_tree_link(t, v);
	}
	t->virtual_size += c->length;
	merge_around(t, c->start, vma_end(c));
}

int vma_map(struct vma_tree *tree, uint64_t start, uint64_t length, unsigned rights, unsigned kind,
	    unsigned backing, uint64_t guard_pages, uint64_t user)
{
	if (!tree)
		return E_INVAL;
	int err = map_check(tree, start, length, rights, kind, backing, guard_pages);
	if (err)
		return err;
	struct vma c = {
		.start = start,
		.length = length,
		.offset = kind == VMA_ANON || kind == VMA_STACK ? start : 0,
		.user = user,
		.guard_pages = guard_pages,
		.rights = (uint8_t)rights,
		.kind = (uint8_t)kind,
		.backing = (uint8_t)backing,
	};
	struct vma *prev = vma_tree_floor(tree, start - 1), *next = vma_tree_from(tree, start);
	bool grows = (prev && mergeable(prev, &c)) || (next && mergeable(&c, next));
	if (!grows && tree->pool->free_count == 0)
		return E_NOMEM;
	map_apply(tree, &c);
	return E_OK;
}

/* Removes [s, e), strictly inside v, holding `res` of its resident pages: v becomes two. */
static void unmap_middle(struct vma_tree *t, struct vma *v, uint64_t s, uint64_t e, uint64_t res,
			 uint64_t low_res)
{
	struct vma *u = vma_pool_take(t->pool);
	split_fields(v, u, e, low_res + res);
	cut_high(t, v, s, res);
	vma_tree_link(t, u);
}

/* Removes [s, e) (inside v, not empty) from v after telling fn. */
static void unmap_piece(struct vma_tree *t, struct vma *v, uint64_t s, uint64_t e, vma_unmap_fn fn,
			void *ctx)
{
	uint64_t below = open_pages(v, v->start, s), above = open_pages(v, e, vma_end(v));
	uint64_t res = resident_part(t, v, v->resident, s, e, below + above), low_res = 0;
	if (s > v->start && e < vma_end(v))
		low_res = resident_part(t, v, v->resident - res, v->start, s, above);
	if (fn)
		fn(ctx, v, s, e - s);
	if (s == v->start && e == vma_end(v)) {
		t->virtual_size -= v->length;
		t->resident -= v->resident;
		vma_tree_unlink(t, v);
	} else if (s == v->start) {
		cut_low(t, v, e, res);
	} else if (e == vma_end(v)) {
		cut_high(t, v, s, res);
	} else {
		unmap_middle(t, v, s, e, res, low_res);
	}
}

int vma_unmap(struct vma_tree *tree, uint64_t start, uint64_t length, vma_unmap_fn fn, void *ctx)
{
	if (!tree)
		return E_INVAL;
	int err = check_range(start, length);
	if (err)
		return err;
	uint64_t end = start + length;
	struct vma *v = vma_tree_from(tree, start);
	if (v && v->start < start && vma_end(v) > end && tree->pool->free_count == 0)
		return E_NOMEM;
	/* Invariant: every page of [start, v->start) is unmapped. */
	while (v && v->start < end) {
		uint64_t next = vma_end(v);
		unmap_piece(tree, v, max_u64(v->start, start), min_u64(next, end), fn, ctx);
		v = next < end ? vma_tree_from(tree, next) : NULL;
	}
	return E_OK;
}

/* E_NOTMAPPED unless VMAs cover [start, end); else sets *splits to the splits protect needs. */
static int protect_check(const struct vma_tree *t, uint64_t start, uint64_t end, unsigned rights,
			 uint32_t *splits)
{
	struct vma *v = vma_tree_floor(t, start);
	if (!v || vma_end(v) <= start)
		return E_NOTMAPPED;
	*splits = v->start < start && v->rights != rights;
	while (vma_end(v) < end) {
		struct vma *n = vma_tree_above(t, v->start);
		if (!n || n->start != vma_end(v))
			return E_NOTMAPPED;
		v = n;
	}
	*splits += vma_end(v) > end && v->rights != rights;
	return E_OK;
}

/* Gives [start, end) (covered, with enough free nodes) the new rights, then merges. */
static void protect_apply(struct vma_tree *t, uint64_t start, uint64_t end, unsigned rights)
{
	struct vma *v = vma_tree_floor(t, start);
	/* Invariant: [start, v->start) has the new rights, and v holds max(start, v->start). */
	while (v) {
		uint64_t next = vma_end(v);
		if (v->rights != rights) {
			if (v->start < start)
				v = split_at(t, v, start);
			if (vma_end(v) > end)
				split_at(t, v, end);
			v->rights = (uint8_t)rights;
		}
		v = next < end ? vma_tree_above(t, v->start) : NULL;
	}
	merge_around(t, start, end);
}

int vma_protect(struct vma_tree *tree, uint64_t start, uint64_t length, unsigned rights)
{
	uint32_t splits = 0;
	if (!tree)
		return E_INVAL;
	int err = check_rights(rights);
	if (!err)
		err = check_range(start, length);
	if (!err)
		err = protect_check(tree, start, start + length, rights, &splits);
	if (!err && tree->pool->free_count < splits)
		err = E_NOMEM;
	if (!err)
		protect_apply(tree, start, start + length, rights);
	return err;
}

/* Placement: the free gaps in [lo, hi), visited in address order, counted then chosen from. */
struct gap_walk {
	uint64_t lo, hi, length, align;
	uint64_t cursor; /* everything in [lo, cursor) has been visited */
	uint64_t total;  /* candidates seen so far */
	uint64_t pick;   /* when choosing: the index of the candidate wanted */
	bool choosing, found;
	uint64_t start;
};

/* Counts the aligned starts s with [s, s + length) inside [a, b); or picks one. */
static void gap_visit(struct gap_walk *w, uint64_t a, uint64_t b)
{
	uint64_t s = (a + w->align - 1) & ~(w->align - 1), n = 0;
	if (s < b && b - s >= w->length)
		n = (b - s - w->length) / w->align + 1;
	if (w->choosing && !w->found && w->pick >= w->total && w->pick < w->total + n) {
		w->start = s + (w->pick - w->total) * w->align;
		w->found = true;
	}
	w->total += n;
}

/* In-order walk of the VMAs overlapping [lo, hi), visiting the gaps between them. */
static void gap_walk_tree(struct gap_walk *w, const struct vma *n)
{
	if (!n || w->found)
		return;
	if (n->start > w->lo)
		gap_walk_tree(w, n->left);
	if (n->start < w->hi && vma_end(n) > w->lo) {
		if (n->start > w->cursor)
			gap_visit(w, w->cursor, n->start);
		w->cursor = max_u64(w->cursor, vma_end(n));
	}
	if (vma_end(n) < w->hi)
		gap_walk_tree(w, n->right);
}

static void gap_walk(struct gap_walk *w, const struct vma_tree *t)
{
	w->cursor = w->lo;
	w->total = 0;
	gap_walk_tree(w, t->root);
	if (w->cursor < w->hi)
		gap_visit(w, w->cursor, w->hi);
}

int vma_find_free(const struct vma_tree *tree, uint64_t length, uint64_t align, uint64_t lo,
		  uint64_t hi, uint64_t rng, uint64_t *start)
{
	if (!tree || !start || length == 0)
		return E_INVAL;
	if ((length | lo | hi) & (VMA_PAGE - 1) || align < VMA_PAGE || align > VMA_USER_MAX ||
	    (align & (align - 1)))
		return E_ALIGN;
	if (lo < VMA_USER_MIN || hi > VMA_USER_MAX || lo >= hi)
		return E_RANGE;
	struct gap_walk w = { .lo = lo, .hi = hi, .length = length, .align = align };
	gap_walk(&w, tree);
	if (w.total == 0)
		return E_NOMEM;
	w.pick = rng % w.total; /* bias <= total / 2^64, and total < 2^36 */
	w.choosing = true;
	gap_walk(&w, tree);
	*start = w.start;
	return E_OK;
}

/* Whether addr is in one of v's guard pages. */
static bool in_guard(const struct vma *v, uint64_t addr)
{
	return addr - v->start < v->guard_pages * VMA_PAGE;
}

int vma_resident_add(struct vma_tree *tree, uint64_t addr, int64_t pages)
{
	if (!tree)
		return E_INVAL;
	if (!tree->resident_in)
		return E_STATE;
	struct vma *v = (struct vma *)vma_find(tree, addr);
	if (!v)
		return E_NOTMAPPED;
	if (in_guard(v, addr))
		return E_INVAL;
	uint64_t open = open_pages(v, v->start, vma_end(v));
	uint64_t mag = pages < 0 ? 0 - (uint64_t)pages : (uint64_t)pages;
	if (pages < 0 ? mag > v->resident : mag > open - v->resident)
		return E_RANGE;
	v->resident = pages < 0 ? v->resident - mag : v->resident + mag;
	tree->resident = pages < 0 ? tree->resident - mag : tree->resident + mag;
	return E_OK;
}

int vma_classify(const struct vma_tree *tree, uint64_t addr, unsigned access,
		 const struct vma **out)
{
	if (!tree || access == 0 || (access & ~VMA_RWX))
		return E_INVAL;
	const struct vma *v = vma_find(tree, addr);
	if (out)
		*out = v;
	if (!v)
		return VMA_FAULT_UNMAPPED;
	if (in_guard(v, addr))
		return VMA_FAULT_GUARD;
	return (access & ~v->rights) ? VMA_FAULT_RIGHTS : VMA_FAULT_OK;
}

/* Invariant checking (vma_check). */
struct check_state {
	const struct vma_pool *pool;
	const struct vma *prev;
	uint32_t count;
	uint64_t size, resident;
	int bad;
};

static bool in_pool(const struct vma_pool *p, const struct vma *v)
{
	uintptr_t a = (uintptr_t)v, base = (uintptr_t)p->nodes;
	return a >= base && a < base + (uintptr_t)p->capacity * sizeof(*v) &&
	       (a - base) % sizeof(*v) == 0;
}

static bool vma_valid(const struct vma *v)
{
	uint64_t pages = v->length / VMA_PAGE;
	if (check_range(v->start, v->length) || check_rights(v->rights) || v->kind >= VMA_KINDS ||
	    v->backing >= VMA_BACKINGS || (v->kind == VMA_DEVICE && v->backing != VMA_EAGER))
		return false;
	if (v->guard_pages > pages || (v->guard_pages && v->kind != VMA_STACK))
		return false;
	if ((v->kind == VMA_ANON || v->kind == VMA_STACK) && v->offset != v->start)
		return false;
	return v->resident <= pages - v->guard_pages;
}

/* Checks one VMA against its predecessor in address order and adds it to the sums. */
static void check_visit(struct check_state *s, const struct vma *v)
{
	if (!vma_valid(v))
		s->bad = VMA_CHECK_ATTR;
	else if (s->prev && vma_end(s->prev) > v->start)
		s->bad = VMA_CHECK_ORDER;
	else if (s->prev && mergeable(s->prev, v))
		s->bad = VMA_CHECK_MERGE;
	s->prev = v;
	s->count++;
	s->size += v->length;
	s->resident += v->resident;
}

/* Checks subtree n (at `depth`) in order; returns its height. */
static int check_subtree(struct check_state *s, const struct vma *n, int depth)
{
	if (!n || s->bad)
		return 0;
	if (!in_pool(s->pool, n) || n->height == 0 || s->count >= s->pool->capacity) {
		s->bad = VMA_CHECK_NODE;
		return 0;
	}
	if (depth > 64) {
		s->bad = VMA_CHECK_BALANCE;
		return 0;
	}
	int l = check_subtree(s, n->left, depth + 1);
	if (!s->bad)
		check_visit(s, n);
	int r = check_subtree(s, n->right, depth + 1);
	if (!s->bad && (n->height != (l > r ? l : r) + 1 || l - r > 1 || r - l > 1))
		s->bad = VMA_CHECK_BALANCE;
	return n->height;
}

/* Whether n nodes can make an AVL tree of height h: it needs N(h) = N(h-1) + N(h-2) + 1. */
static bool height_fits(int h, uint32_t n)
{
	uint64_t a = 0, b = 1; /* N(0), N(1) */
	if (h == 0)
		return true;
	for (int i = 1; i < h; i++) {
		uint64_t c = a + b + 1;
		a = b;
		b = c;
	}
	return b <= n;
}

static int check_pool(const struct vma_pool *p, uint32_t used)
{
	uint32_t n = 0;
	for (const struct vma *v = p->free_list; v; v = v->right) {
		if (n++ >= p->capacity || !in_pool(p, v) || v->height != 0)
			return VMA_CHECK_POOL;
	}
	return n == p->free_count && used <= p->capacity - n ? VMA_CHECK_OK : VMA_CHECK_POOL;
}

int vma_check(const struct vma_tree *tree)
{
	if (!tree || !tree->pool)
		return VMA_CHECK_NODE;
	struct check_state s = { .pool = tree->pool };
	int h = check_subtree(&s, tree->root, 1);
	if (s.bad)
		return s.bad;
	if (!height_fits(h, s.count))
		return VMA_CHECK_BALANCE;
	if (s.count != tree->count || s.size != tree->virtual_size || s.resident != tree->resident)
		return VMA_CHECK_COUNTERS;
	return check_pool(tree->pool, s.count);
}
