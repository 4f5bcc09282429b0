/*
 * Host tests for untyped memory (kernel/object/untyped.c): the placement and splitting
 * arithmetic, UNTYPED_RETYPE's decode and invoke steps, and the boot-time untyped caps.
 * The CSpace, TCB and console functions untyped.c calls are faked here; "physical memory"
 * is a buffer (HOST_TEST makes untyped.c translate addresses with test_phys_to_virt).
 */
#include <mica/bootinfo.h>
#include <mica/errors.h>
#include <mica/invocation.h>
#include <stdarg.h>
#include <stdlib.h>

#include "arch.h"
#include "bootmem.h"
#include "check.h"
#include "console.h"
#include "object/cspace.h"
#include "object/invocation.h"
#include "object/tcb.h"
#include "object/untyped.h"
#include "object/untyped_math.h"

CHECK_DEFINE_GLOBALS;

#define RAM_PA      0x40000000ull
#define RAM_BITS    16 /* the fake RAM: one 64 KiB untyped at RAM_PA */
#define DEVICE_PA   0x09000000ull
#define CNODE_CPTR  7 /* resolves to the fake destination CNode */
#define NOT_A_CNODE 8 /* resolves to a slot that holds no CNode */
#define CNODE_RADIX 9
#define CNODE_SLOTS (1u << CNODE_RADIX)
#define MiB         (1ull << 20)

static uint8_t ram[1u << RAM_BITS] __attribute__((aligned(4096)));
static struct cte ut_slot;            /* the invoked untyped */
static struct cte cnode[CNODE_SLOTS]; /* the destination CNode */
static struct tcb caller;
static uint64_t mrs[8];
static unsigned inserts, bad_phys, tcb_inits, tcb_init_dirty;
static struct tcb *tcb_init_last;
static char log_buf[4096];
static size_t log_len;

/* ---- fakes for what untyped.c calls ---- */

void *test_phys_to_virt(uint64_t pa)
{
	if (pa < RAM_PA || pa >= RAM_PA + sizeof(ram)) {
		bad_phys++;
		return ram;
	}
	return ram + (pa - RAM_PA);
}

/* The parent pointer lives in mdb_prev: enough to answer mdb_has_children. */
void mdb_insert(struct cte *parent, struct cte *dest, struct cap cap)
{
	CHECK(cap_is_null(&dest->cap));
	dest->cap = cap;
	dest->mdb_prev = parent;
	inserts++;
}

bool mdb_has_children(const struct cte *slot)
{
	for (unsigned i = 0; i < CNODE_SLOTS; i++) {
		if (!cap_is_null(&cnode[i].cap) && cnode[i].mdb_prev == slot)
			return true;
	}
	return false;
}

struct lookup_ret cspace_lookup_index(struct tcb *t, cptr_t cn, uint64_t index)
{
	CHECK(t == &caller);
	if (cn == NOT_A_CNODE)
		return (struct lookup_ret){ E_TYPE, NULL };
	if (cn != CNODE_CPTR)
		return (struct lookup_ret){ E_LOOKUP, NULL };
	if (index >= CNODE_SLOTS)
		return (struct lookup_ret){ E_RANGE, NULL };
	return (struct lookup_ret){ E_OK, &cnode[index] };
}

/* The host has no DC ZVA: plain memset, as the kernel falls back to. */
void arch_zero_memory(void *va, size_t size)
{
	memset(va, 0, size);
}

void tcb_init(struct tcb *t)
{
	const uint8_t *p = (const uint8_t *)t;
	for (size_t i = 0; i < sizeof(*t); i++)
		tcb_init_dirty += p[i] != 0;
	tcb_inits++;
	tcb_init_last = t;
}

uint64_t tcb_get_mr(const struct tcb *t, unsigned i)
{
	CHECK(t == &caller);
	return i < 8 ? mrs[i] : 0;
}

void tcb_set_mr(struct tcb *t, unsigned i, uint64_t v)
{
	(void)t;
	if (i < 8)
		mrs[i] = v;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(log_buf + log_len, sizeof(log_buf) - log_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		log_len += (size_t)n < sizeof(log_buf) - log_len ? (size_t)n : 0;
	return n;
}

static uint64_t reserved_ranges[8][2];
static unsigned n_reserved_ranges;

/* The GIC ranges [base, end) a test sets; like the arch, writes at most `max`. */
unsigned arch_reserved_device_ranges(uint64_t (*ranges)[2], unsigned max)
{
	unsigned n = 0;
	for (; n < n_reserved_ranges && n < max; n++) {
		ranges[n][0] = reserved_ranges[n][0];
		ranges[n][1] = reserved_ranges[n][1];
	}
	return n;
}

/* ---- helpers ---- */

static bool log_has(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i + n <= log_len; i++) {
		if (strncmp(log_buf + i, s, n) == 0)
			return true;
	}
	return false;
}

static struct cap untyped_cap(uint64_t paddr, unsigned bits, bool device)
{
	struct cap c = cap_null();
	c.type = CAP_UNTYPED;
	c.rights = RIGHTS_ALL;
	c.u.untyped.paddr = paddr;
	c.u.untyped.size_bits = (uint8_t)bits;
	c.u.untyped.device = device;
	return c;
}

/* A fresh 64 KiB RAM untyped (memory filled with 0xaa) and an empty destination CNode. */
static void fresh(void)
{
	memset(&ut_slot, 0, sizeof(ut_slot));
	ut_slot.cap = untyped_cap(RAM_PA, RAM_BITS, false);
	memset(cnode, 0, sizeof(cnode));
	memset(ram, 0xaa, sizeof(ram));
	inserts = bad_phys = tcb_inits = tcb_init_dirty = 0;
	tcb_init_last = NULL;
	log_len = 0;
}

static int retype_n(unsigned nargs, uint64_t label, uint64_t type, uint64_t size_bits, uint64_t cn,
		    uint64_t index, uint64_t count)
{
	mrs[0] = type;
	mrs[1] = size_bits;
	mrs[2] = cn;
	mrs[3] = index;
	mrs[4] = count;
	struct invocation inv = { .caller = &caller,
				  .slot = &ut_slot,
				  .cap = ut_slot.cap,
				  .label = label,
				  .nargs = nargs };
	return decode_untyped_invocation(&inv);
}

static int retype(uint64_t type, uint64_t size_bits, uint64_t index, uint64_t count)
{
	return retype_n(5, UNTYPED_RETYPE, type, size_bits, CNODE_CPTR, index, count);
}

/* Everything a refused invocation must leave alone. */
static struct {
	struct cte ut;
	struct cte cnode[CNODE_SLOTS];
	uint8_t ram[sizeof(ram)];
	unsigned inserts, tcb_inits;
} snap;

static void take_snapshot(void)
{
	snap.ut = ut_slot;
	memcpy(snap.cnode, cnode, sizeof(cnode));
	memcpy(snap.ram, ram, sizeof(ram));
	snap.inserts = inserts;
	snap.tcb_inits = tcb_inits;
}

static bool unchanged(void)
{
	return memcmp(&snap.ut, &ut_slot, sizeof(ut_slot)) == 0 &&
	       memcmp(snap.cnode, cnode, sizeof(cnode)) == 0 &&
	       memcmp(snap.ram, ram, sizeof(ram)) == 0 && snap.inserts == inserts &&
	       snap.tcb_inits == tcb_inits;
}

#define CHECK_REFUSED(call, err)                   \
	do {                                       \
		take_snapshot();                   \
		CHECK_EQ((call), (uint64_t)(err)); \
		CHECK(unchanged());                \
	} while (0)

static bool all_bytes(uint64_t pa, uint64_t n, uint8_t v)
{
	for (uint64_t i = 0; i < n; i++) {
		if (ram[pa - RAM_PA + i] != v)
			return false;
	}
	return true;
}

/* ---- object_size_bits and untyped_fit ---- */

static void test_object_sizes(void)
{
	CHECK_EQ(object_size_bits(OBJ_TCB, 0), TCB_SIZE_BITS);
	CHECK_EQ(object_size_bits(OBJ_ENDPOINT, 99), ENDPOINT_SIZE_BITS);
	CHECK_EQ(object_size_bits(OBJ_NOTIFICATION, 0), NOTIFICATION_SIZE_BITS);
	CHECK_EQ(object_size_bits(OBJ_FRAME_4K, 0), 12);
	CHECK_EQ(object_size_bits(OBJ_FRAME_2M, 0), 21);
	CHECK_EQ(object_size_bits(OBJ_PAGE_TABLE, 0), 12);
	CHECK_EQ(object_size_bits(OBJ_VSPACE, 0), 12);
	CHECK_EQ(object_size_bits(OBJ_CNODE, 4), 4 + CNODE_SLOT_BITS);
	CHECK_EQ(object_size_bits(OBJ_CNODE, 0), -1);
	CHECK_EQ(object_size_bits(OBJ_CNODE, CNODE_MAX_RADIX + 1), -1);
	CHECK_EQ(object_size_bits(OBJ_UNTYPED, UNTYPED_MIN_BITS), UNTYPED_MIN_BITS);
	CHECK_EQ(object_size_bits(OBJ_UNTYPED, UNTYPED_MAX_BITS), UNTYPED_MAX_BITS);
	CHECK_EQ(object_size_bits(OBJ_UNTYPED, UNTYPED_MIN_BITS - 1), -1);
	CHECK_EQ(object_size_bits(OBJ_UNTYPED, UNTYPED_MAX_BITS + 1), -1);
	CHECK_EQ(object_size_bits(0, 0), -1);
	CHECK_EQ(object_size_bits(OBJ_TYPE_COUNT, 0), -1);
}

static void test_fit_places_at_watermark_rounded_to_alignment(void)
{
	uint64_t off = 0;
	CHECK_EQ(untyped_fit(16, 0, 5, 3, &off), E_OK);
	CHECK_EQ(off, 0);
	CHECK_EQ(untyped_fit(16, 96, 11, 1, &off), E_OK);
	CHECK_EQ(off, 2048);
	CHECK_EQ(untyped_fit(16, 2048, 11, 1, &off), E_OK); /* already aligned */
	CHECK_EQ(off, 2048);
}

static void test_fit_exact_fill_and_one_too_many(void)
{
	uint64_t off = 123;
	CHECK_EQ(untyped_fit(16, 0, 11, 32, &off), E_OK);
	CHECK_EQ(off, 0);
	off = 123;
	CHECK_EQ(untyped_fit(16, 0, 11, 33, &off), E_NOMEM);
	CHECK_EQ(off, 123); /* untouched on failure */
	CHECK_EQ(untyped_fit(16, 65536 - 2048, 11, 1, &off), E_OK);
	CHECK_EQ(untyped_fit(16, 65536 - 2047, 11, 1, &off), E_NOMEM);
	CHECK_EQ(untyped_fit(16, 65536, 4, 1, &off), E_NOMEM);
}

static void test_fit_object_bigger_than_untyped(void)
{
	uint64_t off;
	CHECK_EQ(untyped_fit(16, 0, 21, 1, &off), E_NOMEM);
	CHECK_EQ(untyped_fit(12, 0, 12, 1, &off), E_OK); /* exactly as big is fine */
}

static void test_fit_never_overflows(void)
{
	uint64_t off;
	CHECK_EQ(untyped_fit(47, 0, 16, UINT32_MAX, &off), E_NOMEM); /* room for 2^31 */
	CHECK_EQ(untyped_fit(47, 0, 4, UINT32_MAX, &off), E_OK);     /* room for 2^43 */
	CHECK_EQ(untyped_fit(63, 0, 63, 1, &off), E_OK);
	CHECK_EQ(untyped_fit(63, 0, 63, 2, &off), E_NOMEM);
	CHECK_EQ(untyped_fit(63, (1ull << 63) - 1, 62, 1, &off), E_NOMEM);
	CHECK_EQ(untyped_fit(63, 1ull << 63, 4, 1, &off), E_NOMEM);
	CHECK_EQ(untyped_fit(63, UINT64_MAX, 63, 1, &off), E_NOMEM); /* index past the end */
	CHECK_EQ(untyped_fit(64, 0, 4, 1, &off), E_NOMEM);
	CHECK_EQ(untyped_fit(UINT64_MAX, 0, 4, 1, &off), E_NOMEM);
	CHECK_EQ(untyped_fit(16, 0, 200, 1, &off), E_NOMEM);
}

/* ---- untyped_split ---- */

static struct {
	uint64_t base[4096];
	unsigned bits[4096];
	unsigned n;
} blocks;

static void collect(void *ctx, uint64_t base, unsigned bits)
{
	(void)ctx;
	if (blocks.n < 4096) {
		blocks.base[blocks.n] = base;
		blocks.bits[blocks.n] = bits;
	}
	blocks.n++;
}

static void split(uint64_t base, uint64_t size, unsigned max_bits)
{
	blocks.n = 0;
	untyped_split(base, size, max_bits, collect, NULL);
}

/*
 * The blocks tile [base, base + size) in order, each naturally aligned, and each maximal:
 * either max_bits big, or its aligned double-sized buddy block is not inside the range.
 */
static bool split_is_canonical(uint64_t base, uint64_t size, unsigned max_bits)
{
	uint64_t at = base, end = base + size;
	for (unsigned i = 0; i < blocks.n; i++) {
		uint64_t b = blocks.base[i], len = 1ull << blocks.bits[i];
		if (b != at || (b & (len - 1)) || blocks.bits[i] > max_bits)
			return false;
		uint64_t up = b & ~(2 * len - 1);
		if (blocks.bits[i] < max_bits && up >= base && up + 2 * len <= end)
			return false;
		at += len;
	}
	return at - base == size;
}

static void test_split_first_virt_free_range(void)
{
	split(0x40107000, 0x40200000 - 0x40107000, UNTYPED_MAX_BITS);
	CHECK_EQ(blocks.n, 6);
	static const unsigned want[] = { 12, 15, 16, 17, 18, 19 };
	for (unsigned i = 0; i < 6; i++)
		CHECK_EQ(blocks.bits[i], want[i]);
	CHECK(split_is_canonical(0x40107000, 0x40200000 - 0x40107000, UNTYPED_MAX_BITS));
}

static void test_split_second_virt_free_range(void)
{
	split(0x40211000, 0x60000000 - 0x40211000, UNTYPED_MAX_BITS);
	CHECK_EQ(blocks.n, 15);
	CHECK(split_is_canonical(0x40211000, 0x60000000 - 0x40211000, UNTYPED_MAX_BITS));
	for (unsigned i = 0; i < blocks.n; i++)
		CHECK(blocks.bits[i] >= 12);
	CHECK_EQ(blocks.base[blocks.n - 1], 0x50000000);
	CHECK_EQ(blocks.bits[blocks.n - 1], 28);
}

static void test_split_caps_block_size(void)
{
	split(0, 1ull << 40, 30);
	CHECK_EQ(blocks.n, 1024);
	CHECK(split_is_canonical(0, 1ull << 40, 30));
}

static void test_split_whole_aligned_range_is_one_block(void)
{
	split(0, 1ull << 63, 63); /* base 0 has no lowest set bit */
	CHECK_EQ(blocks.n, 1);
	CHECK_EQ(blocks.bits[0], 63);
	split(1ull << 63, 1ull << 63, 63); /* ends exactly at 2^64 */
	CHECK_EQ(blocks.n, 1);
	CHECK_EQ(blocks.base[0], 1ull << 63);
}

static void test_split_odd_ranges_are_canonical(void)
{
	static const uint64_t r[][2] = { { 0x1000, 0x7fff000 },     { 0x3000, 0x1000 },
					 { 0x8020000, 0x37fe0000 }, { 0x5000, 0xfffff3000 },
					 { 0x40000010, 0x30 },      { 0x7, 0x9 } };
	for (unsigned i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		split(r[i][0], r[i][1], UNTYPED_MAX_BITS);
		CHECK(split_is_canonical(r[i][0], r[i][1], UNTYPED_MAX_BITS));
	}
	split(0x1000, 0, 47);
	CHECK_EQ(blocks.n, 0);
}

/* ---- UNTYPED_RETYPE: successes ---- */

static void test_retype_endpoints_consecutive_and_zeroed(void)
{
	fresh();
	CHECK_EQ(retype(OBJ_ENDPOINT, 0, 10, 3), E_OK);
	for (unsigned i = 0; i < 3; i++) {
		struct cap *c = &cnode[10 + i].cap;
		CHECK_EQ(c->type, CAP_ENDPOINT);
		CHECK_EQ(c->rights, RIGHTS_ALL);
		CHECK_EQ(c->u.endpoint.badge, 0);
		CHECK(c->u.endpoint.ep == (struct endpoint *)(ram + 32 * i));
		CHECK(cnode[10 + i].mdb_prev == &ut_slot);
	}
	CHECK(all_bytes(RAM_PA, 96, 0));
	CHECK(all_bytes(RAM_PA + 96, 32, 0xaa));
	CHECK_EQ(ut_slot.cap.u.untyped.free_index, 96);
	CHECK(cap_is_null(&cnode[13].cap));
}

static void test_retype_notification(void)
{
	fresh();
	CHECK_EQ(retype(OBJ_NOTIFICATION, 0, 0, 1), E_OK);
	CHECK_EQ(cnode[0].cap.type, CAP_NOTIFICATION);
	CHECK_EQ(cnode[0].cap.rights, RIGHTS_ALL);
	CHECK_EQ(cnode[0].cap.u.notification.badge, 0);
	CHECK(cnode[0].cap.u.notification.ntfn == (struct notification *)ram);
	CHECK(all_bytes(RAM_PA, 64, 0));
}

static void test_retype_tcb_is_aligned_zeroed_and_initialised(void)
{
	fresh();
	CHECK_EQ(retype(OBJ_ENDPOINT, 0, 0, 1), E_OK); /* watermark 32 */
	CHECK_EQ(retype(OBJ_TCB, 0, 1, 1), E_OK);
	CHECK_EQ(cnode[1].cap.type, CAP_TCB);
	CHECK(cnode[1].cap.u.tcb.tcb == (struct tcb *)(ram + 2048));
	CHECK_EQ(tcb_inits, 1);
	CHECK(tcb_init_last == (struct tcb *)(ram + 2048));
	CHECK_EQ(tcb_init_dirty, 0);                    /* zeroed before tcb_init */
	CHECK(all_bytes(RAM_PA + 32, 2048 - 32, 0xaa)); /* the alignment gap is untouched */
	CHECK_EQ(ut_slot.cap.u.untyped.free_index, 4096);
}

static void test_retype_cnode(void)
{
	fresh();
	CHECK_EQ(retype(OBJ_CNODE, 4, 5, 1), E_OK);
	struct cap *c = &cnode[5].cap;
	CHECK_EQ(c->type, CAP_CNODE);
	CHECK_EQ(c->rights, RIGHTS_ALL);
	CHECK(c->u.cnode.slots == (struct cte *)ram);
	CHECK_EQ(c->u.cnode.radix, 4);
	CHECK_EQ(c->u.cnode.guard_bits, 0);
	CHECK_EQ(cap_cnode_guard(c), 0);
	CHECK_EQ(c->u.cnode.one_level, 0); /* two levels' bits: not one level */
	CHECK(all_bytes(RAM_PA, 16 * 64, 0));
	CHECK_EQ(ut_slot.cap.u.untyped.free_index, 1024);
}

static void test_retype_frame_rights_and_size(void)
{
	fresh();
	CHECK_EQ(retype(OBJ_FRAME_4K, 0, 0, 2), E_OK);
	for (unsigned i = 0; i < 2; i++) {
		struct cap *c = &cnode[i].cap;
		CHECK_EQ(c->type, CAP_FRAME);
		CHECK_EQ(c->rights, RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC);
		CHECK_EQ(c->u.frame.paddr, RAM_PA + 4096 * i);
		CHECK_EQ(c->u.frame.size_bits, 12);
		CHECK(!c->u.frame.device);
		CHECK_EQ(c->u.frame.mapped_asid, 0);
	}
	CHECK(all_bytes(RAM_PA, 8192, 0));
}

static void test_retype_page_table_and_vspace(void)
{
	fresh();
	CHECK_EQ(retype(OBJ_PAGE_TABLE, 0, 0, 1), E_OK);
	CHECK_EQ(retype(OBJ_VSPACE, 0, 1, 1), E_OK);
	CHECK_EQ(cnode[0].cap.type, CAP_PAGE_TABLE);
	CHECK_EQ(cnode[0].cap.u.page_table.paddr, RAM_PA);
	CHECK_EQ(cnode[0].cap.u.page_table.level, 0);
	CHECK_EQ(cnode[1].cap.type, CAP_VSPACE);
	CHECK_EQ(cnode[1].cap.u.vspace.paddr, RAM_PA + 4096);
	CHECK_EQ(cnode[1].cap.u.vspace.asid, 0);
	CHECK(all_bytes(RAM_PA, 8192, 0));
}

static void test_retype_untyped_child_is_not_zeroed(void)
{
	fresh();
	CHECK_EQ(retype(OBJ_UNTYPED, 12, 0, 2), E_OK);
	for (unsigned i = 0; i < 2; i++) {
		struct cap *c = &cnode[i].cap;
		CHECK_EQ(c->type, CAP_UNTYPED);
		CHECK_EQ(c->u.untyped.paddr, RAM_PA + 4096 * i);
		CHECK_EQ(c->u.untyped.size_bits, 12);
		CHECK_EQ(c->u.untyped.free_index, 0);
		CHECK(!c->u.untyped.device);
	}
	CHECK(all_bytes(RAM_PA, 8192, 0xaa)); /* zeroed when retyped further */
}

static void test_retype_256_objects_at_once(void)
{
	fresh();
	CHECK_EQ(retype(OBJ_ENDPOINT, 0, 256, 256), E_OK);
	CHECK_EQ(cnode[511].cap.type, CAP_ENDPOINT);
	CHECK_EQ(ut_slot.cap.u.untyped.free_index, 256 * 32);
}

static void test_retype_last_slot_of_cnode(void)
{
	fresh();
	CHECK_EQ(retype(OBJ_ENDPOINT, 0, CNODE_SLOTS - 2, 2), E_OK);
	CHECK_EQ(cnode[CNODE_SLOTS - 1].cap.type, CAP_ENDPOINT);
}

static void test_fixed_size_types_ignore_size_bits(void)
{
	fresh();
	CHECK_EQ(retype(OBJ_TCB, 99, 0, 1), E_OK);
	CHECK_EQ(retype(OBJ_ENDPOINT, UINT64_MAX, 1, 1), E_OK);
}

/* ---- UNTYPED_RETYPE: each error, state unchanged ---- */

static void test_wrong_label_is_e_label(void)
{
	fresh();
	CHECK_REFUSED(retype_n(5, CNODE_COPY, OBJ_ENDPOINT, 0, CNODE_CPTR, 0, 1), E_LABEL);
	CHECK_REFUSED(retype_n(5, 0, OBJ_ENDPOINT, 0, CNODE_CPTR, 0, 1), E_LABEL);
}

static void test_short_message_reads_as_count_zero(void)
{
	fresh();
	CHECK_REFUSED(retype_n(4, UNTYPED_RETYPE, OBJ_ENDPOINT, 0, CNODE_CPTR, 0, 1), E_RANGE);
	CHECK_REFUSED(retype_n(0, UNTYPED_RETYPE, OBJ_ENDPOINT, 0, CNODE_CPTR, 0, 1), E_INVAL);
}

static void test_bad_type_is_e_inval(void)
{
	fresh();
	CHECK_REFUSED(retype(0, 0, 0, 1), E_INVAL);
	CHECK_REFUSED(retype(OBJ_TYPE_COUNT, 0, 0, 1), E_INVAL);
	CHECK_REFUSED(retype((1ull << 32) | OBJ_TCB, 0, 0, 1), E_INVAL); /* no truncation */
}

static void test_bad_size_bits_is_e_range(void)
{
	fresh();
	CHECK_REFUSED(retype(OBJ_UNTYPED, UNTYPED_MIN_BITS - 1, 0, 1), E_RANGE);
	CHECK_REFUSED(retype(OBJ_UNTYPED, UNTYPED_MAX_BITS + 1, 0, 1), E_RANGE);
	CHECK_REFUSED(retype(OBJ_UNTYPED, (1ull << 32) | 12, 0, 1), E_RANGE); /* no truncation */
	CHECK_REFUSED(retype(OBJ_CNODE, 0, 0, 1), E_RANGE);
	CHECK_REFUSED(retype(OBJ_CNODE, CNODE_MAX_RADIX + 1, 0, 1), E_RANGE);
}

static void test_bad_count_is_e_range(void)
{
	fresh();
	CHECK_REFUSED(retype(OBJ_ENDPOINT, 0, 0, 0), E_RANGE);
	CHECK_REFUSED(retype(OBJ_ENDPOINT, 0, 0, 257), E_RANGE);
	CHECK_REFUSED(retype(OBJ_ENDPOINT, 0, 0, (1ull << 32) | 1), E_RANGE);
}

static void test_bad_destination_is_the_lookup_error(void)
{
	fresh();
	CHECK_REFUSED(retype_n(5, UNTYPED_RETYPE, OBJ_ENDPOINT, 0, 99, 0, 1), E_LOOKUP);
	CHECK_REFUSED(retype_n(5, UNTYPED_RETYPE, OBJ_ENDPOINT, 0, NOT_A_CNODE, 0, 1), E_TYPE);
	CHECK_REFUSED(retype(OBJ_ENDPOINT, 0, CNODE_SLOTS, 1), E_RANGE);
	CHECK_REFUSED(retype(OBJ_ENDPOINT, 0, UINT64_MAX, 2), E_RANGE);
}

static void test_window_past_cnode_end_is_e_range(void)
{
	fresh();
	CHECK_REFUSED(retype(OBJ_ENDPOINT, 0, CNODE_SLOTS - 2, 3), E_RANGE);
	CHECK_REFUSED(retype(OBJ_ENDPOINT, 0, 300, 256), E_RANGE);
}

static void test_occupied_slot_is_e_delete_first(void)
{
	fresh();
	cnode[12].cap = untyped_cap(RAM_PA, 12, false); /* any capability */
	CHECK_REFUSED(retype(OBJ_ENDPOINT, 0, 10, 3), E_DELETE_FIRST);
	CHECK(cap_is_null(&cnode[10].cap));
	CHECK_EQ(retype(OBJ_ENDPOINT, 0, 10, 2), E_OK); /* the window before it is fine */
}

static void test_device_untyped_refuses_kernel_objects(void)
{
	fresh();
	ut_slot.cap = untyped_cap(DEVICE_PA, 22, true);
	CHECK_REFUSED(retype(OBJ_TCB, 0, 0, 1), E_TYPE);
	CHECK_REFUSED(retype(OBJ_ENDPOINT, 0, 0, 1), E_TYPE);
	CHECK_REFUSED(retype(OBJ_NOTIFICATION, 0, 0, 1), E_TYPE);
	CHECK_REFUSED(retype(OBJ_CNODE, 4, 0, 1), E_TYPE);
	CHECK_REFUSED(retype(OBJ_PAGE_TABLE, 0, 0, 1), E_TYPE);
	CHECK_REFUSED(retype(OBJ_VSPACE, 0, 0, 1), E_TYPE);
	CHECK_EQ(bad_phys, 0);
}

static void test_device_untyped_makes_device_frames_untouched(void)
{
	fresh();
	ut_slot.cap = untyped_cap(DEVICE_PA, 23, true);
	CHECK_EQ(retype(OBJ_FRAME_4K, 0, 0, 1), E_OK);
	CHECK_EQ(retype(OBJ_FRAME_2M, 0, 1, 1), E_OK);
	CHECK_EQ(retype(OBJ_UNTYPED, 12, 2, 1), E_OK);
	CHECK_EQ(cnode[0].cap.u.frame.paddr, DEVICE_PA);
	CHECK(cnode[0].cap.u.frame.device);
	CHECK_EQ(cnode[1].cap.u.frame.paddr, DEVICE_PA + (2 * MiB));
	CHECK_EQ(cnode[1].cap.u.frame.size_bits, 21);
	CHECK(cnode[1].cap.u.frame.device);
	CHECK(cnode[2].cap.u.untyped.device);
	CHECK_EQ(cnode[2].cap.u.untyped.paddr, DEVICE_PA + 4 * MiB);
	CHECK_EQ(bad_phys, 0); /* device memory is never touched */
}

static void test_no_room_is_e_nomem(void)
{
	fresh();
	CHECK_REFUSED(retype(OBJ_TCB, 0, 0, 33), E_NOMEM);
	CHECK_EQ(retype(OBJ_TCB, 0, 0, 32), E_OK);
	CHECK_REFUSED(retype(OBJ_ENDPOINT, 0, 40, 1), E_NOMEM);
}

static void test_object_bigger_than_untyped_is_e_nomem(void)
{
	fresh();
	CHECK_REFUSED(retype(OBJ_FRAME_2M, 0, 0, 1), E_NOMEM);
	CHECK_REFUSED(retype(OBJ_UNTYPED, RAM_BITS + 1, 0, 1), E_NOMEM);
	CHECK_REFUSED(retype(OBJ_CNODE, CNODE_MAX_RADIX, 0, 1), E_NOMEM);
}

static void test_errors_come_in_documented_order(void)
{
	fresh();
	cnode[0].cap = untyped_cap(RAM_PA, 12, false);
	CHECK_REFUSED(retype_n(5, 0, 0, 0, 99, 0, 0), E_LABEL);
	CHECK_REFUSED(retype(0, 0, 0, 0), E_INVAL);         /* type before count */
	CHECK_REFUSED(retype(OBJ_CNODE, 0, 0, 0), E_RANGE); /* size before count */
	CHECK_REFUSED(retype_n(5, UNTYPED_RETYPE, OBJ_TCB, 0, 99, 0, 0), E_RANGE); /* count first */
	CHECK_REFUSED(retype_n(5, UNTYPED_RETYPE, OBJ_TCB, 0, 99, 0, 1), E_LOOKUP);
	CHECK_REFUSED(retype(OBJ_TCB, 0, CNODE_SLOTS - 1, 2), E_RANGE); /* before occupancy */
	ut_slot.cap = untyped_cap(DEVICE_PA, 12, true);
	CHECK_REFUSED(retype(OBJ_TCB, 0, 0, 1), E_DELETE_FIRST); /* before device */
	CHECK_REFUSED(retype(OBJ_TCB, 0, 1, 100), E_TYPE);       /* before room */
}

/* ---- watermark and reuse ---- */

static void test_watermark_stays_while_children_exist(void)
{
	fresh();
	CHECK_EQ(retype(OBJ_ENDPOINT, 0, 0, 1), E_OK);
	CHECK_EQ(retype(OBJ_ENDPOINT, 0, 1, 1), E_OK);
	CHECK(cnode[1].cap.u.endpoint.ep == (struct endpoint *)(ram + 32));
}

static void test_memory_is_reused_after_revoke(void)
{
	fresh();
	CHECK_EQ(retype(OBJ_TCB, 0, 0, 32), E_OK);
	CHECK_REFUSED(retype(OBJ_TCB, 0, 32, 1), E_NOMEM);
	for (unsigned i = 0; i < 32; i++) /* what CNODE_REVOKE on the untyped does */
		cnode[i].cap = cap_null();
	memset(ram, 0xaa, sizeof(ram));
	CHECK_EQ(retype(OBJ_TCB, 0, 40, 1), E_OK);
	CHECK(cnode[40].cap.u.tcb.tcb == (struct tcb *)ram);
	CHECK_EQ(ut_slot.cap.u.untyped.free_index, 2048);
	CHECK(all_bytes(RAM_PA, 2048, 0));
}

/* ---- untyped_create_boot_caps ---- */

#define BOOT_FIRST 9
#define BOOT_SLOTS 1024

static struct bootmem bm;
static struct cte boot_slots[BOOT_SLOTS + 1]; /* one guard slot past the end */
static struct bootinfo bi;

/* QEMU virt with 512 MiB: the DTB and kernel image reserved; GICv2 kept by the kernel. */
static void virt_boot_setup(void)
{
	memset(&bm, 0, sizeof(bm));
	memset(boot_slots, 0, sizeof(boot_slots));
	memset(&bi, 0, sizeof(bi));
	bm.ram[0] = (struct bootmem_range){ RAM_PA, 512 * MiB, NULL };
	bm.n_ram = 1;
	bm.free[0] = (struct bootmem_range){ 0x40107000, 0x40200000 - 0x40107000, NULL };
	bm.free[1] = (struct bootmem_range){ 0x40211000, 0x60000000 - 0x40211000, NULL };
	bm.n_free = 2;
	reserved_ranges[0][0] = 0x08000000; /* distributor */
	reserved_ranges[0][1] = 0x08010000;
	reserved_ranges[1][0] = 0x08010000; /* CPU interface */
	reserved_ranges[1][1] = 0x08020000;
	n_reserved_ranges = 2;
	log_len = 0;
}

/* Sum of the boot untypeds of one kind; checks each slot against its bootinfo entry. */
static uint64_t boot_bytes(bool device, uint64_t lo, uint64_t hi)
{
	uint64_t sum = 0;
	for (uint64_t s = bi.untyped.start; s < bi.untyped.end; s++) {
		const struct cap *c = &boot_slots[s].cap;
		const struct untyped_desc *d = &bi.untyped_list[s - bi.untyped.start];
		CHECK_EQ(c->type, CAP_UNTYPED);
		CHECK_EQ(c->rights, RIGHTS_ALL);
		CHECK_EQ(c->u.untyped.free_index, 0);
		CHECK_EQ(c->u.untyped.paddr, d->paddr);
		CHECK_EQ(c->u.untyped.size_bits, d->size_bits);
		CHECK_EQ(c->u.untyped.device, d->is_device);
		CHECK(boot_slots[s].mdb_prev == NULL);
		if (c->u.untyped.device != device)
			continue;
		CHECK(d->paddr >= lo && d->paddr + (1ull << d->size_bits) <= hi);
		CHECK_EQ(d->paddr & ((1ull << d->size_bits) - 1), 0);
		CHECK(d->size_bits >= 12 && d->size_bits <= UNTYPED_MAX_BITS);
		sum += 1ull << d->size_bits;
	}
	return sum;
}

static void test_boot_caps_cover_free_ram_exactly(void)
{
	virt_boot_setup();
	uint64_t next = BOOT_FIRST;
	untyped_create_boot_caps(&bm, boot_slots, BOOT_SLOTS, &next, &bi);
	CHECK_EQ(bi.untyped.start, BOOT_FIRST);
	CHECK_EQ(bi.untyped.end, next);
	CHECK_EQ(next - BOOT_FIRST, 34); /* 13 device + 6 + 15 RAM blocks */
	CHECK_EQ(boot_bytes(false, 0x40107000, 0x60000000),
		 (0x40200000 - 0x40107000) + (0x60000000 - 0x40211000));
	CHECK_EQ(bm.n_free, 0);
	CHECK(cap_is_null(&boot_slots[BOOT_FIRST - 1].cap));
	CHECK(cap_is_null(&boot_slots[next].cap));
	CHECK(log_has("untyped: 34 caps, 510 MiB RAM, 13 device caps\n"));
	CHECK(!log_has("warning"));
}

static void test_boot_device_caps_cover_below_ram_minus_gic(void)
{
	virt_boot_setup();
	uint64_t next = BOOT_FIRST;
	untyped_create_boot_caps(&bm, boot_slots, BOOT_SLOTS, &next, &bi);
	CHECK_EQ(boot_bytes(true, 0, RAM_PA), RAM_PA - 0x20000);
	for (uint64_t i = 0; i < 13; i++) { /* devices first, none touching the GIC */
		const struct untyped_desc *d = &bi.untyped_list[i];
		CHECK(d->is_device);
		CHECK(d->paddr + (1ull << d->size_bits) <= 0x08000000 || d->paddr >= 0x08020000);
	}
	CHECK_EQ(bi.untyped_list[0].paddr, 0);
	CHECK_EQ(bi.untyped_list[0].size_bits, 27);
}

/* The Raspberry Pi 3 B: RAM from 0, the peripherals in device windows above it (the /soc
 * ranges); the interrupt controllers and the power manager kept by the kernel. */
static void test_boot_device_caps_cover_device_windows_above_ram(void)
{
	virt_boot_setup();
	bm.ram[0] = (struct bootmem_range){ 0, 0x3c000000, NULL };
	bm.free[0] = (struct bootmem_range){ 0x400000, 0x3c000000 - 0x400000, NULL };
	bm.n_free = 1;
	bm.device[0] = (struct bootmem_range){ 0x3f000000, 0x1000000, NULL };
	bm.device[1] = (struct bootmem_range){ 0x40000000, 0x1000, NULL };
	bm.n_device = 2;
	reserved_ranges[0][0] = 0x40000000; /* local controller */
	reserved_ranges[0][1] = 0x40000100;
	reserved_ranges[1][0] = 0x3f00b200; /* ARMCTRL: widened to its page */
	reserved_ranges[1][1] = 0x3f00b400;
	reserved_ranges[2][0] = 0x3f100000; /* power manager */
	reserved_ranges[2][1] = 0x3f100114;
	n_reserved_ranges = 3;
	uint64_t next = BOOT_FIRST;
	untyped_create_boot_caps(&bm, boot_slots, BOOT_SLOTS, &next, &bi);
	CHECK_EQ(boot_bytes(true, 0x3f000000, 0x40001000), 0x1000000 - 2 * 0x1000);
	CHECK_EQ(boot_bytes(false, 0x400000, 0x3c000000), 0x3c000000 - 0x400000);
	for (uint64_t s = bi.untyped.start; s < bi.untyped.end; s++) {
		const struct untyped_desc *d = &bi.untyped_list[s - bi.untyped.start];
		uint64_t end = d->paddr + (1ull << d->size_bits);
		if (d->is_device)
			CHECK((end <= 0x3f00b000 || d->paddr >= 0x3f00c000) &&
			      (end <= 0x3f100000 || d->paddr >= 0x3f101000) && end <= 0x40000000);
	}
}

static void test_boot_reserved_ranges_unsorted_overlapping_unaligned(void)
{
	virt_boot_setup();
	reserved_ranges[0][0] = 0x08010000; /* overlaps the next one */
	reserved_ranges[0][1] = 0x08020000;
	reserved_ranges[1][0] = 0x08000100; /* not page-aligned: widened */
	reserved_ranges[1][1] = 0x08018100;
	reserved_ranges[2][0] = 0x3ffff000; /* runs into RAM: clipped */
	reserved_ranges[2][1] = 0x400ff000;
	reserved_ranges[3][0] = 0x50000000; /* inside RAM: ignored */
	reserved_ranges[3][1] = 0x50010000;
	reserved_ranges[4][0] = 0x20000; /* empty */
	reserved_ranges[4][1] = 0x20000;
	n_reserved_ranges = 5;
	uint64_t next = BOOT_FIRST;
	untyped_create_boot_caps(&bm, boot_slots, BOOT_SLOTS, &next, &bi);
	CHECK_EQ(boot_bytes(true, 0, RAM_PA), RAM_PA - 0x20000 - 0x1000);
	for (uint64_t s = bi.untyped.start; s < bi.untyped.end; s++) {
		const struct untyped_desc *d = &bi.untyped_list[s - bi.untyped.start];
		uint64_t end = d->paddr + (1ull << d->size_bits);
		if (d->is_device)
			CHECK((end <= 0x08000000 || d->paddr >= 0x08020000) && end <= 0x3ffff000);
	}
}

static void test_boot_out_of_slots_drops_ram_and_warns(void)
{
	virt_boot_setup();
	uint64_t next = BOOT_FIRST;
	uint64_t nslots = BOOT_FIRST + 15; /* 13 device caps + 2 RAM blocks */
	boot_slots[nslots].cap = cap_null();
	untyped_create_boot_caps(&bm, boot_slots, nslots, &next, &bi);
	CHECK_EQ(next, nslots);
	CHECK_EQ(bi.untyped.end, nslots);
	CHECK(cap_is_null(&boot_slots[nslots].cap)); /* nothing written past the end */
	CHECK_EQ(boot_bytes(false, RAM_PA, RAM_PA + 512 * MiB), 0x1000 + 0x8000);
	CHECK_EQ(bm.n_free, 0);
	/* 0x1fee8000 bytes free in all, 0x9000 handed out: 0x1fedf000 = 523132 KiB left */
	CHECK(log_has("untyped: warning: out of root CNode slots; 523132 KiB RAM and 0 KiB "
		      "device memory unused\n"));
	CHECK(log_has("untyped: 15 caps, 0 MiB RAM, 13 device caps\n"));
}

static void test_boot_out_of_bootinfo_entries_warns(void)
{
	virt_boot_setup();
	/* 32 ranges of 2 MiB minus a page at each end: 16 blocks each, 512 in all. */
	for (int i = 0; i < BOOTMEM_MAX_FREE; i++)
		bm.free[i] = (struct bootmem_range){ RAM_PA + (uint64_t)i * 2 * MiB + 0x1000,
						     2 * MiB - 0x2000, NULL };
	bm.n_free = BOOTMEM_MAX_FREE;
	uint64_t next = BOOT_FIRST;
	untyped_create_boot_caps(&bm, boot_slots, BOOT_SLOTS, &next, &bi);
	CHECK_EQ(next - BOOT_FIRST, BOOTINFO_MAX_UNTYPED);
	CHECK(cap_is_null(&boot_slots[next].cap));
	CHECK(log_has("untyped: warning: out of boot-info untyped entries;"));
	CHECK_EQ(bm.n_free, 0);
}

static void test_boot_without_reserved_ranges_and_ram_at_zero(void)
{
	virt_boot_setup();
	n_reserved_ranges = 0;
	uint64_t next = BOOT_FIRST;
	untyped_create_boot_caps(&bm, boot_slots, BOOT_SLOTS, &next, &bi);
	CHECK_EQ(boot_bytes(true, 0, RAM_PA), RAM_PA);
	CHECK_EQ(bi.untyped_list[0].size_bits, 30); /* [0, 1 GiB) in one block */

	virt_boot_setup();
	bm.ram[0].base = 0;
	bm.free[0] = (struct bootmem_range){ 0x1000, 0x3000, NULL };
	bm.n_free = 1;
	next = BOOT_FIRST;
	untyped_create_boot_caps(&bm, boot_slots, BOOT_SLOTS, &next, &bi);
	CHECK_EQ(next - BOOT_FIRST, 2); /* no device memory below RAM at 0 */
	CHECK(log_has("untyped: 2 caps, 0 MiB RAM, 0 device caps\n"));
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "object_sizes", test_object_sizes },
		{ "fit_places_at_watermark_rounded_to_alignment",
		  test_fit_places_at_watermark_rounded_to_alignment },
		{ "fit_exact_fill_and_one_too_many", test_fit_exact_fill_and_one_too_many },
		{ "fit_object_bigger_than_untyped", test_fit_object_bigger_than_untyped },
		{ "fit_never_overflows", test_fit_never_overflows },
		{ "split_first_virt_free_range", test_split_first_virt_free_range },
		{ "split_second_virt_free_range", test_split_second_virt_free_range },
		{ "split_caps_block_size", test_split_caps_block_size },
		{ "split_whole_aligned_range_is_one_block",
		  test_split_whole_aligned_range_is_one_block },
		{ "split_odd_ranges_are_canonical", test_split_odd_ranges_are_canonical },
		{ "retype_endpoints_consecutive_and_zeroed",
		  test_retype_endpoints_consecutive_and_zeroed },
		{ "retype_notification", test_retype_notification },
		{ "retype_tcb_is_aligned_zeroed_and_initialised",
		  test_retype_tcb_is_aligned_zeroed_and_initialised },
		{ "retype_cnode", test_retype_cnode },
		{ "retype_frame_rights_and_size", test_retype_frame_rights_and_size },
		{ "retype_page_table_and_vspace", test_retype_page_table_and_vspace },
		{ "retype_untyped_child_is_not_zeroed", test_retype_untyped_child_is_not_zeroed },
		{ "retype_256_objects_at_once", test_retype_256_objects_at_once },
		{ "retype_last_slot_of_cnode", test_retype_last_slot_of_cnode },
		{ "fixed_size_types_ignore_size_bits", test_fixed_size_types_ignore_size_bits },
		{ "wrong_label_is_e_label", test_wrong_label_is_e_label },
		{ "short_message_reads_as_count_zero", test_short_message_reads_as_count_zero },
		{ "bad_type_is_e_inval", test_bad_type_is_e_inval },
		{ "bad_size_bits_is_e_range", test_bad_size_bits_is_e_range },
		{ "bad_count_is_e_range", test_bad_count_is_e_range },
		{ "bad_destination_is_the_lookup_error", test_bad_destination_is_the_lookup_error },
		{ "window_past_cnode_end_is_e_range", test_window_past_cnode_end_is_e_range },
		{ "occupied_slot_is_e_delete_first", test_occupied_slot_is_e_delete_first },
		{ "device_untyped_refuses_kernel_objects",
		  test_device_untyped_refuses_kernel_objects },
		{ "device_untyped_makes_device_frames_untouched",
		  test_device_untyped_makes_device_frames_untouched },
		{ "no_room_is_e_nomem", test_no_room_is_e_nomem },
		{ "object_bigger_than_untyped_is_e_nomem",
		  test_object_bigger_than_untyped_is_e_nomem },
		{ "errors_come_in_documented_order", test_errors_come_in_documented_order },
		{ "watermark_stays_while_children_exist",
		  test_watermark_stays_while_children_exist },
		{ "memory_is_reused_after_revoke", test_memory_is_reused_after_revoke },
		{ "boot_caps_cover_free_ram_exactly", test_boot_caps_cover_free_ram_exactly },
		{ "boot_device_caps_cover_below_ram_minus_gic",
		  test_boot_device_caps_cover_below_ram_minus_gic },
		{ "boot_device_caps_cover_device_windows_above_ram",
		  test_boot_device_caps_cover_device_windows_above_ram },
		{ "boot_reserved_ranges_unsorted_overlapping_unaligned",
		  test_boot_reserved_ranges_unsorted_overlapping_unaligned },
		{ "boot_out_of_slots_drops_ram_and_warns",
		  test_boot_out_of_slots_drops_ram_and_warns },
		{ "boot_out_of_bootinfo_entries_warns", test_boot_out_of_bootinfo_entries_warns },
		{ "boot_without_reserved_ranges_and_ram_at_zero",
		  test_boot_without_reserved_ranges_and_ram_at_zero },
		{ NULL, NULL },
	};
	return check_main(tests);
}
