/* Host tests for memsrv's VMA tree (servers/memsrv/vma.c). */
#include "../../servers/memsrv/vma.h" /* no memsrv include path: tests share unit_inc */
#include "check.h"

#include <stdbool.h>

CHECK_DEFINE_GLOBALS;

#define P    VMA_PAGE
#define RW   (VMA_R | VMA_W)
#define RX   (VMA_R | VMA_X)
#define BIGN 10000

static struct vma nodes[BIGN + 2048];
static struct vma_pool pool;
static struct vma_tree tree;

/* Pages marked resident for the trees' resident_in hook: page i is address i * P. */
#define RES_PAGES 0x1000
static bool res_page[RES_PAGES];

static uint64_t count_res(void *ctx, uint64_t start, uint64_t length)
{
	uint64_t n = 0;
	(void)ctx;
	for (uint64_t a = start; a < start + length; a += P)
		n += a / P < RES_PAGES && res_page[a / P];
	return n;
}

static void fresh(uint32_t capacity)
{
	memset(res_page, 0, sizeof(res_page));
	CHECK_EQ(vma_pool_init(&pool, nodes, capacity), 0);
	CHECK_EQ(vma_tree_init(&tree, &pool, count_res, NULL), 0);
}

static int map_anon(uint64_t start, uint64_t pages, unsigned rights)
{
	return vma_map(&tree, start, pages * P, rights, VMA_ANON, VMA_LAZY, 0, 0);
}

/* The VMAs and counters, without tree links, to show that a failed call changed nothing. */
struct snap {
	uint32_t n, free;
	uint64_t size, res;
	struct vma v[16];
};

static void snap_take(struct snap *s)
{
	memset(s, 0, sizeof(*s));
	for (const struct vma *v = vma_first(&tree); v && s->n < 16; v = vma_next(&tree, v)) {
		s->v[s->n] = *v;
		s->v[s->n].left = s->v[s->n].right = NULL;
		s->v[s->n++].height = 0;
	}
	s->free = vma_pool_free(&pool);
	s->size = vma_virtual_size(&tree);
	s->res = vma_resident(&tree);
}

static bool snap_same(const struct snap *a)
{
	struct snap b;
	snap_take(&b);
	return vma_count(&tree) == a->n && memcmp(a, &b, sizeof(b)) == 0;
}

/* Removed pieces reported by vma_unmap: (v->start, v->length, start, length). */
static uint64_t cut[16][4];
static int ncut;

static void record_cut(void *ctx, const struct vma *v, uint64_t start, uint64_t length)
{
	(void)ctx;
	if (ncut < 16) {
		uint64_t row[4] = { v->start, v->length, start, length };
		memcpy(cut[ncut], row, sizeof(row));
	}
	ncut++;
	for (uint64_t a = start; a < start + length; a += P) /* memsrv frees the frames here */
		if (a / P < RES_PAGES)
			res_page[a / P] = false;
}

static void check_cut(int i, uint64_t vstart, uint64_t vlen, uint64_t start, uint64_t len)
{
	CHECK_EQ(cut[i][0], vstart);
	CHECK_EQ(cut[i][1], vlen);
	CHECK_EQ(cut[i][2], start);
	CHECK_EQ(cut[i][3], len);
}

static int unmap(uint64_t start, uint64_t length)
{
	ncut = 0;
	return vma_unmap(&tree, start, length, record_cut, NULL);
}

static void test_map_then_find_at_exact_boundaries(void)
{
	fresh(16);
	CHECK_EQ(map_anon(0x10000, 3, RW), 0);
	const struct vma *v = vma_find(&tree, 0x10000);
	CHECK(v != NULL && v->start == 0x10000 && v->length == 3 * P);
	CHECK(vma_find(&tree, 0x10000 + 3 * P - 1) == v);
	CHECK(vma_find(&tree, 0x10000 + 3 * P) == NULL);
	CHECK(vma_find(&tree, 0xffff) == NULL);
	CHECK(v && v->rights == RW && v->kind == VMA_ANON && v->backing == VMA_LAZY);
	CHECK(v && v->offset == 0x10000);
	CHECK_EQ(vma_count(&tree), 1);
	CHECK_EQ(vma_virtual_size(&tree), 3 * P);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_map_first_and_last_user_pages(void)
{
	fresh(16);
	CHECK_EQ(map_anon(VMA_USER_MIN, 1, VMA_R), 0);
	CHECK_EQ(map_anon(VMA_USER_MAX - P, 1, VMA_R), 0);
	CHECK(vma_find(&tree, VMA_USER_MIN) != NULL);
	CHECK(vma_find(&tree, VMA_USER_MAX - 1) != NULL);
	CHECK(vma_find(&tree, VMA_USER_MAX) == NULL);
	CHECK(vma_find(&tree, 0) == NULL);
	CHECK_EQ(vma_count(&tree), 2);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_map_refuses_bad_ranges_and_changes_nothing(void)
{
	struct snap s;
	fresh(16);
	CHECK_EQ(map_anon(0x10000, 1, RW), 0);
	snap_take(&s);
	CHECK_EQ(map_anon(0x20000, 0, RW), E_INVAL);
	CHECK_EQ(vma_map(&tree, 0x20001, P, RW, VMA_ANON, VMA_LAZY, 0, 0), E_ALIGN);
	CHECK_EQ(vma_map(&tree, 0x20000, P + 1, RW, VMA_ANON, VMA_LAZY, 0, 0), E_ALIGN);
	CHECK_EQ(map_anon(0, 1, RW), E_RANGE);                     /* page 0 */
	CHECK_EQ(map_anon(VMA_USER_MAX - P, 2, RW), E_RANGE);      /* past the top */
	CHECK_EQ(map_anon(VMA_USER_MAX, 1, RW), E_RANGE);          /* just above */
	CHECK_EQ(map_anon(0xffff000000000000ull, 1, RW), E_RANGE); /* kernel half */
	CHECK_EQ(vma_map(&tree, 0x20000, 0 - 0x10000ull, RW, 0, 0, 0, 0), E_RANGE); /* wraps */
	CHECK_EQ(vma_map(&tree, 0xfffffffffffff000ull, 2 * P, RW, 0, 0, 0, 0), E_RANGE);
	CHECK_EQ(vma_map(NULL, 0x20000, P, RW, VMA_ANON, VMA_LAZY, 0, 0), E_INVAL);
	CHECK(snap_same(&s));
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_map_refuses_bad_attributes(void)
{
	struct snap s;
	fresh(16);
	snap_take(&s);
	CHECK_EQ(map_anon(0x10000, 1, VMA_W | VMA_X), E_WX);
	CHECK_EQ(map_anon(0x10000, 1, VMA_RWX), E_WX);
	CHECK_EQ(map_anon(0x10000, 1, 8), E_INVAL);
	CHECK_EQ(vma_map(&tree, 0x10000, P, RW, VMA_KINDS, VMA_LAZY, 0, 0), E_INVAL);
	CHECK_EQ(vma_map(&tree, 0x10000, P, RW, VMA_ANON, VMA_BACKINGS, 0, 0), E_INVAL);
	CHECK_EQ(vma_map(&tree, 0x10000, P, RW, VMA_DEVICE, VMA_LAZY, 0, 0), E_INVAL);
	CHECK_EQ(vma_map(&tree, 0x10000, 4 * P, RW, VMA_STACK, VMA_LAZY, 0, 0), E_INVAL);
	CHECK_EQ(vma_map(&tree, 0x10000, 4 * P, RW, VMA_ANON, VMA_LAZY, 1, 0), E_INVAL);
	CHECK_EQ(vma_map(&tree, 0x10000, 4 * P, RW, VMA_STACK, VMA_LAZY, 4, 0), E_INVAL);
	CHECK(snap_same(&s));
	CHECK_EQ(vma_map(&tree, 0x10000, 4 * P, RW, VMA_STACK, VMA_LAZY, 3, 0), 0);
	CHECK_EQ(map_anon(0x20000, 1, RX), 0);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_map_refuses_every_kind_of_overlap(void)
{
	struct snap s;
	fresh(16);
	CHECK_EQ(map_anon(0x20000, 4, RW), 0);
	snap_take(&s);
	CHECK_EQ(map_anon(0x20000, 4, RW), E_MAPPED); /* the same range */
	CHECK_EQ(map_anon(0x1f000, 2, RW), E_MAPPED); /* its first page */
	CHECK_EQ(map_anon(0x23000, 2, RW), E_MAPPED); /* its last page */
	CHECK_EQ(map_anon(0x1f000, 6, RW), E_MAPPED); /* around it */
	CHECK_EQ(map_anon(0x21000, 1, RW), E_MAPPED); /* inside it */
	CHECK(snap_same(&s));
	CHECK_EQ(map_anon(0x1f000, 1, VMA_R), 0); /* adjacent below and above */
	CHECK_EQ(map_anon(0x24000, 1, VMA_R), 0);
	CHECK_EQ(vma_count(&tree), 3);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_adjacent_identical_maps_merge(void)
{
	fresh(16);
	CHECK_EQ(map_anon(0x10000, 2, RW), 0);
	CHECK_EQ(map_anon(0x12000, 1, RW), 0); /* grows the VMA below */
	CHECK_EQ(vma_count(&tree), 1);
	CHECK_EQ(vma_find(&tree, 0x10000)->length, 3 * P);
	CHECK_EQ(map_anon(0x13000, 1, VMA_R), 0); /* other rights: a new VMA */
	CHECK_EQ(vma_map(&tree, 0x20000, P, RW, VMA_ANON, VMA_LAZY, 0, 7), 0);
	CHECK_EQ(vma_map(&tree, 0x21000, P, RW, VMA_ANON, VMA_LAZY, 0, 8), 0); /* other user */
	CHECK_EQ(vma_count(&tree), 4);
	CHECK_EQ(map_anon(0x30000, 1, RW), 0);
	CHECK_EQ(map_anon(0x32000, 1, RW), 0);
	CHECK_EQ(map_anon(0x31000, 1, RW), 0); /* fills the hole: three become one */
	CHECK_EQ(vma_count(&tree), 5);
	CHECK_EQ(vma_find(&tree, 0x31000)->start, 0x30000);
	CHECK_EQ(vma_find(&tree, 0x31000)->length, 3 * P);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_growing_maps_need_no_free_node(void)
{
	fresh(1);
	CHECK_EQ(map_anon(0x10000, 1, RW), 0);
	CHECK_EQ(vma_pool_free(&pool), 0);
	CHECK_EQ(map_anon(0x11000, 1, RW), 0); /* extends upwards */
	CHECK_EQ(map_anon(0xf000, 1, RW), 0);  /* extends downwards */
	CHECK_EQ(map_anon(0x20000, 1, RW), E_NOMEM);
	CHECK_EQ(map_anon(0x12000, 1, VMA_R), E_NOMEM);
	CHECK_EQ(vma_count(&tree), 1);
	CHECK_EQ(vma_virtual_size(&tree), 3 * P);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_device_pieces_keep_their_offsets(void)
{
	fresh(16);
	CHECK_EQ(vma_map(&tree, 0x40000, 4 * P, RW, VMA_DEVICE, VMA_EAGER, 0, 0x9000000), 0);
	CHECK_EQ(unmap(0x41000, P), 0);
	const struct vma *hi = vma_find(&tree, 0x42000);
	CHECK(hi && hi->start == 0x42000 && hi->offset == 0x2000 && hi->user == 0x9000000);
	CHECK_EQ(vma_find(&tree, 0x40000)->offset, 0);
	/* A new mapping of the same device is another object: it does not merge. */
	CHECK_EQ(vma_map(&tree, 0x41000, P, RW, VMA_DEVICE, VMA_EAGER, 0, 0x9000000), 0);
	CHECK_EQ(vma_count(&tree), 3);
	CHECK_EQ(vma_protect(&tree, 0x42000, P, VMA_R), 0);
	CHECK_EQ(vma_find(&tree, 0x43000)->offset, 0x3000);
	CHECK_EQ(vma_protect(&tree, 0x42000, P, RW), 0); /* the pieces of one mapping re-merge */
	CHECK_EQ(vma_count(&tree), 3);
	CHECK_EQ(vma_find(&tree, 0x43000)->start, 0x42000);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_unmap_whole_low_high_and_middle(void)
{
	fresh(16);
	CHECK_EQ(map_anon(0x10000, 4, RW), 0);
	CHECK_EQ(unmap(0x10000, 4 * P), 0);
	CHECK_EQ(ncut, 1);
	check_cut(0, 0x10000, 4 * P, 0x10000, 4 * P);
	CHECK_EQ(vma_count(&tree), 0);
	CHECK_EQ(vma_pool_free(&pool), 16);

	CHECK_EQ(map_anon(0x10000, 8, RW), 0);
	CHECK_EQ(unmap(0x10000, 2 * P), 0); /* low end */
	check_cut(0, 0x10000, 8 * P, 0x10000, 2 * P);
	CHECK_EQ(unmap(0x16000, 2 * P), 0); /* high end */
	check_cut(0, 0x12000, 6 * P, 0x16000, 2 * P);
	const struct vma *v = vma_find(&tree, 0x12000);
	CHECK(v && v->start == 0x12000 && v->length == 4 * P && v->offset == 0x12000);
	CHECK_EQ(unmap(0x13000, 2 * P), 0); /* middle: two VMAs */
	check_cut(0, 0x12000, 4 * P, 0x13000, 2 * P);
	CHECK_EQ(vma_count(&tree), 2);
	CHECK_EQ(vma_find(&tree, 0x12000)->length, P);
	CHECK_EQ(vma_find(&tree, 0x15000)->start, 0x15000);
	CHECK(vma_find(&tree, 0x13000) == NULL && vma_find(&tree, 0x14fff) == NULL);
	CHECK_EQ(vma_virtual_size(&tree), 2 * P);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_unmap_spanning_three_vmas_and_holes(void)
{
	fresh(16);
	CHECK_EQ(map_anon(0x10000, 4, RW), 0);
	CHECK_EQ(map_anon(0x20000, 2, VMA_R), 0);
	CHECK_EQ(map_anon(0x30000, 4, RX), 0);
	CHECK_EQ(unmap(0x12000, 0x20000), 0);
	CHECK_EQ(ncut, 3);
	check_cut(0, 0x10000, 4 * P, 0x12000, 2 * P);
	check_cut(1, 0x20000, 2 * P, 0x20000, 2 * P);
	check_cut(2, 0x30000, 4 * P, 0x30000, 2 * P);
	CHECK_EQ(vma_count(&tree), 2);
	CHECK_EQ(vma_find(&tree, 0x11000)->length, 2 * P);
	CHECK_EQ(vma_find(&tree, 0x32000)->start, 0x32000);
	CHECK_EQ(vma_virtual_size(&tree), 4 * P);
	CHECK_EQ(unmap(0x50000, 4 * P), 0); /* nothing there: fine, like munmap */
	CHECK_EQ(ncut, 0);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_unmap_refuses_bad_ranges(void)
{
	struct snap s;
	fresh(16);
	CHECK_EQ(map_anon(0x10000, 4, RW), 0);
	snap_take(&s);
	CHECK_EQ(unmap(0x10000, 0), E_INVAL);
	CHECK_EQ(unmap(0x10800, P), E_ALIGN);
	CHECK_EQ(unmap(0x10000, 100), E_ALIGN);
	CHECK_EQ(unmap(0, 0x20000), E_RANGE);
	CHECK_EQ(unmap(0x10000, 0 - 0x10000ull), E_RANGE);
	CHECK_EQ(unmap(0xffff800000000000ull, P), E_RANGE);
	CHECK_EQ(vma_unmap(NULL, 0x10000, P, NULL, NULL), E_INVAL);
	CHECK_EQ(ncut, 0);
	CHECK(snap_same(&s));
}

static void test_unmap_split_with_empty_pool_changes_nothing(void)
{
	struct snap s;
	fresh(2);
	CHECK_EQ(map_anon(0x10000, 4, RW), 0);
	CHECK_EQ(map_anon(0x20000, 1, RW), 0);
	snap_take(&s);
	CHECK_EQ(unmap(0x11000, P), E_NOMEM);
	CHECK_EQ(ncut, 0);
	CHECK(snap_same(&s));
	CHECK_EQ(unmap(0x10000, P), 0); /* trimming needs no node */
	CHECK_EQ(unmap(0x20000, P), 0);
	CHECK_EQ(vma_pool_free(&pool), 1);
	CHECK_EQ(unmap(0x12000, P), 0); /* now a split fits */
	CHECK_EQ(vma_count(&tree), 2);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_protect_middle_splits_in_three_and_merges_back(void)
{
	fresh(16);
	CHECK_EQ(map_anon(0x10000, 6, RW), 0);
	CHECK_EQ(vma_protect(&tree, 0x12000, 2 * P, VMA_R), 0);
	CHECK_EQ(vma_count(&tree), 3);
	const struct vma *m = vma_find(&tree, 0x12000);
	CHECK(m && m->start == 0x12000 && m->length == 2 * P && m->rights == VMA_R);
	CHECK_EQ(vma_find(&tree, 0x11000)->rights, RW);
	CHECK_EQ(vma_find(&tree, 0x14000)->rights, RW);
	CHECK_EQ(vma_virtual_size(&tree), 6 * P);
	CHECK_EQ(vma_protect(&tree, 0x12000, 2 * P, RW), 0);
	CHECK_EQ(vma_count(&tree), 1);
	CHECK_EQ(vma_pool_free(&pool), 15);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_protect_over_a_hole_changes_nothing(void)
{
	struct snap s;
	fresh(16);
	CHECK_EQ(map_anon(0x10000, 2, RW), 0);
	CHECK_EQ(map_anon(0x13000, 2, RW), 0);
	snap_take(&s);
	CHECK_EQ(vma_protect(&tree, 0x10000, 5 * P, VMA_R), E_NOTMAPPED); /* hole inside */
	CHECK_EQ(vma_protect(&tree, 0xf000, 2 * P, VMA_R), E_NOTMAPPED);  /* hole at the start */
	CHECK_EQ(vma_protect(&tree, 0x14000, 2 * P, VMA_R), E_NOTMAPPED); /* hole at the end */
	CHECK_EQ(vma_protect(&tree, 0x12000, P, VMA_R), E_NOTMAPPED);     /* only the hole */
	CHECK(snap_same(&s));
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_protect_refuses_bad_arguments(void)
{
	struct snap s;
	fresh(16);
	CHECK_EQ(map_anon(0x10000, 2, RW), 0);
	snap_take(&s);
	CHECK_EQ(vma_protect(&tree, 0x10000, P, VMA_W | VMA_X), E_WX);
	CHECK_EQ(vma_protect(&tree, 0x10000, P, 0x10), E_INVAL);
	CHECK_EQ(vma_protect(&tree, 0x10000, 0, VMA_R), E_INVAL);
	CHECK_EQ(vma_protect(&tree, 0x10010, P, VMA_R), E_ALIGN);
	CHECK_EQ(vma_protect(&tree, 0x10000, 0 - 0x10000ull, VMA_R), E_RANGE);
	CHECK_EQ(vma_protect(&tree, 0xffff000000010000ull, P, VMA_R), E_RANGE);
	CHECK_EQ(vma_protect(NULL, 0x10000, P, VMA_R), E_INVAL);
	CHECK(snap_same(&s));
	CHECK_EQ(vma_protect(&tree, 0x10000, 2 * P, 0), 0); /* no access at all is allowed */
	CHECK_EQ(vma_find(&tree, 0x10000)->rights, 0);
}

static void test_protect_checks_free_nodes_first(void)
{
	struct snap s;
	fresh(2);
	CHECK_EQ(map_anon(0x10000, 8, RW), 0);
	snap_take(&s);
	CHECK_EQ(vma_pool_free(&pool), 1);
	CHECK_EQ(vma_protect(&tree, 0x12000, P, VMA_R), E_NOMEM); /* two splits */
	CHECK(snap_same(&s));
	CHECK_EQ(vma_protect(&tree, 0x10000, 2 * P, VMA_R), 0); /* one split */
	CHECK_EQ(vma_pool_free(&pool), 0);
	CHECK_EQ(vma_protect(&tree, 0x13000, P, RW), 0); /* same rights: no split */
	snap_take(&s);
	CHECK_EQ(vma_protect(&tree, 0x11000, 2 * P, RX), E_NOMEM); /* splits in both VMAs */
	CHECK(snap_same(&s));
	CHECK_EQ(vma_protect(&tree, 0x10000, 8 * P, RW), 0); /* no split, and a merge */
	CHECK_EQ(vma_count(&tree), 1);
	CHECK_EQ(vma_pool_free(&pool), 1);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_protect_across_vmas_merges_them(void)
{
	fresh(16);
	CHECK_EQ(map_anon(0x10000, 1, VMA_R), 0);
	CHECK_EQ(map_anon(0x11000, 1, RW), 0);
	CHECK_EQ(map_anon(0x12000, 1, VMA_R), 0);
	CHECK_EQ(map_anon(0x13000, 1, RW), 0);
	CHECK_EQ(vma_count(&tree), 4);
	CHECK_EQ(vma_protect(&tree, 0x10000, 3 * P, VMA_R), 0);
	CHECK_EQ(vma_count(&tree), 2);
	CHECK_EQ(vma_find(&tree, 0x12000)->start, 0x10000);
	CHECK_EQ(vma_check(&tree), 0);
}

static int classify(uint64_t addr, unsigned access)
{
	return vma_classify(&tree, addr, access, NULL);
}

static void test_stack_guard_pages_fault_as_guard(void)
{
	const struct vma *v = NULL;
	fresh(16);
	CHECK_EQ(vma_map(&tree, 0x100000, 8 * P, RW, VMA_STACK, VMA_LAZY, 2, 0), 0);
	CHECK_EQ(vma_classify(&tree, 0x100000, VMA_R, &v), VMA_FAULT_GUARD);
	CHECK(v && v->start == 0x100000);
	CHECK_EQ(classify(0x101fff, VMA_W), VMA_FAULT_GUARD);
	CHECK_EQ(classify(0x102000, RW), VMA_FAULT_OK);
	CHECK_EQ(classify(0x107fff, VMA_X), VMA_FAULT_RIGHTS);
	CHECK_EQ(vma_classify(&tree, 0x108000, VMA_R, &v), VMA_FAULT_UNMAPPED);
	CHECK(v == NULL);
	CHECK_EQ(classify(0x102000, 0), E_INVAL);
	CHECK_EQ(classify(0x102000, 8), E_INVAL);
	/* A split inside the guard keeps the guard pages where they are. */
	CHECK_EQ(vma_protect(&tree, 0x101000, 3 * P, VMA_R), 0);
	CHECK_EQ(vma_count(&tree), 3);
	CHECK_EQ(vma_find(&tree, 0x100000)->guard_pages, 1);
	CHECK_EQ(vma_find(&tree, 0x101000)->guard_pages, 1);
	CHECK_EQ(vma_find(&tree, 0x104000)->guard_pages, 0);
	CHECK_EQ(classify(0x101000, VMA_R), VMA_FAULT_GUARD);
	CHECK_EQ(classify(0x102000, VMA_W), VMA_FAULT_RIGHTS);
	CHECK_EQ(vma_protect(&tree, 0x101000, 3 * P, RW), 0);
	CHECK_EQ(vma_count(&tree), 1);
	CHECK_EQ(vma_find(&tree, 0x100000)->guard_pages, 2);
	/* Unmapping the guard pages leaves a stack without a guard. */
	CHECK_EQ(unmap(0x100000, P), 0);
	CHECK_EQ(vma_find(&tree, 0x101000)->guard_pages, 1);
	CHECK_EQ(unmap(0x101000, P), 0);
	CHECK_EQ(vma_find(&tree, 0x102000)->guard_pages, 0);
	CHECK_EQ(classify(0x102000, VMA_R), VMA_FAULT_OK);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_stack_above_a_stack_keeps_both_guards(void)
{
	fresh(16);
	CHECK_EQ(vma_map(&tree, 0x200000, 4 * P, RW, VMA_STACK, VMA_LAZY, 1, 0), 0);
	CHECK_EQ(vma_map(&tree, 0x204000, 4 * P, RW, VMA_STACK, VMA_LAZY, 1, 0), 0);
	CHECK_EQ(vma_count(&tree), 2);
	CHECK_EQ(classify(0x204000, VMA_R), VMA_FAULT_GUARD);
	CHECK_EQ(classify(0x203000, VMA_R), VMA_FAULT_OK);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_resident_counts_follow_splits_and_unmaps(void)
{
	fresh(16);
	CHECK_EQ(map_anon(0x10000, 8, RW), 0);
	static const int touched[] = { 0x11, 0x12, 0x16 };
	for (int i = 0; i < 3; i++) {
		res_page[touched[i]] = true;
		CHECK_EQ(vma_resident_add(&tree, (uint64_t)touched[i] * P, 1), 0);
	}
	CHECK_EQ(vma_resident(&tree), 3);
	CHECK_EQ(vma_protect(&tree, 0x12000, 2 * P, VMA_R), 0);
	CHECK_EQ(vma_find(&tree, 0x10000)->resident, 1);
	CHECK_EQ(vma_find(&tree, 0x12000)->resident, 1);
	CHECK_EQ(vma_find(&tree, 0x14000)->resident, 1);
	CHECK_EQ(unmap(0x11000, 2 * P), 0);
	CHECK_EQ(vma_resident(&tree), 1);
	CHECK_EQ(vma_find(&tree, 0x10000)->resident, 0);
	CHECK_EQ(vma_find(&tree, 0x13000)->resident, 0);
	CHECK_EQ(vma_resident_add(&tree, 0x10000, -1), E_RANGE);
	CHECK_EQ(vma_resident_add(&tree, 0x14000, 4), E_RANGE); /* 4 pages, one resident */
	CHECK_EQ(vma_resident_add(&tree, 0x14000, 3), 0);
	CHECK_EQ(vma_resident_add(&tree, 0x30000, 1), E_NOTMAPPED);
	CHECK_EQ(vma_map(&tree, 0x40000, 2 * P, RW, VMA_STACK, VMA_LAZY, 1, 0), 0);
	CHECK_EQ(vma_resident_add(&tree, 0x40000, 1), E_INVAL); /* a guard page */
	CHECK_EQ(vma_resident_add(&tree, 0x41000, 2), E_RANGE); /* one accessible page */
	CHECK_EQ(vma_resident_add(&tree, 0x41000, 1), 0);
	CHECK_EQ(vma_resident(&tree), 5);
	CHECK_EQ(vma_check(&tree), 0);
	CHECK_EQ(vma_tree_init(&tree, &pool, NULL, NULL), 0);
	CHECK_EQ(vma_resident_add(&tree, 0x40000, 1), E_STATE);
}

static uint64_t wrong_hook(void *ctx, uint64_t start, uint64_t length)
{
	(void)ctx, (void)start, (void)length;
	return 1000;
}

static void test_a_wrong_resident_hook_cannot_break_the_counters(void)
{
	CHECK_EQ(vma_pool_init(&pool, nodes, 16), 0);
	CHECK_EQ(vma_tree_init(&tree, &pool, wrong_hook, NULL), 0);
	CHECK_EQ(vma_map(&tree, 0x10000, 8 * P, RW, VMA_STACK, VMA_LAZY, 2, 0), 0);
	CHECK_EQ(vma_resident_add(&tree, 0x12000, 3), 0);
	CHECK_EQ(vma_protect(&tree, 0x13000, 2 * P, VMA_R), 0);
	CHECK_EQ(vma_check(&tree), 0);
	CHECK_EQ(vma_resident(&tree), 3);
	CHECK_EQ(vma_find(&tree, 0x13000)->resident, 2); /* as many as fit */
	CHECK_EQ(unmap(0x11000, 4 * P), 0);
	CHECK_EQ(vma_check(&tree), 0);
	CHECK_EQ(vma_resident(&tree), 0);
}

static void test_iteration_is_in_address_order(void)
{
	static const uint64_t starts[] = { 0x50000, 0x10000, 0x90000, 0x30000, 0x70000 };
	fresh(16);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(map_anon(starts[i], 1, i % 2 ? VMA_R : RW), 0);
	uint64_t want = 0x10000;
	for (const struct vma *v = vma_first(&tree); v; v = vma_next(&tree, v), want += 0x20000)
		CHECK_EQ(v->start, want);
	CHECK_EQ(want, 0xb0000);
	CHECK_EQ(vma_first_from(&tree, 0x30fff)->start, 0x30000);
	CHECK_EQ(vma_first_from(&tree, 0x31000)->start, 0x50000);
	CHECK(vma_first_from(&tree, 0x91000) == NULL);
	CHECK(vma_next(&tree, NULL) == NULL && vma_first(NULL) == NULL && vma_count(NULL) == 0);
}

static void test_find_free_refuses_bad_arguments(void)
{
	uint64_t s = 77;
	fresh(16);
	CHECK_EQ(vma_find_free(&tree, 0, P, 0x10000, 0x20000, 0, &s), E_INVAL);
	CHECK_EQ(vma_find_free(&tree, P, P, 0x10000, 0x20000, 0, NULL), E_INVAL);
	CHECK_EQ(vma_find_free(&tree, P + 1, P, 0x10000, 0x20000, 0, &s), E_ALIGN);
	CHECK_EQ(vma_find_free(&tree, P, 3 * P, 0x10000, 0x20000, 0, &s), E_ALIGN);
	CHECK_EQ(vma_find_free(&tree, P, 0, 0x10000, 0x20000, 0, &s), E_ALIGN);
	CHECK_EQ(vma_find_free(&tree, P, P, 0x10800, 0x20000, 0, &s), E_ALIGN);
	CHECK_EQ(vma_find_free(&tree, P, P, 0, 0x20000, 0, &s), E_RANGE);
	CHECK_EQ(vma_find_free(&tree, P, P, 0x10000, VMA_USER_MAX + P, 0, &s), E_RANGE);
	CHECK_EQ(vma_find_free(&tree, P, P, 0x20000, 0x20000, 0, &s), E_RANGE);
	CHECK_EQ(vma_find_free(&tree, 0x20000, P, 0x10000, 0x20000, 0, &s), E_NOMEM);
	CHECK_EQ(s, 77);
}

/* In [0x10000, 0x20000) with pages 3, 4 and 9 mapped, the 2-page starts are pages 0-1, 5-7
 * and 10-14; rng selects the (rng mod 10)th. */
static void test_find_free_enumerates_every_candidate(void)
{
	static const uint64_t page[] = { 0, 1, 5, 6, 7, 10, 11, 12, 13, 14 };
	uint64_t s;
	fresh(16);
	CHECK_EQ(map_anon(0x13000, 2, RW), 0);
	CHECK_EQ(map_anon(0x19000, 1, VMA_R), 0);
	for (uint64_t r = 0; r < 10; r++) {
		CHECK_EQ(vma_find_free(&tree, 2 * P, P, 0x10000, 0x20000, r, &s), 0);
		CHECK_EQ(s, 0x10000 + page[r] * P);
	}
	CHECK_EQ(vma_find_free(&tree, 2 * P, P, 0x10000, 0x20000, 10, &s), 0);
	CHECK_EQ(s, 0x10000);
	CHECK_EQ(vma_find_free(&tree, 2 * P, P, 0x10000, 0x20000, UINT64_MAX, &s), 0);
	CHECK_EQ(s, 0x10000 + page[UINT64_MAX % 10] * P);
	CHECK_EQ(vma_find_free(&tree, 2 * P, 4 * P, 0x10000, 0x20000, 0, &s), 0);
	CHECK_EQ(s, 0x10000); /* aligned starts that fit: pages 0 and 12 */
	CHECK_EQ(vma_find_free(&tree, 2 * P, 4 * P, 0x10000, 0x20000, 1, &s), 0);
	CHECK_EQ(s, 0x1c000);
	CHECK_EQ(vma_find_free(&tree, 7 * P, P, 0x10000, 0x20000, 5, &s), E_NOMEM);
	CHECK_EQ(vma_find_free(&tree, 2 * P, P, 0x13000, 0x16000, 0, &s), E_NOMEM);
	CHECK_EQ(vma_find_free(&tree, P, P, 0x14000, 0x16000, 3, &s), 0); /* lo inside a VMA */
	CHECK_EQ(s, 0x15000);
	CHECK_EQ(map_anon(0x1a000, 1, VMA_R), 0); /* a VMA ending at hi: no room below it */
	CHECK_EQ(map_anon(0x1b000, 1, RW), 0);    /* and one starting at hi - P */
	CHECK_EQ(vma_find_free(&tree, P, P, 0x19000, 0x1c000, 0, &s), E_NOMEM);
}

static void test_find_free_is_deterministic_and_spreads(void)
{
	uint64_t a, b, seen[64];
	int distinct = 0;
	fresh(16);
	CHECK_EQ(map_anon(0x40000000, 16, RW), 0);
	for (int i = 0; i < 64; i++) {
		uint64_t r = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
		CHECK_EQ(vma_find_free(&tree, 4 * P, P, VMA_USER_MIN, VMA_USER_MAX, r, &a), 0);
		CHECK_EQ(vma_find_free(&tree, 4 * P, P, VMA_USER_MIN, VMA_USER_MAX, r, &b), 0);
		CHECK_EQ(a, b);
		CHECK(vma_first_from(&tree, a) == NULL ||
		      vma_first_from(&tree, a)->start >= a + 4 * P);
		bool dup = false;
		for (int j = 0; j < distinct; j++)
			dup |= seen[j] == a;
		if (!dup)
			seen[distinct++] = a;
	}
	CHECK_EQ(distinct, 64);
}

/* A tiny xorshift generator for the randomised tests (fixed seeds: reproducible). */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

#define BASE 0x10000000ull

static void test_find_free_in_fragmented_space_of_10000_vmas(void)
{
	uint64_t s;
	fresh(BIGN + 2048);
	for (uint64_t i = 0; i < BIGN; i++)
		CHECK_EQ(map_anon(BASE + 2 * i * P, 1, RW), 0); /* every other page */
	CHECK_EQ(vma_count(&tree), BIGN);
	rng_state = 12345;
	for (int i = 0; i < 1000; i++) {
		CHECK_EQ(vma_find_free(&tree, P, P, BASE, BASE + 2 * BIGN * P, rnd(), &s), 0);
		CHECK(s >= BASE && s < BASE + 2 * BIGN * P && s % P == 0);
		CHECK(vma_find(&tree, s) == NULL);
	}
	CHECK_EQ(vma_find_free(&tree, 2 * P, P, BASE, BASE + 2 * BIGN * P, 0, &s), E_NOMEM);
	CHECK_EQ(vma_find_free(&tree, 2 * P, P, BASE, BASE + 2 * BIGN * P + P, 7, &s), 0);
	CHECK_EQ(s, BASE + (2 * BIGN - 1) * P);
	/* Filling holes by placement: every choice must map without overlap. */
	for (int i = 0; i < 2000; i++) {
		CHECK_EQ(vma_find_free(&tree, P, P, BASE, BASE + 2 * BIGN * P, rnd(), &s), 0);
		CHECK_EQ(vma_map(&tree, s, P, VMA_R, VMA_ANON, VMA_LAZY, 0, 1), 0);
	}
	CHECK_EQ(vma_count(&tree), BIGN + 2000);
	CHECK_EQ(vma_check(&tree), 0);
}

/* Shuffles a[0..n) with the generator. */
static void shuffle(uint32_t *a, uint32_t n)
{
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = (uint32_t)(rnd() % i), t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

static void test_ten_thousand_vmas_stay_balanced(void)
{
	static uint32_t order[BIGN];
	fresh(BIGN);
	rng_state = 99;
	for (uint32_t i = 0; i < BIGN; i++)
		order[i] = i;
	shuffle(order, BIGN);
	for (uint32_t i = 0; i < BIGN; i++) {
		CHECK_EQ(map_anon(BASE + 3 * order[i] * P, 2, i % 2 ? VMA_R : RW), 0);
		if (i % 1000 == 999)
			CHECK_EQ(vma_check(&tree), 0);
	}
	CHECK_EQ(vma_count(&tree), BIGN);
	CHECK_EQ(vma_pool_free(&pool), 0);
	CHECK(tree.root->height <= 19); /* 1.44 log2(10002) = 19.1 */
	for (uint32_t i = 0; i < BIGN; i++) {
		const struct vma *v = vma_find(&tree, BASE + 3 * i * P + P);
		CHECK(v && v->start == BASE + 3 * i * P);
		CHECK(vma_find(&tree, BASE + 3 * i * P + 2 * P) == NULL);
	}
	shuffle(order, BIGN);
	for (uint32_t i = 0; i < BIGN / 2; i++) {
		CHECK_EQ(unmap(BASE + 3 * order[i] * P, 2 * P), 0);
		if (i % 1000 == 0)
			CHECK_EQ(vma_check(&tree), 0);
	}
	CHECK_EQ(vma_count(&tree), BIGN / 2);
	CHECK_EQ(vma_check(&tree), 0);
	/* Destroying an address space: one unmap of the whole user range, needing no node. */
	CHECK_EQ(unmap(VMA_USER_MIN, VMA_USER_MAX - VMA_USER_MIN), 0);
	CHECK_EQ(ncut, BIGN / 2);
	CHECK_EQ(vma_count(&tree), 0);
	CHECK_EQ(vma_virtual_size(&tree), 0);
	CHECK_EQ(vma_pool_free(&pool), BIGN);
	CHECK_EQ(vma_check(&tree), 0);
}

static void test_check_detects_corruption(void)
{
	fresh(16);
	for (int i = 0; i < 7; i++)
		CHECK_EQ(map_anon(0x10000 + (uint64_t)i * 2 * P, 1, RW), 0);
	CHECK_EQ(vma_check(&tree), VMA_CHECK_OK);
	tree.root->height++;
	CHECK_EQ(vma_check(&tree), VMA_CHECK_BALANCE);
	tree.root->height--;
	tree.root->left->start += 0x100000; /* moved above the root (offset follows: still valid) */
	tree.root->left->offset += 0x100000;
	CHECK_EQ(vma_check(&tree), VMA_CHECK_ORDER);
	tree.root->left->start -= 0x100000;
	tree.root->left->offset -= 0x100000;
	tree.virtual_size += P;
	CHECK_EQ(vma_check(&tree), VMA_CHECK_COUNTERS);
	tree.virtual_size -= P;
	tree.root->rights = VMA_W | VMA_X;
	CHECK_EQ(vma_check(&tree), VMA_CHECK_ATTR);
	tree.root->rights = RW;
	pool.free_count++;
	CHECK_EQ(vma_check(&tree), VMA_CHECK_POOL);
	pool.free_count--;
	CHECK_EQ(vma_check(&tree), VMA_CHECK_OK);
}

/*
 * The reference model for the differential tests: one record per page of a window of MPAGES
 * pages from VMA_USER_MIN (res_page[] holds the resident bits). Two neighbouring pages belong
 * to one VMA exactly when `joins` says so, because the tree merges every mergeable pair.
 */
#define MPAGES 2048

struct mpage {
	bool mapped, guard;
	uint8_t rights, kind, backing;
	uint64_t user, offset;
};

static struct mpage model[MPAGES];
static int run_id[MPAGES]; /* which VMA (run of joined pages) each page is in; -1 if none */
static uint32_t model_cap;
static int model_runs;
static bool cut_ok;
static bool cut_seen[MPAGES];

static uint64_t maddr(int64_t i)
{
	return VMA_USER_MIN + (uint64_t)i * P;
}

static bool joins(const struct mpage *a, const struct mpage *b)
{
	return a->mapped && b->mapped && a->rights == b->rights && a->kind == b->kind &&
	       a->backing == b->backing && a->user == b->user && b->offset == a->offset + P &&
	       (!b->guard || a->guard);
}

static void model_number_runs(void)
{
	model_runs = 0;
	for (int i = 0; i < MPAGES; i++) {
		if (!model[i].mapped)
			run_id[i] = -1;
		else if (i > 0 && joins(&model[i - 1], &model[i]))
			run_id[i] = run_id[i - 1];
		else
			run_id[i] = model_runs++;
	}
}

static bool same_run(int64_t i, int64_t j)
{
	return i >= 0 && j >= 0 && i < MPAGES && j < MPAGES && run_id[i] >= 0 &&
	       run_id[i] == run_id[j];
}

/* The first and last page of the run holding page i. */
static void run_bounds(int64_t i, int64_t *lo, int64_t *hi)
{
	*lo = *hi = i;
	while (same_run(*lo - 1, i))
		(*lo)--;
	while (same_run(*hi + 1, i))
		(*hi)++;
}

static int range_code(uint64_t start, uint64_t length)
{
	if (length == 0)
		return E_INVAL;
	if ((start | length) % P)
		return E_ALIGN;
	return start < VMA_USER_MIN ? E_RANGE : 0;
}

static int rights_code(unsigned rights)
{
	if (rights & ~VMA_RWX)
		return E_INVAL;
	return (rights & VMA_W) && (rights & VMA_X) ? E_WX : 0;
}

/* The model's answer to vma_map; fills new[0..n) with the pages it would map. */
static int model_map(uint64_t start, uint64_t len, unsigned rights, unsigned kind, unsigned backing,
		     uint64_t guard, uint64_t user, struct mpage *new)
{
	int e = rights_code(rights);
	if (e)
		return e;
	if (kind >= VMA_KINDS || backing >= VMA_BACKINGS ||
	    (kind == VMA_DEVICE && backing != VMA_EAGER) || (kind == VMA_STACK) != (guard != 0))
		return E_INVAL;
	if ((e = range_code(start, len)) != 0)
		return e;
	int64_t i0 = (int64_t)((start - VMA_USER_MIN) / P), n = (int64_t)(len / P);
	if (guard >= (uint64_t)n)
		return E_INVAL;
	for (int64_t i = 0; i < n; i++) {
		if (model[i0 + i].mapped)
			return E_MAPPED;
		new[i] = (struct mpage){ true,
					 (uint64_t)i < guard,
					 (uint8_t)rights,
					 (uint8_t)kind,
					 (uint8_t)backing,
					 user,
					 (kind <= VMA_STACK ? start : 0) + (uint64_t)i * P };
	}
	bool grows = (i0 > 0 && joins(&model[i0 - 1], &new[0])) ||
		     (i0 + n < MPAGES && joins(&new[n - 1], &model[i0 + n]));
	return !grows && model_cap == (uint32_t)model_runs ? E_NOMEM : 0;
}

static int model_unmap(uint64_t start, uint64_t len)
{
	int e = range_code(start, len);
	if (e)
		return e;
	int64_t i0 = (int64_t)((start - VMA_USER_MIN) / P), n = (int64_t)(len / P);
	return same_run(i0 - 1, i0 + n) && model_cap == (uint32_t)model_runs ? E_NOMEM : 0;
}

static int model_protect(uint64_t start, uint64_t len, unsigned rights)
{
	int e = rights_code(rights);
	if (!e)
		e = range_code(start, len);
	if (e)
		return e;
	int64_t i0 = (int64_t)((start - VMA_USER_MIN) / P), n = (int64_t)(len / P);
	for (int64_t i = i0; i < i0 + n; i++)
		if (!model[i].mapped)
			return E_NOTMAPPED;
	uint32_t splits = same_run(i0 - 1, i0) && model[i0].rights != rights;
	splits += same_run(i0 + n - 1, i0 + n) && model[i0 + n - 1].rights != rights;
	return model_cap - (uint32_t)model_runs < splits ? E_NOMEM : 0;
}

/* vma_unmap's callback: each piece must be a part of one whole run of the model before the call. */
static void model_cut(void *ctx, const struct vma *v, uint64_t start, uint64_t length)
{
	int64_t lo, hi, i = (int64_t)((start - VMA_USER_MIN) / P);
	(void)ctx;
	run_bounds(i, &lo, &hi);
	cut_ok &=
	    run_id[i] >= 0 && v->start == maddr(lo) && v->length == (uint64_t)(hi - lo + 1) * P;
	cut_ok &= start >= v->start && start + length <= v->start + v->length;
	for (uint64_t a = start; a < start + length; a += P) {
		cut_ok &= !cut_seen[(a - VMA_USER_MIN) / P];
		cut_seen[(a - VMA_USER_MIN) / P] = true;
		res_page[a / P] = false;
	}
}

static bool tree_matches_model(void)
{
	uint64_t mapped = 0, resident = 0, pages = 0;
	model_number_runs();
	for (int i = 0; i < MPAGES; i++) {
		mapped += model[i].mapped;
		resident += res_page[maddr(i) / P];
	}
	bool ok = vma_check(&tree) == 0 && vma_count(&tree) == (uint32_t)model_runs &&
		  vma_pool_free(&pool) == model_cap - (uint32_t)model_runs &&
		  vma_virtual_size(&tree) == mapped * P && vma_resident(&tree) == resident;
	for (const struct vma *v = vma_first(&tree); ok && v; v = vma_next(&tree, v)) {
		uint64_t res = 0;
		for (uint64_t a = v->start; ok && a < v->start + v->length; a += P, pages++) {
			const struct mpage *m = &model[(a - VMA_USER_MIN) / P];
			ok = a < maddr(MPAGES) && m->mapped && m->rights == v->rights &&
			     m->kind == v->kind && m->backing == v->backing && m->user == v->user &&
			     m->offset == v->offset + (a - v->start) &&
			     m->guard == (a < v->start + v->guard_pages * P);
			res += res_page[a / P];
		}
		ok &= res == v->resident;
	}
	return ok && pages == mapped;
}

/* Mostly valid rights; one in 16 is W+X or has an unknown bit. */
static unsigned random_rights(void)
{
	static const unsigned pick[] = { 0, VMA_R, VMA_W, RW, VMA_X, RX, VMA_R, RW };
	if (rnd() % 16 == 0)
		return rnd() % 2 ? VMA_W | VMA_X : VMA_R | 8;
	return pick[rnd() % 8];
}

static void diff_map(uint64_t start, uint64_t len)
{
	static struct mpage new[MPAGES];
	unsigned rights = random_rights(), kind = (unsigned)(rnd() % 5);
	unsigned backing = kind == VMA_DEVICE && rnd() % 8 ? VMA_EAGER : (unsigned)(rnd() % 2);
	uint64_t guard = kind == VMA_STACK ? 1 + rnd() % 3 : (rnd() % 50 == 0);
	uint64_t user = rnd() % 4 == 0;
	int want = model_map(start, len, rights, kind, backing, guard, user, new);
	CHECK_EQ(vma_map(&tree, start, len, rights, kind, backing, guard, user), want);
	if (want == 0)
		memcpy(&model[(start - VMA_USER_MIN) / P], new, len / P * sizeof(new[0]));
}

static void diff_unmap(uint64_t start, uint64_t len)
{
	int want = model_unmap(start, len);
	uint64_t mapped = 0, seen = 0;
	memset(cut_seen, 0, sizeof(cut_seen));
	cut_ok = true;
	CHECK_EQ(vma_unmap(&tree, start, len, model_cut, NULL), want);
	for (uint64_t a = start; want == 0 && a < start + len; a += P) {
		struct mpage *m = &model[(a - VMA_USER_MIN) / P];
		mapped += m->mapped;
		seen += cut_seen[(a - VMA_USER_MIN) / P];
		m->mapped = false;
		res_page[a / P] = false;
	}
	CHECK(cut_ok && seen == mapped);
}

static void diff_protect(uint64_t start, uint64_t len)
{
	unsigned rights = random_rights();
	int want = model_protect(start, len, rights);
	CHECK_EQ(vma_protect(&tree, start, len, rights), want);
	for (uint64_t a = start; want == 0 && a < start + len; a += P)
		model[(a - VMA_USER_MIN) / P].rights = (uint8_t)rights;
}

static void diff_touch(int64_t i)
{
	const struct mpage *m = &model[i];
	bool *res = &res_page[maddr(i) / P];
	int64_t lo, hi, in_run = 0;
	if (!m->mapped || m->guard) {
		CHECK_EQ(vma_resident_add(&tree, maddr(i), 1), m->mapped ? E_INVAL : E_NOTMAPPED);
		return;
	}
	run_bounds(i, &lo, &hi);
	for (int64_t j = lo; j <= hi; j++)
		in_run += res_page[maddr(j) / P];
	if (!*res && in_run == 0 && rnd() % 4 == 0) {
		CHECK_EQ(vma_resident_add(&tree, maddr(i), -1), E_RANGE);
		return;
	}
	CHECK_EQ(vma_resident_add(&tree, maddr(i), *res ? -1 : 1), 0);
	*res = !*res;
}

static void diff_find(uint64_t addr)
{
	int64_t i = addr < VMA_USER_MIN ? -1 : (int64_t)((addr - VMA_USER_MIN) / P), lo, hi;
	unsigned access = 1 + (unsigned)(rnd() % 7);
	const struct vma *v = vma_find(&tree, addr);
	if (i < 0 || i >= MPAGES || !model[i].mapped) {
		CHECK(v == NULL);
		CHECK_EQ(vma_classify(&tree, addr, access, NULL), VMA_FAULT_UNMAPPED);
		return;
	}
	run_bounds(i, &lo, &hi);
	CHECK(v && v->start == maddr(lo) && v->start + v->length == maddr(hi + 1));
	int want = model[i].guard              ? VMA_FAULT_GUARD
		   : access & ~model[i].rights ? VMA_FAULT_RIGHTS
					       : VMA_FAULT_OK;
	CHECK_EQ(vma_classify(&tree, addr, access, NULL), want);
}

/* vma_find_free over [lo, hi) in the window against the model's list of candidates. */
static void diff_find_free(int64_t lo, int64_t hi)
{
	uint64_t n = 1 + rnd() % 8, align = 1ull << (rnd() % 4), r = rnd(), got = 0, total = 0;
	static int64_t cand[MPAGES];
	for (int64_t s = lo; s + (int64_t)n <= hi; s++) {
		bool free = maddr(s) % (align * P) == 0;
		for (int64_t i = s; free && i < s + (int64_t)n; i++)
			free = !model[i].mapped;
		if (free)
			cand[total++] = s;
	}
	int err = vma_find_free(&tree, n * P, align * P, maddr(lo), maddr(hi), r, &got);
	CHECK_EQ(err, total ? 0 : E_NOMEM);
	if (total)
		CHECK_EQ(got, maddr(cand[r % total]));
}

/* Pages [*first, *first + *n): mostly inside the mapped stretch at or after *first. */
static void pick_mapped(int64_t *first, int64_t *n)
{
	while (*first < MPAGES - 1 && !model[*first].mapped)
		(*first)++;
	int64_t a = *first, b = *first;
	if (!model[*first].mapped || rnd() % 4 == 0)
		return;
	while (a > 0 && model[a - 1].mapped)
		a--;
	while (b + 1 < MPAGES && model[b + 1].mapped)
		b++;
	*first = a + (int64_t)(rnd() % (uint64_t)(b - a + 1));
	*n = 1 + (int64_t)(rnd() % (uint64_t)(b - *first + 1));
}

/* One random operation, mostly valid, sometimes with a zero, misaligned or too-low range. */
static void diff_step(void)
{
	int op = (int)(rnd() % 100);
	int64_t first = (int64_t)(rnd() % MPAGES), n = 1 + (int64_t)(rnd() % (op < 35 ? 16 : 48));
	if (op >= 55 && op < 80)
		pick_mapped(&first, &n);
	if (first + n > MPAGES)
		n = MPAGES - first;
	uint64_t start = maddr(first), len = (uint64_t)n * P, bad = rnd() % 60;
	if (bad == 0)
		len = 0;
	else if (bad == 1)
		start += 0x800;
	else if (bad == 2)
		start = 0;
	if (op < 35)
		diff_map(start, len);
	else if (op < 55)
		diff_unmap(start, len);
	else if (op < 80)
		diff_protect(start, len);
	else if (op < 88)
		diff_touch(first);
	else if (op < 93)
		diff_find_free(first, first + 1 + (int64_t)(rnd() % (uint64_t)(MPAGES - first)));
	else
		diff_find(rnd() % maddr(MPAGES + 1));
}

static void run_differential(uint32_t capacity, uint64_t seed, int steps)
{
	fresh(capacity);
	memset(model, 0, sizeof(model));
	model_cap = capacity;
	model_number_runs();
	rng_state = seed;
	for (int step = 0; step < steps; step++) {
		int before = check_failures;
		diff_step();
		if (!tree_matches_model()) {
			fprintf(stderr, "step %d: the tree no longer matches the model\n", step);
			check_failures++;
		}
		if (check_failures != before)
			return;
	}
}

static void test_differential_against_page_model(void)
{
	run_differential(MPAGES + 16, 0x5eed1234abcdull, 8000);
	CHECK(vma_count(&tree) > 20);
}

static void test_differential_with_a_small_pool(void)
{
	run_differential(24, 0xfeedbeefull, 8000);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "map_then_find_at_exact_boundaries", test_map_then_find_at_exact_boundaries },
		{ "map_first_and_last_user_pages", test_map_first_and_last_user_pages },
		{ "map_refuses_bad_ranges_and_changes_nothing",
		  test_map_refuses_bad_ranges_and_changes_nothing },
		{ "map_refuses_bad_attributes", test_map_refuses_bad_attributes },
		{ "map_refuses_every_kind_of_overlap", test_map_refuses_every_kind_of_overlap },
		{ "adjacent_identical_maps_merge", test_adjacent_identical_maps_merge },
		{ "growing_maps_need_no_free_node", test_growing_maps_need_no_free_node },
		{ "device_pieces_keep_their_offsets", test_device_pieces_keep_their_offsets },
		{ "unmap_whole_low_high_and_middle", test_unmap_whole_low_high_and_middle },
		{ "unmap_spanning_three_vmas_and_holes", test_unmap_spanning_three_vmas_and_holes },
		{ "unmap_refuses_bad_ranges", test_unmap_refuses_bad_ranges },
		{ "unmap_split_with_empty_pool_changes_nothing",
		  test_unmap_split_with_empty_pool_changes_nothing },
		{ "protect_middle_splits_in_three_and_merges_back",
		  test_protect_middle_splits_in_three_and_merges_back },
		{ "protect_over_a_hole_changes_nothing", test_protect_over_a_hole_changes_nothing },
		{ "protect_refuses_bad_arguments", test_protect_refuses_bad_arguments },
		{ "protect_checks_free_nodes_first", test_protect_checks_free_nodes_first },
		{ "protect_across_vmas_merges_them", test_protect_across_vmas_merges_them },
		{ "stack_guard_pages_fault_as_guard", test_stack_guard_pages_fault_as_guard },
		{ "stack_above_a_stack_keeps_both_guards",
		  test_stack_above_a_stack_keeps_both_guards },
		{ "resident_counts_follow_splits_and_unmaps",
		  test_resident_counts_follow_splits_and_unmaps },
		{ "a_wrong_resident_hook_cannot_break_the_counters",
		  test_a_wrong_resident_hook_cannot_break_the_counters },
		{ "iteration_is_in_address_order", test_iteration_is_in_address_order },
		{ "find_free_refuses_bad_arguments", test_find_free_refuses_bad_arguments },
		{ "find_free_enumerates_every_candidate",
		  test_find_free_enumerates_every_candidate },
		{ "find_free_is_deterministic_and_spreads",
		  test_find_free_is_deterministic_and_spreads },
		{ "find_free_in_fragmented_space_of_10000_vmas",
		  test_find_free_in_fragmented_space_of_10000_vmas },
		{ "ten_thousand_vmas_stay_balanced", test_ten_thousand_vmas_stay_balanced },
		{ "check_detects_corruption", test_check_detects_corruption },
		{ "differential_against_page_model", test_differential_against_page_model },
		{ "differential_with_a_small_pool", test_differential_with_a_small_pool },
		{ NULL, NULL },
	};
	return check_main(tests);
}
