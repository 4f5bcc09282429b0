/*
 * kfuzz's per-object invocation builders: one well-formed-looking call per object type,
 * with each argument now and then replaced by a hostile value. gen.c may mutate the result
 * further.
 */
#include "gen_internal.h"

/* A slot argument: mostly of band b, sometimes any pool slot, rarely garbage. */
static uint64_t slot_arg(struct fz_rng *r, unsigned b)
{
	unsigned x = (unsigned)rng_below(r, 100);
	if (x < 80)
		return gen_band_slot(r, b);
	if (x < 95)
		return FZ_SLOT_POOL + rng_below(r, FZ_SLOTS - FZ_SLOT_POOL);
	return gen_bad_cptr(r);
}

/* A CNode to name a slot in: the fuzzer's own, a pool CNode, or garbage. */
static uint64_t cnode_arg(struct fz_rng *r)
{
	unsigned x = (unsigned)rng_below(r, 100);
	if (x < 85)
		return FZ_SLOT_CNODE;
	if (x < 95)
		return gen_band_slot(r, FZ_B_CNODE);
	return gen_bad_cptr(r);
}

/* The source of a copy or mint: any pool slot except VSpaces. */
static uint64_t copy_source(struct fz_rng *r)
{
	uint64_t s = FZ_SLOT_POOL + rng_below(r, FZ_SLOTS - FZ_SLOT_POOL);
	if (rng_chance(r, 40))
		s = rng_chance(r, 500) ? FZ_SLOT_KINFO : gen_bad_cptr(r);
	return s;
}

/* A retype's type and size: the band's own mostly, else anything (hostile sizes too). */
static void retype_type(struct fz_rng *r, unsigned band, uint64_t *type, uint64_t *size)
{
	const struct fz_band_info *b = &fz_bands[band];
	if (b->obj_type && rng_chance(r, 900)) {
		*type = b->obj_type;
		*size = b->size_lo + rng_below(r, b->size_hi - b->size_lo + 1u);
		return;
	}
	*type = rng_below(r, OBJ_TYPE_COUNT + 2);
	*size = rng_chance(r, 700) ? rng_below(r, 24) : rng_chance(r, 500) ? 64 : rng_next(r);
}

/* UNTYPED_RETYPE into band `band`: from the fuzzer's own untyped or a pool one. */
static void gen_retype(struct fz_rng *r, struct fz_call *c, unsigned band)
{
	uint64_t a[5];
	uint64_t ut = rng_chance(r, 650) ? FZ_SLOT_UNTYPED : slot_arg(r, FZ_B_UNTYPED);
	retype_type(r, band, &a[0], &a[1]);
	a[2] = rng_chance(r, 950) ? FZ_SLOT_CNODE : cnode_arg(r);
	a[3] = rng_chance(r, 950) ? gen_band_slot(r, band) : gen_hostile_word(r);
	a[4] = rng_chance(r, 900)   ? 1
	       : rng_chance(r, 700) ? 2 + rng_below(r, 3)
				    : gen_hostile_word(r);
	gen_invoke(c, ut, UNTYPED_RETYPE, 5, a);
}

void gen_untyped_op(struct fz_rng *r, struct fz_call *c)
{
	gen_retype(r, c, (unsigned)rng_below(r, FZ_BANDS));
	if (rng_chance(r, 300)) /* a retype of the fuzzer's untyped into anything, hostile */
		c->cptr = slot_arg(r, FZ_B_UNTYPED);
}

void gen_replenish(struct fz_rng *r, struct fz_call *c)
{
	static const uint8_t bands[] = {
		FZ_B_UNTYPED, FZ_B_UNTYPED,  FZ_B_ENDPOINT,  FZ_B_ENDPOINT, FZ_B_NTFN,  FZ_B_FRAME,
		FZ_B_FRAME,   FZ_B_FRAME_2M, FZ_B_TABLE,     FZ_B_TABLE,    FZ_B_TABLE, FZ_B_VSPACE,
		FZ_B_TCB,     FZ_B_CNODE,    FZ_B_ASID_POOL, FZ_B_IRQ,      FZ_B_REPLY, FZ_B_FREE,
	};
	unsigned band = RNG_PICK(r, bands);
	uint64_t a[4];
	switch (band) {
	case FZ_B_ASID_POOL:
		a[0] = slot_arg(r, FZ_B_UNTYPED);
		a[1] = cnode_arg(r);
		a[2] = rng_chance(r, 950) ? gen_band_slot(r, band) : gen_hostile_word(r);
		gen_invoke(c, FZ_SLOT_ASID_CTL, ASID_CONTROL_MAKE_POOL, 3, a);
		break;
	case FZ_B_IRQ:
		a[0] = rng_chance(r, 850) ? 32 + rng_below(r, 16) : gen_hostile_word(r);
		a[1] = cnode_arg(r);
		a[2] = rng_chance(r, 950) ? gen_band_slot(r, band) : gen_hostile_word(r);
		a[3] = rng_chance(r, 900) ? rng_below(r, 2) : gen_hostile_word(r);
		gen_invoke(c, FZ_SLOT_IRQ_CTL, IRQ_CONTROL_GET, 4, a);
		break;
	case FZ_B_REPLY:
		a[0] = gen_band_slot(r, band);
		gen_invoke(c, cnode_arg(r), CNODE_SAVE_CALLER, 1, a);
		break;
	default:
		gen_retype(r, c, band);
		break;
	}
}

void gen_cnode_op(struct fz_rng *r, struct fz_call *c)
{
	uint64_t a[5];
	uint64_t label = CNODE_COPY + rng_below(r, 8);
	a[0] = rng_chance(r, 800) ? gen_band_slot(r, FZ_B_FREE) : gen_pool_slot(r);
	a[1] = cnode_arg(r);
	a[2] = label == CNODE_MOVE || label == CNODE_MUTATE ? gen_pool_slot(r) : copy_source(r);
	a[3] = rng_chance(r, 850) ? rng_below(r, 16) : gen_hostile_word(r);
	a[4] = rng_chance(r, 500) ? rng_below(r, 1024) : rng_next(r);
	unsigned n = 5;
	switch (label) {
	case CNODE_MOVE:
		n = 3;
		break;
	case CNODE_MUTATE:
		a[3] = a[4];
		n = 4;
		break;
	case CNODE_DELETE:
	case CNODE_REVOKE:
		a[0] = gen_pool_slot(r);
		n = 1;
		break;
	case CNODE_SAVE_CALLER:
		a[0] = slot_arg(r, FZ_B_REPLY);
		n = 1;
		break;
	case CNODE_IDENTIFY:
		a[0] = rng_chance(r, 100) ? rng_below(r, FZ_SLOT_POOL) : gen_pool_slot(r);
		n = 1;
		break;
	case CNODE_COPY:
		n = 4;
		break;
	default:
		break;
	}
	gen_invoke(c, rng_chance(r, 900) ? FZ_SLOT_CNODE : cnode_arg(r), label, n, a);
}

uint64_t gen_helper_pc(struct fz_rng *r, const struct fz_gen_env *env)
{
	switch (rng_below(r, 10)) {
	case 0:
		return 0;
	case 1:
		return rng_chance(r, 500) ? 0xffff000000001000ull : env->helper_echo + 2;
	case 2:
	case 3:
	case 4:
	case 5:
		return env->helper_echo;
	default:
		return env->helper_caller;
	}
}

void gen_tcb_op(struct fz_rng *r, const struct fz_gen_env *env, struct fz_call *c)
{
	uint64_t a[11] = { 0 };
	uint64_t label = TCB_CONFIGURE + rng_below(r, 9);
	unsigned n = 0;
	switch (label) {
	case TCB_CONFIGURE:
		a[0] = rng_chance(r, 400) ? 0 : slot_arg(r, FZ_B_ENDPOINT);
		a[1] = rng_chance(r, 800) ? FZ_SLOT_CNODE : slot_arg(r, FZ_B_CNODE);
		a[2] = rng_chance(r, 700) ? FZ_SLOT_VSPACE : slot_arg(r, FZ_B_VSPACE);
		a[3] = rng_chance(r, 700) ? FZ_IPC_VA : gen_hostile_va(r);
		a[4] = rng_chance(r, 300)   ? 0
		       : rng_chance(r, 500) ? FZ_SLOT_IPC
					    : slot_arg(r, FZ_B_FRAME);
		n = 5;
		break;
	case TCB_WRITE_REGISTERS:
		a[0] = rng_chance(r, 850) ? rng_below(r, 4) : gen_hostile_word(r);
		a[1] = gen_helper_pc(r, env);
		a[2] = rng_chance(r, 850) ? FZ_HELPER_SP : gen_hostile_va(r);
		a[3] = gen_band_slot(r, FZ_B_ENDPOINT);
		for (unsigned i = 4; i < 11; i++)
			a[i] = rng_next(r);
		n = 3 + (unsigned)rng_below(r, 9);
		break;
	case TCB_SET_PRIORITY:
		a[0] = rng_chance(r, 850) ? rng_below(r, FZ_PRIO_CHILD + 1) : gen_hostile_word(r);
		a[1] = rng_chance(r, 850) ? rng_below(r, FZ_PRIO_CHILD + 1) : gen_hostile_word(r);
		n = 2;
		break;
	case TCB_BIND_NOTIFICATION:
		a[0] = slot_arg(r, FZ_B_NTFN);
		n = 1;
		break;
	case TCB_SET_TLS:
		a[0] = rng_next(r);
		n = 1;
		break;
	default: /* read registers, resume, suspend, unbind: no arguments */
		break;
	}
	uint64_t tcb = slot_arg(r, FZ_B_TCB);
	if (label == TCB_READ_REGISTERS && rng_chance(r, 100))
		tcb = FZ_SLOT_TCB; /* harmless on itself: E_INVAL */
	gen_invoke(c, tcb, label, n, a);
}

void gen_irq_op(struct fz_rng *r, struct fz_call *c)
{
	uint64_t a[4];
	switch (rng_below(r, 5)) {
	case 0:
		gen_invoke(c, slot_arg(r, FZ_B_IRQ), IRQ_HANDLER_ACK, 0, a);
		break;
	case 1:
	case 2:
		a[0] = slot_arg(r, FZ_B_NTFN);
		gen_invoke(c, slot_arg(r, FZ_B_IRQ), IRQ_HANDLER_SET_NOTIFICATION, 1, a);
		break;
	case 3:
		gen_invoke(c, slot_arg(r, FZ_B_IRQ), IRQ_HANDLER_CLEAR, 0, a);
		break;
	default: /* claims, mostly hostile ones (the pool's claims are replenishment) */
		a[0] = rng_chance(r, 400) ? 32 + rng_below(r, 16) : gen_hostile_word(r);
		a[1] = cnode_arg(r);
		a[2] = slot_arg(r, FZ_B_IRQ);
		a[3] = rng_chance(r, 700) ? rng_below(r, 2) : gen_hostile_word(r);
		gen_invoke(c, FZ_SLOT_IRQ_CTL, IRQ_CONTROL_GET, 4, a);
		break;
	}
}

void gen_frame_op(struct fz_rng *r, struct fz_call *c)
{
	uint64_t a[3];
	int big = rng_chance(r, 200);
	uint64_t frame = slot_arg(r, big ? FZ_B_FRAME_2M : FZ_B_FRAME);
	switch (rng_below(r, 8)) {
	case 0:
	case 1:
	case 2:
		a[0] = gen_vspace(r);
		a[1] = rng_chance(r, 800) ? gen_window_va(r, big ? 21 : 12) : gen_hostile_va(r);
		a[2] = gen_rights(r);
		gen_invoke(c, frame, FRAME_MAP, 3, a);
		break;
	case 3:
		a[0] = gen_rights(r);
		gen_invoke(c, frame, FRAME_REMAP, 1, a);
		break;
	case 4:
	case 5:
		gen_invoke(c, frame, FRAME_UNMAP, 0, a);
		break;
	default:
		if (rng_chance(r, 150))
			frame = rng_chance(r, 500) ? FZ_SLOT_IPC : FZ_SLOT_STACK;
		gen_invoke(c, frame, FRAME_GET_ADDRESS, 0, a);
		break;
	}
}

void gen_table_op(struct fz_rng *r, struct fz_call *c)
{
	uint64_t a[2];
	if (rng_chance(r, 350)) {
		gen_invoke(c, slot_arg(r, FZ_B_TABLE), PAGE_TABLE_UNMAP, 0, a);
		return;
	}
	a[0] = gen_vspace(r);
	a[1] = rng_chance(r, 800) ? gen_window_va(r, 12) : gen_hostile_va(r);
	gen_invoke(c, slot_arg(r, FZ_B_TABLE), PAGE_TABLE_MAP, 2, a);
}

void gen_vspace_op(struct fz_rng *r, struct fz_call *c)
{
	uint64_t a[2];
	uint64_t vs = rng_chance(r, 800) ? gen_vspace(r) : slot_arg(r, FZ_B_VSPACE);
	if (rng_chance(r, 400)) {
		gen_invoke(c, vs, VSPACE_INFO, 0, a);
		return;
	}
	a[0] = rng_chance(r, 700) ? (rng_chance(r, 500) ? 0 : FZ_WINDOW) : gen_hostile_va(r);
	a[1] = rng_chance(r, 850) ? rng_below(r, VSPACE_WALK_MAX + 1) : gen_hostile_word(r);
	gen_invoke(c, vs, VSPACE_WALK, 2, a);
}

void gen_asid_op(struct fz_rng *r, struct fz_call *c)
{
	uint64_t a[3];
	switch (rng_below(r, 4)) {
	case 0:
		a[0] = slot_arg(r, FZ_B_VSPACE);
		gen_invoke(c, slot_arg(r, FZ_B_ASID_POOL), ASID_POOL_ASSIGN, 1, a);
		break;
	case 1:
		a[0] = slot_arg(r, FZ_B_UNTYPED);
		a[1] = cnode_arg(r);
		a[2] = slot_arg(r, FZ_B_ASID_POOL);
		gen_invoke(c, FZ_SLOT_ASID_CTL, ASID_CONTROL_MAKE_POOL, 3, a);
		break;
	default:
		gen_invoke(c, rng_chance(r, 900) ? FZ_SLOT_KINFO : gen_pool_slot(r),
			   KERNEL_INFO_STATS, 0, a);
		break;
	}
}
