/*
 * Spawning and ending processes. A spawn builds everything in order and, on any failure,
 * undoes what it built (undo_spawn), so a refused spawn leaves no trace but a used id.
 */
#include "process.h"

#include <cpio.h>
#include <elf.h>
#include <mica/errors.h>
#include <mica/memsrv.h>
#include <mica/objects.h>
#include <mica_invoke.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "argv.h"
#include "cells.h"
#include "children.h"
#include "console.h"
#include "cores.h"
#include "layout.h"
#include "names.h"
#include "objects.h"
#include "probe.h"
#include "shm.h"
#include "threads.h"

static cptr_t memsrv_ep;
static const void *archive;
static size_t archive_size;
static unsigned live;

int process_lookup(uint64_t id, struct aspace **out)
{
	if (id == 0)
		return E_INVAL;
	if (id >= ASPACE_ID_LIMIT)
		return E_RANGE;
	struct aspace *as = aspace_entry(id);
	if (!as || !as->proc.present)
		return E_INVAL;
	*out = as;
	return E_OK;
}

unsigned process_core(const struct aspace *as)
{
	if (!as->proc.present || as->proc.state != MEMSRV_PS_RUNNING)
		return MEMSRV_CORE_NONE;
	return as->proc.core;
}

unsigned process_live(void)
{
	return live;
}

void process_init(cptr_t endpoint, const void *arch, size_t size)
{
	memsrv_ep = endpoint;
	archive = arch;
	archive_size = size;
}

/* One ELF segment being copied in, page by page. */
struct segment_fill {
	const uint8_t *file;
	const struct elf_segment *seg;
};

/* aspace_fill_fn: copies the file bytes that belong to the page at va (the rest stays 0). */
static void fill_segment(void *ctx, uint64_t va, void *page)
{
	const struct segment_fill *f = ctx;
	uint64_t lo = f->seg->vaddr, hi = f->seg->vaddr + f->seg->filesz;
	uint64_t from = va > lo ? va : lo, to = va + PAGE_SIZE < hi ? va + PAGE_SIZE : hi;
	if (from < to)
		memcpy((uint8_t *)page + (from - va), f->file + f->seg->offset + (from - lo),
		       to - from);
}

static unsigned segment_rights(uint32_t flags)
{
	return VMA_R | ((flags & ELF_SEG_W) ? VMA_W : 0) | ((flags & ELF_SEG_X) ? VMA_X : 0);
}

/*
 * Whether a segment spanning [start, end) may be loaded: a probe's lies inside its code area,
 * anything else keeps out of the probe window.
 */
static bool segment_allowed(uint64_t start, uint64_t end, bool probe)
{
	uint64_t lo = MEMSRV_PROBE_BASE, hi = MEMSRV_PROBE_BASE + PROBE_CODE_MAX;
	if (probe)
		return start >= lo && end <= hi;
	return end <= MEMSRV_PROBE_BASE || start >= MEMSRV_PROBE_BASE + MEMSRV_PROBE_SIZE;
}

/* Maps every PT_LOAD segment as an eager ELF VMA with its file contents. */
static int load_segments(struct aspace *as, const uint8_t *file, const struct elf_info *elf,
			 bool probe)
{
	for (unsigned i = 0; i < elf->nsegments; i++) {
		const struct elf_segment *s = &elf->segments[i];
		uint64_t start = s->vaddr & ~(PAGE_SIZE - 1);
		uint64_t end = (s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		struct segment_fill fill = { file, s };
		if (!segment_allowed(start, end, probe))
			return E_TYPE;
		int err = aspace_map(as, start, end - start, segment_rights(s->flags), VMA_ELF,
				     VMA_EAGER, 0, s->offset, fill_segment, &fill);
		if (err)
			return err == E_MAPPED ? E_TYPE : err; /* segments sharing a page */
	}
	return E_OK;
}

/* A lazy stack with its guard page at a random place; *sp = its top. */
static int map_stack(struct aspace *as, uint64_t *sp)
{
	uint64_t start = 0, length = (LAYOUT_STACK_PAGES + 1) * PAGE_SIZE;
	int err = layout_place(&as->vmas, length, LAYOUT_STACK, &start);
	if (!err)
		err = aspace_map(as, start, length, VMA_R | VMA_W, VMA_STACK, VMA_LAZY, 1, 0, NULL,
				 NULL);
	as->proc.stack = start;
	*sp = start + length;
	return err;
}

/*
 * The IPC buffer: one resident, pinned page at a random place; for the console process the
 * lower page of a free pair (layout_place_pair), the upper one being left for the UART.
 */
static int map_ipc_buffer(struct aspace *as, bool console, uint64_t *va)
{
	int err = console ? layout_place_pair(&as->vmas, va)
			  : layout_place(&as->vmas, PAGE_SIZE, LAYOUT_MMAP, va);
	if (!err)
		err = aspace_map(as, *va, PAGE_SIZE, VMA_R | VMA_W, VMA_SHARED, VMA_EAGER, 0,
				 PROCESS_VMA_IPC, NULL, NULL);
	return err;
}

/* The argument page being filled: aspace_fill_fn's context. */
struct args_fill {
	const struct spawn_args *a;
	uint64_t va;
};

/* aspace_fill_fn: argv[] and the strings (argv_layout). */
static void fill_args(void *ctx, uint64_t va, void *page)
{
	const struct args_fill *f = ctx;
	(void)va;
	argv_layout(page, f->va, f->a->argv, f->a->argv_bytes, f->a->argc);
}

/* For a spawn with arguments, one eager read-only page at a random place holding argv. */
static int map_args(struct aspace *as, const struct spawn_args *a, uint64_t *va)
{
	*va = 0;
	if (!a->argc)
		return E_OK;
	int err = layout_place(&as->vmas, PAGE_SIZE, LAYOUT_MMAP, va);
	struct args_fill fill = { a, *va };
	if (!err)
		err = aspace_map(as, *va, PAGE_SIZE, VMA_R, VMA_ANON, VMA_EAGER, 0, 0, fill_args,
				 &fill);
	return err;
}

int process_mint_endpoint(uint64_t badge, cptr_t *out)
{
	cptr_t slot = alloc_slot();
	if (!slot)
		return E_NOMEM;
	int err =
	    mica_cnode_mint(SLOT_INIT_CNODE, slot, SLOT_INIT_CNODE, memsrv_ep, RIGHT_WRITE, badge);
	if (err) {
		alloc_slot_free(slot);
		return err;
	}
	*out = slot;
	return E_OK;
}

/* Deletes a badged copy and everything derived from it, and frees its slot. */
static void drop_badged(cptr_t *slot)
{
	if (!*slot)
		return;
	mica_cnode_revoke(SLOT_INIT_CNODE, *slot);
	mica_cnode_delete(SLOT_INIT_CNODE, *slot);
	alloc_slot_free(*slot);
	*slot = 0;
}

/* The process's capabilities: its badged endpoint (in its CNode) and its fault endpoint. */
static int make_caps(struct aspace *as, bool control)
{
	struct process *p = &as->proc;
	uint64_t rights = MEMSRV_R_MAP | MEMSRV_R_READ | (control ? MEMSRV_R_CONTROL : 0);
	int err = process_mint_endpoint(MEMSRV_BADGE(as->id, rights), &p->cap_client);
	if (!err)
		err = process_mint_endpoint(MEMSRV_BADGE_FAULT | MEMSRV_BADGE(as->id, 0),
					    &p->cap_fault);
	if (!err)
		err = alloc_cnode(&p->cnode);
	if (!err)
		err = mica_cnode_copy(p->cnode, PROCESS_SLOT_MEMSRV, SLOT_INIT_CNODE, p->cap_client,
				      RIGHT_WRITE);
	return err;
}

/*
 * Configures and starts the thread (only configures it, for a held spawn); x2 = `uart` (the
 * console's registers, or 0); with arguments, x4 = argc and x5 = `argv` (MICA_START_ARGV).
 */
static int start_thread(struct aspace *as, const struct spawn_args *a, uint64_t entry, uint64_t sp,
			uint64_t uart, uint64_t argv, unsigned core)
{
	struct process *p = &as->proc;
	uint64_t regs[8] = { PROCESS_SLOT_MEMSRV,
			     a->arg,
			     uart,
			     MICA_START_FLAGS_VALID |
				 (mica_debug_console ? MICA_START_DEBUG_CONSOLE : 0) |
				 (a->argc ? MICA_START_ARGV : 0),
			     a->argc,
			     argv };
	cptr_t ipc_frame = aspace_page(as, p->ipc_buffer);
	int err = cell_tcb_get(&p->tcb, &p->tcb_cell);
	if (!err)
		err = mica_tcb_configure(p->tcb, p->cap_fault, p->cnode, as->vspace, p->ipc_buffer,
					 ipc_frame);
	if (!err)
		err = mica_tcb_set_priority(p->tcb, a->priority, a->priority);
	if (!err)
		err = mica_tcb_set_affinity(p->tcb, core);
	if (!err)
		err = mica_tcb_set_tls(p->tcb, p->ipc_buffer);
	if (!err)
		err = mica_tcb_write_registers(
		    p->tcb, (a->held ? 0 : TCB_WRITE_RESUME) | TCB_WRITE_CLEAR, entry, sp, regs);
	return err;
}

/* Gives back the thread, CNode, capabilities and console (whichever exist) of a process. */
static void release_process(struct aspace *as)
{
	struct process *p = &as->proc;
	console_release(as);
	if (p->tcb) {
		/* Destroyed, not pooled: a caller it did not answer wakes with E_DELETED. */
		cell_tcb_put(p->tcb, p->tcb_cell);
		p->tcb = 0;
	}
	drop_badged(&p->cap_client); /* also deletes the copy in the process's CNode */
	drop_badged(&p->cap_fault);
	threads_release(as);
	children_forget(as);
	shm_forget(as);
	names_forget(as);
	objects_release(as); /* its endpoints die everywhere: their waiters get E_DELETED */
	if (p->cnode) {
		/* Deleting the console's IRQ handler here frees the interrupt again; the user
		 * slots hold looked-up names only if memsrv put something there. */
		cptr_t last = p->cspace_used ? MEMSRV_CNODE_SLOTS - 1 : MEMSRV_SLOT_UART_NTFN;
		for (cptr_t slot = PROCESS_SLOT_MEMSRV; slot <= last; slot++)
			mica_cnode_delete(p->cnode, slot);
		alloc_cnode_free(p->cnode);
		p->cnode = 0;
	}
}

/* Finds and checks the program. */
static int find_program(const char *name, struct cpio_file *file, struct elf_info *elf)
{
	if (cpio_find(archive, archive_size, name, file) != 0)
		return E_INVAL;
	const char *why = elf_parse(file->data, file->size, elf);
	if (why) {
		printf("memsrv: '%s' is not a valid program: %s\n", name, why);
		return E_TYPE;
	}
	return E_OK;
}

int process_archive_entry(unsigned index, struct cpio_file *file, bool *program)
{
	struct elf_info elf;
	if (cpio_entry(archive, archive_size, index, file) != 0)
		return E_RANGE;
	*program = elf_parse(file->data, file->size, &elf) == NULL;
	return E_OK;
}

int process_load(struct aspace *as, const char *name, bool probe, uint64_t *entry)
{
	struct cpio_file file;
	struct elf_info elf;
	int err = find_program(name, &file, &elf);
	if (!err)
		err = load_segments(as, file.data, &elf, probe);
	if (!err)
		*entry = elf.entry;
	return err;
}

int process_spawn(const struct spawn_args *a, struct aspace **out)
{
	struct cpio_file file;
	struct elf_info elf;
	struct aspace *as;
	uint64_t sp = 0, uart = 0, argv = 0;
	unsigned core = 0;
	int err = E_OK;
	if (!a->console || (a->core_flags & MEMSRV_ON_CORE))
		err = cores_pick(&cores, a->core_flags, &core);
	if (!err)
		err = find_program(a->name, &file, &elf);
	if (!err)
		err = aspace_create(a->quota, &as);
	if (err)
		return err;
	struct process *p = &as->proc;
	err = load_segments(as, file.data, &elf, false);
	if (!err)
		err = map_stack(as, &sp);
	if (!err)
		err = map_ipc_buffer(as, a->console, &p->ipc_buffer);
	if (!err)
		err = map_args(as, a, &argv);
	if (!err)
		err = make_caps(as, a->control);
	if (!err && a->console)
		err = console_grant(as, p->ipc_buffer + PAGE_SIZE, &uart);
	if (!err)
		err = start_thread(as, a, elf.entry, sp, uart, argv, core);
	if (err) {
		release_process(as);
		aspace_destroy(as); /* no record: the entry becomes free again */
		return err;
	}
	p->present = true;
	p->control = a->control;
	p->parent = (uint16_t)a->parent;
	p->priority = (uint8_t)a->priority;
	p->held = a->held;
	struct aspace *parent = aspace_get(a->parent);
	if (a->held && parent)
		parent->proc.held_children++;
	p->state = MEMSRV_PS_RUNNING;
	strlcpy(p->name, a->name, sizeof(p->name));
	p->core = (uint8_t)core;
	cores_take(&cores, core);
	live++;
	*out = as;
	return E_OK;
}

static uint64_t killed; /* processes ended with MEMSRV_PS_KILLED */

uint64_t process_killed(void)
{
	return killed;
}

void process_unhold(struct aspace *as)
{
	struct aspace *parent = aspace_get(as->proc.parent);
	as->proc.held = false;
	if (parent && parent->proc.held_children)
		parent->proc.held_children--;
}

/*
 * Kills the held children of `parent`, which has ended: only it could have started them
 * (MEMSRV_START), so they would never run and never be reclaimed. A held child never ran,
 * so it has no children of its own. The scan over the ids runs only if there are some.
 */
static void end_held_children(const struct aspace *parent)
{
	unsigned left = parent->proc.held_children;
	for (uint64_t id = 1; left && id < aspace_id_end(); id++) {
		struct aspace *c = aspace_get(id);
		if (!c || !c->proc.present || !c->proc.held || c->proc.parent != parent->id ||
		    c->proc.state != MEMSRV_PS_RUNNING)
			continue;
		printf("memsrv: %s (process %u) killed: its parent (process %u) ended before "
		       "starting it\n",
		       c->proc.name, c->id, parent->id);
		left--;
		process_end(c, MEMSRV_PS_KILLED, 0, 0);
	}
}

void process_end(struct aspace *as, unsigned state, unsigned kill_stat, int32_t code)
{
	struct process *p = &as->proc;
	if (p->held)
		process_unhold(as); /* its parent counts it no more */
	if (state == MEMSRV_PS_KILLED)
		killed++;
	probe_forget(as);
	release_process(as);
	cores_give(&cores, p->core);
	live--;
	p->state = (uint8_t)state;
	p->kill_stat = (uint8_t)kill_stat;
	p->exit_code = code;
	aspace_destroy(as);
	console_process_ended(as);
	children_ended(as);
	if (p->held_children)
		end_held_children(as);
}

void process_note_fault(struct aspace *as, uint64_t addr, uint64_t pc)
{
	as->proc.fault_addr = addr;
	as->proc.fault_pc = pc;
}

void process_fault_of(const struct aspace *as, uint64_t *addr, uint64_t *pc)
{
	*addr = as->proc.fault_addr;
	*pc = as->proc.fault_pc;
}

/* Whether page va lies in [start, start + length). */
static bool covers(uint64_t start, uint64_t length, uint64_t va)
{
	return start <= va && va - start < length;
}

bool process_pinned(const struct aspace *as, uint64_t start, uint64_t length)
{
	if (!as->proc.present || length == 0)
		return false;
	uint64_t ipc = as->proc.ipc_buffer;
	if (covers(start, length, ipc))
		return true;
	return console_device_pages(as) && covers(start, length, ipc + PAGE_SIZE);
}
