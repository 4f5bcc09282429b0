/*
 * memfuzz's request generator: labels, lengths and words drawn from pools of hostile values,
 * with every range that could succeed kept inside the sandbox window.
 */
#include <mica/fault.h>
#include <mica/memsrv.h>
#include <stdbool.h>
#include <string.h>

#include "memfuzz.h"

#define PAGE       MEMFUZZ_PAGE
#define PICK(pool) (pool)[gen_next() % (sizeof(pool) / sizeof((pool)[0]))]

static uint64_t state;

/* Slots and shared-region handles that memsrv gave the fuzzer (gen_remember), newest last. */
#define KNOWN_MAX 4
static uint64_t known_slots[KNOWN_MAX], known_handles[KNOWN_MAX];
static unsigned slot_count, handle_count;

void gen_seed(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ull; /* one splitmix64 step: never 0 */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	state = (z ^ (z >> 31)) | 1;
	slot_count = handle_count = 0;
}

/* One of the last KNOWN_MAX values remembered in `ring` (count > 0 remembered so far). */
static uint64_t pick_known(const uint64_t *ring, unsigned count)
{
	return ring[gen_next() % (count < KNOWN_MAX ? count : KNOWN_MAX)];
}

void gen_remember(uint64_t label, uint64_t result)
{
	if (label == MEMSRV_OBJ_CREATE || label == MEMSRV_NAME_LOOKUP)
		known_slots[slot_count++ % KNOWN_MAX] = result;
	else if (label == MEMSRV_SHM_CREATE)
		known_handles[handle_count++ % KNOWN_MAX] = result;
}

uint64_t gen_next(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dull;
}

/* Whether one in n. */
static bool chance(unsigned n)
{
	return gen_next() % n == 0;
}

/* Every request label, and the number of words it takes. */
static const struct {
	uint64_t label;
	unsigned words;
} requests[] = {
	{ MEMSRV_AS_CREATE, 1 },
	{ MEMSRV_AS_DESTROY, 1 },
	{ MEMSRV_AS_LIST, 1 },
	{ MEMSRV_MAP, 6 },
	{ MEMSRV_UNMAP, 3 },
	{ MEMSRV_PROTECT, 4 },
	{ MEMSRV_QUERY, 2 },
	{ MEMSRV_VMA_LIST, 3 },
	{ MEMSRV_STATS, 1 },
	{ MEMSRV_GLOBAL_STATS, 0 },
	{ MEMSRV_AUDIT, 1 },
	{ MEMSRV_SPAWN, 16 },
	{ MEMSRV_KILL, 1 },
	{ MEMSRV_PS, 1 },
	{ MEMSRV_EXIT, 2 },
	{ MEMSRV_SEED, 1 },
	{ MEMSRV_PROC_INFO, 1 },
	{ MEMSRV_PROBE_ATTACH, 1 },
	{ MEMSRV_PROBE_DETACH, 0 },
	{ MEMSRV_DEBUG_FAIL, 2 },
	{ MEMSRV_DEBUG_PLANT, 3 },
	{ MEMSRV_CPU_STATS, 1 },
	{ MEMSRV_PROGRAMS, 1 },
	{ MEMSRV_SPAWN_ARGV, 16 },
	{ MEMSRV_OBJ_CREATE, 3 },
	{ MEMSRV_OBJ_DELETE, 1 },
	{ MEMSRV_OBJ_INFO, 0 },
	{ MEMSRV_NAME_PUBLISH, 1 + MEMSRV_NAME_WORDS },
	{ MEMSRV_NAME_LOOKUP, 1 + MEMSRV_NAME_WORDS },
	{ MEMSRV_NAME_WITHDRAW, MEMSRV_NAME_WORDS },
	{ MEMSRV_WAIT, 1 },
	{ MEMSRV_START, 1 },
	{ MEMSRV_SHM_CREATE, 2 },
	{ MEMSRV_SHM_SHARE, 3 },
	{ MEMSRV_SHM_MAP, 4 },
	{ MEMSRV_SHM_RELEASE, 1 },
	{ MEMSRV_THREAD_CREATE, 3 }, /* kept malformed: gen_request */
	{ MEMSRV_THREAD_EXIT, 0 },   /* likewise */
	{ MEMSRV_THREAD_INFO, 1 },
	/* the requests an unprivileged client may make, twice as often */
	{ MEMSRV_MAP, 6 },
	{ MEMSRV_UNMAP, 3 },
	{ MEMSRV_PROTECT, 4 },
	{ MEMSRV_QUERY, 2 },
	{ MEMSRV_VMA_LIST, 3 },
	{ MEMSRV_STATS, 1 },
};

/* A label: mostly a request's, else unknown, a fault label, or anything in 52 bits. */
static unsigned pick_label(uint64_t *label)
{
	unsigned r = (unsigned)(gen_next() % 16), i;
	if (r < 12) {
		i = (unsigned)(gen_next() % (sizeof(requests) / sizeof(requests[0])));
		*label = requests[i].label;
		return requests[i].words;
	}
	if (r == 12)
		*label = gen_next() % 128;
	else if (r == 13)
		*label = FAULT_LABEL(gen_next() % 8);
	else
		*label = gen_next() & MSG_LABEL_MASK;
	return (unsigned)(gen_next() % 8);
}

/* A word naming an address space: mostly the fuzzer's own, else another or nonsense. */
static uint64_t pick_as(unsigned own)
{
	const uint64_t other = own < 1000 ? own + 1 : own - 1;
	const uint64_t pool[] = { 0,     0,           own,        own,   other, 1,   1023,    1024,
				  65535, own | 65536, 1ull << 40, ~0ull, 0,     own, own - 1, 2 };
	return PICK(pool);
}

/*
 * Any word: small numbers, boundaries, addresses, all ones, random (odd) bits. None of them,
 * as a length from a sandbox address, reaches the fuzzer's stack or IPC buffer.
 */
static uint64_t hostile_word(void)
{
	const uint64_t pool[] = { 0,
				  1,
				  2,
				  7,
				  0xfff,
				  PAGE,
				  1ull << 24,
				  1ull << 32,
				  1ull << 48,
				  MEMSRV_PROBE_BASE + 8,
				  0xffff800000000000ull,
				  0x7fffffffffffffffull,
				  ~0ull,
				  ~0ull - PAGE + 1 };
	return chance(4) ? gen_next() | 1 : PICK(pool);
}

/* A slot of the fuzzer's CNode: one memsrv gave it, one of the user slots, or nonsense. */
static uint64_t pick_slot(void)
{
	const uint64_t pool[] = { 0,
				  MEMSRV_SLOT_USER,
				  MEMSRV_SLOT_USER + 1,
				  MEMSRV_SLOT_SELF,
				  MEMSRV_SLOT_USER - 1,
				  MEMSRV_CNODE_SLOTS - 1,
				  MEMSRV_CNODE_SLOTS,
				  1ull << 32,
				  ~0ull };
	if (slot_count && chance(2))
		return pick_known(known_slots, slot_count);
	return PICK(pool);
}

/*
 * A shared-region handle: one memsrv gave the fuzzer (sometimes with a later generation),
 * or one that is never valid. Not a small constant: whether region 1 of generation 0 is
 * live depends on what ran before, and a campaign must repeat exactly under its seed.
 */
static uint64_t pick_handle(void)
{
	const uint64_t pool[] = { 0, 0x40 + 1, 0xff, 0x1ff, 1ull << 24, ~0ull };
	if (handle_count && chance(2)) {
		uint64_t h = pick_known(known_handles, handle_count);
		return chance(8) ? h + 0x100 : h; /* sometimes a later generation */
	}
	return PICK(pool);
}

/*
 * A process or thread id: 0, 1 (the first process memsrv started), bounds, nonsense. Not
 * the fuzzer's own or its neighbours': those move from one campaign to the next.
 */
static uint64_t pick_id(void)
{
	const uint64_t pool[] = { 0, 1, 1, 255, 65535, 65536, 1ull << 32, ~0ull };
	return PICK(pool);
}

/* A name in MEMSRV_NAME_WORDS words: good ones, and empty, unterminated, bad bytes. */
static void pick_name(uint64_t *w)
{
	static const char *const names[] = {
		"fz.a", "fz-b", "fz.a", "", "bad name", "a/b", "abcdefghijklmnopqrstuvwxyz01234"
	};
	char bytes[MEMSRV_NAME_BYTES];
	unsigned r = (unsigned)(gen_next() % 8);
	memset(bytes, 0, sizeof(bytes));
	if (r < 7) {
		const char *n = names[r];
		memcpy(bytes, n, strlen(n));
	} else {
		memset(bytes, 'x', sizeof(bytes)); /* no NUL in 32 bytes */
	}
	memcpy(w, bytes, sizeof(bytes));
}

/*
 * An (addr, length) pair. Only sandbox addresses come with lengths that could succeed; every
 * other address is refused (unaligned, below 0x1000, kernel half, beyond 2^48) or names only
 * memory the fuzzer does not use, whatever the length.
 */
static void pick_range(uint64_t *addr, uint64_t *length)
{
	const uint64_t lengths[] = { 0,          1,          8,
				     0xfff,      PAGE,       2 * PAGE,
				     3 * PAGE,   16 * PAGE,  PAGE + 8,
				     2ull << 20, 1ull << 30, 1ull << 40,
				     1ull << 48, 1ull << 63, ~0ull - PAGE + 1,
				     ~0ull };
	const uint64_t odd[] = { 0,
				 1,
				 0xfff,
				 MEMFUZZ_SANDBOX + 8,
				 0xffff800000000000ull,
				 0xfffffffffffff000ull,
				 1ull << 48,
				 (1ull << 48) - PAGE,
				 MEMSRV_PROBE_BASE,
				 MEMSRV_PROBE_BASE + MEMSRV_PROBE_SIZE };
	unsigned r = (unsigned)(gen_next() % 8);
	*length = PICK(lengths);
	if (r < 5) {
		*addr = MEMFUZZ_SANDBOX + (gen_next() % MEMFUZZ_SANDBOX_PAGES) * PAGE;
		if (r < 3) /* mostly lengths that fit in the sandbox */
			*length = (1 + gen_next() % 8) * PAGE;
	} else if (r < 7) {
		*addr = PICK(odd);
	} else {
		*addr = gen_next() | 8; /* never aligned */
	}
}

/* MAP's words 1..5 (sometimes addr 0: placed at random by memsrv). */
static void map_words(uint64_t *w)
{
	const uint64_t prots[] = { 1, 1, 3, 3, 5, 0, 2, 4, 6, 7, 8, 0xff, ~0ull };
	const uint64_t kinds[] = { MEMSRV_KIND_ANON,
				   MEMSRV_KIND_ANON,
				   MEMSRV_KIND_STACK,
				   MEMSRV_KIND_ELF,
				   MEMSRV_KIND_DEVICE,
				   MEMSRV_KIND_SHARED,
				   5,
				   ~0ull };
	const uint64_t flags[] = { 0, 0, MEMSRV_MAP_EAGER, MEMSRV_VMA_PINNED, 3, 4, ~0ull };
	pick_range(&w[1], &w[2]);
	if (chance(8))
		w[1] = 0;
	w[3] = PICK(prots);
	w[4] = PICK(kinds);
	w[5] = PICK(flags);
}

/* The words a request of `label` takes, hostile where the label has no shape. */
static void fill_words(struct fuzz_request *rq, unsigned own)
{
	const uint64_t prots[] = { 1, 3, 5, 0, 6, 7, 8, ~0ull };
	const uint64_t maxes[] = { 0, 1, 5, 19, 20, ~0ull };
	for (unsigned i = 0; i < MSG_MAX_LENGTH; i++)
		rq->w[i] = hostile_word();
	rq->w[0] = chance(3) ? hostile_word() : pick_as(own);
	switch (rq->label) {
	case MEMSRV_MAP:
		map_words(rq->w);
		break;
	case MEMSRV_UNMAP:
	case MEMSRV_PROTECT:
		pick_range(&rq->w[1], &rq->w[2]);
		rq->w[3] = PICK(prots);
		break;
	case MEMSRV_QUERY:
		rq->w[1] = chance(2) ? MEMFUZZ_SANDBOX + (gen_next() % 64) * PAGE : hostile_word();
		break;
	case MEMSRV_VMA_LIST:
		rq->w[2] = PICK(maxes);
		break;
	case MEMSRV_SPAWN:
		memcpy(&rq->w[8], chance(2) ? "crasher" : "memfuzz", 8);
		break;
	case MEMSRV_OBJ_CREATE:
		rq->w[0] = chance(4) ? hostile_word() : 1 + gen_next() % 3; /* 3: no such type */
		rq->w[1] = pick_slot();
		rq->w[2] = chance(2) ? 0 : hostile_word();
		break;
	case MEMSRV_OBJ_DELETE:
		rq->w[0] = pick_slot();
		break;
	case MEMSRV_NAME_PUBLISH:
	case MEMSRV_NAME_LOOKUP:
		rq->w[0] = pick_slot();
		pick_name(&rq->w[1]);
		break;
	case MEMSRV_NAME_WITHDRAW:
		pick_name(&rq->w[0]);
		break;
	case MEMSRV_WAIT:
	case MEMSRV_START:
	case MEMSRV_THREAD_INFO:
		rq->w[0] = pick_id();
		break;
	case MEMSRV_SHM_CREATE:
		rq->w[0] = chance(3) ? hostile_word() : gen_next() % (MEMSRV_SHM_PAGES_MAX + 2);
		rq->w[1] = PICK(prots);
		break;
	case MEMSRV_SHM_SHARE:
		rq->w[0] = pick_handle();
		rq->w[1] = pick_id();
		rq->w[2] = PICK(prots);
		break;
	case MEMSRV_SHM_MAP:
		rq->w[1] = pick_handle();
		rq->w[2] = chance(2) ? 0 : MEMFUZZ_SANDBOX + (gen_next() % 64) * PAGE;
		if (chance(4))
			rq->w[2] = hostile_word();
		rq->w[3] = PICK(prots);
		break;
	case MEMSRV_SHM_RELEASE:
		rq->w[0] = pick_handle();
		break;
	default:
		break;
	}
}

/* A page-aligned range inside the sandbox. */
static void sandbox_range(uint64_t *addr, uint64_t *length)
{
	uint64_t first = gen_next() % MEMFUZZ_SANDBOX_PAGES;
	uint64_t pages = 1 + gen_next() % (MEMFUZZ_SANDBOX_PAGES - first);
	*addr = MEMFUZZ_SANDBOX + first * PAGE;
	*length = (pages < 9 ? pages : 1 + pages % 8) * PAGE;
}

/* A request the fuzzer may make, well-formed: its own space, sandbox ranges, good rights. */
static unsigned well_formed(struct fuzz_request *rq)
{
	const uint64_t labels[] = { MEMSRV_MAP,        MEMSRV_MAP,          MEMSRV_MAP,
				    MEMSRV_UNMAP,      MEMSRV_UNMAP,        MEMSRV_PROTECT,
				    MEMSRV_QUERY,      MEMSRV_VMA_LIST,     MEMSRV_STATS,
				    MEMSRV_AUDIT,      MEMSRV_OBJ_CREATE,   MEMSRV_OBJ_DELETE,
				    MEMSRV_OBJ_INFO,   MEMSRV_NAME_PUBLISH, MEMSRV_NAME_LOOKUP,
				    MEMSRV_SHM_CREATE, MEMSRV_SHM_MAP,      MEMSRV_SHM_RELEASE };
	const uint64_t prots[] = { MEMSRV_PROT_R, MEMSRV_PROT_R | MEMSRV_PROT_W,
				   MEMSRV_PROT_R | MEMSRV_PROT_X };
	rq->label = PICK(labels);
	for (unsigned i = 0; i < MSG_MAX_LENGTH; i++)
		rq->w[i] = 0;
	sandbox_range(&rq->w[1], &rq->w[2]);
	rq->w[3] = PICK(prots);
	switch (rq->label) {
	case MEMSRV_MAP:
		rq->w[4] = chance(4) ? MEMSRV_KIND_STACK : MEMSRV_KIND_ANON;
		rq->w[5] = chance(3) ? MEMSRV_MAP_EAGER : 0;
		return 6;
	case MEMSRV_UNMAP:
		return 3;
	case MEMSRV_PROTECT:
		return 4;
	case MEMSRV_QUERY:
		return 2;
	case MEMSRV_VMA_LIST:
		rq->w[1] = 0;
		rq->w[2] = 1 + gen_next() % 19;
		return 3;
	case MEMSRV_OBJ_CREATE:
		rq->w[0] = chance(2) ? MEMSRV_OBJ_ENDPOINT : MEMSRV_OBJ_NOTIFICATION;
		rq->w[1] = 0;
		rq->w[2] = rq->w[0] == MEMSRV_OBJ_ENDPOINT ? 0 : 1;
		return 3;
	case MEMSRV_OBJ_DELETE:
		rq->w[0] = pick_slot();
		return 1;
	case MEMSRV_OBJ_INFO:
		return 0;
	case MEMSRV_NAME_PUBLISH:
	case MEMSRV_NAME_LOOKUP:
		rq->w[0] = rq->label == MEMSRV_NAME_LOOKUP ? 0 : pick_slot();
		memset(&rq->w[1], 0, MEMSRV_NAME_BYTES);
		memcpy(&rq->w[1], chance(2) ? "fz.a" : "fz-b", 4);
		return 1 + MEMSRV_NAME_WORDS;
	case MEMSRV_SHM_CREATE:
		rq->w[0] = 1 + gen_next() % 4;
		rq->w[1] = MEMSRV_PROT_R | MEMSRV_PROT_W;
		return 2;
	case MEMSRV_SHM_MAP:
		rq->w[0] = 0;
		rq->w[1] = pick_handle();
		rq->w[2] = 0;
		rq->w[3] = MEMSRV_PROT_R;
		return 4;
	case MEMSRV_SHM_RELEASE:
		rq->w[0] = pick_handle();
		return 1;
	default:
		return 1;
	}
}

void gen_request(struct fuzz_request *rq, unsigned own)
{
	const uint64_t caps[] = { MEMSRV_SLOT_SELF, 0, 2, 63, 64, 1ull << 40, ~0ull };
	if (chance(2)) {
		/* Well-formed, then (half the time) one word or the length made hostile. */
		rq->length = well_formed(rq);
		if (chance(2)) {
			if (chance(4))
				rq->length = (unsigned)(gen_next() % (MSG_MAX_LENGTH + 1));
			else
				rq->w[gen_next() % 6] = hostile_word();
		}
	} else {
		unsigned words = pick_label(&rq->label);
		rq->length = chance(5) ? (unsigned)(gen_next() % (MSG_MAX_LENGTH + 1)) : words;
		fill_words(rq, own);
	}
	/* MEMSRV_EXIT and MEMSRV_THREAD_EXIT with their one word would end the fuzzer, and a
	 * thread started at a hostile pc would fault and take the fuzzer with it: keep them
	 * malformed (too short or too long). */
	if ((rq->label == MEMSRV_EXIT || rq->label == MEMSRV_THREAD_EXIT) && rq->length == 1)
		rq->length = chance(2) ? 0 : 2;
	if (rq->label == MEMSRV_THREAD_CREATE && rq->length >= 4 && rq->length <= 5)
		rq->length = chance(2) ? 3 : 6;
	rq->send_cap = chance(16);
	rq->cap = PICK(caps);
}
