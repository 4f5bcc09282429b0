#include "mmu.h"

#include <arch/memlayout.h>
#include <arch/pte.h>
#include <arch/sysreg.h>
#include <string.h>

#include "bootmem.h"
#include "console.h"
#include "platform.h"

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __kernel_start[], __kernel_end[];

#define BLOCK_LEVEL 2 /* 2 MiB blocks for the linear map; 4 KiB pages at level 3 */

static struct bootmem *table_source;
static pte_t *kernel_root;

/* Returns a zeroed page for a translation table, from boot memory. */
static pte_t *table_alloc(void)
{
	uint64_t pa = bootmem_alloc(table_source, PAGE_SIZE, PAGE_SIZE, "kernel page tables");
	if (!pa)
		panic("table_alloc: out of boot memory");
	pte_t *t = phys_to_virt(pa);
	memset(t, 0, PAGE_SIZE);
	return t;
}

/* Returns the entry for `va` in the table at `level`, creating missing tables above it. */
static pte_t *walk_create(vaddr_t va, int level)
{
	pte_t *table = kernel_root;
	for (int l = 0; l < level; l++) {
		pte_t *e = &table[PT_INDEX(va, l)];
		if (!(*e & PTE_VALID))
			*e = virt_to_phys(table_alloc()) | PTE_VALID | PTE_TABLE;
		else if (!(*e & PTE_TABLE))
			panic("walk_create: block in the way at %#lx level %d", va, l);
		table = phys_to_virt(*e & PTE_ADDR_MASK);
	}
	return &table[PT_INDEX(va, level)];
}

/* Maps [pa, pa+size) at KERNEL_VA_OFFSET + pa with `prot`, in 2 MiB blocks where a whole
 * empty block fits, else in 4 KiB pages. `pa` and `size` are page-aligned. */
static void map_linear(paddr_t pa, uint64_t size, pte_t prot)
{
	const uint64_t block = LEVEL_SIZE(BLOCK_LEVEL);
	while (size) {
		vaddr_t va = (vaddr_t)phys_to_virt(pa);
		pte_t *e = walk_create(va, BLOCK_LEVEL);
		uint64_t step = block;
		if (pa % block || size < block || *e) {
			e = walk_create(va, 3);
			step = PAGE_SIZE;
		}
		if (*e)
			panic("map_linear: %#lx mapped twice", va);
		*e = pa | prot | (step == PAGE_SIZE ? PTE_TABLE : PTE_BLOCK);
		pa += step;
		size -= step;
	}
}

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}
static uint64_t page_down(uint64_t v)
{
	return v & ~(PAGE_SIZE - 1);
}

/* Maps the RAM range minus the image [kstart, kend), which gets mapped section by section. */
static void map_ram(uint64_t base, uint64_t end, uint64_t kstart, uint64_t kend)
{
	base = page_up(base);
	end = page_down(end);
	if (base < kstart)
		map_linear(base, (end < kstart ? end : kstart) - base, PROT_KERN_DATA);
	if (end > kend) {
		uint64_t from = base > kend ? base : kend;
		map_linear(from, end - from, PROT_KERN_DATA);
	}
}

static void map_image(void)
{
	map_linear(virt_to_phys(__text_start), __text_end - __text_start, PROT_KERN_TEXT);
	map_linear(virt_to_phys(__rodata_start), __rodata_end - __rodata_start, PROT_KERN_RODATA);
	map_linear(virt_to_phys(__data_start), __kernel_end - __data_start, PROT_KERN_DATA);
}

static void map_device(const struct mmio_region *r)
{
	uint64_t base = page_down(r->pa);
	map_linear(base, page_up(r->pa + r->size) - base, PROT_KERN_DEVICE);
}

/* Installs `root` in TTBR1, stops TTBR0 walks, enables WXN and drops every old entry. */
static void switch_tables(pte_t *root)
{
	dsb(ishst);
	write_sysreg(ttbr1_el1, virt_to_phys(root));
	write_sysreg(tcr_el1, read_sysreg(tcr_el1) | TCR_EPD0);
	write_sysreg(ttbr0_el1, 0);
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_WXN);
	isb();
	__asm__ volatile("tlbi vmalle1" ::: "memory");
	dsb(nsh);
	isb();
}

void mmu_init_secondary(void)
{
	switch_tables(kernel_root);
}

void mmu_init(struct bootmem *bm, const struct platform *p)
{
	uint64_t kstart = virt_to_phys(__kernel_start), kend = virt_to_phys(__kernel_end);
	table_source = bm;
	kernel_root = table_alloc();
	for (int i = 0; i < bm->n_ram; i++)
		map_ram(bm->ram[i].base, bm->ram[i].base + bm->ram[i].size, kstart, kend);
	map_image();
	map_device(&p->uart);
	for (int i = 0; i < PLATFORM_IRQC_REGIONS; i++)
		map_device(&p->irqc_regs[i]);
	if (p->pm.size)
		map_device(&p->pm);
	switch_tables(kernel_root);
	kprintf("mmu: kernel tables at %#lx: text %#lx-%#lx RX, rodata -%#lx R, data -%#lx RW\n",
		virt_to_phys(kernel_root), (uint64_t)__text_start, (uint64_t)__text_end,
		(uint64_t)__rodata_end, (uint64_t)__kernel_end);
}
