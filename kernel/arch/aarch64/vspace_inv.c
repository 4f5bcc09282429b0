/*
 * The address-space invocations: mapping frames and page tables into VSpaces, changing and
 * removing mappings, and reading a VSpace back. The kernel checks and installs; it never
 * decides what goes where (that is memsrv's job).
 *
 * A frame or page-table capability records where it is mapped (software ASID and virtual
 * address): one capability, one mapping. Removing a mapping clears the entry only if it
 * still points to this object, then invalidates exactly what the hardware may have cached:
 * the page (by VA and ASID) for a frame, the whole ASID for a table. A table is zeroed when
 * it is unmapped, so it never carries old mappings to a new place.
 */
#include <arch/pte.h>
#include <mica/errors.h>
#include <mica/invocation.h>
#include <stddef.h>
#include <string.h>

#include "arch.h"
#include "asid.h"
#include "context.h"
#include "object/cspace.h"
#include "object/invocation.h"
#include "object/tcb.h"
#include "tlb.h"
#include "vspace.h"

#define USER_RIGHTS (RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC)

struct vspace_ref {
	struct asid_entry *entry;
	uint16_t asid;
};

/* The VSpace capability at `cptr` and its ASID: E_LOOKUP/E_NOCAP, E_TYPE, E_NOASID. */
static int lookup_vspace(struct invocation *inv, cptr_t cptr, struct vspace_ref *vs)
{
	struct lookup_ret r = cspace_lookup_cap(inv->caller, cptr);
	if (r.err)
		return r.err;
	if (r.slot->cap.type != CAP_VSPACE)
		return E_TYPE;
	vs->asid = r.slot->cap.u.vspace.asid;
	vs->entry = asid_entry_of(vs->asid, r.slot->cap.u.vspace.paddr);
	return vs->entry ? E_OK : E_NOASID;
}

/* Checks mapping rights against the frame capability: E_INVAL (unknown bits, or no read),
 * E_RIGHTS (more than the capability has, or execute on a device frame), E_WX. */
static int check_rights(const struct cap *frame, uint64_t rights)
{
	if (rights & ~(uint64_t)USER_RIGHTS || !(rights & RIGHT_READ))
		return E_INVAL;
	if ((rights & frame->rights) != rights)
		return E_RIGHTS;
	if ((rights & RIGHT_EXEC) && frame->u.frame.device)
		return E_RIGHTS;
	if ((rights & RIGHT_WRITE) && (rights & RIGHT_EXEC))
		return E_WX;
	return E_OK;
}

/* The level whose entry maps the frame: L2 blocks for 2 MiB, L3 pages for 4 KiB. */
static int frame_level(const struct cap *frame)
{
	return frame->u.frame.size_bits == FRAME_2M_BITS ? 2 : VSPACE_PAGE_LEVEL;
}

static pte_t frame_pte(const struct cap *frame, unsigned rights)
{
	if (frame_level(frame) == 2)
		return vspace_user_block_pte(frame->u.frame.paddr, rights, frame->u.frame.device);
	return frame->u.frame.device ? vspace_user_device_pte(frame->u.frame.paddr, rights)
				     : vspace_user_pte(frame->u.frame.paddr, rights);
}

static uint32_t frame_pages(const struct cap *frame)
{
	return 1u << (frame->u.frame.size_bits - FRAME_4K_BITS);
}

/* The entry that maps `frame` where its capability says, if it still maps this frame. */
static pte_t *frame_entry(const struct cap *frame, struct asid_entry **entry)
{
	int err;
	*entry = asid_entry_lookup(frame->u.frame.mapped_asid);
	if (!*entry)
		return NULL;
	pte_t *pte = vspace_entry((*entry)->vspace_pa, frame->u.frame.mapped_vaddr,
				  frame_level(frame), &err);
	if (!pte || !(*pte & PTE_VALID) || vspace_pte_is_table(*pte, frame_level(frame)) ||
	    vspace_pte_address(*pte) != frame->u.frame.paddr)
		return NULL;
	return pte;
}

/* Publishes a table update (no TLB entry can exist for an entry that was empty). */
static void publish(void)
{
	__asm__ volatile("dsb ishst" ::: "memory");
}

/* Invalidates what the TLB may hold for `va` in the VSpace of `e`. */
static void flush_page(const struct asid_entry *e, uint64_t va)
{
	uint16_t hw = asid_hw_current(e);
	if (hw)
		tlb_flush_va(hw, va);
	else
		publish(); /* no entry can be tagged with a stale ASID: the rollover flushed them */
}

/* Removes the frame's mapping (if it is still in place) and forgets it in the capability. */
static void frame_unmap(struct cap *frame)
{
	struct asid_entry *e;
	pte_t *pte = frame_entry(frame, &e);
	if (pte) {
		*pte = 0;
		e->mapped_pages -= frame_pages(frame);
		flush_page(e, frame->u.frame.mapped_vaddr);
	}
	frame->u.frame.mapped_asid = 0;
	frame->u.frame.mapped_vaddr = 0;
}

/* True if the frame's mapping record names a mapping that is still in place. */
static bool frame_is_mapped(const struct cap *frame)
{
	struct asid_entry *e;
	return frame->u.frame.mapped_asid && frame_entry(frame, &e);
}

struct frame_map_args {
	struct vspace_ref vs;
	pte_t *pte; /* the empty entry that will map it */
	uint64_t vaddr;
	unsigned rights;
	bool zero; /* FRAME_MAP_ZERO */
};

/* Fills the frame with zeros through the kernel's map of RAM (DC ZVA). */
static void frame_zero(const struct cap *frame)
{
	arch_zero_memory(phys_to_virt(frame->u.frame.paddr), (size_t)1 << frame->u.frame.size_bits);
}

/* FRAME_ZERO and FRAME_MAP_ZERO: E_TYPE for a device frame, E_RIGHTS without write right. */
static int check_zeroable(const struct cap *frame)
{
	if (frame->u.frame.device)
		return E_TYPE;
	if (!(frame->rights & RIGHT_WRITE))
		return E_RIGHTS;
	return E_OK;
}

static void invoke_frame_map(struct cap *frame, const struct frame_map_args *a)
{
	if (a->zero) {
		frame_zero(frame);
		publish(); /* the zeros before the entry that makes them reachable */
	}
	if (a->rights & RIGHT_EXEC) /* code written through data */
		vspace_sync_icache(frame->u.frame.paddr, 1ull << frame->u.frame.size_bits);
	*a->pte = frame_pte(frame, a->rights);
	publish();
	a->vs.entry->mapped_pages += frame_pages(frame);
	frame->u.frame.mapped_asid = a->vs.asid;
	frame->u.frame.mapped_vaddr = a->vaddr;
}

/* FRAME_MAP: vspace, vaddr, rights (RIGHT_*, and FRAME_MAP_ZERO). */
static int decode_frame_map(struct invocation *inv, struct cap *frame)
{
	struct frame_map_args a = { .vaddr = inv_arg(inv, 1) };
	uint64_t rights = inv_arg(inv, 2), size = 1ull << frame->u.frame.size_bits;
	a.zero = rights & FRAME_MAP_ZERO;
	rights &= ~(uint64_t)FRAME_MAP_ZERO;
	int err = lookup_vspace(inv, inv_arg(inv, 0), &a.vs);
	if (err)
		return err;
	if (a.vaddr >= USER_VA_END || USER_VA_END - a.vaddr < size)
		return E_RANGE;
	if (a.vaddr & (size - 1))
		return E_ALIGN;
	if ((err = check_rights(frame, rights)))
		return err;
	if (a.zero && (err = check_zeroable(frame)))
		return err;
	if (frame_is_mapped(frame))
		return E_MAPPED;
	a.pte = vspace_entry(a.vs.entry->vspace_pa, a.vaddr, frame_level(frame), &err);
	if (!a.pte)
		return err == E_MAPPED ? E_DELETE_FIRST : err; /* a block is in the way */
	if (*a.pte)
		return E_DELETE_FIRST;
	a.rights = (unsigned)rights;
	invoke_frame_map(frame, &a);
	return E_OK;
}

static void invoke_frame_remap(struct cap *frame, pte_t *pte, const struct asid_entry *e,
			       unsigned rights)
{
	if (rights & RIGHT_EXEC)
		vspace_sync_icache(frame->u.frame.paddr, 1ull << frame->u.frame.size_bits);
	*pte = frame_pte(frame, rights);
	flush_page(e, frame->u.frame.mapped_vaddr);
}

/* FRAME_REMAP: rights, for the frame's existing mapping. */
static int decode_frame_remap(struct invocation *inv, struct cap *frame)
{
	int err = check_rights(frame, inv_arg(inv, 0));
	if (err)
		return err;
	struct asid_entry *e;
	pte_t *pte = frame_is_mapped(frame) ? frame_entry(frame, &e) : NULL;
	if (!pte)
		return E_NOTMAPPED;
	invoke_frame_remap(frame, pte, e, (unsigned)inv_arg(inv, 0));
	return E_OK;
}

/* FRAME_GET_ADDRESS: -> paddr, size_bits, mapped vaddr and ASID (0, 0 when not mapped). */
static void invoke_frame_get_address(struct invocation *inv, const struct cap *frame)
{
	bool mapped = frame_is_mapped(frame);
	inv_set_result(inv, 0, frame->u.frame.paddr);
	inv_set_result(inv, 1, frame->u.frame.size_bits);
	inv_set_result(inv, 2, mapped ? frame->u.frame.mapped_vaddr : 0);
	inv_set_result(inv, 3, mapped ? frame->u.frame.mapped_asid : 0);
}

/*
 * FRAME_ZERO: fills the frame with zeros through the kernel's map of RAM (DC ZVA), mapped
 * or not, so its holder can reuse it without mapping it anywhere. E_TYPE for a device
 * frame, E_RIGHTS without the write right.
 */
static int decode_frame_zero(const struct cap *frame)
{
	int err = check_zeroable(frame);
	if (err)
		return err;
	frame_zero(frame);
	return E_OK;
}

static int decode_frame_invocation(struct invocation *inv)
{
	struct cap *frame = &inv->slot->cap;
	switch (inv->label) {
	case FRAME_MAP:
		return decode_frame_map(inv, frame);
	case FRAME_REMAP:
		return decode_frame_remap(inv, frame);
	case FRAME_UNMAP:
		frame_unmap(frame); /* no argument to check */
		return E_OK;
	case FRAME_GET_ADDRESS:
		invoke_frame_get_address(inv, frame);
		return E_OK;
	case FRAME_ZERO:
		return decode_frame_zero(frame);
	default:
		return E_LABEL;
	}
}

/* The entry that points to the table `pt` where its capability says, if it still does. */
static pte_t *table_entry(const struct cap *pt, struct asid_entry **entry)
{
	int err;
	*entry = asid_entry_lookup(pt->u.page_table.mapped_asid);
	if (!*entry)
		return NULL;
	int parent = pt->u.page_table.level - 1;
	pte_t *pte = vspace_entry((*entry)->vspace_pa, pt->u.page_table.mapped_vaddr, parent, &err);
	if (!pte || !(*pte & PTE_VALID) || !vspace_pte_is_table(*pte, parent) ||
	    vspace_pte_address(*pte) != pt->u.page_table.paddr)
		return NULL;
	return pte;
}

struct subtree_count {
	uint32_t tables; /* table pages, the table itself included */
	uint32_t pages;  /* 4 KiB pages mapped (L3 pages, L2 blocks) */
};

/* Adds what the level-`level` table `t` and every table below it hold to `c` (what leaves
 * the VSpace's counters when `t` is unlinked). Recursion depth is at most 3. */
static void count_subtree(const pte_t *t, int level, struct subtree_count *c)
{
	c->tables++;
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		if (!(t[i] & PTE_VALID))
			continue;
		if (vspace_pte_is_table(t[i], level))
			count_subtree(vspace_table_kva(vspace_pte_address(t[i])), level + 1, c);
		else
			c->pages +=
			    level == VSPACE_PAGE_LEVEL ? 1 : 1u << (FRAME_2M_BITS - FRAME_4K_BITS);
	}
}

/* Unlinks the table from its VSpace (if still linked), zeroes it, forgets the mapping. */
static void table_unmap(struct cap *pt)
{
	if (!pt->u.page_table.mapped_asid)
		return;
	struct asid_entry *e;
	pte_t *pte = table_entry(pt, &e);
	pte_t *table = vspace_table_kva(pt->u.page_table.paddr);
	if (pte) {
		struct subtree_count c = { 0, 0 };
		count_subtree(table, pt->u.page_table.level, &c);
		*pte = 0;
		e->table_pages -= c.tables;
		e->mapped_pages -= c.pages;
		uint16_t hw = asid_hw_current(e);
		if (hw)
			tlb_flush_asid(hw);
		else
			publish();
	}
	memset(table, 0, PAGE_SIZE);
	publish();
	pt->u.page_table.mapped_asid = 0;
	pt->u.page_table.mapped_vaddr = 0;
	pt->u.page_table.level = 0;
}

/* True if the table's mapping record names a link that is still in place. */
static bool table_is_mapped(const struct cap *pt)
{
	struct asid_entry *e;
	return pt->u.page_table.mapped_asid && table_entry(pt, &e);
}

struct table_map_args {
	struct vspace_ref vs;
	pte_t *pte; /* the empty entry that will point to it */
	uint64_t vaddr;
	int level; /* of the entry: the table becomes a level + 1 table */
};

static void invoke_page_table_map(struct invocation *inv, struct cap *pt,
				  const struct table_map_args *a)
{
	/* Its parent went (VSpace deleted, parent table unmapped): it is linked nowhere, but
	 * may still hold entries. table_unmap clears it before it is linked again. */
	table_unmap(pt);
	*a->pte = pt->u.page_table.paddr | PTE_VALID | PTE_TABLE | PTE_PXN_TABLE;
	publish();
	a->vs.entry->table_pages++;
	pt->u.page_table.mapped_asid = a->vs.asid;
	pt->u.page_table.mapped_vaddr = a->vaddr & ~(LEVEL_SIZE(a->level) - 1);
	pt->u.page_table.level = (uint8_t)(a->level + 1);
	inv_set_result(inv, 0, (uint64_t)a->level + 1);
}

/*
 * PAGE_TABLE_MAP: vspace, vaddr. The table goes into the first empty entry on the walk to
 * vaddr (an empty L0 entry makes it an L1 table, and so on); E_DELETE_FIRST if the walk
 * finds an L3 table already there or a block in the way. Returns the level it became.
 */
static int decode_page_table_map(struct invocation *inv, struct cap *pt)
{
	struct table_map_args a = { .vaddr = inv_arg(inv, 1) };
	int err = lookup_vspace(inv, inv_arg(inv, 0), &a.vs);
	if (err)
		return err;
	if (a.vaddr >= USER_VA_END)
		return E_RANGE;
	if (table_is_mapped(pt))
		return E_MAPPED;
	for (a.level = 0; a.level < VSPACE_PAGE_LEVEL; a.level++) {
		a.pte = vspace_entry(a.vs.entry->vspace_pa, a.vaddr, a.level, &err);
		if (!a.pte || !*a.pte || !vspace_pte_is_table(*a.pte, a.level))
			break;
	}
	if (!a.pte || a.level == VSPACE_PAGE_LEVEL || *a.pte)
		return E_DELETE_FIRST;
	invoke_page_table_map(inv, pt, &a);
	return E_OK;
}

static int decode_page_table_invocation(struct invocation *inv)
{
	struct cap *pt = &inv->slot->cap;
	switch (inv->label) {
	case PAGE_TABLE_MAP:
		return decode_page_table_map(inv, pt);
	case PAGE_TABLE_UNMAP:
		table_unmap(pt); /* no argument to check */
		return E_OK;
	default:
		return E_LABEL;
	}
}

/* VSPACE_INFO: -> ASID, hardware ASID (0: none this generation), generation, table
 * pages, mapped pages. */
static int decode_vspace_info(struct invocation *inv)
{
	const struct cap *v = &inv->cap;
	struct asid_entry *e = asid_entry_of(v->u.vspace.asid, v->u.vspace.paddr);
	uint16_t hw = e ? asid_hw_current(e) : 0;
	inv_set_result(inv, 0, e ? v->u.vspace.asid : 0);
	inv_set_result(inv, 1, hw);
	inv_set_result(inv, 2, hw ? asid_generation() : 0);
	inv_set_result(inv, 3, e ? e->table_pages : 0);
	inv_set_result(inv, 4, e ? e->mapped_pages : 0);
	return E_OK;
}

struct walk_state {
	struct invocation *inv;
	unsigned count, max;
	uint64_t next; /* where a further call continues; 0 when the walk is complete */
};

/* Reports the mappings of the level-`level` table `t` (covering from `base`) at or above
 * `start`, in address order, until `ws` is full. Recursion depth is at most 4. */
static void walk_table(struct walk_state *ws, const pte_t *t, int level, uint64_t base,
		       uint64_t start)
{
	uint64_t step = LEVEL_SIZE(level);
	unsigned first = start > base ? (unsigned)((start - base) / step) : 0;
	for (unsigned i = first; i < PT_ENTRIES && !ws->next; i++) {
		uint64_t va = base + i * step;
		if (!(t[i] & PTE_VALID))
			continue;
		if (vspace_pte_is_table(t[i], level)) {
			walk_table(ws, vspace_table_kva(vspace_pte_address(t[i])), level + 1, va,
				   start);
			continue;
		}
		if (ws->count == ws->max) {
			ws->next = va;
			return;
		}
		unsigned w = 2 + 4 * ws->count++;
		inv_set_result(ws->inv, w, va);
		inv_set_result(ws->inv, w + 1, vspace_pte_address(t[i]));
		inv_set_result(ws->inv, w + 2, LEVEL_SHIFT(level));
		inv_set_result(ws->inv, w + 3, vspace_pte_rights(t[i]));
	}
}

/* VSPACE_WALK: start vaddr, max entries -> count, next vaddr, (vaddr, paddr, size_bits,
 * rights) per mapping. More than one mapping per call needs an IPC buffer. */
static int decode_vspace_walk(struct invocation *inv)
{
	const struct cap *v = &inv->cap;
	uint64_t start = inv_arg(inv, 0), max = inv_arg(inv, 1);
	if (start >= USER_VA_END || max == 0 || max > VSPACE_WALK_MAX)
		return E_RANGE;
	if (!tcb_ipc_buffer(inv->caller) && max > 1)
		return E_MSGSIZE;
	struct walk_state ws = { inv, 0, (unsigned)max, 0 };
	walk_table(&ws, vspace_table_kva(v->u.vspace.paddr), 0, 0, start);
	inv_set_result(inv, 0, ws.count);
	inv_set_result(inv, 1, ws.next);
	return E_OK;
}

static int decode_vspace_invocation(struct invocation *inv)
{
	switch (inv->label) {
	case VSPACE_INFO:
		return decode_vspace_info(inv);
	case VSPACE_WALK:
		return decode_vspace_walk(inv);
	default:
		return E_LABEL;
	}
}

int arch_decode_invocation(struct invocation *inv)
{
	switch (inv->cap.type) {
	case CAP_FRAME:
		return decode_frame_invocation(inv);
	case CAP_PAGE_TABLE:
		return decode_page_table_invocation(inv);
	case CAP_VSPACE:
		return decode_vspace_invocation(inv);
	case CAP_ASID_CONTROL:
		return decode_asid_control_invocation(inv);
	case CAP_ASID_POOL:
		return decode_asid_pool_invocation(inv);
	default:
		return E_TYPE;
	}
}

void arch_cap_deleted(const struct cap *cap)
{
	struct cap c = *cap;
	if (c.type == CAP_FRAME && c.u.frame.mapped_asid)
		frame_unmap(&c);
	else if (c.type == CAP_PAGE_TABLE && c.u.page_table.mapped_asid)
		table_unmap(&c);
	else if (c.type == CAP_VSPACE)
		context_vspace_cap_changed(); /* perhaps the running thread's */
}

void arch_cap_derived(struct cap *cap)
{
	if (cap->type == CAP_VSPACE) {
		context_vspace_cap_changed(); /* perhaps into the running thread's TCB */
	} else if (cap->type == CAP_FRAME) {
		cap->u.frame.mapped_asid = 0;
		cap->u.frame.mapped_vaddr = 0;
	} else if (cap->type == CAP_PAGE_TABLE) {
		cap->u.page_table.mapped_asid = 0;
		cap->u.page_table.mapped_vaddr = 0;
		cap->u.page_table.level = 0;
	}
}

void arch_object_finalise(const struct cap *cap)
{
	if (cap->type == CAP_VSPACE) {
		struct asid_entry *e = asid_entry_of(cap->u.vspace.asid, cap->u.vspace.paddr);
		if (e)
			asid_entry_free(e);
	} else if (cap->type == CAP_ASID_POOL) {
		asid_pool_finalise(cap->u.asid_pool.paddr);
	}
}
