/*
 * memsrv under fault injection (MEMSRV_DEBUG_FAIL, debug builds). Each sweep repeats one
 * request with the injection point moved one allocation further each time, until the request
 * runs whole without reaching it. Every run must end in one of the request's documented
 * outcomes (E_NOMEM, or the faulting process ended by the pager), and leave the free-frame
 * count, the used frames, the tables, the live address spaces and processes, and the audit of
 * every live address space exactly as before. A failure memsrv can absorb (a fresh object
 * refused, a pooled one used instead) is no failure of the request: a sweep counts those as
 * "absorbed".
 */
#include <stdio.h>

#include <stddef.h>

#include "memtest.h"

#define SWEEP_MAX         400
#define EAGER_VA          (0x40000000ull - 2 * PAGE) /* 4 pages across a 1 GiB boundary */
#define LAZY_VA           0x8000000000ull /* alone in its 512 GiB: L1, L2, L3 and a frame */
#define WORKLOAD_OPS      200
#define RW                (MEMSRV_PROT_R | MEMSRV_PROT_W)
#define KILLED_QUOTA      1   /* an outcome: the faulting thread was ended (or reported) as quota */
#define EXITED_ERROR      2   /* an outcome: the process saw E_NOMEM itself and exited 1 */
#define ASID_FILL_MAX     300 /* address spaces: more than two pools' worth */
#define ASID_POOL_ENTRIES 128

/* What a failed request must leave as it was. */
struct world {
	uint64_t free, used, tables, live, processes;
	uint64_t spaces, checked, violations;
};

static unsigned target; /* the address space the map and fault sweeps work in */
static unsigned spare;  /* what a successful create made */

int inject(uint64_t nth, uint64_t every, uint64_t *seen, uint64_t *failed)
{
	const uint64_t args[2] = { nth, every };
	uint64_t r[2];
	int err = mem_request(ms, MEMSRV_DEBUG_FAIL, args, 2, r, 2, NULL);
	if (!err && seen)
		*seen = r[0];
	if (!err && failed)
		*failed = r[1];
	return err;
}

/* Audits every live address space; sums what it checked and found. */
static int audit_all(struct world *w)
{
	unsigned ids[100], n, first = 1;
	w->spaces = w->checked = w->violations = 0;
	do {
		CHECK_OK(mem_as_list(ms, first, ids, &n));
		for (unsigned i = 0; i < n; i++) {
			uint64_t c, v;
			CHECK_OK(mem_audit(ms, ids[i], &c, &v));
			w->spaces++;
			w->checked += c;
			w->violations += v;
			first = ids[i] + 1;
		}
	} while (n == 100);
	return 0;
}

static int world_take(struct world *w)
{
	struct mem_global_stats g;
	CHECK_OK(mem_global_stats(ms, &g));
	w->free = g.memsrv[MEMSRV_GSTAT_FREE_FRAMES];
	w->used = g.memsrv[MEMSRV_GSTAT_USED_FRAMES];
	w->tables = g.memsrv[MEMSRV_GSTAT_TABLE_PAGES];
	w->live = g.memsrv[MEMSRV_GSTAT_AS_LIVE];
	w->processes = g.memsrv[MEMSRV_GSTAT_PROCESSES];
	return audit_all(w);
}

/* Fails (returns -1) if `b` is not the world `a` was. */
static int world_same(const struct world *a, const struct world *b, const char *what, uint64_t k)
{
	if (a->free != b->free || a->used != b->used || a->tables != b->tables ||
	    a->live != b->live || a->processes != b->processes)
		return failf("%s, injection %lu: frames free %lu -> %lu, used %lu -> %lu, tables "
			     "%lu -> %lu, spaces %lu -> %lu, processes %lu -> %lu",
			     what, (unsigned long)k, (unsigned long)a->free, (unsigned long)b->free,
			     (unsigned long)a->used, (unsigned long)b->used,
			     (unsigned long)a->tables, (unsigned long)b->tables,
			     (unsigned long)a->live, (unsigned long)b->live,
			     (unsigned long)a->processes, (unsigned long)b->processes);
	if (b->violations || a->spaces != b->spaces || a->checked != b->checked)
		return failf("%s, injection %lu: audit of %lu spaces: %lu mappings, %lu "
			     "violations (before: %lu mappings)",
			     what, (unsigned long)k, (unsigned long)b->spaces,
			     (unsigned long)b->checked, (unsigned long)b->violations,
			     (unsigned long)a->checked);
	return 0;
}

/* One request to sweep: run it; undo a success; which failures it may answer. */
struct sweep {
	const char *name;
	int (*run)(void);
	int (*undo)(void);
	bool (*accept)(int outcome);
};

static bool nomem_only(int outcome)
{
	return outcome == E_NOMEM;
}

/*
 * Runs s with allocation k failing (then every `every`-th) for k = 1, 2, ... until a run
 * reaches no injection point; each run is checked against the world before it.
 */
static int sweep(const struct sweep *s, uint64_t every)
{
	struct world w0, w1;
	uint64_t seen, failed, absorbed = 0;
	for (uint64_t k = 1; k <= SWEEP_MAX; k++) {
		if (world_take(&w0))
			return -1;
		CHECK_OK(inject(k, every, NULL, NULL));
		int outcome = s->run();
		CHECK_OK(inject(0, 0, &seen, &failed));
		if (failed == 0 && outcome != 0)
			return failf("%s: without a failure it gave %d", s->name, outcome);
		/* A success despite a failed allocation: memsrv fell back (a pooled object). */
		absorbed += failed && outcome == 0;
		if (failed && outcome != 0 && !s->accept(outcome))
			return failf("%s: injection %lu (every %lu) gave %d", s->name,
				     (unsigned long)k, (unsigned long)every, outcome);
		if (outcome == 0 && s->undo())
			return -1;
		if (world_take(&w1) || world_same(&w0, &w1, s->name, k))
			return -1;
		if (failed == 0) {
			printf("memtest: sweep %s (every %lu): %lu allocations, %lu refused, %lu "
			       "absorbed\n",
			       s->name, (unsigned long)every, (unsigned long)seen,
			       (unsigned long)(k - 1 - absorbed), (unsigned long)absorbed);
			return 0;
		}
	}
	return failf("%s: still failing after %u injection points", s->name, SWEEP_MAX);
}

/* The sweeps: only allocation k fails; k and all after it; k and every third after it. */
static int sweep_all(const struct sweep *s)
{
	return sweep(s, 0) || sweep(s, 1) || sweep(s, 3) ? -1 : 0;
}

static int create_run(void)
{
	return mem_as_create(ms, 0, &spare);
}

static int destroy_spare(void)
{
	CHECK_OK(mem_as_destroy(ms, spare));
	return 0;
}

int test_injection_as_create(void)
{
	static const struct sweep s = { "as_create", create_run, destroy_spare, nomem_only };
	return sweep_all(&s);
}

static int eager_run(void)
{
	return mem_map(ms, target, EAGER_VA, 4 * PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER,
		       NULL);
}

static int eager_undo(void)
{
	CHECK_OK(mem_unmap(ms, target, EAGER_VA, 4 * PAGE));
	return 0;
}

int test_injection_eager_map(void)
{
	static const struct sweep s = { "eager_map", eager_run, eager_undo, nomem_only };
	CHECK_OK(mem_as_create(ms, 0, &target));
	int r = sweep_all(&s);
	CHECK_OK(mem_as_destroy(ms, target));
	return r;
}

/* The probe reads the lazy page: a fault the pager fills, or reports as quota. */
static int lazy_run(void)
{
	struct mem_probe_fault f;
	uint64_t v;
	int err = mem_probe_access(MEMSRV_SLOT_PROBE, MEMSRV_PROBE_PEEK, LAZY_VA, &v, &f);
	if (err == MEMSRV_PROBE_FAULTED)
		return f.stat == MEMSRV_STAT_FAULTS_QUOTA && f.addr == LAZY_VA
			   ? KILLED_QUOTA
			   : -1000 - (int)f.stat;
	return err;
}

static int lazy_undo(void)
{
	CHECK_OK(mem_unmap(ms, target, LAZY_VA, PAGE));
	CHECK_OK(mem_map(ms, target, LAZY_VA, PAGE, RW, MEMSRV_KIND_ANON, 0, NULL));
	return 0;
}

static bool quota_only(int outcome)
{
	return outcome == KILLED_QUOTA;
}

int test_injection_lazy_fault(void)
{
	static const struct sweep s = { "lazy_fault", lazy_run, lazy_undo, quota_only };
	CHECK_OK(mem_as_create(ms, 0, &target));
	CHECK_OK(mem_map(ms, target, LAZY_VA, PAGE, RW, MEMSRV_KIND_ANON, 0, NULL));
	CHECK_OK(mem_probe_attach(ms, target));
	int r = sweep_all(&s);
	CHECK_OK(mem_probe_detach(ms));
	CHECK_OK(mem_as_destroy(ms, target));
	return r;
}

static int attach_run(void)
{
	return mem_probe_attach(ms, target);
}

static int attach_undo(void)
{
	CHECK_OK(mem_probe_detach(ms));
	return 0;
}

int test_injection_probe_attach(void)
{
	static const struct sweep s = { "probe_attach", attach_run, attach_undo, nomem_only };
	CHECK_OK(mem_as_create(ms, 0, &target));
	int r = sweep_all(&s);
	CHECK_OK(mem_as_destroy(ms, target));
	return r;
}

/* Spawns crasher (8 lazy pages, then exit 0) above memtest: it has ended on return. */
static int spawn_run(void)
{
	unsigned pid;
	int err = spawn_crasher(CRASH_ARG(CRASH_LAZY_EXIT, 0, 0), CRASHER_PRIO, 0, &pid);
	if (err)
		return err;
	uint64_t w = ps_state(pid);
	if (MEMSRV_PS_STATE(w) == MEMSRV_PS_EXITED)
		return MEMSRV_PS_EXIT_CODE(w) == 0 ? 0 : EXITED_ERROR;
	if (MEMSRV_PS_STATE(w) == MEMSRV_PS_KILLED &&
	    MEMSRV_PS_KILL_STAT(w) == MEMSRV_STAT_FAULTS_QUOTA)
		return KILLED_QUOTA;
	return -2000 - (int)MEMSRV_PS_STATE(w);
}

static int nothing(void)
{
	return 0;
}

static bool spawn_outcome(int outcome)
{
	return outcome == E_NOMEM || outcome == KILLED_QUOTA || outcome == EXITED_ERROR;
}

int test_injection_spawn_and_run(void)
{
	static const struct sweep s = { "spawn_and_run", spawn_run, nothing, spawn_outcome };
	return sweep_all(&s);
}

/* One random request of a mixed workload in `as`; returns its outcome. */
static int workload_op(unsigned as)
{
	uint64_t r = test_random(), addr = 0x60000000ull + ((r >> 8) % 256) * PAGE;
	uint64_t pages = 1 + (r >> 20) % 8;
	switch (r % 6) {
	case 0:
	case 1:
		return mem_map(ms, as, addr, pages * PAGE, RW, MEMSRV_KIND_ANON,
			       (r >> 40) & 1 ? MEMSRV_MAP_EAGER : 0, NULL);
	case 2:
		return mem_unmap(ms, as, addr, pages * PAGE);
	case 3:
		return mem_protect(ms, as, addr, pages * PAGE, MEMSRV_PROT_R);
	case 4: {
		unsigned tmp;
		int err = mem_as_create(ms, 0, &tmp);
		return err ? err : mem_as_destroy(ms, tmp);
	}
	default:
		return spawn_run();
	}
}

int test_injection_random_workload(void)
{
	struct world w0, w1;
	uint64_t seen = 0, failed = 0, s, f;
	unsigned as, nomem = 0;
	CHECK_OK(mem_as_create(ms, 0, &as));
	if (world_take(&w0))
		return -1;
	for (unsigned i = 0; i < WORKLOAD_OPS; i++) {
		/* From a random allocation of this request on, every one fails. */
		CHECK_OK(inject(1 + test_random() % 12, 1, NULL, NULL));
		int outcome = workload_op(as);
		CHECK_OK(inject(0, 0, &s, &f));
		seen += s;
		failed += f;
		nomem += outcome == E_NOMEM || outcome == KILLED_QUOTA || outcome == EXITED_ERROR;
		if (outcome != 0 && outcome != E_MAPPED && outcome != E_NOTMAPPED &&
		    !spawn_outcome(outcome))
			return failf("workload op %u gave %d", i, outcome);
	}
	uint64_t checked, bad;
	CHECK_OK(mem_audit(ms, as, &checked, &bad));
	CHECK_OK(mem_unmap(ms, as, 0x60000000ull, 256 * PAGE));
	int same = world_take(&w1) || world_same(&w0, &w1, "workload", 0);
	CHECK_OK(mem_as_destroy(ms, as));
	if (same)
		return -1;
	CHECK_EQ(bad, 0);
	CHECK(failed > 0 && nomem > 0);
	printf("memtest: workload under injection: %u ops, %lu allocations, %lu failed, %u "
	       "outcomes E_NOMEM or killed\n",
	       WORKLOAD_OPS, (unsigned long)seen, (unsigned long)failed, nomem);
	return 0;
}

/* Creates spaces into ids[] (each with allocation 2 failing) until one needs a new ASID pool. */
static int fill_asid_pool(unsigned *ids, unsigned *n, uint64_t *pooled_before)
{
	struct mem_global_stats g;
	uint64_t failed;
	for (*n = 0; *n < ASID_FILL_MAX; (*n)++) {
		CHECK_OK(mem_global_stats(ms, &g));
		*pooled_before = g.memsrv[MEMSRV_GSTAT_POOLED_FRAMES];
		CHECK_OK(inject(2, 0, NULL, NULL)); /* 1: the VSpace; 2: a new pool's untyped */
		int err = mem_as_create(ms, 0, &ids[*n]);
		CHECK_OK(inject(0, 0, NULL, &failed));
		if (err) {
			CHECK_ERR(err, E_NOMEM);
			CHECK_EQ(failed, 1);
			return 0;
		}
	}
	return failf("no new ASID pool after %u address spaces", ASID_FILL_MAX);
}

int test_injection_new_asid_pool_keeps_the_vspace(void)
{
	static unsigned ids[ASID_FILL_MAX + 1];
	struct mem_global_stats g0, g1;
	unsigned n;
	uint64_t pooled, s[MEMSRV_STAT_COUNT];
	CHECK_OK(mem_global_stats(ms, &g0));
	int r = fill_asid_pool(ids, &n, &pooled);
	if (!r) {
		/* The VSpace retyped for the refused create waits for an ASID: pooled, not lost. */
		CHECK_OK(mem_global_stats(ms, &g1));
		CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_POOLED_FRAMES], pooled + 1);
		CHECK_OK(mem_as_create(ms, 0, &ids[n]));
		CHECK_OK(mem_global_stats(ms, &g1));
		CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_POOLED_FRAMES], pooled);
		CHECK_OK(mem_stats(ms, ids[n], s));
		CHECK_EQ(s[MEMSRV_STAT_ASID] % ASID_POOL_ENTRIES, 0); /* the new pool's first */
		n++;
	}
	for (unsigned i = 0; i < n; i++)
		CHECK_OK(mem_as_destroy(ms, ids[i]));
	CHECK_OK(mem_global_stats(ms, &g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES], g0.memsrv[MEMSRV_GSTAT_FREE_FRAMES]);
	return r;
}
