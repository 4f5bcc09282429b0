/*
 * Tests of shared memory (MEMSRV_SHM_*). The other side is a crasher waiting for good at
 * IDLE_PRIO (it never runs while memtest does); memtest, with the control right, maps the
 * region into its address space and looks at it through memsrv's probe, which reads and
 * writes that space with real loads and stores. Every test ends with the region counts and
 * free frames back where they were.
 */
#include <stddef.h>

#include "memtest.h"

#define PATTERN 0x5eed5eed12345678ull

/* Free frames and the region counts, to compare before and after. */
struct shm_base {
	uint64_t free_frames, regions, frames;
};

static int base(struct shm_base *b)
{
	struct mem_global_stats g;
	struct mem_obj_info oi;
	CHECK_OK(mem_global_stats(ms, &g));
	CHECK_OK(mem_obj_info(ms, &oi));
	b->free_frames = g.memsrv[MEMSRV_GSTAT_FREE_FRAMES];
	b->regions = oi.shm_regions;
	b->frames = oi.shm_frames;
	return 0;
}

static int same_base(const struct shm_base *before)
{
	struct shm_base now;
	CHECK_OK(base(&now));
	CHECK_EQ(now.regions, before->regions);
	CHECK_EQ(now.frames, before->frames);
	CHECK_EQ(now.free_frames, before->free_frames);
	return 0;
}

static int spawn_waiter(unsigned *pid)
{
	return spawn_crasher(CRASH_ARG(CRASH_WAIT, 0, 0), IDLE_PRIO, 0, pid);
}

/* Reads (or with `poke`, writes *value to) addr of the probe's space; returns the outcome. */
static int probe(unsigned label, uint64_t addr, uint64_t *value, struct mem_probe_fault *f)
{
	return mem_probe_access(MEMSRV_SLOT_PROBE, label, addr, value, f);
}

int test_shm_visible_on_both_sides_and_nowhere_else(void)
{
	struct shm_base before;
	struct mem_probe_fault f;
	uint64_t h, mine, theirs, v = 0, checked, violations;
	unsigned pid, other;
	/* The probe's window counts as used frames where it is: start and end with it here. */
	CHECK_OK(mem_probe_attach(ms, 0));
	CHECK_OK(base(&before));
	CHECK_OK(spawn_waiter(&pid));
	CHECK_OK(spawn_waiter(&other));
	CHECK_OK(mem_shm_create(ms, 2, MEMSRV_PROT_R | MEMSRV_PROT_W, &h));
	CHECK_OK(mem_shm_map(ms, 0, h, 0, MEMSRV_PROT_R | MEMSRV_PROT_W, &mine));
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)mine;
	CHECK_EQ(p[0], 0); /* zeroed */
	p[0] = PATTERN;
	p[512 + 3] = PATTERN + 1; /* the second page */
	CHECK_OK(mem_shm_share(ms, h, pid, MEMSRV_PROT_R));
	CHECK_OK(mem_shm_map(ms, pid, h, 0, MEMSRV_PROT_R, &theirs));
	CHECK_OK(mem_probe_attach(ms, pid));
	CHECK_OK(probe(MEMSRV_PROBE_PEEK, theirs, &v, &f));
	CHECK_EQ(v, PATTERN); /* the same frame on the other side */
	CHECK_OK(probe(MEMSRV_PROBE_PEEK, theirs + PAGE + 24, &v, &f));
	CHECK_EQ(v, PATTERN + 1);
	p[1] = 42;
	CHECK_OK(probe(MEMSRV_PROBE_PEEK, theirs + 8, &v, &f));
	CHECK_EQ(v, 42); /* a later write is seen too */
	v = 7;
	CHECK_EQ(probe(MEMSRV_PROBE_POKE, theirs, &v, &f), MEMSRV_PROBE_FAULTED); /* read-only */
	CHECK_EQ(f.stat, MEMSRV_STAT_FAULTS_PERMISSION);
	CHECK_EQ(p[0], PATTERN);
	CHECK_EQ(probe(MEMSRV_PROBE_PEEK, theirs + 2 * PAGE, &v, &f), MEMSRV_PROBE_FAULTED);
	CHECK_EQ(f.stat, MEMSRV_STAT_FAULTS_UNMAPPED); /* nothing past the region */
	CHECK_OK(mem_audit(ms, pid, &checked, &violations));
	CHECK_EQ(violations, 0);
	/* A third process has nothing there, and may not map it. */
	CHECK_OK(mem_probe_attach(ms, other));
	CHECK_EQ(probe(MEMSRV_PROBE_PEEK, theirs, &v, &f), MEMSRV_PROBE_FAULTED);
	CHECK_EQ(f.stat, MEMSRV_STAT_FAULTS_UNMAPPED);
	CHECK_ERR(mem_shm_map(ms, other, h, 0, MEMSRV_PROT_R, NULL), E_RIGHTS);
	CHECK_OK(mem_probe_attach(ms, 0));
	CHECK_OK(mem_audit(ms, 0, &checked, &violations));
	CHECK_EQ(violations, 0);
	CHECK_OK(mem_shm_release(ms, h));
	CHECK_OK(mem_unmap(ms, 0, mine, 2 * PAGE));
	CHECK_OK(mem_kill(ms, pid));
	CHECK_OK(mem_kill(ms, other));
	CHECK_OK(same_base(&before));
	CHECK_OK(mem_probe_detach(ms));
	return 0;
}

int test_shm_frames_go_with_the_last_mapping(void)
{
	struct shm_base before, mid;
	uint64_t h, mine, theirs;
	unsigned pid;
	CHECK_OK(base(&before));
	CHECK_OK(spawn_waiter(&pid));
	CHECK_OK(mem_shm_create(ms, 3, MEMSRV_PROT_R | MEMSRV_PROT_W, &h));
	CHECK_OK(mem_shm_map(ms, 0, h, 0, MEMSRV_PROT_R, &mine));
	CHECK_OK(mem_shm_share(ms, h, pid, MEMSRV_PROT_R | MEMSRV_PROT_W));
	CHECK_OK(mem_shm_map(ms, pid, h, 0, MEMSRV_PROT_R | MEMSRV_PROT_W, &theirs));
	CHECK_OK(mem_shm_release(ms, h));
	CHECK_ERR(mem_shm_map(ms, 0, h, 0, MEMSRV_PROT_R, NULL), E_INVAL); /* handle gone */
	CHECK_OK(mem_unmap(ms, 0, mine + PAGE, PAGE)); /* part of memtest's mapping */
	CHECK_OK(mem_unmap(ms, 0, mine, PAGE));
	CHECK_OK(mem_unmap(ms, 0, mine + 2 * PAGE, PAGE));
	CHECK_OK(base(&mid));
	CHECK_EQ(mid.regions, before.regions + 1); /* still mapped by the other process */
	CHECK_EQ(mid.frames, before.frames + 3);
	CHECK_OK(mem_kill(ms, pid)); /* its end unmaps the last mapping */
	return same_base(&before);
}

int test_shm_rights_and_wx(void)
{
	struct shm_base before;
	uint64_t h, rx, rw, a;
	unsigned pid;
	CHECK_OK(base(&before));
	CHECK_OK(spawn_waiter(&pid));
	CHECK_OK(mem_shm_create(ms, 1, MEMSRV_PROT_R | MEMSRV_PROT_W, &h));
	CHECK_ERR(mem_shm_create(ms, 1, MEMSRV_PROT_R | MEMSRV_PROT_W | MEMSRV_PROT_X, &rx), E_WX);
	CHECK_ERR(mem_shm_map(ms, 0, h, 0, MEMSRV_PROT_R | MEMSRV_PROT_X, NULL), E_RIGHTS);
	CHECK_ERR(mem_shm_map(ms, 0, h, 0, MEMSRV_PROT_R | MEMSRV_PROT_W | MEMSRV_PROT_X, NULL),
		  E_WX);
	CHECK_ERR(mem_shm_map(ms, pid, h, 0, MEMSRV_PROT_R, NULL), E_RIGHTS); /* not shared */
	CHECK_ERR(mem_shm_share(ms, h, pid, MEMSRV_PROT_R | MEMSRV_PROT_X), E_RIGHTS);
	CHECK_OK(mem_shm_share(ms, h, pid, MEMSRV_PROT_R));
	CHECK_ERR(mem_shm_map(ms, pid, h, 0, MEMSRV_PROT_R | MEMSRV_PROT_W, NULL), E_RIGHTS);
	/* An executable region: R+X on one side, R on the other, never W with it. */
	CHECK_OK(mem_shm_create(ms, 1, MEMSRV_PROT_R | MEMSRV_PROT_X, &rx));
	CHECK_ERR(mem_shm_map(ms, 0, rx, 0, MEMSRV_PROT_R | MEMSRV_PROT_W, NULL), E_RIGHTS);
	CHECK_OK(mem_shm_map(ms, 0, rx, 0, MEMSRV_PROT_R | MEMSRV_PROT_X, &a));
	CHECK_OK(mem_shm_map(ms, 0, h, 0, MEMSRV_PROT_R | MEMSRV_PROT_W, &rw));
	/* A shared VMA's rights are fixed: protect is refused. */
	CHECK_ERR(mem_protect(ms, 0, rw, PAGE, MEMSRV_PROT_R), E_BUSY);
	CHECK_OK(mem_shm_release(ms, rx));
	CHECK_OK(mem_shm_release(ms, h));
	CHECK_OK(mem_unmap(ms, 0, a, PAGE));
	CHECK_OK(mem_unmap(ms, 0, rw, PAGE));
	CHECK_OK(mem_kill(ms, pid));
	return same_base(&before);
}

int test_shm_malformed_requests_change_nothing(void)
{
	struct shm_base before;
	uint64_t h, stale, a[5] = { 0 };
	unsigned pid;
	CHECK_OK(mem_shm_create(ms, 1, MEMSRV_PROT_R, &stale));
	CHECK_OK(mem_shm_release(ms, stale));
	CHECK_OK(spawn_waiter(&pid));
	CHECK_OK(mem_shm_create(ms, 1, MEMSRV_PROT_R | MEMSRV_PROT_W, &h));
	CHECK_OK(base(&before));
	CHECK_ERR(mem_shm_create(ms, 0, MEMSRV_PROT_R, &a[0]), E_RANGE);
	CHECK_ERR(mem_shm_create(ms, MEMSRV_SHM_PAGES_MAX + 1, MEMSRV_PROT_R, &a[0]), E_RANGE);
	CHECK_ERR(mem_shm_create(ms, 1, 0, &a[0]), E_INVAL);
	CHECK_ERR(mem_shm_create(ms, 1, MEMSRV_PROT_W, &a[0]), E_INVAL); /* not readable */
	CHECK_ERR(mem_shm_create(ms, 1, 8 | MEMSRV_PROT_R, &a[0]), E_INVAL);
	CHECK_ERR(mem_shm_map(ms, 0, 0, 0, MEMSRV_PROT_R, NULL), E_INVAL);
	CHECK_ERR(mem_shm_map(ms, 0, stale, 0, MEMSRV_PROT_R, NULL), E_INVAL); /* released */
	CHECK_ERR(mem_shm_map(ms, 0, h + (1ull << 30), 0, MEMSRV_PROT_R, NULL), E_INVAL);
	CHECK_ERR(mem_shm_map(ms, 0, h, 0x1234, MEMSRV_PROT_R, NULL), E_ALIGN);
	CHECK_ERR(mem_shm_map(ms, 0, h, MEMSRV_PROBE_BASE, MEMSRV_PROT_R, NULL), E_RANGE);
	CHECK_ERR(mem_shm_map(ms, 0, h, 0, 0, NULL), E_INVAL);
	CHECK_ERR(mem_shm_share(ms, h, 0, MEMSRV_PROT_R), E_INVAL);
	CHECK_ERR(mem_shm_share(ms, h, self_id(), MEMSRV_PROT_R), E_INVAL);
	CHECK_ERR(mem_shm_share(ms, h, 65536, MEMSRV_PROT_R), E_RANGE);
	CHECK_ERR(mem_shm_share(ms, h, 1000, MEMSRV_PROT_R), E_INVAL); /* no such process */
	CHECK_ERR(mem_shm_share(ms, stale, pid, MEMSRV_PROT_R), E_INVAL);
	CHECK_ERR(mem_shm_share(ms, h, pid, MEMSRV_PROT_R | MEMSRV_PROT_W | MEMSRV_PROT_X), E_WX);
	CHECK_ERR(mem_shm_release(ms, stale), E_INVAL);
	CHECK_ERR(mem_request(ms, MEMSRV_SHM_CREATE, a, 1, NULL, 0, NULL), E_MSGSIZE);
	CHECK_ERR(mem_request(ms, MEMSRV_SHM_SHARE, a, 4, NULL, 0, NULL), E_MSGSIZE);
	CHECK_ERR(mem_request(ms, MEMSRV_SHM_MAP, a, 3, NULL, 0, NULL), E_MSGSIZE);
	CHECK_ERR(mem_request(ms, MEMSRV_SHM_RELEASE, a, 0, NULL, 0, NULL), E_MSGSIZE);
	CHECK_OK(same_base(&before));
	CHECK_OK(mem_shm_release(ms, h));
	CHECK_OK(mem_kill(ms, pid));
	return 0;
}

int test_shm_quota_exhaustion_is_an_error(void)
{
	struct shm_base before;
	uint64_t h[64], s[MEMSRV_STAT_COUNT], charged_before;
	unsigned n = 0;
	int err = E_OK;
	CHECK_OK(base(&before));
	CHECK_OK(mem_stats(ms, 0, s));
	charged_before = s[MEMSRV_STAT_RESIDENT_PAGES] + s[MEMSRV_STAT_TABLE_PAGES];
	/* 64 regions of 64 pages are more than memtest's quota of 4096 pages. */
	while (n < 64 &&
	       (err = mem_shm_create(ms, MEMSRV_SHM_PAGES_MAX, MEMSRV_PROT_R, &h[n])) == 0)
		n++;
	CHECK_ERR(err, E_NOMEM);
	CHECK_EQ(n, (s[MEMSRV_STAT_QUOTA_PAGES] - charged_before) / MEMSRV_SHM_PAGES_MAX);
	for (unsigned i = 0; i < n; i++)
		CHECK_OK(mem_shm_release(ms, h[i]));
	return same_base(&before);
}
