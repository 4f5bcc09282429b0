/*
 * Host tests for kfuzz's call generator (servers/kfuzz/gen.c): the call sequence is a
 * function of the seed alone, and over a campaign it reaches every system call, every
 * invocation label, every message form and the hostile and self-destructive cases the
 * fuzzer exists for, those of the kernel defects it once hit included.
 */
#include <mica/invocation.h>
#include <mica/objects.h>
#include <mica/syscall.h>
#include <stdint.h>
#include <string.h>

#include "../../servers/kfuzz/gen.h"
#include "../../servers/kfuzz/kfuzz.h"
#include "check.h"

CHECK_DEFINE_GLOBALS;

#define OPS 200000

static const struct fz_gen_env env1 = { 1, 0x401000, 0x401100 };

/* Calls `fn` on every call of the first OPS operations of seed 1. */
static void each_call(void (*fn)(const struct fz_op *, const struct fz_call *, void *), void *arg)
{
	struct fz_op op;
	for (uint64_t i = 0; i < OPS; i++) {
		fz_gen_op(&env1, i, &op);
		for (unsigned s = 0; s < op.n; s++)
			fn(&op, &op.call[s], arg);
	}
}

static void test_same_seed_same_operations(void)
{
	struct fz_op a, b;
	for (uint64_t i = 0; i < 5000; i++) {
		fz_gen_op(&env1, i, &a);
		fz_gen_op(&env1, i, &b);
		CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	}
}

static void test_other_seed_other_operations(void)
{
	struct fz_gen_env env2 = env1;
	struct fz_op a, b;
	unsigned differ = 0;
	env2.seed = 2;
	for (uint64_t i = 0; i < 1000; i++) {
		fz_gen_op(&env1, i, &a);
		fz_gen_op(&env2, i, &b);
		differ += memcmp(&a, &b, sizeof(a)) != 0;
	}
	CHECK(differ > 950);
}

static void test_operation_sizes_are_in_range(void)
{
	struct fz_op op;
	for (uint64_t i = 0; i < OPS; i++) {
		fz_gen_op(&env1, i, &op);
		CHECK(op.n >= 1 && op.n <= FZ_OP_MAX);
		for (unsigned s = 0; s < op.n; s++) {
			CHECK(op.call[s].length < 128);
			CHECK(op.call[s].extra_caps < 4);
		}
	}
}

struct seen {
	uint8_t label_id[FZ_LABEL_IDS];
	uint8_t length[128], extra[4], syscall[SYS_DEBUG_AUDIT + 1], retype_type[OBJ_TYPE_COUNT];
	unsigned bad_syscall, kernel_half_map, storms, revoke_own_untyped, suspend_self,
	    configure_self, unmap_own_stack, delete_own_slot, mint_vspace, long_x1, big_nr,
	    send_vspace, helper_caps, puts;
};

static void record(const struct fz_op *op, const struct fz_call *c, void *arg)
{
	struct seen *s = arg;
	uint64_t label = c->label & MSG_LABEL_MASK;
	s->label_id[fz_label_id(c)] = 1;
	s->length[c->kind == FZ_K_RAW ? c->raw_info & 0x7f : c->length] = 1;
	s->extra[c->kind == FZ_K_RAW ? (c->raw_info >> 7) & 3 : c->extra_caps] = 1;
	s->puts += c->nr == SYS_DEBUG_PUTS;
	if (c->nr <= SYS_DEBUG_AUDIT)
		s->syscall[c->nr] = 1;
	else
		s->bad_syscall++;
	s->big_nr += c->nr >= (1ull << 40);
	s->send_vspace += (c->extra_caps &&
			   (fz_slot_band(c->cap0) == FZ_B_VSPACE || c->cap0 == FZ_SLOT_VSPACE)) ||
			  (c->helper_buf && fz_slot_band(c->helper_cap0) == FZ_B_VSPACE);
	s->helper_caps += c->helper_buf != 0;
	if (c->kind != FZ_K_INVOKE)
		return;
	if (label == UNTYPED_RETYPE && c->mr[0] < OBJ_TYPE_COUNT)
		s->retype_type[c->mr[0]] = 1;
	s->kernel_half_map += label == FRAME_MAP && c->mr[1] >= 0xffff000000000000ull;
	s->storms += op->n >= 8 && c == &op->call[0];
	s->revoke_own_untyped +=
	    label == CNODE_REVOKE && c->cptr == FZ_SLOT_CNODE && c->mr[0] == FZ_SLOT_UNTYPED;
	s->suspend_self += label == TCB_SUSPEND && c->cptr == FZ_SLOT_TCB;
	s->configure_self += label == TCB_CONFIGURE && c->cptr == FZ_SLOT_TCB;
	s->unmap_own_stack += label == FRAME_UNMAP && c->cptr == FZ_SLOT_STACK;
	s->delete_own_slot += label == CNODE_DELETE && c->cptr == FZ_SLOT_CNODE && c->mr[0] >= 1 &&
			      c->mr[0] < FZ_SLOT_POOL;
	s->mint_vspace +=
	    (label == CNODE_COPY || label == CNODE_MINT) && fz_slot_band(c->mr[2]) == FZ_B_VSPACE;
	s->long_x1 += label == TCB_WRITE_REGISTERS && (c->mr[4] & 0x7f) > MSG_MAX_LENGTH;
}

static struct seen seen;

static void test_every_invocation_label_is_made(void)
{
	for (unsigned i = 0; i < fz_label_count; i++)
		CHECK(seen.label_id[fz_labels[i]]);
	CHECK(seen.label_id[FZ_ID_BAD_LABEL]);
}

static void test_every_system_call_is_made_but_poweroff_and_putc(void)
{
	for (unsigned nr = 0; nr < SYS_COUNT_REAL; nr++)
		CHECK(seen.syscall[nr]);
	CHECK(seen.syscall[SYS_DEBUG_NULL] && seen.syscall[SYS_DEBUG_IRQ_RAISE] &&
	      seen.syscall[SYS_DEBUG_AUDIT]);
	CHECK(!seen.syscall[SYS_DEBUG_POWEROFF] && !seen.syscall[SYS_DEBUG_PUTC]);
	CHECK_EQ(seen.puts, 0); /* SYS_DEBUG_PUTS writes to the console as well */
	CHECK(seen.bad_syscall > 1000);
	CHECK(seen.big_nr > 100);
	unsigned middle = 0;
	for (unsigned nr = SYS_COUNT_REAL; nr < SYS_DEBUG_PUTC; nr++)
		middle += seen.syscall[nr];
	CHECK(middle > 40);
}

static void test_every_message_form_is_made(void)
{
	for (unsigned n = 0; n < 128; n++)
		CHECK(seen.length[n]);
	for (unsigned e = 0; e < 4; e++)
		CHECK(seen.extra[e]);
}

static void test_every_object_type_is_retyped(void)
{
	for (unsigned t = OBJ_UNTYPED; t < OBJ_TYPE_COUNT; t++)
		CHECK(seen.retype_type[t]);
	CHECK(seen.retype_type[0]); /* and an invalid type */
}

static void test_hostile_and_self_destructive_calls_are_made(void)
{
	CHECK(seen.kernel_half_map > 10);
	CHECK(seen.storms > 100);
	CHECK(seen.revoke_own_untyped > 10);
	CHECK(seen.suspend_self > 10);
	CHECK(seen.configure_self > 10);
	CHECK(seen.unmap_own_stack > 10);
	CHECK(seen.delete_own_slot > 10);
	CHECK(seen.helper_caps > 1000); /* helpers that transfer capabilities */
}

/* The calls that once broke the kernel are made: copies, mints and transfers of VSpace
 * capabilities (one VSpace with two ASIDs) and message lengths above 120 written into a
 * thread's x1 (a blocked sender overflowing its receiver's buffer). */
static void test_calls_of_fixed_defects_are_made(void)
{
	CHECK(seen.mint_vspace > 10);
	CHECK(seen.long_x1 > 10);
	CHECK(seen.send_vspace > 10);
}

static void test_label_and_result_ids(void)
{
	struct fz_call c = { .nr = SYS_CALL, .kind = FZ_K_INVOKE, .label = FRAME_MAP };
	CHECK_EQ(fz_label_id(&c), FRAME_MAP);
	c.label = 999;
	CHECK_EQ(fz_label_id(&c), FZ_ID_BAD_LABEL);
	c.kind = FZ_K_IPC;
	c.nr = SYS_NBRECV;
	CHECK_EQ(fz_label_id(&c), FZ_ID_IPC + SYS_NBRECV);
	c.nr = SYS_DEBUG_AUDIT;
	CHECK_EQ(fz_label_id(&c), FZ_ID_DEBUG + 4);
	c.nr = 1000;
	CHECK_EQ(fz_label_id(&c), FZ_ID_BAD_SYSCALL);
	CHECK_EQ(fz_result_id(0), 0);
	CHECK_EQ(fz_result_id(msginfo_error(-7)), 7);
	CHECK_EQ(fz_result_id(msginfo_pack(5, 1, 0)), 24);
	CHECK_EQ(fz_result_id(msginfo_error(-1000)), 23);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "same_seed_same_operations", test_same_seed_same_operations },
		{ "other_seed_other_operations", test_other_seed_other_operations },
		{ "operation_sizes_are_in_range", test_operation_sizes_are_in_range },
		{ "every_invocation_label_is_made", test_every_invocation_label_is_made },
		{ "every_system_call_is_made_but_poweroff_and_putc",
		  test_every_system_call_is_made_but_poweroff_and_putc },
		{ "every_message_form_is_made", test_every_message_form_is_made },
		{ "every_object_type_is_retyped", test_every_object_type_is_retyped },
		{ "hostile_and_self_destructive_calls_are_made",
		  test_hostile_and_self_destructive_calls_are_made },
		{ "calls_of_fixed_defects_are_made", test_calls_of_fixed_defects_are_made },
		{ "label_and_result_ids", test_label_and_result_ids },
		{ NULL, NULL },
	};
	each_call(record, &seen);
	return check_main(tests);
}
