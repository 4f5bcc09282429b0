/*
 * Invocations on kernel objects from user space: one function per label in
 * mica/invocation.h. Each is a SYS_CALL on the object's capability with the arguments in
 * the order listed there, and returns 0 (E_OK) or the negative error the kernel replied with
 * (mica/errors.h); on error nothing changed and no out-parameter was written. Arguments
 * beyond MR5 travel in the IPC buffer (msg[6..]), so those calls need mica_set_ipc_buffer
 * first; without it they return E_INVAL. A reply shorter than its results gives E_MSGSIZE.
 *
 * A slot is named by a CNode capability (resolved in the caller's CSpace) and an index in it.
 */
#pragma once

#include <stdint.h>

#include <mica/invocation.h>
#include <mica/syscall.h>

/* What CNODE_IDENTIFY reports about a capability. */
struct mica_cap_info {
	uint64_t type;   /* enum mica_cap_type */
	uint64_t rights; /* RIGHT_* */
	uint64_t badge;
	uint64_t paddr; /* physical address of the object */
};

/* A thread's registers as TCB_READ_REGISTERS returns them. */
struct mica_tcb_regs {
	uint64_t pc;
	uint64_t sp;
	uint64_t spsr;
	uint64_t x[31];
};

/*
 * Carves `count` objects of `type` (size 2^size_bits where the type takes one) out of
 * `untyped` into dest_cnode[dest_index .. dest_index + count).
 */
int mica_untyped_retype(cptr_t untyped, unsigned type, unsigned size_bits, cptr_t dest_cnode,
			uint64_t dest_index, unsigned count);

/* Copies src_cnode[src_index] into cnode[dest_index] with its rights masked by `rights`. */
int mica_cnode_copy(cptr_t cnode, uint64_t dest_index, cptr_t src_cnode, uint64_t src_index,
		    unsigned rights);

/* Like mica_cnode_copy, and gives the new capability `badge`. */
int mica_cnode_mint(cptr_t cnode, uint64_t dest_index, cptr_t src_cnode, uint64_t src_index,
		    unsigned rights, uint64_t badge);

/* Moves src_cnode[src_index] into cnode[dest_index], leaving the source empty. */
int mica_cnode_move(cptr_t cnode, uint64_t dest_index, cptr_t src_cnode, uint64_t src_index);

/* Moves src_cnode[src_index] into cnode[dest_index] and sets its badge. */
int mica_cnode_mutate(cptr_t cnode, uint64_t dest_index, cptr_t src_cnode, uint64_t src_index,
		      uint64_t badge);

/* Deletes the capability in cnode[index]. */
int mica_cnode_delete(cptr_t cnode, uint64_t index);

/* Deletes every capability derived from cnode[index], keeping that one. */
int mica_cnode_revoke(cptr_t cnode, uint64_t index);

/* Moves the caller's one-shot reply right into cnode[index]. */
int mica_cnode_save_caller(cptr_t cnode, uint64_t index);

/* Describes the capability in cnode[index] into *out. */
int mica_cnode_identify(cptr_t cnode, uint64_t index, struct mica_cap_info *out);

/* Sets a thread's fault endpoint, CSpace and VSpace roots and IPC buffer (address, frame). */
int mica_tcb_configure(cptr_t tcb, cptr_t fault_ep, cptr_t cspace_root, cptr_t vspace_root,
		       uint64_t ipc_buffer_vaddr, cptr_t ipc_buffer_frame);

/* Reads a (suspended) thread's pc, sp, spsr and x0..x30 into *out. Needs the IPC buffer. */
int mica_tcb_read_registers(cptr_t tcb, struct mica_tcb_regs *out);

/* Sets pc, sp and x0..x7 (x may be NULL: zeros). flags: TCB_WRITE_RESUME (1; 0/1 as a
 * boolean also works) resumes the thread, TCB_WRITE_CLEAR zeroes every other register
 * first (a reused TCB). */
int mica_tcb_write_registers(cptr_t tcb, unsigned flags, uint64_t pc, uint64_t sp,
			     const uint64_t x[8]);

/* Makes a suspended thread runnable. */
int mica_tcb_resume(cptr_t tcb);

/* Stops a thread until it is resumed. */
int mica_tcb_suspend(cptr_t tcb);

/* Sets priority and max_priority (both at most the caller's max priority). */
int mica_tcb_set_priority(cptr_t tcb, unsigned priority, unsigned max_priority);

/* Binds a notification to the thread, so its receives also wait for signals. */
int mica_tcb_bind_notification(cptr_t tcb, cptr_t notification);

/* Undoes mica_tcb_bind_notification. */
int mica_tcb_unbind_notification(cptr_t tcb);

/* Sets the thread's TPIDR_EL0. */
int mica_tcb_set_tls(cptr_t tcb, uint64_t value);
/* Moves the thread to core `core`: it runs there only, from its next turn on. E_RANGE if no
 * such core is online. */
int mica_tcb_set_affinity(cptr_t tcb, unsigned core);

/* Creates the handler capability for interrupt `irq` (INTID) in dest_cnode[dest_index]. */
int mica_irq_control_get(cptr_t irq_control, unsigned irq, cptr_t dest_cnode, uint64_t dest_index,
			 int edge);

/* Re-enables the handler's interrupt after it was delivered. */
int mica_irq_handler_ack(cptr_t handler);

/* Makes the interrupt signal `notification`. */
int mica_irq_handler_set_notification(cptr_t handler, cptr_t notification);

/* Stops the interrupt signalling any notification. */
int mica_irq_handler_clear(cptr_t handler);

/* What FRAME_GET_ADDRESS reports. */
struct mica_frame_info {
	uint64_t paddr;
	uint64_t size_bits;
	uint64_t mapped_vaddr;
	uint64_t mapped_asid; /* 0: not mapped */
};

/* What VSPACE_INFO reports. */
struct mica_vspace_info {
	uint64_t asid;
	uint64_t hw_asid; /* 0: none in the current generation */
	uint64_t generation;
	uint64_t table_pages;
	uint64_t mapped_pages;
};

/* One mapping of a VSpace, as VSPACE_WALK reports it. */
struct mica_mapping {
	uint64_t vaddr;
	uint64_t paddr;
	unsigned size_bits;
	unsigned rights; /* RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC */
};

/* Maps the frame into `vspace` at `vaddr` with `rights` (RIGHT_READ, optionally WRITE or
 * EXEC, never both). */
int mica_frame_map(cptr_t frame, cptr_t vspace, uint64_t vaddr, unsigned rights);

/* Changes the rights of the frame's mapping. */
int mica_frame_remap(cptr_t frame, unsigned rights);

/* Removes the frame's mapping (nothing if it has none). */
int mica_frame_unmap(cptr_t frame);

int mica_frame_get_address(cptr_t frame, struct mica_frame_info *out);

/* Fills the frame with zeros, mapped or not (FRAME_ZERO: needs RIGHT_WRITE; E_TYPE for a
 * device frame). */
int mica_frame_zero(cptr_t frame);

/* Installs the page table on the walk to `vaddr`; *level gets the level it became (1..3). */
int mica_page_table_map(cptr_t table, cptr_t vspace, uint64_t vaddr, unsigned *level);

/* Removes the table from its VSpace and clears it. */
int mica_page_table_unmap(cptr_t table);

int mica_vspace_info(cptr_t vspace, struct mica_vspace_info *out);

/* Reads up to `max` (<= VSPACE_WALK_MAX) mappings at or above `start` into out[]; *next is
 * where to continue (0: no more). */
int mica_vspace_walk(cptr_t vspace, uint64_t start, struct mica_mapping *out, unsigned max,
		     unsigned *count, uint64_t *next);

/* Turns a 4 KiB untyped into an ASID pool in dest_cnode[dest_index]; *base = its first ASID. */
int mica_asid_control_make_pool(cptr_t asid_control, cptr_t untyped, cptr_t dest_cnode,
				uint64_t dest_index, uint64_t *base);

/* Gives the VSpace an ASID from the pool (assign before copying the VSpace capability). */
int mica_asid_pool_assign(cptr_t pool, cptr_t vspace, uint64_t *asid);

/* The kernel counters (enum kernel_stat order). */
int mica_kernel_stats(cptr_t kernel_info, uint64_t out[KSTAT_COUNT]);

/* One core's counters (enum kernel_cpu_stat order); E_RANGE if `core` is not online. */
int mica_kernel_cpu_stats(cptr_t kernel_info, unsigned core, uint64_t out[KCPU_COUNT]);
