/*
 * User translation tables: the descriptors the kernel writes into a VSpace, and the walker.
 *
 * 4 KiB granule, 48-bit VAs, four levels; a VA splits into four 9-bit indexes and a 12-bit
 * page offset (PT_INDEX, LEVEL_SHIFT in <arch/pte.h>):
 *
 *   47      39 38      30 29      21 20      12 11          0
 *  +----------+----------+----------+----------+-------------+
 *  | L0 index | L1 index | L2 index | L3 index | page offset |
 *  +----------+----------+----------+----------+-------------+
 *
 * The descriptors written here (bit numbers as in <arch/pte.h>):
 *
 *   table (L0-L2):  PXNTable(59) | next table PA [47:12] | T(1)=1 | V(0)=1
 *   page (L3):      UXN(54) | PXN(53)=1 | PA [47:12] | nG(11)=1 | AF(10)=1 | SH[9:8] |
 *                   AP[7:6] = 01 EL0 RW or 11 EL0 RO | AttrIndx[4:2] | T(1)=1 | V(0)=1
 *
 * PXNTable makes everything below a user table non-executable at EL1 even if a page
 * descriptor were wrong. An entry is empty when it is 0; nothing else is ever written.
 */
#include "vspace.h"

#include <arch/sysreg.h>
#include <mica/errors.h>
#include <mica/objects.h>
#include <stddef.h>

#include "arch.h"

#define PTE_TYPE_MASK  (PTE_VALID | PTE_TABLE)
#define PTE_TYPE_TABLE (PTE_VALID | PTE_TABLE) /* at L0-L2 */
#define PTE_TYPE_PAGE  (PTE_VALID | PTE_TABLE) /* at L3 */
#define USER_PAGE_BASE (PTE_TYPE_PAGE | PTE_AF | PTE_NG | PTE_AP_EL0 | PTE_PXN)

#ifdef HOST_TEST
/* Host tests: tables are host memory, so a "physical" address is a host pointer, and there
 * is no table walker or cache to maintain. The only host accommodation in this file. */
static void *kva(paddr_t pa)
{
	return (void *)(uintptr_t)pa;
}
static void walker_sync(void) {}
static uint64_t dcache_line_size(void)
{
	return 64;
}
static void dcache_clean_pou(uintptr_t va)
{
	(void)va;
}
static void icache_invalidate_all(void) {}
#else
static void *kva(paddr_t pa)
{
	return phys_to_virt(pa);
}
/* Makes table writes visible to the table walker. */
static void walker_sync(void)
{
	dsb(ishst);
}
static uint64_t dcache_line_size(void)
{
	return UL(4) << CTR_DMINLINE(read_sysreg(ctr_el0));
}
static void dcache_clean_pou(uintptr_t va)
{
	__asm__ volatile("dc cvau, %0" ::"r"(va) : "memory");
}
static void icache_invalidate_all(void)
{
	dsb(ish);
	__asm__ volatile("ic ialluis" ::: "memory");
	dsb(ish);
	isb();
}
#endif

/* AP[2] and UXN for EL0 access with `rights`: W^X, so a writable page is never executable. */
static pte_t user_access_bits(unsigned rights)
{
	pte_t bits = 0;
	if (!(rights & RIGHT_WRITE))
		bits |= PTE_AP_RO;
	if (!(rights & RIGHT_EXEC) || (rights & RIGHT_WRITE))
		bits |= PTE_UXN;
	return bits;
}

pte_t vspace_user_pte(paddr_t pa, unsigned rights)
{
	return (pa & PTE_ADDR_MASK) | USER_PAGE_BASE | PTE_SH_INNER | PTE_ATTR(MT_NORMAL) |
	       user_access_bits(rights);
}

pte_t vspace_user_device_pte(paddr_t pa, unsigned rights)
{
	return (pa & PTE_ADDR_MASK) | USER_PAGE_BASE | PTE_ATTR(MT_DEVICE_nGnRE) | PTE_UXN |
	       user_access_bits(rights & ~RIGHT_EXEC);
}

struct walk_ret {
	pte_t *entry; /* the entry at the requested level, or NULL */
	int err;      /* E_OK; E_NOTABLE: a table is missing; E_MAPPED: a block is in the way */
};

/* Walks from the L0 table at `l0` to the entry for the user address `va` at `level`. */
static struct walk_ret walk(paddr_t l0, vaddr_t va, int level)
{
	pte_t *table = kva(l0);
	/* Invariant: `table` is the level-l table whose range contains va. */
	for (int l = 0; l < level; l++) {
		pte_t e = table[PT_INDEX(va, l)];
		if (!(e & PTE_VALID))
			return (struct walk_ret){ NULL, E_NOTABLE };
		if ((e & PTE_TYPE_MASK) != PTE_TYPE_TABLE)
			return (struct walk_ret){ NULL, E_MAPPED };
		table = kva(e & PTE_ADDR_MASK);
	}
	return (struct walk_ret){ &table[PT_INDEX(va, level)], E_OK };
}

pte_t *vspace_entry(paddr_t l0, vaddr_t va, int level, int *err)
{
	if (va >= USER_VA_END || level < 0 || level >= PT_LEVELS) {
		*err = E_RANGE;
		return NULL;
	}
	struct walk_ret w = walk(l0, va, level);
	*err = w.err;
	return w.entry;
}

pte_t vspace_user_block_pte(paddr_t pa, unsigned rights, bool device)
{
	pte_t page = device ? vspace_user_device_pte(pa, rights) : vspace_user_pte(pa, rights);
	return page & ~PTE_TABLE; /* T = 0 at L2: a block */
}

unsigned vspace_pte_rights(pte_t pte)
{
	unsigned rights = RIGHT_READ;
	if (!(pte & PTE_AP_RO))
		rights |= RIGHT_WRITE;
	if (!(pte & PTE_UXN))
		rights |= RIGHT_EXEC;
	return rights;
}

bool vspace_pte_is_table(pte_t pte, int level)
{
	return level < VSPACE_PAGE_LEVEL && (pte & PTE_TYPE_MASK) == PTE_TYPE_TABLE;
}

paddr_t vspace_pte_address(pte_t pte)
{
	return pte & PTE_ADDR_MASK;
}

void *vspace_table_kva(paddr_t table)
{
	return kva(table);
}

pte_t *vspace_lookup(paddr_t l0, vaddr_t va, int level)
{
	if (va >= USER_VA_END || level < 0 || level >= PT_LEVELS)
		return NULL;
	return walk(l0, va, level).entry;
}

int vspace_install_table(paddr_t l0, vaddr_t va, int level, paddr_t table)
{
	if (va >= USER_VA_END || level < VSPACE_TABLE_LEVEL_MIN || level > VSPACE_TABLE_LEVEL_MAX)
		return E_RANGE;
	if (table & (PAGE_SIZE - 1))
		return E_ALIGN;
	if (table & ~PTE_ADDR_MASK)
		return E_RANGE;
	struct walk_ret w = walk(l0, va, level - 1);
	if (!w.entry)
		return w.err;
	if (*w.entry)
		return E_MAPPED;
	*w.entry = table | PTE_TYPE_TABLE | PTE_PXN_TABLE;
	walker_sync();
	return E_OK;
}

int vspace_install_page(paddr_t l0, vaddr_t va, pte_t pte)
{
	if (va >= USER_VA_END)
		return E_RANGE;
	if (va & (PAGE_SIZE - 1))
		return E_ALIGN;
	struct walk_ret w = walk(l0, va, VSPACE_PAGE_LEVEL);
	if (!w.entry)
		return w.err;
	if (*w.entry)
		return E_MAPPED;
	*w.entry = pte;
	walker_sync();
	return E_OK;
}

void vspace_sync_icache(paddr_t pa, uint64_t size)
{
	uint64_t line = dcache_line_size();
	uintptr_t start = (uintptr_t)kva(pa);
	/* Invariant: every line in [start & ~(line - 1), va) has been cleaned. */
	for (uintptr_t va = start & ~(line - 1); va < start + size; va += line)
		dcache_clean_pou(va);
	icache_invalidate_all();
}

void arch_sync_icache(paddr_t pa, uint64_t size)
{
	vspace_sync_icache(pa, size);
}

int arch_boot_map_frame(paddr_t root, vaddr_t va, paddr_t pa, unsigned rights,
			paddr_t (*new_table)(void *ctx, unsigned level, vaddr_t base), void *ctx)
{
	if (va % PAGE_SIZE || pa % PAGE_SIZE)
		return E_ALIGN;
	/* Invariant: the tables above `level` on the way to va exist. */
	for (int level = VSPACE_TABLE_LEVEL_MIN; level <= VSPACE_TABLE_LEVEL_MAX; level++) {
		int err;
		if (vspace_entry(root, va, level, &err))
			continue;
		if (err != E_NOTABLE)
			return err;
		vaddr_t base = va & ~(LEVEL_SIZE(level - 1) - 1);
		paddr_t table = new_table(ctx, (unsigned)level, base);
		if (!table)
			return E_NOMEM;
		if ((err = vspace_install_table(root, va, level, table)))
			return err;
	}
	return vspace_install_page(root, va, vspace_user_pte(pa, rights));
}
