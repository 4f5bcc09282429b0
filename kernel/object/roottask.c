/*
 * The root task: the first user thread, built at boot from boot memory. Its program comes
 * from the boot archive linked into the kernel; its address space, CSpace layout and
 * boot-info page are described in docs/roottask.md.
 *
 * Everything here is a build-time fact (the archive, the program, the memory the kernel
 * booted with), so anything wrong is a panic, not an error code.
 */
#include "object/roottask.h"

#include <config.h>
#include <cpio.h>
#include <elf.h>
#include <mica/bootinfo.h>
#include <mica/errors.h>
#include <mica/objects.h>
#include <stddef.h>
#include <string.h>

#include "arch.h"
#include "bootmem.h"
#include "console.h"
#include "object/cap.h"
#include "object/cspace.h"
#include "object/tcb.h"

extern const char boot_archive_start[], boot_archive_end[];

#define PAGE_SIZE (UINT64_C(1) << FRAME_4K_BITS) /* the root task's frames */
/*
 * The root CNode has a slot for every page of RAM (memsrv keeps a capability per frame it
 * hands out), at least 2^17 (8 MiB: what a 512 MiB machine needs) and at most 2^22.
 */
#define ROOT_CNODE_MIN_BITS 17
#define ROOT_CNODE_MAX_BITS 22
_Static_assert(ROOT_CNODE_MAX_BITS < 32, "a CNode capability's one_level holds 2^radix");
#define ROOT_ASID          1
#define ROOT_ARCHIVE_VA    UINT64_C(0x10000000) /* read-only copy of the boot archive */
#define ROOT_BOOTINFO_VA   UINT64_C(0x7ffd0000) /* boot-info page, read-only */
#define ROOT_IPC_BUFFER_VA UINT64_C(0x7ffe0000) /* IPC buffer page, read-write */
#define ROOT_STACK_TOP     UINT64_C(0x80000000)
#define ROOT_STACK_PAGES   16
#define ROOT_STACK_BASE    (ROOT_STACK_TOP - ROOT_STACK_PAGES * PAGE_SIZE) /* guard below */
/* [ROOT_FIXED_BASE, ROOT_STACK_TOP) is the kernel's choice; the program must stay out of it. */
#define ROOT_FIXED_BASE ROOT_BOOTINFO_VA

_Static_assert(sizeof(struct bootinfo) <= PAGE_SIZE, "the boot-info page is one page");
_Static_assert(sizeof(struct ipc_buffer) <= PAGE_SIZE, "the IPC buffer is one page");
_Static_assert(ROOT_IPC_BUFFER_VA + PAGE_SIZE < ROOT_STACK_BASE - PAGE_SIZE,
	       "the IPC buffer stays clear of the stack guard page");

/* One string, so bootmem merges consecutive root-task allocations into one reservation. */
static const char rt_what[] = "root task";

/* State while the address space and CSpace are built. */
struct rt_build {
	struct bootmem *bm;
	paddr_t l0;
	paddr_t asid_pool;   /* the first ASID pool (ASIDs 0..127), holding the root's ASID */
	struct cte *slots;   /* the root CNode */
	uint64_t next_frame; /* next slot of the image_frames range */
	uint64_t frames_end; /* end of the image_frames range (counted in advance) */
	uint64_t next_table; /* next slot of the page_tables range, which follows it */
	unsigned cnode_bits; /* radix of the root CNode */
};

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}
static uint64_t page_down(uint64_t v)
{
	return v & ~(PAGE_SIZE - 1);
}

/* Bytes of whole pages the segment touches (none if it is empty). */
static uint64_t segment_span(const struct elf_segment *s)
{
	if (!s->memsz)
		return 0;
	return page_up(s->vaddr + s->memsz) - page_down(s->vaddr);
}

static unsigned segment_rights(uint32_t flags)
{
	return ((flags & ELF_SEG_R) ? RIGHT_READ : 0) | ((flags & ELF_SEG_W) ? RIGHT_WRITE : 0) |
	       ((flags & ELF_SEG_X) ? RIGHT_EXEC : 0);
}

static bool overlaps(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

/* Returns `size` bytes of zeroed boot memory aligned to `align`; panics if there are none. */
static paddr_t rt_alloc(struct rt_build *b, uint64_t size, uint64_t align)
{
	paddr_t pa = bootmem_alloc(b->bm, size, align, rt_what);
	if (!pa)
		panic("roottask_create: out of boot memory (%lu bytes)", size);
	memset(phys_to_virt(pa), 0, page_up(size));
	return pa;
}

/* Puts `cap` in root CNode slot `slot` as a root of the derivation tree. */
static void rt_insert(struct rt_build *b, uint64_t slot, struct cap cap)
{
	if (slot >= (UINT64_C(1) << b->cnode_bits))
		panic("roottask_create: root CNode full at slot %lu (boot archive too large?)",
		      slot);
	mdb_insert(NULL, &b->slots[slot], cap);
}

static struct cap frame_cap(paddr_t pa, vaddr_t va, unsigned rights)
{
	struct cap c = cap_null();
	c.type = CAP_FRAME;
	c.rights = (uint8_t)rights;
	c.u.frame.paddr = pa;
	c.u.frame.mapped_vaddr = va;
	c.u.frame.mapped_asid = ROOT_ASID;
	c.u.frame.size_bits = FRAME_4K_BITS;
	return c;
}

/* arch_boot_map_frame's new_table: a zeroed page for the page table at `level` covering
 * `base`, with a capability to it in the page_tables range. */
static paddr_t rt_new_table(void *ctx, unsigned level, vaddr_t base)
{
	struct rt_build *b = ctx;
	paddr_t table = rt_alloc(b, PAGE_SIZE, PAGE_SIZE);
	struct cap c = cap_null();
	c.type = CAP_PAGE_TABLE;
	c.rights = RIGHTS_ALL;
	c.u.page_table.paddr = table;
	c.u.page_table.mapped_vaddr = base;
	c.u.page_table.mapped_asid = ROOT_ASID;
	c.u.page_table.level = (uint8_t)level;
	rt_insert(b, b->next_table++, c);
	return table;
}

/* Maps the frame at `pa` at `va` with `rights`, with the tables missing on the way. */
static void rt_map(struct rt_build *b, vaddr_t va, paddr_t pa, unsigned rights)
{
	int err = arch_boot_map_frame(b->l0, va, pa, rights, rt_new_table, b);
	if (err == E_MAPPED)
		panic("roottask_create: %#lx mapped twice (segments sharing a page?)", va);
	if (err)
		panic("roottask_create: mapping %#lx: %s", va, mica_strerror(err));
}

/* Maps `npages` frames from `pa` at `va` with `rights`, each with a cap in image_frames. */
static void rt_map_frames(struct rt_build *b, vaddr_t va, paddr_t pa, uint64_t npages,
			  unsigned rights)
{
	for (uint64_t i = 0; i < npages; i++) {
		if (b->next_frame >= b->frames_end)
			panic("roottask_create: more frames than counted");
		rt_map(b, va + i * PAGE_SIZE, pa + i * PAGE_SIZE, rights);
		rt_insert(b, b->next_frame++,
			  frame_cap(pa + i * PAGE_SIZE, va + i * PAGE_SIZE, RIGHTS_ALL));
	}
}

/* Copies one ELF segment into fresh zeroed frames and maps them with its rights. */
static void rt_load_segment(struct rt_build *b, const struct cpio_file *f,
			    const struct elf_segment *s, uint64_t archive_size)
{
	vaddr_t base = page_down(s->vaddr);
	uint64_t size = segment_span(s);
	if (overlaps(base, size, ROOT_ARCHIVE_VA, archive_size) ||
	    overlaps(base, size, ROOT_FIXED_BASE, ROOT_STACK_TOP - ROOT_FIXED_BASE))
		panic("roottask_create: '%s' segment %#lx-%#lx overlaps the archive or stack area",
		      f->name, s->vaddr, s->vaddr + s->memsz);
	paddr_t pa = rt_alloc(b, size, PAGE_SIZE);
	memcpy((char *)phys_to_virt(pa) + (s->vaddr - base), (const char *)f->data + s->offset,
	       s->filesz);
	if (s->flags & ELF_SEG_X)
		arch_sync_icache(pa, size);
	rt_map_frames(b, base, pa, size / PAGE_SIZE, segment_rights(s->flags));
}

/* Maps the read-only copy of the archive (the kernel's own copy is never user-visible). */
static void rt_map_archive(struct rt_build *b, uint64_t archive_size)
{
	uint64_t len = (uint64_t)(boot_archive_end - boot_archive_start);
	paddr_t pa = rt_alloc(b, archive_size, PAGE_SIZE);
	memcpy(phys_to_virt(pa), boot_archive_start, len);
	rt_map_frames(b, ROOT_ARCHIVE_VA, pa, archive_size / PAGE_SIZE, RIGHT_READ);
}

/* The root CNode's radix: enough slots for every page of RAM, within the limits above. */
static unsigned rt_cnode_bits(const struct bootmem *bm)
{
	uint64_t pages = bootmem_ram_bytes(bm) / PAGE_SIZE;
	unsigned bits = ROOT_CNODE_MIN_BITS;
	while (bits < ROOT_CNODE_MAX_BITS && (UINT64_C(1) << bits) < pages)
		bits++;
	return bits;
}

/* Creates the root CNode, TCB and VSpace root objects; returns the TCB. */
static struct tcb *rt_create_objects(struct rt_build *b)
{
	uint64_t cnode_size = UINT64_C(1) << (b->cnode_bits + CNODE_SLOT_BITS);
	uint64_t tcb_size = UINT64_C(1) << TCB_SIZE_BITS;
	b->slots = phys_to_virt(rt_alloc(b, cnode_size, cnode_size));
	struct tcb *t = phys_to_virt(rt_alloc(b, tcb_size, PAGE_SIZE));
	b->l0 = rt_alloc(b, PAGE_SIZE, PAGE_SIZE);
	b->asid_pool = rt_alloc(b, PAGE_SIZE, PAGE_SIZE);
	return t;
}

/* Fills the fixed slots for the root task's own objects and IRQ control. */
static void rt_insert_object_caps(struct rt_build *b, struct tcb *t)
{
	struct cap c = cap_null();
	c.type = CAP_TCB;
	c.rights = RIGHTS_ALL;
	c.u.tcb.tcb = t;
	rt_insert(b, SLOT_INIT_TCB, c);

	/* One level: cptr == slot index. */
	c = cap_cnode(b->slots, b->cnode_bits, 64 - b->cnode_bits, 0);
	c.rights = RIGHTS_ALL;
	rt_insert(b, SLOT_INIT_CNODE, c);

	c = cap_null();
	c.type = CAP_VSPACE;
	c.rights = RIGHTS_ALL;
	c.u.vspace.paddr = b->l0;
	c.u.vspace.asid = ROOT_ASID;
	rt_insert(b, SLOT_INIT_VSPACE, c);

	c = cap_null();
	c.type = CAP_IRQ_CONTROL;
	c.rights = RIGHTS_ALL;
	rt_insert(b, SLOT_IRQ_CONTROL, c);

	c = cap_null();
	c.type = CAP_ASID_CONTROL;
	c.rights = RIGHTS_ALL;
	rt_insert(b, SLOT_ASID_CONTROL, c);

	c = cap_null();
	c.type = CAP_ASID_POOL;
	c.rights = RIGHTS_ALL;
	c.u.asid_pool.paddr = b->asid_pool;
	c.u.asid_pool.asid_base = 0;
	rt_insert(b, SLOT_INIT_ASID_POOL, c);

	c = cap_null();
	c.type = CAP_KERNEL_INFO;
	c.rights = RIGHT_READ;
	rt_insert(b, SLOT_KERNEL_INFO, c);
}

/* Maps the IPC buffer and boot-info pages and caps them in their fixed slots. Returns the
 * kernel alias of the boot-info page. */
static struct bootinfo *rt_map_fixed_pages(struct rt_build *b)
{
	paddr_t ipc = rt_alloc(b, PAGE_SIZE, PAGE_SIZE);
	rt_map(b, ROOT_IPC_BUFFER_VA, ipc, RIGHT_READ | RIGHT_WRITE);
	rt_insert(b, SLOT_IPC_BUFFER, frame_cap(ipc, ROOT_IPC_BUFFER_VA, RIGHTS_ALL));

	paddr_t bi = rt_alloc(b, PAGE_SIZE, PAGE_SIZE);
	rt_map(b, ROOT_BOOTINFO_VA, bi, RIGHT_READ);
	rt_insert(b, SLOT_BOOTINFO, frame_cap(bi, ROOT_BOOTINFO_VA, RIGHT_READ));
	return phys_to_virt(bi);
}

/* Initialises the TCB: its CSpace, VSpace and IPC buffer, and the registers it starts with.
 * It stays inactive; the caller makes it runnable. */
static void rt_setup_tcb(struct rt_build *b, struct tcb *t, uint64_t entry)
{
	struct cte *s = b->slots;
	tcb_init(t);
	mdb_insert(&s[SLOT_INIT_CNODE], &t->slots[TCB_SLOT_CSPACE], s[SLOT_INIT_CNODE].cap);
	mdb_insert(&s[SLOT_INIT_VSPACE], &t->slots[TCB_SLOT_VSPACE], s[SLOT_INIT_VSPACE].cap);
	mdb_insert(&s[SLOT_IPC_BUFFER], &t->slots[TCB_SLOT_IPC_BUFFER], s[SLOT_IPC_BUFFER].cap);
	t->ipc_buffer_kva = phys_to_virt(s[SLOT_IPC_BUFFER].cap.u.frame.paddr);
	t->ipc_buffer_vaddr = ROOT_IPC_BUFFER_VA;
	arch_init_user_context(&t->ctx, entry, ROOT_STACK_TOP, ROOT_BOOTINFO_VA);
	t->priority = PRIO_MAX;
	t->max_priority = PRIO_MAX;
}

static void rt_fill_bootinfo(struct bootinfo *bi, const struct rt_build *b, uint64_t frames_start,
			     const char *cmdline)
{
	bi->magic = BOOTINFO_MAGIC;
	bi->root_cnode_bits = b->cnode_bits;
	bi->image_frames = (struct slot_range){ frames_start, b->frames_end };
	bi->page_tables = (struct slot_range){ b->frames_end, b->next_table };
	bi->untyped = (struct slot_range){ b->next_table, b->next_table };
	bi->empty = (struct slot_range){ b->next_table, (UINT64_C(1) << b->cnode_bits) };
	bi->ipc_buffer = ROOT_IPC_BUFFER_VA;
	bi->archive = ROOT_ARCHIVE_VA;
	bi->archive_size = (uint64_t)(boot_archive_end - boot_archive_start);
	bi->timer_hz = arch_timer_frequency();
	bi->tick_hz = CONFIG_TICK_HZ;
	bi->max_priority = PRIO_MAX;
	bi->debug_build = CONFIG_DEBUG;
	arch_console_device(&bi->uart_paddr, &bi->uart_irq);
	strlcpy(bi->cmdline, cmdline ? cmdline : "", sizeof(bi->cmdline));
}

/* Finds `name` in the boot archive and parses it; panics if either fails. */
static void rt_find_program(const char *name, struct cpio_file *f, struct elf_info *info)
{
	size_t len = (size_t)(boot_archive_end - boot_archive_start);
	if (cpio_find(boot_archive_start, len, name, f) != 0)
		panic("roottask_create: no program '%s' in the boot archive", name);
	const char *why = elf_parse(f->data, f->size, info);
	if (why)
		panic("roottask_create: '%s' is not a valid program: %s", name, why);
}

/* Checks that every counted frame got its slot and that room is left for untyped caps. */
static void rt_check_slots(const struct rt_build *b)
{
	if (b->next_frame != b->frames_end)
		panic("roottask_create: %lu frames counted, %lu mapped",
		      b->frames_end - SLOT_FIRST_FREE_FIXED, b->next_frame - SLOT_FIRST_FREE_FIXED);
	if (b->next_table + BOOTINFO_MAX_UNTYPED > (UINT64_C(1) << b->cnode_bits))
		panic("roottask_create: the boot image takes %lu root CNode slots, leaving fewer "
		      "than %d for untyped (boot archive too large?)",
		      b->next_table, BOOTINFO_MAX_UNTYPED);
}

/* Frames in the image_frames range: every segment page, the stack, the archive copy. */
static uint64_t rt_count_frames(const struct elf_info *info, uint64_t archive_size)
{
	uint64_t bytes = ROOT_STACK_PAGES * PAGE_SIZE + archive_size;
	for (unsigned i = 0; i < info->nsegments; i++)
		bytes += segment_span(&info->segments[i]);
	return bytes / PAGE_SIZE;
}

void roottask_create(struct bootmem *bm, const char *name, const char *cmdline, struct roottask *rt)
{
	struct cpio_file f;
	struct elf_info info;
	rt_find_program(name, &f, &info);
	uint64_t archive_size = page_up((uint64_t)(boot_archive_end - boot_archive_start));

	struct rt_build b = { .bm = bm, .next_frame = SLOT_FIRST_FREE_FIXED };
	b.cnode_bits = rt_cnode_bits(bm);
	b.frames_end = b.next_frame + rt_count_frames(&info, archive_size);
	b.next_table = b.frames_end;
	struct tcb *t = rt_create_objects(&b);
	rt_insert_object_caps(&b, t);
	struct bootinfo *bi = rt_map_fixed_pages(&b);
	for (unsigned i = 0; i < info.nsegments; i++)
		if (info.segments[i].memsz)
			rt_load_segment(&b, &f, &info.segments[i], archive_size);
	rt_map_frames(&b, ROOT_STACK_BASE, rt_alloc(&b, ROOT_STACK_PAGES * PAGE_SIZE, PAGE_SIZE),
		      ROOT_STACK_PAGES, RIGHT_READ | RIGHT_WRITE);
	rt_map_archive(&b, archive_size);
	rt_check_slots(&b);
	rt_setup_tcb(&b, t, info.entry);
	rt_fill_bootinfo(bi, &b, SLOT_FIRST_FREE_FIXED, cmdline);
	arch_vspace_boot(b.asid_pool, b.l0, ROOT_ASID, (uint32_t)(b.next_table - b.frames_end),
			 (uint32_t)(b.frames_end - SLOT_FIRST_FREE_FIXED + 2));

	rt->tcb = t;
	rt->cnode_slots = b.slots;
	rt->cnode_bits = b.cnode_bits;
	rt->next_free_slot = b.next_table;
	rt->bootinfo = bi;
	kprintf("roottask: '%s' entry %#lx, %lu pages image, %lu table pages, bootinfo at %#lx\n",
		name, info.entry, b.frames_end - SLOT_FIRST_FREE_FIXED, b.next_table - b.frames_end,
		ROOT_BOOTINFO_VA);
}
