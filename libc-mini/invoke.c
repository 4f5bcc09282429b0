/*
 * Invocation helpers (mica_invoke.h): each packs its arguments into a word array and hands
 * it to invoke(), which is the only place that knows how words map onto message registers
 * and the IPC buffer.
 */
#include <mica_invoke.h>

#include <stddef.h>

#include <mica.h>

_Static_assert(sizeof(struct mica_tcb_regs) == TCB_REGISTER_WORDS * sizeof(uint64_t),
	       "struct mica_tcb_regs matches TCB_READ_REGISTERS");
_Static_assert(sizeof(struct mica_cap_info) == 4 * sizeof(uint64_t),
	       "struct mica_cap_info matches CNODE_IDENTIFY");

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Calls `obj` with `label` and args[0..nargs), then copies the first `nresults` reply words
 * into results[]. Words 0..5 travel in registers, the rest in the IPC buffer. Returns 0, the
 * kernel's error, E_INVAL (a long message but no IPC buffer) or E_MSGSIZE (short reply).
 */
/* Performs the invocation and copies up to `max` result words; *got says how many came. */
static int invoke_upto(cptr_t obj, enum mica_invocation label, const uint64_t *args, unsigned nargs,
		       uint64_t *results, unsigned max, unsigned *got)
{
	struct ipc_buffer *buf = mica_ipc_buffer();
	if ((nargs > MSG_REGISTERS || max > MSG_REGISTERS) && !buf)
		return E_INVAL;
	struct mica_msg msg = { .label = (uint64_t)label, .length = nargs };
	for (unsigned i = 0; i < nargs; i++) {
		if (i < MSG_REGISTERS)
			msg.mr[i] = args[i];
		else
			buf->msg[i] = args[i];
	}
	int err = mica_msg_error(mica_call(obj, &msg));
	if (err)
		return err;
	*got = msg.length < max ? msg.length : max;
	for (unsigned i = 0; i < *got; i++)
		results[i] = i < MSG_REGISTERS ? msg.mr[i] : buf->msg[i];
	return E_OK;
}

/* Performs the invocation; E_MSGSIZE if fewer than `nresults` result words came back. */
static int invoke(cptr_t obj, enum mica_invocation label, const uint64_t *args, unsigned nargs,
		  uint64_t *results, unsigned nresults)
{
	unsigned got;
	int err = invoke_upto(obj, label, args, nargs, results, nresults, &got);
	if (!err && got < nresults)
		return E_MSGSIZE;
	return err;
}

/* An invocation without results. */
static int invoke_args(cptr_t obj, enum mica_invocation label, const uint64_t *args, unsigned nargs)
{
	return invoke(obj, label, args, nargs, NULL, 0);
}

int mica_untyped_retype(cptr_t untyped, unsigned type, unsigned size_bits, cptr_t dest_cnode,
			uint64_t dest_index, unsigned count)
{
	const uint64_t a[] = { type, size_bits, dest_cnode, dest_index, count };
	return invoke_args(untyped, UNTYPED_RETYPE, a, ARRAY_LEN(a));
}

int mica_cnode_copy(cptr_t cnode, uint64_t dest_index, cptr_t src_cnode, uint64_t src_index,
		    unsigned rights)
{
	const uint64_t a[] = { dest_index, src_cnode, src_index, rights };
	return invoke_args(cnode, CNODE_COPY, a, ARRAY_LEN(a));
}

int mica_cnode_mint(cptr_t cnode, uint64_t dest_index, cptr_t src_cnode, uint64_t src_index,
		    unsigned rights, uint64_t badge)
{
	const uint64_t a[] = { dest_index, src_cnode, src_index, rights, badge };
	return invoke_args(cnode, CNODE_MINT, a, ARRAY_LEN(a));
}

int mica_cnode_move(cptr_t cnode, uint64_t dest_index, cptr_t src_cnode, uint64_t src_index)
{
	const uint64_t a[] = { dest_index, src_cnode, src_index };
	return invoke_args(cnode, CNODE_MOVE, a, ARRAY_LEN(a));
}

int mica_cnode_mutate(cptr_t cnode, uint64_t dest_index, cptr_t src_cnode, uint64_t src_index,
		      uint64_t badge)
{
	const uint64_t a[] = { dest_index, src_cnode, src_index, badge };
	return invoke_args(cnode, CNODE_MUTATE, a, ARRAY_LEN(a));
}

int mica_cnode_delete(cptr_t cnode, uint64_t index)
{
	return invoke_args(cnode, CNODE_DELETE, &index, 1);
}

int mica_cnode_revoke(cptr_t cnode, uint64_t index)
{
	return invoke_args(cnode, CNODE_REVOKE, &index, 1);
}

int mica_cnode_save_caller(cptr_t cnode, uint64_t index)
{
	return invoke_args(cnode, CNODE_SAVE_CALLER, &index, 1);
}

int mica_cnode_identify(cptr_t cnode, uint64_t index, struct mica_cap_info *out)
{
	uint64_t r[4];
	int err = invoke(cnode, CNODE_IDENTIFY, &index, 1, r, ARRAY_LEN(r));
	if (err)
		return err;
	out->type = r[0];
	out->rights = r[1];
	out->badge = r[2];
	out->paddr = r[3];
	return E_OK;
}

int mica_tcb_configure(cptr_t tcb, cptr_t fault_ep, cptr_t cspace_root, cptr_t vspace_root,
		       uint64_t ipc_buffer_vaddr, cptr_t ipc_buffer_frame)
{
	const uint64_t a[] = { fault_ep, cspace_root, vspace_root, ipc_buffer_vaddr,
			       ipc_buffer_frame };
	return invoke_args(tcb, TCB_CONFIGURE, a, ARRAY_LEN(a));
}

int mica_tcb_read_registers(cptr_t tcb, struct mica_tcb_regs *out)
{
	uint64_t r[TCB_REGISTER_WORDS];
	int err = invoke(tcb, TCB_READ_REGISTERS, NULL, 0, r, ARRAY_LEN(r));
	if (err)
		return err;
	out->pc = r[0];
	out->sp = r[1];
	out->spsr = r[2];
	for (int i = 0; i < 31; i++)
		out->x[i] = r[3 + i];
	return E_OK;
}

int mica_tcb_write_registers(cptr_t tcb, unsigned flags, uint64_t pc, uint64_t sp,
			     const uint64_t x[8])
{
	uint64_t a[11] = { flags, pc, sp };
	for (int i = 0; x && i < 8; i++)
		a[3 + i] = x[i];
	return invoke_args(tcb, TCB_WRITE_REGISTERS, a, ARRAY_LEN(a));
}

int mica_tcb_resume(cptr_t tcb)
{
	return invoke_args(tcb, TCB_RESUME, NULL, 0);
}

int mica_tcb_suspend(cptr_t tcb)
{
	return invoke_args(tcb, TCB_SUSPEND, NULL, 0);
}

int mica_tcb_set_priority(cptr_t tcb, unsigned priority, unsigned max_priority)
{
	const uint64_t a[] = { priority, max_priority };
	return invoke_args(tcb, TCB_SET_PRIORITY, a, ARRAY_LEN(a));
}

int mica_tcb_bind_notification(cptr_t tcb, cptr_t notification)
{
	return invoke_args(tcb, TCB_BIND_NOTIFICATION, &notification, 1);
}

int mica_tcb_unbind_notification(cptr_t tcb)
{
	return invoke_args(tcb, TCB_UNBIND_NOTIFICATION, NULL, 0);
}

int mica_tcb_set_tls(cptr_t tcb, uint64_t value)
{
	return invoke_args(tcb, TCB_SET_TLS, &value, 1);
}

int mica_tcb_set_affinity(cptr_t tcb, unsigned core)
{
	uint64_t arg = core;
	return invoke_args(tcb, TCB_SET_AFFINITY, &arg, 1);
}

int mica_irq_control_get(cptr_t irq_control, unsigned irq, cptr_t dest_cnode, uint64_t dest_index,
			 int edge)
{
	const uint64_t a[] = { irq, dest_cnode, dest_index, edge ? 1 : 0 };
	return invoke_args(irq_control, IRQ_CONTROL_GET, a, ARRAY_LEN(a));
}

int mica_irq_handler_ack(cptr_t handler)
{
	return invoke_args(handler, IRQ_HANDLER_ACK, NULL, 0);
}

int mica_irq_handler_set_notification(cptr_t handler, cptr_t notification)
{
	return invoke_args(handler, IRQ_HANDLER_SET_NOTIFICATION, &notification, 1);
}

int mica_irq_handler_clear(cptr_t handler)
{
	return invoke_args(handler, IRQ_HANDLER_CLEAR, NULL, 0);
}

int mica_frame_map(cptr_t frame, cptr_t vspace, uint64_t vaddr, unsigned rights)
{
	const uint64_t a[] = { vspace, vaddr, rights };
	return invoke_args(frame, FRAME_MAP, a, ARRAY_LEN(a));
}

int mica_frame_remap(cptr_t frame, unsigned rights)
{
	const uint64_t a[] = { rights };
	return invoke_args(frame, FRAME_REMAP, a, ARRAY_LEN(a));
}

int mica_frame_unmap(cptr_t frame)
{
	return invoke_args(frame, FRAME_UNMAP, NULL, 0);
}

int mica_frame_zero(cptr_t frame)
{
	return invoke_args(frame, FRAME_ZERO, NULL, 0);
}

int mica_frame_get_address(cptr_t frame, struct mica_frame_info *out)
{
	uint64_t r[4];
	int err = invoke(frame, FRAME_GET_ADDRESS, NULL, 0, r, ARRAY_LEN(r));
	if (err)
		return err;
	out->paddr = r[0];
	out->size_bits = r[1];
	out->mapped_vaddr = r[2];
	out->mapped_asid = r[3];
	return E_OK;
}

int mica_page_table_map(cptr_t table, cptr_t vspace, uint64_t vaddr, unsigned *level)
{
	const uint64_t a[] = { vspace, vaddr };
	uint64_t r[1];
	int err = invoke(table, PAGE_TABLE_MAP, a, ARRAY_LEN(a), r, ARRAY_LEN(r));
	if (!err && level)
		*level = (unsigned)r[0];
	return err;
}

int mica_page_table_unmap(cptr_t table)
{
	return invoke_args(table, PAGE_TABLE_UNMAP, NULL, 0);
}

int mica_vspace_info(cptr_t vspace, struct mica_vspace_info *out)
{
	uint64_t r[5];
	int err = invoke(vspace, VSPACE_INFO, NULL, 0, r, ARRAY_LEN(r));
	if (err)
		return err;
	out->asid = r[0];
	out->hw_asid = r[1];
	out->generation = r[2];
	out->table_pages = r[3];
	out->mapped_pages = r[4];
	return E_OK;
}

int mica_vspace_walk(cptr_t vspace, uint64_t start, struct mica_mapping *out, unsigned max,
		     unsigned *count, uint64_t *next)
{
	if (max == 0 || max > VSPACE_WALK_MAX)
		return E_RANGE;
	const uint64_t a[] = { start, max };
	uint64_t r[2 + 4 * VSPACE_WALK_MAX];
	unsigned got;
	int err = invoke_upto(vspace, VSPACE_WALK, a, ARRAY_LEN(a), r, 2 + 4 * max, &got);
	if (err)
		return err;
	/* The reply is as long as the mappings it carries: 2 + 4 per mapping. */
	if (got < 2 || r[0] > max || got < 2 + 4 * r[0])
		return E_MSGSIZE;
	*count = (unsigned)r[0];
	*next = r[1];
	for (unsigned i = 0; i < *count && i < max; i++) {
		out[i].vaddr = r[2 + 4 * i];
		out[i].paddr = r[3 + 4 * i];
		out[i].size_bits = (unsigned)r[4 + 4 * i];
		out[i].rights = (unsigned)r[5 + 4 * i];
	}
	return E_OK;
}

int mica_asid_control_make_pool(cptr_t asid_control, cptr_t untyped, cptr_t dest_cnode,
				uint64_t dest_index, uint64_t *base)
{
	const uint64_t a[] = { untyped, dest_cnode, dest_index };
	uint64_t r[1];
	int err = invoke(asid_control, ASID_CONTROL_MAKE_POOL, a, ARRAY_LEN(a), r, ARRAY_LEN(r));
	if (!err && base)
		*base = r[0];
	return err;
}

int mica_asid_pool_assign(cptr_t pool, cptr_t vspace, uint64_t *asid)
{
	uint64_t r[1];
	int err = invoke(pool, ASID_POOL_ASSIGN, &vspace, 1, r, ARRAY_LEN(r));
	if (!err && asid)
		*asid = r[0];
	return err;
}

int mica_kernel_stats(cptr_t kernel_info, uint64_t out[KSTAT_COUNT])
{
	return invoke(kernel_info, KERNEL_INFO_STATS, NULL, 0, out, KSTAT_COUNT);
}

int mica_kernel_cpu_stats(cptr_t kernel_info, unsigned core, uint64_t out[KCPU_COUNT])
{
	uint64_t arg = core;
	return invoke(kernel_info, KERNEL_INFO_CPU_STATS, &arg, 1, out, KCPU_COUNT);
}
