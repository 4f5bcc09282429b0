/*
 * memfuzz: random and malformed memsrv requests from an unprivileged process (memfuzz.h).
 * Each request is checked against a snapshot of everything memsrv reports about the
 * fuzzer's address space; a failed request must leave it exactly as it was.
 */
#include <mica.h>
#include <memsrv_client.h>
#include <mica/fault.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "memfuzz.h"

#define VMA_BATCH   19
#define PAIRS_MAX   512
#define FNV_OFFSET  0xcbf29ce484222325ull
#define FNV_PRIME   0x100000001b3ull
#define STACK_TOUCH (56 * 1024) /* most of the 64 KiB stack */

static cptr_t ms;
static unsigned own;

/* What memsrv reports about the fuzzer's space; equal snapshots mean nothing changed. */
struct snapshot {
	uint64_t stats[MEMSRV_STAT_COUNT];
	uint64_t vmas, vma_digest;
	uint64_t checked, violations;
	uint64_t objects, names, shm_regions, shm_frames; /* MEMSRV_OBJ_INFO */
};

/* Campaign counters. */
static struct {
	uint64_t requests, refused, caps, touched;
	uint64_t objects_ok, shared_ok; /* successful object/name and shared-region requests */
	uint64_t digest;
	unsigned npairs;
	uint64_t pairs[PAIRS_MAX]; /* distinct label << 8 | -result */
} run;

static uint64_t fnv(uint64_t h, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		h = (h ^ ((v >> (8 * i)) & 0xff)) * FNV_PRIME;
	return h;
}

/* A digest of every VMA of the fuzzer's space (MEMSRV_VMA_LIST). */
static int vma_digest(struct snapshot *s)
{
	struct mem_vma v[VMA_BATCH];
	uint64_t from = 0, next;
	unsigned n;
	s->vmas = 0;
	s->vma_digest = FNV_OFFSET;
	do {
		int err = mem_vma_list(ms, 0, from, v, VMA_BATCH, &n, &next);
		if (err)
			return err;
		for (unsigned i = 0; i < n; i++) {
			s->vma_digest = fnv(s->vma_digest, v[i].start);
			s->vma_digest = fnv(s->vma_digest, v[i].length);
			s->vma_digest =
			    fnv(s->vma_digest, v[i].prot | v[i].kind << 8 | v[i].flags << 16);
			s->vma_digest = fnv(s->vma_digest, v[i].resident);
			s->vmas++;
		}
		from = next;
	} while (next);
	return 0;
}

/* Takes a snapshot. The hardware ASID and its generation move with other spaces' work. */
static int take(struct snapshot *s)
{
	int err = mem_stats(ms, 0, s->stats);
	if (!err)
		err = vma_digest(s);
	if (!err)
		err = mem_audit(ms, 0, &s->checked, &s->violations);
	struct mem_obj_info oi;
	if (!err)
		err = mem_obj_info(ms, &oi);
	if (!err) {
		s->objects = oi.objects;
		s->names = oi.names;
		s->shm_regions = oi.shm_regions;
		s->shm_frames = oi.shm_frames;
	}
	s->stats[MEMSRV_STAT_HW_ASID] = 0;
	s->stats[MEMSRV_STAT_GENERATION] = 0;
	return err;
}

/* The first word two snapshots differ in (as an index), or -1 if equal. */
static int differs(const struct snapshot *a, const struct snapshot *b)
{
	for (unsigned i = 0; i < MEMSRV_STAT_COUNT; i++) {
		if (a->stats[i] != b->stats[i])
			return (int)i;
	}
	if (a->vmas != b->vmas || a->vma_digest != b->vma_digest)
		return MEMSRV_STAT_COUNT;
	if (a->checked != b->checked || a->violations != b->violations)
		return MEMSRV_STAT_COUNT + 1;
	if (a->objects != b->objects || a->names != b->names)
		return MEMSRV_STAT_COUNT + 2;
	if (a->shm_regions != b->shm_regions || a->shm_frames != b->shm_frames)
		return MEMSRV_STAT_COUNT + 3;
	return -1;
}

/* Sends one request as it is (a capability too if asked); returns the reply's error. */
static int send(const struct fuzz_request *rq, uint64_t *mr0)
{
	struct ipc_buffer *buf = mica_ipc_buffer();
	struct mica_msg msg = { .label = rq->label, .length = rq->length };
	for (unsigned i = 0; i < rq->length; i++) {
		if (i < MSG_REGISTERS)
			msg.mr[i] = rq->w[i];
		else
			buf->msg[i] = rq->w[i];
	}
	if (rq->send_cap) {
		buf->caps[0] = rq->cap;
		msg.extra_caps = 1;
	}
	int err = mica_msg_error(mica_call(ms, &msg));
	*mr0 = msg.mr[0];
	return err;
}

/*
 * Whether a request may succeed: one of the unprivileged ones, on the fuzzer's own space
 * where it names one. Its objects, names, shared regions and threads are its own by
 * construction (memsrv looks them up under the caller). It has no children (spawning needs
 * the control right), so MEMSRV_WAIT and MEMSRV_START never succeed, and never block.
 */
static bool may_succeed(const struct fuzz_request *rq)
{
	bool mine = rq->length >= 1 && (rq->w[0] == 0 || rq->w[0] == own);
	switch (rq->label) {
	case MEMSRV_MAP:
	case MEMSRV_UNMAP:
	case MEMSRV_PROTECT:
	case MEMSRV_QUERY:
	case MEMSRV_VMA_LIST:
	case MEMSRV_STATS:
	case MEMSRV_AUDIT:
	case MEMSRV_SHM_MAP:
		return mine;
	case MEMSRV_OBJ_CREATE:
	case MEMSRV_OBJ_DELETE:
	case MEMSRV_OBJ_INFO:
	case MEMSRV_NAME_PUBLISH:
	case MEMSRV_NAME_LOOKUP:
	case MEMSRV_NAME_WITHDRAW:
	case MEMSRV_SHM_CREATE:
	case MEMSRV_SHM_SHARE:
	case MEMSRV_SHM_RELEASE:
	case MEMSRV_THREAD_INFO:
		return true;
	default:
		return false;
	}
}

/* Counts the (label, result) pair if it is new; labels beyond 127 (but fault labels) are one. */
static void note_pair(uint64_t label, int err)
{
	bool fault = label >= FAULT_LABEL_BASE && label < FAULT_LABEL_BASE + 8;
	uint64_t key = (label < 128 || fault ? label : 0xfffff) << 8 | (uint64_t)(-err & 0xff);
	for (unsigned i = 0; i < run.npairs; i++) {
		if (run.pairs[i] == key)
			return;
	}
	if (run.npairs < PAIRS_MAX)
		run.pairs[run.npairs++] = key;
}

/*
 * Reads the sandbox page at va if an anonymous VMA holds it. Never a stack: after splits and
 * merges its guard pages need not be one page at its start, and QUERY does not say where.
 */
static void touch(uint64_t va)
{
	struct mem_vma v;
	if (va < MEMFUZZ_SANDBOX || va >= MEMFUZZ_SANDBOX + MEMFUZZ_SANDBOX_PAGES * MEMFUZZ_PAGE ||
	    va % MEMFUZZ_PAGE)
		return;
	if (mem_query(ms, 0, va, &v) != 0 || !(v.prot & MEMSRV_PROT_R))
		return;
	if (v.kind != MEMSRV_KIND_ANON)
		return;
	(void)*(volatile uint64_t *)va;
	run.touched++;
}

/* Maps memsrv placed (addr 0) are remembered and unmapped again in batches. */
static struct {
	unsigned count;
	uint64_t start[MEMFUZZ_PLACED_MAX], length[MEMFUZZ_PLACED_MAX];
} placed;

/* Records a placed map; unmaps all of them once the list is full. Returns 0 or the error. */
static int track_placed(uint64_t start, uint64_t length)
{
	placed.start[placed.count] = start;
	placed.length[placed.count] = length;
	if (++placed.count < MEMFUZZ_PLACED_MAX)
		return 0;
	for (unsigned i = 0; i < placed.count; i++) {
		int err = mem_unmap(ms, 0, placed.start[i], placed.length[i]);
		if (err)
			return err;
	}
	placed.count = 0;
	return 0;
}

/*
 * What a successful request leads to: placed maps (anonymous or shared) tracked, the slots
 * and handles memsrv gave remembered for later requests, sometimes a touch.
 */
static int after_success(const struct fuzz_request *rq, uint64_t mr0)
{
	if (rq->label == MEMSRV_MAP && rq->w[1] == 0) {
		int err = track_placed(mr0, rq->w[2]);
		if (err)
			return err;
	}
	if (rq->label == MEMSRV_SHM_MAP && rq->w[2] == 0) {
		struct mem_vma v;
		int err = mem_query(ms, 0, mr0, &v);
		if (!err)
			err = track_placed(v.start, v.length);
		if (err)
			return err;
	}
	gen_remember(rq->label, mr0);
	if (rq->label >= MEMSRV_OBJ_CREATE && rq->label <= MEMSRV_NAME_WITHDRAW)
		run.objects_ok++;
	if (rq->label >= MEMSRV_SHM_CREATE && rq->label <= MEMSRV_SHM_RELEASE)
		run.shared_ok++;
	if ((rq->label == MEMSRV_MAP || rq->label == MEMSRV_PROTECT) && gen_next() % 2)
		touch(rq->w[1]);
	return 0;
}

/* One request and its checks; `now` is the current snapshot. Returns 0 or -1 (printed). */
static int fuzz_one(uint64_t i, struct snapshot *now)
{
	struct fuzz_request rq;
	struct snapshot after;
	uint64_t mr0;
	gen_request(&rq, own);
	int err = send(&rq, &mr0);
	run.requests++;
	run.caps += rq.send_cap;
	run.digest = fnv(fnv(fnv(run.digest, rq.label), rq.length), (uint64_t)(int64_t)err);
	note_pair(rq.label, err);
	if (err > 0 || err <= E_ERRORS_END) {
		printf("memfuzz: FAIL request %lu: label %#lx: reply %d\n", (unsigned long)i,
		       (unsigned long)rq.label, err);
		return -1;
	}
	if (rq.send_cap && err != E_RIGHTS) {
		printf("memfuzz: FAIL request %lu: a capability went through (%s)\n",
		       (unsigned long)i, mica_strerror(err));
		return -1;
	}
	if (err == 0 && !may_succeed(&rq)) {
		printf("memfuzz: FAIL request %lu: label %#lx, as %#lx succeeded\n",
		       (unsigned long)i, (unsigned long)rq.label, (unsigned long)rq.w[0]);
		return -1;
	}
	if (err == 0 && after_success(&rq, mr0) != 0) {
		printf("memfuzz: FAIL request %lu: unmapping placed maps\n", (unsigned long)i);
		return -1;
	}
	int serr = take(&after);
	if (serr) {
		printf("memfuzz: FAIL request %lu: snapshot: %s\n", (unsigned long)i,
		       mica_strerror(serr));
		return -1;
	}
	if (err) {
		run.refused++;
		int d = differs(now, &after);
		if (d >= 0) {
			printf("memfuzz: FAIL request %lu: label %#lx length %u refused with %s "
			       "but changed word %d\n",
			       (unsigned long)i, (unsigned long)rq.label, rq.length,
			       mica_strerror(err), d);
			return -1;
		}
	}
	if (after.violations) {
		printf("memfuzz: FAIL request %lu: audit found %lu violations\n", (unsigned long)i,
		       (unsigned long)after.violations);
		return -1;
	}
	*now = after;
	return 0;
}

/* Touches most of the stack, so that its lazy faults do not move the snapshots. */
static __attribute__((noinline)) void prefault_stack(void)
{
	volatile char area[STACK_TOUCH];
	for (unsigned i = 0; i < sizeof(area); i += MEMFUZZ_PAGE)
		area[i] = 0;
}

/* Entry: x0 = the memsrv capability, x1 = seed | requests << 32. */
int main(void *cap, uint64_t arg)
{
	ms = (cptr_t)(uintptr_t)cap;
	uint64_t seed = arg & 0xffffffffu, count = arg >> 32;
	struct snapshot now;
	if (!count)
		count = MEMFUZZ_DEFAULT_REQUESTS;
	prefault_stack();
	gen_seed(seed);
	run.digest = FNV_OFFSET;
	if (take(&now) != 0)
		return -1;
	own = (unsigned)now.stats[MEMSRV_STAT_AS_ID];
	for (uint64_t i = 0; i < count; i++) {
		if (fuzz_one(i, &now) != 0)
			return -1;
	}
	int code = (int)(run.digest & 0x7fffffff);
	printf("memfuzz: seed %lu, %lu requests, %lu refused, %lu with a capability, %lu "
	       "touches, %lu object and %lu shared-region successes, %u distinct (label, "
	       "result), digest %#x\n",
	       (unsigned long)seed, (unsigned long)run.requests, (unsigned long)run.refused,
	       (unsigned long)run.caps, (unsigned long)run.touched, (unsigned long)run.objects_ok,
	       (unsigned long)run.shared_ok, run.npairs, code);
	return code;
}
