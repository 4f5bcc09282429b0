/*
 * The architecture's part of the self-audit (arch_audit, see arch.h and audit.h): ASIDs,
 * hardware ASIDs, and every VSpace's translation tables against the capabilities.
 *
 * - Every ASID pool is a live ASID pool object; every assigned ASID entry names a live
 *   VSpace, and no VSpace is named by two entries.
 * - Hardware ASIDs: the allocator's fields are in range; every binding of the current
 *   generation holds a distinct ASID that the allocator marks used, and it marks no other.
 * - Mappings: every valid entry of a VSpace's tables points to a live page table (table
 *   entries) or to a live frame of the entry's size (pages, blocks); the VSpace's counters
 *   (installed table pages, mapped 4 KiB pages) equal a walk of its tables; and as many
 *   capabilities claim those mappings as the walk finds. A frame or page-table capability
 *   "claims" a mapping when its record (ASID, address) leads to an entry pointing to it; a
 *   record that leads nowhere is stale, which is allowed (vspace_inv.c forgets it lazily
 *   when its table or VSpace went), but its address must be a sane one.
 *
 * Table walks go down only into live page tables and at most four levels, so they end.
 */
#include <arch/pte.h>
#include <mica/objects.h>
#include <stddef.h>

#include "arch.h"
#include "asid.h"
#include "audit.h"
#include "object/cap.h"
#include "vspace.h"

#define USER_RIGHTS (RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC)

#ifdef HOST_TEST
/* Host unit tests (tests/unit/test_audit.c): pools at their host addresses. */
static uint64_t pool_pa(const struct asid_pool *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void audit_epoch_copies(struct audit *a)
{
	(void)a; /* the host tests have no cores */
}
#else
static uint64_t pool_pa(const struct asid_pool *p)
{
	return virt_to_phys(p);
}

/* The fastpath reads its core's copy of asid_epoch (asid_epoch_bump). */
static void audit_epoch_copies(struct audit *a)
{
	for (unsigned c = 0; c < smp_ncpus; c++) {
		if (cpus[c].arch.asid_epoch != asid_epoch)
			audit_fail(a, "core %u: ASID epoch %lu, the kernel's %lu", c,
				   cpus[c].arch.asid_epoch, asid_epoch);
	}
}
#endif

/* Hardware ASIDs seen bound in the current generation (cleared by every audit). */
static uint64_t hw_seen[(1u << HWASID_MAX_BITS) / 64];

static unsigned popcount_used(const struct hwasid_allocator *h)
{
	unsigned n = 0, words = ((1u << h->bits) + 63) / 64;
	for (unsigned i = 0; i < words; i++)
		n += (unsigned)__builtin_popcountll(h->used[i]);
	return n;
}

/* The allocator's own fields; clears hw_seen. Returns false if they are unusable. */
static bool audit_hwasid_allocator(struct audit *a)
{
	const struct hwasid_allocator *h = &asid_hw_alloc;
	for (unsigned i = 0; i < sizeof(hw_seen) / sizeof(hw_seen[0]); i++)
		hw_seen[i] = 0;
	if (h->bits < 1 || h->bits > HWASID_MAX_BITS || h->generation == 0 ||
	    h->next > (1u << h->bits) || !(h->used[0] & 1)) {
		audit_fail(a, "hardware ASIDs: bits %u, generation %lu, next %u, ASID 0 %s",
			   h->bits, h->generation, h->next, (h->used[0] & 1) ? "reserved" : "free");
		return false;
	}
	return true;
}

/* One entry's hardware binding. Returns 1 if it holds an ASID of the current generation. */
static unsigned audit_binding(struct audit *a, unsigned asid, const struct asid_entry *e)
{
	const struct hwasid_allocator *h = &asid_hw_alloc;
	const struct hwasid_binding *b = &e->hw;
	if (b->generation > h->generation) {
		audit_fail(a, "ASID %u: hardware binding from generation %lu, now %lu", asid,
			   b->generation, h->generation);
		return 0;
	}
	if (b->generation != h->generation)
		return 0;
	if (b->asid == 0 || b->asid >= (1u << h->bits)) {
		audit_fail(a, "ASID %u: bound to hardware ASID %u (%u bits)", asid, b->asid,
			   h->bits);
		return 0;
	}
	uint64_t bit = 1ull << (b->asid % 64);
	if (!(h->used[b->asid / 64] & bit))
		audit_fail(a, "ASID %u: hardware ASID %u is bound but free in the allocator", asid,
			   b->asid);
	if (hw_seen[b->asid / 64] & bit)
		audit_fail(a, "ASID %u: hardware ASID %u is bound twice", asid, b->asid);
	hw_seen[b->asid / 64] |= bit;
	return 1;
}

/* One assigned ASID entry: it names a live VSpace that no other entry names. */
static void audit_asid_entry(struct audit *a, unsigned asid, const struct asid_entry *e)
{
	struct audit_object *vs = audit_object_find(CAP_VSPACE, e->vspace_pa, 0);
	a->checked++;
	if (!vs) {
		audit_fail(a, "ASID %u names %#lx, which is not a live VSpace", asid, e->vspace_pa);
		return;
	}
	if (vs->asids++ == 0)
		vs->asid = (uint16_t)asid;
	else
		audit_fail(a, "VSpace %#lx has two ASIDs: %u and %u", e->vspace_pa, vs->asid, asid);
}

/* Pools and entries; returns the number of current-generation hardware bindings. */
static unsigned audit_asid_pools(struct audit *a)
{
	unsigned bound = 0;
	for (unsigned p = 0; p < ASID_POOL_COUNT; p++) {
		const struct asid_pool *pool = asid_pools[p];
		if (!pool)
			continue;
		if (!audit_object_find(CAP_ASID_POOL, pool_pa(pool), 0))
			audit_fail(a, "ASID pool %u (ASIDs %u..) at %#lx is not a live ASID pool",
				   p, p * ASID_POOL_ENTRIES, pool_pa(pool));
		for (unsigned i = 0; i < ASID_POOL_ENTRIES; i++) {
			const struct asid_entry *e = &pool->entries[i];
			unsigned asid = p * ASID_POOL_ENTRIES + i;
			if (!e->vspace_pa)
				continue;
			if (asid == 0)
				audit_fail(a, "ASID 0 is assigned (to %#lx)", e->vspace_pa);
			audit_asid_entry(a, asid, e);
			bound += audit_binding(a, asid, e);
		}
	}
	return bound;
}

/* The VSpace object an ASID entry names, or NULL. */
static struct audit_object *entry_vspace(const struct asid_entry *e)
{
	return audit_object_find(CAP_VSPACE, e->vspace_pa, 0);
}

/* A frame capability's mapping record: a sane address; if live, counted and within rights. */
static void audit_frame_record(struct audit *a, const struct cte *slot)
{
	const struct cap *f = &slot->cap;
	uint64_t va = f->u.frame.mapped_vaddr, size = 1ull << f->u.frame.size_bits;
	int level = f->u.frame.size_bits == FRAME_2M_BITS ? 2 : VSPACE_PAGE_LEVEL, err;
	if ((va & (size - 1)) || va >= USER_VA_END) {
		audit_fail(a, "frame %#lx in slot %p: recorded mapping at %#lx", f->u.frame.paddr,
			   (const void *)slot, va);
		return;
	}
	const struct asid_entry *e = asid_entry_lookup(f->u.frame.mapped_asid);
	const pte_t *pte = e ? vspace_entry(e->vspace_pa, va, level, &err) : NULL;
	if (!pte || !(*pte & PTE_VALID) || vspace_pte_is_table(*pte, level) ||
	    vspace_pte_address(*pte) != f->u.frame.paddr)
		return; /* stale */
	struct audit_object *vs = entry_vspace(e);
	if (vs)
		vs->claimed[1] += (uint32_t)(size >> FRAME_4K_BITS);
	unsigned rights = vspace_pte_rights(*pte);
	if ((rights & ~f->rights & USER_RIGHTS) ||
	    ((rights & RIGHT_WRITE) && (rights & RIGHT_EXEC)))
		audit_fail(a,
			   "frame %#lx in slot %p: mapped at %#lx (ASID %u) with rights %#x, "
			   "its capability has %#x",
			   f->u.frame.paddr, (const void *)slot, va, f->u.frame.mapped_asid, rights,
			   f->rights);
}

/* A page-table capability's mapping record: a sane level and address; if live, counted. */
static void audit_table_record(struct audit *a, const struct cte *slot)
{
	const struct cap *t = &slot->cap;
	int level = t->u.page_table.level, err;
	uint64_t va = t->u.page_table.mapped_vaddr;
	if (level < VSPACE_TABLE_LEVEL_MIN || level > VSPACE_TABLE_LEVEL_MAX ||
	    (va & (LEVEL_SIZE(level - 1) - 1)) || va >= USER_VA_END) {
		audit_fail(a, "page table %#lx in slot %p: recorded as L%d at %#lx",
			   t->u.page_table.paddr, (const void *)slot, level, va);
		return;
	}
	const struct asid_entry *e = asid_entry_lookup(t->u.page_table.mapped_asid);
	const pte_t *pte = e ? vspace_entry(e->vspace_pa, va, level - 1, &err) : NULL;
	if (!pte || !(*pte & PTE_VALID) || !vspace_pte_is_table(*pte, level - 1) ||
	    vspace_pte_address(*pte) != t->u.page_table.paddr)
		return; /* stale */
	struct audit_object *vs = entry_vspace(e);
	if (vs)
		vs->claimed[0]++;
}

static void audit_mapping_record(struct audit *a, const struct cte *slot)
{
	const struct cap *c = &slot->cap;
	if (c->type == CAP_FRAME && c->u.frame.mapped_asid)
		audit_frame_record(a, slot);
	else if (c->type == CAP_PAGE_TABLE && c->u.page_table.mapped_asid)
		audit_table_record(a, slot);
}

struct walk {
	unsigned asid;
	uint32_t tables, pages; /* table entries and 4 KiB pages found */
};

/* A leaf entry at `level` for `va` maps `pa`: it must be a live frame of that size. */
static void audit_leaf(struct audit *a, struct walk *w, int level, uint64_t va, uint64_t pa)
{
	unsigned bits = level == VSPACE_PAGE_LEVEL ? FRAME_4K_BITS : FRAME_2M_BITS;
	if (level != 2 && level != VSPACE_PAGE_LEVEL) {
		audit_fail(a, "ASID %u: a block entry at L%d for %#lx", w->asid, level, va);
		return;
	}
	w->pages += 1u << (bits - FRAME_4K_BITS);
	const struct audit_object *f = audit_object_find(CAP_FRAME, pa, 0);
	if (!f || f->size_bits != bits)
		audit_fail(a, "ASID %u: %#lx maps %#lx, which is not a live %s frame", w->asid, va,
			   pa, bits == FRAME_4K_BITS ? "4 KiB" : "2 MiB");
}

/* Walks the level-`level` table at `table` covering [va, ...). */
static void audit_table(struct audit *a, struct walk *w, paddr_t table, int level, uint64_t va)
{
	const pte_t *t = vspace_table_kva(table);
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		pte_t pte = t[i];
		uint64_t eva = va + ((uint64_t)i << LEVEL_SHIFT(level));
		if (!(pte & PTE_VALID))
			continue;
		paddr_t pa = vspace_pte_address(pte);
		if (!vspace_pte_is_table(pte, level)) {
			audit_leaf(a, w, level, eva, pa);
			continue;
		}
		w->tables++;
		if (audit_object_find(CAP_PAGE_TABLE, pa, 0))
			audit_table(a, w, pa, level + 1, eva);
		else
			audit_fail(a,
				   "ASID %u: the L%d entry for %#lx points to %#lx, which is not a "
				   "live page table",
				   w->asid, level, eva, pa);
	}
}

/* Walks the VSpace of one assigned entry and compares counters and claims with it. */
static void audit_vspace(struct audit *a, unsigned asid, const struct asid_entry *e)
{
	const struct audit_object *vs = entry_vspace(e);
	struct walk w = { asid, 0, 0 };
	if (!vs || vs->asid != asid)
		return; /* reported already: dead, or its second ASID */
	audit_table(a, &w, e->vspace_pa, 0, 0);
	a->checked += w.tables + w.pages;
	if (w.tables != e->table_pages || w.pages != e->mapped_pages)
		audit_fail(a,
			   "VSpace %#lx (ASID %u): counters say %u table pages and %u mapped "
			   "pages, its tables hold %u and %u",
			   e->vspace_pa, asid, e->table_pages, e->mapped_pages, w.tables, w.pages);
	if (w.tables != vs->claimed[0] || w.pages != vs->claimed[1])
		audit_fail(a,
			   "VSpace %#lx (ASID %u): its tables hold %u table pages and %u mapped "
			   "pages, capabilities claim %u and %u",
			   e->vspace_pa, asid, w.tables, w.pages, vs->claimed[0], vs->claimed[1]);
}

static void audit_vspaces(struct audit *a)
{
	for (unsigned p = 0; p < ASID_POOL_COUNT; p++) {
		const struct asid_pool *pool = asid_pools[p];
		for (unsigned i = 0; pool && i < ASID_POOL_ENTRIES; i++) {
			if (pool->entries[i].vspace_pa)
				audit_vspace(a, p * ASID_POOL_ENTRIES + i, &pool->entries[i]);
		}
	}
}

void arch_audit(struct audit *a)
{
	audit_epoch_copies(a);
	bool hw_ok = audit_hwasid_allocator(a);
	if (!a->tree_ok)
		return; /* no complete object table to check against */
	unsigned bound = audit_asid_pools(a);
	if (hw_ok && popcount_used(&asid_hw_alloc) != bound + 1)
		audit_fail(a, "hardware ASIDs: %u marked used besides 0, %u bound",
			   popcount_used(&asid_hw_alloc) - 1, bound);
	audit_for_each_slot(a, audit_mapping_record);
	audit_vspaces(a);
}
