/*
 * Invocation labels and their arguments.
 *
 * An invocation is SYS_CALL on a capability to a kernel object with one of these labels.
 * Arguments are message registers MR0.. in the order listed; results come back in MRs.
 * A slot is named by a CNode capability address (resolved in the caller's CSpace) and an
 * index in that CNode. The reply label is 0 or a negative error (mica/errors.h); on error,
 * nothing changed. docs/kernel-api.md describes every error each one can return.
 */
#pragma once

/* FRAME_MAP: ORed into the rights word, zero-fills the frame before the entry is written (one
 * invocation where FRAME_ZERO + FRAME_MAP would take two; the frame capability needs
 * RIGHT_WRITE, and device frames are refused). Nothing is zeroed if the map fails. */
#define FRAME_MAP_ZERO (1u << 8)

enum mica_invocation {
	/* Untyped */
	UNTYPED_RETYPE = 1, /* type, size_bits, dest_cnode, dest_index, count -> () */

	/* CNode (invoked on the destination CNode) */
	CNODE_COPY = 16,   /* dest_index, src_cnode, src_index, rights */
	CNODE_MINT,        /* dest_index, src_cnode, src_index, rights, badge */
	CNODE_MOVE,        /* dest_index, src_cnode, src_index */
	CNODE_MUTATE,      /* dest_index, src_cnode, src_index, badge */
	CNODE_DELETE,      /* index */
	CNODE_REVOKE,      /* index */
	CNODE_SAVE_CALLER, /* index: moves the caller's one-shot reply right into the slot */
	CNODE_IDENTIFY,    /* index -> type, rights, badge, object physical address */

	/* TCB */
	TCB_CONFIGURE =
	    32, /* fault_ep, cspace_root, vspace_root, ipc_buffer_vaddr, ipc_buffer_frame */
	TCB_READ_REGISTERS,  /* -> pc, sp, spsr, x0..x30 (34 words) */
	TCB_WRITE_REGISTERS, /* resume(0/1), pc, sp, x0..x7 */
	TCB_RESUME,
	TCB_SUSPEND,
	TCB_SET_PRIORITY,      /* priority, max_priority (both <= the caller's max priority) */
	TCB_BIND_NOTIFICATION, /* notification cptr */
	TCB_UNBIND_NOTIFICATION,
	TCB_SET_TLS,      /* value for TPIDR_EL0 */
	TCB_SET_AFFINITY, /* core (0 .. cores online - 1): the only core the thread runs on */

	/* IRQ control and handlers */
	IRQ_CONTROL_GET = 48, /* irq (INTID), dest_cnode, dest_index, edge(0/1) */
	IRQ_HANDLER_ACK,
	IRQ_HANDLER_SET_NOTIFICATION, /* notification cptr */
	IRQ_HANDLER_CLEAR,

	/* Frames (docs/kernel-api-vspace.md) */
	FRAME_MAP = 64, /* vspace, vaddr, rights (RIGHT_READ|WRITE|EXEC, FRAME_MAP_ZERO) */
	FRAME_REMAP,    /* rights: of the frame's current mapping */
	FRAME_UNMAP,
	FRAME_GET_ADDRESS, /* -> paddr, size_bits, mapped vaddr, mapped ASID (0: not mapped) */
	FRAME_ZERO,        /* fills the frame with zeros (needs RIGHT_WRITE; not device frames) */

	/* Page tables */
	PAGE_TABLE_MAP = 72, /* vspace, vaddr -> level (1..3) the table was installed as */
	PAGE_TABLE_UNMAP,

	/* VSpaces */
	VSPACE_INFO = 80, /* -> ASID, hardware ASID, generation, table pages, mapped pages */
	VSPACE_WALK,      /* start vaddr, max entries -> count, next vaddr, then per mapping:
			   * vaddr, paddr, size_bits, rights (up to VSPACE_WALK_MAX) */

	/* ASIDs */
	ASID_CONTROL_MAKE_POOL = 88, /* untyped (4 KiB free), dest_cnode, dest_index -> base */
	ASID_POOL_ASSIGN,            /* vspace cptr -> ASID */

	/* Kernel information */
	KERNEL_INFO_STATS = 96, /* -> the KSTAT_* counters, in that order */
	KERNEL_INFO_CPU_STATS,  /* core -> the KCPU_* counters of that core, in that order */
};

/* One core's counters, in the order KERNEL_INFO_CPU_STATS returns them (9 words). */
enum kernel_cpu_stat {
	KCPU_TICKS,           /* timer ticks it has taken */
	KCPU_SWITCHES,        /* context switches to a thread on it (KSTAT_NOT_COUNTED: release) */
	KCPU_RESCHEDULE_SGIS, /* reschedule SGIs sent to it (wakeups and stalls) */
	KCPU_STALLS,          /* times another core stopped it out of a thread or VSpace */
	KCPU_RUNNING,         /* the id of the thread it runs (TCB id), 0 while idle */
	KCPU_THREADS_QUEUED,  /* runnable threads waiting in its run queues */
	KCPU_TLBI,            /* TLB invalidations it issued (KSTAT_TLBI_* count all cores) */
	KCPU_LOCK_WAITS,      /* its kernel entries that found the kernel lock taken and waited */
	KCPU_CALLS_RESTARTED, /* system calls that waited for the lock while their thread was
				 detached from the core: each is made when the thread runs again */
	KCPU_COUNT,
};

/* Mappings VSPACE_WALK returns per call: 2 + 4 * 29 = 118 words. */
#define VSPACE_WALK_MAX 29

/* Kernel counters, in the order KERNEL_INFO_STATS returns them. Release kernels do not
 * count system calls, IPC messages, context switches and address-space switches (the
 * fastpaths' counters): those read KSTAT_NOT_COUNTED there, as does KCPU_SWITCHES. */
enum kernel_stat {
	KSTAT_SYSCALLS,
	KSTAT_IPC_MESSAGES,
	KSTAT_CONTEXT_SWITCHES,
	KSTAT_AS_SWITCHES, /* TTBR0 changes */
	KSTAT_FAULTS,      /* faults delivered (or suspending a thread) */
	KSTAT_INTERRUPTS,
	KSTAT_TLBI_VA,   /* invalidations by VA+ASID */
	KSTAT_TLBI_ASID, /* by ASID */
	KSTAT_TLBI_ALL,  /* full */
	KSTAT_ASID_ROLLOVERS,
	KSTAT_HW_ASID_BITS, /* usable hardware ASID bits */
	KSTAT_CPUS_ONLINE,  /* cores running the kernel (0 .. this - 1: TCB_SET_AFFINITY) */
	KSTAT_COUNT,
};

/* The value of a counter the kernel does not keep (release builds, see above). */
#define KSTAT_NOT_COUNTED (~0ull)

/* TCB_WRITE_REGISTERS flags (its first argument). */
#define TCB_WRITE_RESUME 1u /* resume the thread afterwards */
#define TCB_WRITE_CLEAR  2u /* zero every register not given (x8..x30, FP/SIMD) */

/* Words TCB_READ_REGISTERS returns: pc, sp, spsr, then x0..x30. */
#define TCB_REGISTER_WORDS 34
