/*
 * kfuzz's call generator (gen.h): operation kinds, value pickers and the hostile mutation.
 * The per-object invocation builders are in gen_ops.c.
 */
#include "gen_internal.h"

#include <mica/errors.h>
#include <string.h>

/* The pool bands (enum fz_band): 240 slots from FZ_SLOT_POOL on. */
const struct fz_band_info fz_bands[FZ_BANDS] = {
	[FZ_B_UNTYPED] = { 16, 8, OBJ_UNTYPED, 12, 16 },
	[FZ_B_ENDPOINT] = { 24, 16, OBJ_ENDPOINT, 0, 0 },
	[FZ_B_NTFN] = { 40, 8, OBJ_NOTIFICATION, 0, 0 },
	[FZ_B_FRAME] = { 48, 16, OBJ_FRAME_4K, 0, 0 },
	[FZ_B_FRAME_2M] = { 64, 4, OBJ_FRAME_2M, 0, 0 },
	[FZ_B_TABLE] = { 68, 16, OBJ_PAGE_TABLE, 0, 0 },
	[FZ_B_VSPACE] = { 84, 8, OBJ_VSPACE, 0, 0 },
	[FZ_B_TCB] = { 92, 8, OBJ_TCB, 0, 0 },
	[FZ_B_CNODE] = { 100, 8, OBJ_CNODE, 1, 6 },
	[FZ_B_ASID_POOL] = { 108, 4, 0, 0, 0 },
	[FZ_B_IRQ] = { 112, 8, 0, 0, 0 },
	[FZ_B_REPLY] = { 120, 8, 0, 0, 0 },
	[FZ_B_FREE] = { 128, 128, 0, 0, 0 },
};

unsigned fz_slot_band(uint64_t slot)
{
	for (unsigned b = 0; b < FZ_BANDS; b++) {
		if (slot >= fz_bands[b].start && slot < fz_bands[b].start + fz_bands[b].count)
			return b;
	}
	return FZ_BANDS;
}

uint64_t gen_band_slot(struct fz_rng *r, unsigned b)
{
	return fz_bands[b].start + rng_below(r, fz_bands[b].count);
}

uint64_t gen_pool_slot(struct fz_rng *r)
{
	if (rng_chance(r, 30))
		return gen_bad_cptr(r);
	return FZ_SLOT_POOL + rng_below(r, FZ_SLOTS - FZ_SLOT_POOL);
}

uint64_t gen_bad_cptr(struct fz_rng *r)
{
	static const uint64_t bad[] = {
		0, FZ_SLOTS, FZ_SLOTS + 1, ~0ull, 1ull << 63, 1ull << 32, 0x1ff, 11, 15,
	};
	if (rng_chance(r, 200))
		return rng_next(r);
	return RNG_PICK(r, bad);
}

uint64_t gen_window_va(struct fz_rng *r, unsigned align_bits)
{
	uint64_t va = FZ_WINDOW + (rng_below(r, 2) << 30) + (rng_below(r, 4) << 21);
	if (align_bits < 21)
		va += rng_below(r, 8) << 12;
	return va;
}

uint64_t gen_hostile_va(struct fz_rng *r)
{
	static const uint64_t bad[] = {
		0,
		0x1000,
		0xfff,
		FZ_CTRL_VA,
		FZ_IPC_VA,
		FZ_STACK_VA,
		0x400000,
		FZ_WINDOW + 1,
		FZ_WINDOW - 0x1000,
		FZ_WINDOW + 0x800,
		(1ull << 47),
		(1ull << 48) - 0x1000,
		(1ull << 48),
		0xffff000000000000ull,
		0xffff800000000000ull,
		0xfffffffffffff000ull,
		~0ull,
		0x7ffffffff000ull,
		(1ull << 48) - 0x200000,
	};
	if (rng_chance(r, 100))
		return rng_next(r) & ~0xfffull;
	return RNG_PICK(r, bad);
}

uint64_t gen_rights(struct fz_rng *r)
{
	static const uint64_t rights[] = {
		RIGHT_READ, RIGHT_READ | RIGHT_WRITE, RIGHT_READ | RIGHT_EXEC,
		RIGHT_READ, RIGHT_READ | RIGHT_WRITE,
	};
	static const uint64_t bad[] = {
		0,
		RIGHT_WRITE,
		RIGHT_EXEC,
		RIGHTS_ALL,
		RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC,
		RIGHT_GRANT,
		16,
		~0ull,
	};
	return rng_chance(r, 800) ? RNG_PICK(r, rights) : RNG_PICK(r, bad);
}

uint64_t gen_hostile_word(struct fz_rng *r)
{
	static const uint64_t bad[] = {
		0,
		1,
		~0ull,
		1ull << 63,
		(1ull << 63) - 1,
		1ull << 32,
		0xffffffffull,
		255,
		256,
		257,
		1023,
		1024,
		4096,
		0xffff000000000000ull,
		(1ull << 52) - 1,
		64,
		48,
	};
	if (rng_chance(r, 300))
		return rng_next(r);
	return RNG_PICK(r, bad);
}

uint64_t gen_vspace(struct fz_rng *r)
{
	return rng_chance(r, 350) ? FZ_SLOT_VSPACE : gen_band_slot(r, FZ_B_VSPACE);
}

void gen_invoke(struct fz_call *c, uint64_t cptr, uint64_t label, unsigned n, const uint64_t *args)
{
	c->nr = SYS_CALL;
	c->kind = FZ_K_INVOKE;
	c->cptr = cptr;
	c->label = label;
	c->length = n;
	for (unsigned i = 0; i < n && i < 6; i++)
		c->mr[i] = args[i];
	for (unsigned i = 6; i < n && i < 6 + FZ_BUF_MAX; i++)
		c->buf[i - 6] = args[i];
}

const uint64_t fz_labels[] = {
	UNTYPED_RETYPE,
	CNODE_COPY,
	CNODE_MINT,
	CNODE_MOVE,
	CNODE_MUTATE,
	CNODE_DELETE,
	CNODE_REVOKE,
	CNODE_SAVE_CALLER,
	CNODE_IDENTIFY,
	TCB_CONFIGURE,
	TCB_READ_REGISTERS,
	TCB_WRITE_REGISTERS,
	TCB_RESUME,
	TCB_SUSPEND,
	TCB_SET_PRIORITY,
	TCB_BIND_NOTIFICATION,
	TCB_UNBIND_NOTIFICATION,
	TCB_SET_TLS,
	IRQ_CONTROL_GET,
	IRQ_HANDLER_ACK,
	IRQ_HANDLER_SET_NOTIFICATION,
	IRQ_HANDLER_CLEAR,
	FRAME_MAP,
	FRAME_REMAP,
	FRAME_UNMAP,
	FRAME_GET_ADDRESS,
	FRAME_ZERO,
	PAGE_TABLE_MAP,
	PAGE_TABLE_UNMAP,
	VSPACE_INFO,
	VSPACE_WALK,
	ASID_CONTROL_MAKE_POOL,
	ASID_POOL_ASSIGN,
	KERNEL_INFO_STATS,
};
const unsigned fz_label_count = sizeof(fz_labels) / sizeof(fz_labels[0]);

/* Makes one call hostile in one respect. */
static void fz_mutate(struct fz_rng *r, struct fz_call *c)
{
	switch (rng_below(r, 8)) {
	case 0:
		c->label = fz_labels[rng_below(r, fz_label_count)];
		break;
	case 1:
		c->label = rng_chance(r, 500) ? rng_below(r, 128) : rng_next(r);
		break;
	case 2:
		c->length = (unsigned)rng_below(r, 128);
		break;
	case 3:
		c->extra_caps = 1 + (unsigned)rng_below(r, 3);
		c->cap0 = gen_pool_slot(r);
		break;
	case 4:
		c->cptr = gen_pool_slot(r);
		break;
	case 5:
		c->mr[rng_below(r, 6)] = gen_hostile_word(r);
		break;
	case 6:
		c->unwrapped = 1 + (unsigned)rng_below(r, 7);
		break;
	default:
		c->buf[rng_below(r, FZ_BUF_MAX)] = gen_hostile_word(r);
		c->length = 6 + (unsigned)rng_below(r, 122);
		break;
	}
}

/* An IPC system call on an endpoint, notification or reply capability of the pool. */
static void gen_ipc(struct fz_rng *r, struct fz_call *c)
{
	static const uint64_t on_ep[] = { SYS_CALL,   SYS_SEND,   SYS_NBSEND, SYS_NBSEND,
					  SYS_NBRECV, SYS_NBRECV, SYS_RECV,   SYS_REPLY_RECV,
					  SYS_REPLY,  SYS_NBSEND, SYS_NBRECV, SYS_CALL };
	static const uint64_t on_ntfn[] = { SYS_SEND,   SYS_NBSEND, SYS_NBRECV,
					    SYS_NBRECV, SYS_RECV,   SYS_CALL };
	static const uint64_t on_reply[] = { SYS_SEND, SYS_NBSEND, SYS_SEND, SYS_CALL };
	unsigned which = (unsigned)rng_below(r, 20);
	c->kind = FZ_K_IPC;
	if (which < 12) {
		c->cptr = gen_band_slot(r, FZ_B_ENDPOINT);
		c->nr = RNG_PICK(r, on_ep);
	} else if (which < 17) {
		c->cptr = gen_band_slot(r, FZ_B_NTFN);
		c->nr = RNG_PICK(r, on_ntfn);
	} else {
		c->cptr = gen_band_slot(r, FZ_B_REPLY);
		c->nr = RNG_PICK(r, on_reply);
	}
	c->label = rng_below(r, 64);
	c->length = (unsigned)(rng_chance(r, 900) ? rng_below(r, 9) : rng_below(r, 128));
	for (unsigned i = 0; i < 6; i++)
		c->mr[i] = rng_next(r);
	for (unsigned i = 0; i < FZ_BUF_MAX; i++)
		c->buf[i] = rng_next(r);
	if (rng_chance(r, 150)) {
		c->extra_caps = 1;
		c->cap0 = rng_chance(r, 800) ? FZ_SLOT_POOL + rng_below(r, 112) : gen_pool_slot(r);
	}
	if (rng_chance(r, 500)) {
		c->recv_cnode = FZ_SLOT_CNODE;
		c->recv_index = gen_band_slot(r, FZ_B_FREE);
	}
	if (rng_chance(r, 300)) { /* a helper that receives or sends a capability */
		c->helper_buf = 1 + (unsigned)rng_below(r, 3);
		c->helper_cap0 = FZ_SLOT_POOL + rng_below(r, 112);
		c->helper_recv_index = gen_band_slot(r, FZ_B_FREE);
	}
}

/* A raw system call: any number (not power-off or console output), any cptr and info. */
static void gen_raw(struct fz_rng *r, struct fz_call *c)
{
	static const uint64_t debug[] = { SYS_DEBUG_NULL, SYS_DEBUG_IRQ_RAISE, SYS_DEBUG_AUDIT,
					  SYS_DEBUG_IRQ_RAISE };
	unsigned which = (unsigned)rng_below(r, 10);
	c->kind = FZ_K_RAW;
	if (which < 5)
		c->nr = rng_below(r, SYS_COUNT_REAL);
	else if (which < 7)
		c->nr = RNG_PICK(r, debug);
	else if (which < 8)
		c->nr = SYS_COUNT_REAL + rng_below(r, SYS_DEBUG_PUTC - SYS_COUNT_REAL);
	else if (which < 9)
		c->nr = SYS_DEBUG_AUDIT + 1 + rng_below(r, 1000);
	else
		c->nr = rng_next(r) | (1ull << 40);
	if (c->nr == SYS_DEBUG_PUTS) /* console output too: an unknown number instead */
		c->nr = SYS_DEBUG_AUDIT + 1000 + 1;
	c->cptr = rng_chance(r, 700) ? gen_pool_slot(r) : gen_bad_cptr(r);
	if (c->nr == SYS_DEBUG_IRQ_RAISE)
		c->cptr = rng_chance(r, 800) ? 32 + rng_below(r, 16) : gen_hostile_word(r);
	c->raw_info = rng_next(r);
	if (rng_chance(r, 500)) /* a plausible label with a random length and cap count */
		c->raw_info =
		    (fz_labels[rng_below(r, fz_label_count)] << 12) | (c->raw_info & 0x1ff);
	for (unsigned i = 0; i < 6; i++)
		c->mr[i] = rng_chance(r, 500) ? rng_next(r) : gen_hostile_word(r);
}

/* Starts a helper thread: configure a pool TCB in the fuzzer's spaces, set its priority,
 * set its registers and resume it. */
static void gen_spawn(struct fz_rng *r, const struct fz_gen_env *env, struct fz_op *op)
{
	uint64_t tcb = gen_band_slot(r, FZ_B_TCB);
	uint64_t ep = gen_band_slot(r, FZ_B_ENDPOINT);
	uint64_t fault_ep = rng_chance(r, 600) ? gen_band_slot(r, FZ_B_ENDPOINT) : 0;
	int ipc = rng_chance(r, 600); /* a buffer in the fuzzer's own IPC frame */
	uint64_t conf[5] = { fault_ep, FZ_SLOT_CNODE, FZ_SLOT_VSPACE,
			     ipc ? FZ_HELPER_IPC_VA(1 + rng_below(r, 3)) : 0,
			     ipc ? FZ_SLOT_IPC : 0 };
	uint64_t prio[2] = { rng_chance(r, 700) ? FZ_PRIO_CHILD : rng_below(r, FZ_PRIO_CHILD + 1),
			     FZ_PRIO_CHILD };
	uint64_t regs[4] = { 1, gen_helper_pc(r, env), FZ_HELPER_SP, ep };
	gen_invoke(&op->call[0], tcb, TCB_CONFIGURE, 5, conf);
	gen_invoke(&op->call[1], tcb, TCB_SET_PRIORITY, 2, prio);
	gen_invoke(&op->call[2], tcb, TCB_WRITE_REGISTERS, 4, regs);
	op->n = 3;
}

/* Takes a caller's reply right: receive on a pool endpoint, save the caller in the pool. */
static void gen_catch_caller(struct fz_rng *r, struct fz_op *op)
{
	struct fz_call *c = &op->call[0];
	uint64_t idx[1] = { gen_band_slot(r, FZ_B_REPLY) };
	c->kind = FZ_K_IPC;
	c->nr = SYS_NBRECV;
	c->cptr = gen_band_slot(r, FZ_B_ENDPOINT);
	gen_invoke(&op->call[1], FZ_SLOT_CNODE, CNODE_SAVE_CALLER, 1, idx);
	op->n = 2;
}

/* Maps up to three tables and a frame on one walk: an ASID first for a pool VSpace. */
static void gen_map_walk(struct fz_rng *r, struct fz_op *op)
{
	uint64_t vs = gen_vspace(r);
	int big = rng_chance(r, 200);
	uint64_t va = gen_window_va(r, big ? 21 : 12);
	unsigned n = 0;
	if (vs != FZ_SLOT_VSPACE) {
		uint64_t a[1] = { vs };
		gen_invoke(&op->call[n++], gen_band_slot(r, FZ_B_ASID_POOL), ASID_POOL_ASSIGN, 1,
			   a);
	}
	for (unsigned level = 1; level <= 3 - (unsigned)big; level++) {
		uint64_t a[2] = { vs, va };
		gen_invoke(&op->call[n++], gen_band_slot(r, FZ_B_TABLE), PAGE_TABLE_MAP, 2, a);
	}
	uint64_t a[3] = { vs, va, gen_rights(r) };
	gen_invoke(&op->call[n++], gen_band_slot(r, big ? FZ_B_FRAME_2M : FZ_B_FRAME), FRAME_MAP, 3,
		   a);
	op->n = n;
}

/* A delete/revoke storm over the pool (revoking the pool's untypeds too). */
static void gen_storm(struct fz_rng *r, struct fz_op *op)
{
	op->n = 8 + (unsigned)rng_below(r, FZ_OP_MAX - 7);
	for (unsigned i = 0; i < op->n; i++) {
		uint64_t a[1] = { rng_chance(r, 150)
				      ? gen_band_slot(r, FZ_B_UNTYPED)
				      : FZ_SLOT_POOL + rng_below(r, FZ_SLOTS - FZ_SLOT_POOL) };
		gen_invoke(&op->call[i], FZ_SLOT_CNODE,
			   rng_chance(r, 500) ? CNODE_DELETE : CNODE_REVOKE, 1, a);
	}
}

/* One self-destructive call on the fuzzer's own capabilities. */
static void gen_self_destruct(struct fz_rng *r, struct fz_call *c)
{
	uint64_t own = 1 + rng_below(r, FZ_SLOT_TABLE);
	uint64_t a[5] = { own };
	switch (rng_below(r, 10)) {
	case 0:
		gen_invoke(c, FZ_SLOT_CNODE, CNODE_DELETE, 1, a);
		break;
	case 1: /* revoke the untyped it lives in (or another own slot) */
		a[0] = rng_chance(r, 500) ? FZ_SLOT_UNTYPED : own;
		gen_invoke(c, FZ_SLOT_CNODE, CNODE_REVOKE, 1, a);
		break;
	case 2:
		gen_invoke(c, FZ_SLOT_TCB, TCB_SUSPEND, 0, a);
		break;
	case 3:
		a[0] = rng_below(r, FZ_PRIO_CHILD + 1);
		a[1] = rng_below(r, FZ_PRIO_CHILD + 1);
		gen_invoke(c, FZ_SLOT_TCB, TCB_SET_PRIORITY, 2, a);
		break;
	case 4: /* re-configure its own TCB */
		a[0] = rng_chance(r, 500) ? 0 : gen_band_slot(r, FZ_B_ENDPOINT);
		a[1] = rng_chance(r, 700) ? FZ_SLOT_CNODE : gen_band_slot(r, FZ_B_CNODE);
		a[2] = rng_chance(r, 700) ? FZ_SLOT_VSPACE : gen_band_slot(r, FZ_B_VSPACE);
		a[3] = rng_chance(r, 700) ? FZ_IPC_VA : gen_hostile_va(r);
		a[4] = rng_chance(r, 700) ? FZ_SLOT_IPC : gen_band_slot(r, FZ_B_FRAME);
		gen_invoke(c, FZ_SLOT_TCB, TCB_CONFIGURE, 5, a);
		break;
	case 5:
		gen_invoke(c, rng_chance(r, 500) ? FZ_SLOT_STACK : FZ_SLOT_IPC, FRAME_UNMAP, 0, a);
		break;
	case 6:
		gen_invoke(c, FZ_SLOT_TABLE, PAGE_TABLE_UNMAP, 0, a);
		break;
	case 7:
		a[0] = gen_band_slot(r, FZ_B_NTFN);
		gen_invoke(c, FZ_SLOT_TCB,
			   rng_chance(r, 500) ? TCB_BIND_NOTIFICATION : TCB_UNBIND_NOTIFICATION, 1,
			   a);
		break;
	case 8: /* move an own capability away */
		a[0] = gen_band_slot(r, FZ_B_FREE);
		a[1] = FZ_SLOT_CNODE;
		a[2] = own;
		gen_invoke(c, FZ_SLOT_CNODE, CNODE_MOVE, 3, a);
		break;
	default: /* map over its own stack or code */
		a[0] = FZ_SLOT_VSPACE;
		a[1] = rng_chance(r, 500) ? FZ_STACK_VA : 0x400000;
		a[2] = RIGHT_READ;
		gen_invoke(c, gen_band_slot(r, FZ_B_FRAME), FRAME_MAP, 3, a);
		break;
	}
}

/* One invocation of a pool (or fixed) capability, by object type. */
static void gen_invocation(struct fz_rng *r, const struct fz_gen_env *env, struct fz_call *c)
{
	switch (rng_below(r, 20)) {
	case 0:
		gen_untyped_op(r, c);
		break;
	case 1:
	case 2:
	case 3:
	case 4:
		gen_cnode_op(r, c);
		break;
	case 5:
	case 6:
	case 7:
		gen_tcb_op(r, env, c);
		break;
	case 8:
		gen_irq_op(r, c);
		break;
	case 9:
	case 10:
	case 11:
	case 12:
		gen_frame_op(r, c);
		break;
	case 13:
	case 14:
		gen_table_op(r, c);
		break;
	case 15:
	case 16:
		gen_vspace_op(r, c);
		break;
	default:
		gen_asid_op(r, c);
		break;
	}
}

/*
 * The one frame the fuzzer never zeroes: the stack it runs on. FRAME_ZERO of it would not
 * stop the fuzzer (as unmapping the stack does) but silently zero its locals and return
 * addresses mid-call, so the campaign would wander off its seed's sequence; the kernel's part
 * is just a zeroed frame, which every other frame of the pool exercises. Such a call zeroes
 * the IPC-buffer frame instead.
 */
static void spare_own_stack(struct fz_call *c)
{
	if (c->kind == FZ_K_INVOKE && (c->label & MSG_LABEL_MASK) == FRAME_ZERO &&
	    c->cptr == FZ_SLOT_STACK)
		c->cptr = FZ_SLOT_IPC;
}

void fz_gen_op(const struct fz_gen_env *env, uint64_t op, struct fz_op *out)
{
	struct fz_rng r = { env->seed * 0xd1342543de82ef95ull + op * 0x9e3779b97f4a7c15ull };
	rng_next(&r);
	memset(out, 0, sizeof(*out));
	out->n = 1;
	unsigned kind = (unsigned)rng_below(&r, 1000);
	if (kind < 540)
		gen_invocation(&r, env, &out->call[0]);
	else if (kind < 660)
		gen_replenish(&r, &out->call[0]);
	else if (kind < 780)
		gen_ipc(&r, &out->call[0]);
	else if (kind < 850)
		gen_raw(&r, &out->call[0]);
	else if (kind < 890)
		gen_spawn(&r, env, out);
	else if (kind < 930)
		gen_catch_caller(&r, out);
	else if (kind < 990)
		gen_map_walk(&r, out);
	else if (kind < 998)
		gen_storm(&r, out);
	else
		gen_self_destruct(&r, &out->call[0]);
	for (unsigned i = 0; i < out->n; i++) {
		if (out->call[i].kind != FZ_K_RAW && rng_chance(&r, 200))
			fz_mutate(&r, &out->call[i]);
		spare_own_stack(&out->call[i]);
	}
}

uint64_t fz_call_info(const struct fz_call *c)
{
	if (c->kind == FZ_K_RAW)
		return c->raw_info;
	return msginfo_pack(c->label, c->length, c->extra_caps) |
	       ((uint64_t)(c->unwrapped & 7) << 9);
}

unsigned fz_label_id(const struct fz_call *c)
{
	if (c->nr >= SYS_DEBUG_PUTC && c->nr <= SYS_DEBUG_AUDIT)
		return FZ_ID_DEBUG + (unsigned)(c->nr - SYS_DEBUG_PUTC);
	if (c->nr >= SYS_COUNT_REAL)
		return FZ_ID_BAD_SYSCALL;
	if (c->kind == FZ_K_INVOKE && c->nr == SYS_CALL) {
		uint64_t label = c->label & MSG_LABEL_MASK;
		for (unsigned i = 0; i < fz_label_count; i++) {
			if (fz_labels[i] == label)
				return (unsigned)label;
		}
		return FZ_ID_BAD_LABEL;
	}
	return FZ_ID_IPC + (unsigned)c->nr;
}

unsigned fz_result_id(uint64_t info)
{
	int64_t label = (int64_t)info >> (64 - MSG_LABEL_BITS);
	if (label == 0)
		return 0;
	if (label > 0)
		return 24;
	if (label > E_ERRORS_END)
		return (unsigned)-label;
	return 23;
}
