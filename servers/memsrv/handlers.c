/*
 * Request handlers. Each is called with the common checks done (handler table below): the
 * message has between min and max words, the badge carries the right the label needs, and
 * for labels whose first word names an address space, that space exists and the caller may
 * act on it.
 */
#include "handlers.h"

#include <mica/errors.h>
#include <mica/fault.h>
#include <mica/memsrv.h>
#include <mica_invoke.h>
#include <stddef.h>
#include <string.h>

#include "alloc.h"
#include "aspace.h"
#include "audit.h"
#include "children.h"
#include "cores.h"
#include "debug.h"
#include "layout.h"
#include "names.h"
#include "objects.h"
#include "pager.h"
#include "probe.h"
#include "shm.h"
#include "threads.h"
#include "process.h"

#define VMA_LIST_MAX   19
#define AS_LIST_MAX    100
#define PS_MAX         25
#define NAME_WORD      8 /* MEMSRV_SPAWN: the name starts at msg[8] */
#define NAME_BYTES_MAX 64
#define NAME_WORDS     8 /* MEMSRV_PROC_INFO: the name's words */

typedef int (*handler_fn)(struct call *c);

struct handler {
	handler_fn fn;
	uint8_t min_words, max_words;
	uint64_t right;  /* MEMSRV_R_* the badge must carry */
	bool targets_as; /* w[0] names an address space (0: the caller's own) */
};

static const struct memsrv_options *options;

static void put(struct call *c, uint64_t v)
{
	call_put(c, v);
}

/* Ends a process by request or fault; no reply if it is the caller itself. */
static void end_process(struct call *c, struct aspace *as, unsigned state, int32_t code)
{
	bool self = as->id == MEMSRV_BADGE_AS(c->rq->badge);
	process_end(as, state, 0, code);
	c->rp->none = self;
}

/* MEMSRV_AS_CREATE: [quota] -> as_id. */
static int handle_as_create(struct call *c)
{
	uint64_t quota = c->rq->w[0];
	struct aspace *as;
	if (quota > MEMSRV_QUOTA_MAX)
		return E_RANGE;
	int err = aspace_create(quota ? quota : options->quota, &as);
	if (!err)
		put(c, as->id);
	return err;
}

/* The live address space `id` for a control request: E_INVAL (0), E_RANGE, E_INVAL (none). */
static int control_target(uint64_t id, struct aspace **out)
{
	if (id == 0)
		return E_INVAL;
	if (id >= ASPACE_ID_LIMIT)
		return E_RANGE;
	*out = aspace_get(id);
	return *out ? E_OK : E_INVAL;
}

/* MEMSRV_AS_DESTROY: as_id. A process's address space ends the process. */
static int handle_as_destroy(struct call *c)
{
	struct aspace *as;
	int err = control_target(c->rq->w[0], &as);
	if (err)
		return err;
	if (as->proc.present) {
		end_process(c, as, MEMSRV_PS_KILLED, 0);
	} else {
		probe_forget(as);
		aspace_destroy(as);
	}
	return E_OK;
}

/* MEMSRV_AS_LIST: first -> count, ids. */
static int handle_as_list(struct call *c)
{
	put(c, 0);
	for (uint64_t id = c->rq->w[0]; id < aspace_id_end() && c->rp->w[0] < AS_LIST_MAX; id++) {
		if (aspace_get(id)) {
			put(c, id);
			c->rp->w[0]++;
		}
	}
	return E_OK;
}

/* Checks MAP/PROTECT rights: E_INVAL (unknown bits), E_WX, E_INVAL (not readable). */
static int check_prot(uint64_t prot)
{
	if (prot & ~(uint64_t)(MEMSRV_PROT_R | MEMSRV_PROT_W | MEMSRV_PROT_X))
		return E_INVAL;
	if ((prot & MEMSRV_PROT_W) && (prot & MEMSRV_PROT_X))
		return E_WX;
	return (prot & MEMSRV_PROT_R) ? E_OK : E_INVAL;
}

/* Whether [addr, addr + length) overlaps the probe window (wrapping ranges included). */
static bool in_probe_window(uint64_t addr, uint64_t length)
{
	uint64_t lo = MEMSRV_PROBE_BASE, hi = MEMSRV_PROBE_BASE + MEMSRV_PROBE_SIZE;
	return length && addr < hi && (addr + length > lo || addr + length < addr);
}

/* MEMSRV_MAP: as, addr, length, prot, kind, flags -> start. */
static int handle_map(struct call *c)
{
	const uint64_t *w = c->rq->w;
	uint64_t addr = w[1], length = w[2], prot = w[3], kind = w[4], flags = w[5];
	int err = check_prot(prot);
	if (err)
		return err;
	if ((kind != MEMSRV_KIND_ANON && kind != MEMSRV_KIND_STACK) || (flags & ~MEMSRV_MAP_EAGER))
		return E_INVAL;
	if (addr && in_probe_window(addr, length))
		return E_RANGE;
	if (debug_planted(c->as))
		return E_BUSY;
	bool stack = kind == MEMSRV_KIND_STACK;
	if (addr == 0)
		err = layout_place(&c->as->vmas, length, stack ? LAYOUT_STACK : LAYOUT_MMAP, &addr);
	if (!err)
		err = aspace_map(c->as, addr, length, (unsigned)prot, (unsigned)kind,
				 (flags & MEMSRV_MAP_EAGER) ? VMA_EAGER : VMA_LAZY, stack ? 1 : 0,
				 0, NULL, NULL);
	if (!err)
		put(c, addr);
	return err;
}

/* Whether the range touches what memsrv keeps in place: IPC buffer, UART page, probe. */
static bool pinned(const struct aspace *as, uint64_t start, uint64_t length)
{
	return process_pinned(as, start, length) || probe_pinned(as, start, length) ||
	       threads_pinned(as, start, length);
}

/* Whether [start, start + length) touches a shared region's VMA (its rights are fixed). */
static bool shared_in(const struct aspace *as, uint64_t start, uint64_t length)
{
	for (const struct vma *v = as->shm_ever ? vma_first_from(&as->vmas, start) : NULL;
	     v && length && v->start < start + length; v = vma_next(&as->vmas, v))
		if (aspace_is_shm(v))
			return true;
	return false;
}

/* Whether unmap or protect must be refused (E_BUSY): pinned pages, or a debug plant. */
static bool busy(const struct aspace *as, uint64_t start, uint64_t length)
{
	return pinned(as, start, length) || debug_planted(as);
}

/* MEMSRV_UNMAP: as, addr, length. */
static int handle_unmap(struct call *c)
{
	const uint64_t *w = c->rq->w;
	if (busy(c->as, w[1], w[2]))
		return E_BUSY;
	return aspace_unmap(c->as, w[1], w[2]);
}

/* MEMSRV_PROTECT: as, addr, length, prot. */
static int handle_protect(struct call *c)
{
	const uint64_t *w = c->rq->w;
	int err = check_prot(w[3]);
	if (err)
		return err;
	if (busy(c->as, w[1], w[2]) || shared_in(c->as, w[1], w[2]))
		return E_BUSY;
	return aspace_protect(c->as, w[1], w[2], (unsigned)w[3]);
}

/* The flags word of a VMA as QUERY and VMA_LIST report it. */
static uint64_t vma_flags(const struct aspace *as, const struct vma *v)
{
	uint64_t f = v->backing == VMA_EAGER ? MEMSRV_MAP_EAGER : 0;
	if (pinned(as, v->start, v->length))
		f |= MEMSRV_VMA_PINNED;
	return f;
}

/* MEMSRV_QUERY: as, addr -> start, length, prot, kind, flags, resident pages. */
static int handle_query(struct call *c)
{
	const struct vma *v = vma_find(&c->as->vmas, c->rq->w[1]);
	if (!v)
		return E_NOTMAPPED;
	put(c, v->start);
	put(c, v->length);
	put(c, v->rights);
	put(c, v->kind);
	put(c, vma_flags(c->as, v));
	put(c, v->resident);
	return E_OK;
}

/* MEMSRV_VMA_LIST: as, from, max -> count, next, then 4 words per VMA. */
static int handle_vma_list(struct call *c)
{
	uint64_t max = c->rq->w[2];
	if (max == 0 || max > VMA_LIST_MAX)
		return E_RANGE;
	const struct vma *v = vma_first_from(&c->as->vmas, c->rq->w[1]);
	put(c, 0);
	put(c, 0);
	for (; v && c->rp->w[0] < max; v = vma_next(&c->as->vmas, v)) {
		put(c, v->start);
		put(c, v->length);
		put(c, v->rights | (uint64_t)v->kind << 8 | vma_flags(c->as, v) << 16);
		put(c, v->resident);
		c->rp->w[0]++;
	}
	c->rp->w[1] = v ? v->start : 0;
	return E_OK;
}

/* MEMSRV_STATS: as -> MEMSRV_STAT_* words. */
static int handle_stats(struct call *c)
{
	struct aspace *as = c->as;
	struct mica_vspace_info info;
	int err = mica_vspace_info(as->vspace, &info);
	if (err)
		return err;
	uint64_t *s = c->rp->w;
	c->rp->length = MEMSRV_STAT_COUNT;
	s[MEMSRV_STAT_VMAS] = vma_count(&as->vmas);
	s[MEMSRV_STAT_VIRTUAL_BYTES] = vma_virtual_size(&as->vmas);
	s[MEMSRV_STAT_RESIDENT_PAGES] = vma_resident(&as->vmas);
	s[MEMSRV_STAT_TABLE_PAGES] = as->table_pages;
	for (unsigned fc = 0; fc < FC_COUNT; fc++)
		s[pager_stat_index(fc)] = as->faults[fc];
	s[MEMSRV_STAT_ASID] = info.asid;
	s[MEMSRV_STAT_HW_ASID] = info.hw_asid;
	s[MEMSRV_STAT_GENERATION] = info.generation;
	s[MEMSRV_STAT_QUOTA_PAGES] = as->quota;
	s[MEMSRV_STAT_TLB_INVALIDATIONS] = as->tlbi;
	s[MEMSRV_STAT_MAPPED_PAGES] = info.mapped_pages;
	s[MEMSRV_STAT_AS_ID] = as->id;
	return E_OK;
}

/* MEMSRV_GLOBAL_STATS: -> MEMSRV_GSTAT_* words, then the kernel's KSTAT_* counters. */
static int handle_global_stats(struct call *c)
{
	uint64_t *s = c->rp->w;
	int err = mica_kernel_stats(SLOT_KERNEL_INFO, &s[MEMSRV_GSTAT_KERNEL]);
	if (err)
		return err;
	struct aspace_totals t = aspace_totals();
	struct alloc_stats a = alloc_stats();
	uint64_t used = t.resident + t.table_pages + t.live; /* + one VSpace root each */
	c->rp->length = MEMSRV_GSTAT_KERNEL + KSTAT_COUNT;
	s[MEMSRV_GSTAT_TOTAL_FRAMES] = a.total_frames;
	s[MEMSRV_GSTAT_FREE_FRAMES] = a.total_frames - used;
	s[MEMSRV_GSTAT_USED_FRAMES] = used;
	s[MEMSRV_GSTAT_TABLE_PAGES] = t.table_pages;
	s[MEMSRV_GSTAT_AS_LIVE] = t.live;
	s[MEMSRV_GSTAT_AS_CREATED] = t.created;
	s[MEMSRV_GSTAT_PROCESSES] = t.processes;
	s[MEMSRV_GSTAT_ASLR_BITS] = LAYOUT_ASLR_BITS;
	s[MEMSRV_GSTAT_KILLED] = process_killed();
	s[MEMSRV_GSTAT_POOLED_FRAMES] = a.pooled_frames;
	s[MEMSRV_GSTAT_AS_MAX] = aspace_live_max();
	s[MEMSRV_GSTAT_CHUNKS_RECYCLED] = a.chunks_recycled;
	s[MEMSRV_GSTAT_FRESH_FRAMES] = a.fresh_frames;
	return E_OK;
}

/* MEMSRV_CPU_STATS: core -> the kernel's KCPU_* words, then memsrv's threads placed there. */
static int handle_cpu_stats(struct call *c)
{
	uint64_t core = c->rq->w[0];
	if (core >= cores.online)
		return E_RANGE;
	int err = mica_kernel_cpu_stats(SLOT_KERNEL_INFO, (unsigned)core, c->rp->w);
	if (err)
		return err;
	c->rp->length = KCPU_COUNT;
	put(c, cores.load[core]);
	return E_OK;
}

/* MEMSRV_AUDIT: as -> mappings checked, violations. */
static int handle_audit(struct call *c)
{
	uint64_t checked, violations;
	int err = audit_aspace(c->as, &checked, &violations);
	if (!err) {
		put(c, checked);
		put(c, violations);
	}
	return err;
}

/* The NUL-terminated name in w[NAME_WORD..length), copied to name[]; E_INVAL if none. */
static int spawn_name(const struct request *rq, char name[NAME_BYTES_MAX])
{
	const char *bytes = (const char *)&rq->w[NAME_WORD];
	size_t n = (rq->length - NAME_WORD) * sizeof(uint64_t);
	size_t len = strnlen(bytes, n);
	if (len == 0 || len == n)
		return E_INVAL;
	memcpy(name, bytes, len + 1);
	return E_OK;
}

/* MEMSRV_SPAWN: priority, argument, flags, quota, name at w[8..] -> process id. */
static int handle_spawn(struct call *c)
{
	const uint64_t *w = c->rq->w;
	char name[NAME_BYTES_MAX];
	if (w[0] > PROCESS_MAX_PRIORITY || w[3] > MEMSRV_QUOTA_MAX)
		return E_RANGE;
	if (w[2] & ~(uint64_t)(MEMSRV_SPAWN_CONTROL | MEMSRV_SPAWN_HELD | MEMSRV_CORE_MASK))
		return E_INVAL;
	int err = spawn_name(c->rq, name);
	if (err)
		return err;
	struct spawn_args a = {
		.name = name,
		.priority = w[0] ? (unsigned)w[0] : PROCESS_DEFAULT_PRIO,
		.arg = w[1],
		.quota = w[3] ? w[3] : options->quota,
		.control = (w[2] & MEMSRV_SPAWN_CONTROL) != 0,
		.parent = MEMSRV_BADGE_AS(c->rq->badge),
		.core_flags = w[2] & MEMSRV_CORE_MASK,
		.held = (w[2] & MEMSRV_SPAWN_HELD) != 0,
	};
	struct aspace *as;
	err = process_spawn(&a, &as);
	if (!err)
		put(c, as->id);
	return err;
}

/* MEMSRV_KILL: process id. */
static int handle_kill(struct call *c)
{
	struct aspace *as;
	int err = control_target(c->rq->w[0], &as);
	if (err)
		return err;
	if (!as->proc.present)
		return E_INVAL;
	end_process(c, as, MEMSRV_PS_KILLED, 0);
	return E_OK;
}

/* MEMSRV_PS: first id -> count, then id, state word, faults, resident per process. */
static int handle_ps(struct call *c)
{
	put(c, 0);
	for (uint64_t id = c->rq->w[0]; id < aspace_id_end() && c->rp->w[0] < PS_MAX; id++) {
		struct aspace *as = aspace_entry(id);
		if (!as || !as->proc.present)
			continue;
		uint64_t faults = 0;
		for (unsigned fc = 0; fc < FC_COUNT; fc++)
			faults += as->faults[fc];
		put(c, id);
		put(c, as->proc.state | (uint64_t)as->proc.kill_stat << 8 |
			   (uint64_t)(uint32_t)as->proc.exit_code << 32);
		put(c, faults);
		put(c, as->state == AS_LIVE ? vma_resident(&as->vmas) : 0);
		c->rp->w[0]++;
	}
	return E_OK;
}

/* MEMSRV_EXIT: code. The caller's own process ends; there is no reply. */
static int handle_exit(struct call *c)
{
	struct aspace *as = aspace_get(MEMSRV_BADGE_AS(c->rq->badge));
	if (!as || !as->proc.present)
		return E_STATE;
	end_process(c, as, MEMSRV_PS_EXITED, (int32_t)c->rq->w[0]);
	return E_OK;
}

/* MEMSRV_PROC_INFO: process id -> state word, fault address and pc, faults, resident, name. */
static int handle_proc_info(struct call *c)
{
	uint64_t addr, pc, faults = 0;
	struct aspace *as;
	int err = process_lookup(c->rq->w[0], &as);
	if (err)
		return err;
	const struct process *p = &as->proc;
	for (unsigned fc = 0; fc < FC_COUNT; fc++)
		faults += as->faults[fc];
	process_fault_of(as, &addr, &pc);
	put(c, p->state | (uint64_t)p->kill_stat << 8 | (uint64_t)(uint32_t)p->exit_code << 32);
	put(c, addr);
	put(c, pc);
	put(c, faults);
	put(c, as->state == AS_LIVE ? vma_resident(&as->vmas) : 0);
	uint64_t name[NAME_WORDS] = { 0 };
	memcpy(name, p->name, sizeof(name) - 1);
	for (unsigned i = 0; i < NAME_WORDS; i++)
		put(c, name[i]);
	bool running = as->state == AS_LIVE && p->state == MEMSRV_PS_RUNNING;
	put(c, process_core(as));
	put(c, running ? threads_cores(as) : ~0ull);
	return E_OK;
}

/* MEMSRV_PROGRAMS: index -> size, MEMSRV_FILE_*, name (NAME_WORDS words). */
static int handle_programs(struct call *c)
{
	struct cpio_file file;
	bool program;
	uint64_t index = c->rq->w[0];
	if (index > UINT32_MAX)
		return E_RANGE;
	int err = process_archive_entry((unsigned)index, &file, &program);
	if (err)
		return err;
	put(c, file.size);
	put(c, program ? MEMSRV_FILE_PROGRAM : MEMSRV_FILE_OTHER);
	uint64_t name[NAME_WORDS] = { 0 };
	memcpy(name, file.name, strnlen(file.name, sizeof(name) - 1));
	for (unsigned i = 0; i < NAME_WORDS; i++)
		put(c, name[i]);
	return E_OK;
}

/* MEMSRV_PROBE_ATTACH: as -> the caller's probe slot, the space's id. */
static int handle_probe_attach(struct call *c)
{
	int err = probe_attach(c->as, aspace_get(MEMSRV_BADGE_AS(c->rq->badge)));
	if (!err) {
		put(c, MEMSRV_SLOT_PROBE);
		put(c, c->as->id);
	}
	return err;
}

/* MEMSRV_PROBE_DETACH. */
static int handle_probe_detach(struct call *c)
{
	(void)c;
	probe_detach();
	return E_OK;
}

/* MEMSRV_SEED: seed. */
static int handle_seed(struct call *c)
{
	layout_seed(c->rq->w[0]);
	return E_OK;
}

#if MEMSRV_DEBUG
/* MEMSRV_DEBUG_FAIL: nth, every -> allocations and failures since the previous one. */
static int handle_debug_fail(struct call *c)
{
	struct alloc_inject_counts n = alloc_inject_counts();
	alloc_inject_arm(c->rq->w[0], c->rq->w[1]);
	put(c, n.seen);
	put(c, n.failed);
	return E_OK;
}

/* MEMSRV_DEBUG_PLANT: as, addr, what. */
static int handle_debug_plant(struct call *c)
{
	uint64_t what = c->rq->w[2];
	if (what > MEMSRV_PLANT_SWAP)
		return E_INVAL;
	return debug_plant(c->as, c->rq->w[1], (unsigned)what);
}
#endif

static const struct handler handlers[] = {
	[MEMSRV_AS_CREATE] = { handle_as_create, 0, 1, MEMSRV_R_CONTROL, false },
	[MEMSRV_AS_DESTROY] = { handle_as_destroy, 1, 1, MEMSRV_R_CONTROL, false },
	[MEMSRV_AS_LIST] = { handle_as_list, 1, 1, MEMSRV_R_CONTROL, false },
	[MEMSRV_MAP] = { handle_map, 6, 6, MEMSRV_R_MAP, true },
	[MEMSRV_UNMAP] = { handle_unmap, 3, 3, MEMSRV_R_MAP, true },
	[MEMSRV_PROTECT] = { handle_protect, 4, 4, MEMSRV_R_MAP, true },
	[MEMSRV_QUERY] = { handle_query, 2, 2, MEMSRV_R_READ, true },
	[MEMSRV_VMA_LIST] = { handle_vma_list, 3, 3, MEMSRV_R_READ, true },
	[MEMSRV_STATS] = { handle_stats, 1, 1, MEMSRV_R_READ, true },
	[MEMSRV_GLOBAL_STATS] = { handle_global_stats, 0, 0, MEMSRV_R_CONTROL, false },
	[MEMSRV_AUDIT] = { handle_audit, 1, 1, MEMSRV_R_READ, true },
	[MEMSRV_CPU_STATS] = { handle_cpu_stats, 1, 1, MEMSRV_R_CONTROL, false },
	[MEMSRV_SPAWN] = { handle_spawn, NAME_WORD + 1, NAME_WORD + NAME_BYTES_MAX / 8,
			   MEMSRV_R_CONTROL, false },
	[MEMSRV_KILL] = { handle_kill, 1, 1, MEMSRV_R_CONTROL, false },
	[MEMSRV_PS] = { handle_ps, 1, 1, MEMSRV_R_CONTROL, false },
	[MEMSRV_EXIT] = { handle_exit, 1, 1, 0, false },
	[MEMSRV_SEED] = { handle_seed, 1, 1, MEMSRV_R_CONTROL, false },
	[MEMSRV_PROC_INFO] = { handle_proc_info, 1, 1, MEMSRV_R_CONTROL, false },
	[MEMSRV_PROGRAMS] = { handle_programs, 1, 1, MEMSRV_R_CONTROL, false },
	[MEMSRV_PROBE_ATTACH] = { handle_probe_attach, 1, 1, MEMSRV_R_CONTROL, true },
	[MEMSRV_PROBE_DETACH] = { handle_probe_detach, 0, 0, MEMSRV_R_CONTROL, false },
	[MEMSRV_OBJ_CREATE] = { handle_obj_create, 3, 3, MEMSRV_R_MAP, false },
	[MEMSRV_OBJ_DELETE] = { handle_obj_delete, 1, 1, MEMSRV_R_MAP, false },
	[MEMSRV_OBJ_INFO] = { handle_obj_info, 0, 0, MEMSRV_R_MAP, false },
	[MEMSRV_NAME_PUBLISH] = { handle_name_publish, 1 + MEMSRV_NAME_WORDS, 1 + MEMSRV_NAME_WORDS,
				  MEMSRV_R_MAP, false },
	[MEMSRV_NAME_LOOKUP] = { handle_name_lookup, 1 + MEMSRV_NAME_WORDS, 1 + MEMSRV_NAME_WORDS,
				 MEMSRV_R_MAP, false },
	[MEMSRV_SPAWN_ARGV] = { handle_spawn_argv, MEMSRV_ARGV_WORD + 1,
				MEMSRV_ARGV_WORD + MEMSRV_ARGV_BYTES / 8, MEMSRV_R_CONTROL, false },
	[MEMSRV_WAIT] = { handle_wait, 1, 1, 0, false },
	[MEMSRV_START] = { handle_start, 1, 1, 0, false },
	[MEMSRV_SHM_CREATE] = { handle_shm_create, 2, 2, MEMSRV_R_MAP, false },
	[MEMSRV_SHM_SHARE] = { handle_shm_share, 3, 3, MEMSRV_R_MAP, false },
	[MEMSRV_SHM_MAP] = { handle_shm_map, 4, 4, MEMSRV_R_MAP, true },
	[MEMSRV_SHM_RELEASE] = { handle_shm_release, 1, 1, MEMSRV_R_MAP, false },
	[MEMSRV_THREAD_CREATE] = { handle_thread_create, 4, 5, MEMSRV_R_MAP, false },
	[MEMSRV_THREAD_EXIT] = { handle_thread_exit, 1, 1, MEMSRV_R_MAP, false },
	[MEMSRV_THREAD_INFO] = { handle_thread_info, 1, 1, MEMSRV_R_MAP, false },
	[MEMSRV_NAME_WITHDRAW] = { handle_name_withdraw, MEMSRV_NAME_WORDS, MEMSRV_NAME_WORDS,
				   MEMSRV_R_MAP, false },
#if MEMSRV_DEBUG
	[MEMSRV_DEBUG_FAIL] = { handle_debug_fail, 2, 2, MEMSRV_R_CONTROL, false },
	[MEMSRV_DEBUG_PLANT] = { handle_debug_plant, 3, 3, MEMSRV_R_CONTROL, true },
#endif
};

#define HANDLER_COUNT (sizeof(handlers) / sizeof(handlers[0]))

/*
 * The address space w[0] names (0: the caller's own): E_RIGHTS if the caller has no control
 * right and names another or lacks `right`; E_INVAL for none; E_RANGE for an id too large;
 * E_INVAL if it does not exist.
 */
static int resolve_target(const struct request *rq, uint64_t right, struct aspace **out)
{
	uint64_t own = MEMSRV_BADGE_AS(rq->badge), id = rq->w[0] ? rq->w[0] : own;
	if (!(rq->badge & MEMSRV_R_CONTROL) && (id != own || !(rq->badge & right)))
		return E_RIGHTS;
	return control_target(id, out);
}

/* Checks what every request has in common, then runs its handler. */
static int dispatch(struct call *c)
{
	const struct request *rq = c->rq;
	if (rq->label >= HANDLER_COUNT || !handlers[rq->label].fn)
		return E_LABEL;
	const struct handler *h = &handlers[rq->label];
	if (rq->length < h->min_words || rq->length > h->max_words)
		return E_MSGSIZE;
	if (h->targets_as) {
		int err = resolve_target(rq, h->right, &c->as);
		return err ? err : h->fn(c);
	}
	if (h->right && !(rq->badge & h->right))
		return E_RIGHTS;
	return h->fn(c);
}

/*
 * A fault message through a fault capability: the probe's (probe.c) or the pager's; anything
 * else is refused. A fault that kills a process is recorded by the pager (MEMSRV_PROC_INFO).
 */
static void handle_fault(const struct request *rq, struct reply *rp)
{
	struct aspace *as = aspace_get(MEMSRV_BADGE_AS(rq->badge));
	bool fault = rq->label > FAULT_LABEL_BASE && rq->label <= FAULT_LABEL(FAULT_OTHER);
	if (fault && (rq->badge & MEMSRV_BADGE_PROBE)) {
		rp->none = !probe_fault(rq->label, rq->w, rq->length);
		return;
	}
	if (!fault || !as || !as->proc.present) {
		rp->err = E_LABEL; /* the thread stays suspended */
		return;
	}
	rp->none = !pager_fault(as, rq->label, rq->w, rq->length); /* killed: no reply */
}

void handlers_init(const struct memsrv_options *opts)
{
	options = opts;
}

uint64_t handlers_default_quota(void)
{
	return options->quota;
}

void handle_message(const struct request *rq, struct reply *rp)
{
	rp->err = E_OK;
	rp->length = 0;
	rp->none = false;
	if (rq->badge & MEMSRV_BADGE_FAULT) {
		handle_fault(rq, rp);
		return;
	}
	struct call c = { rq, rp, NULL };
	rp->err = dispatch(&c);
	if (rp->err)
		rp->length = 0;
}
