/*
 * Fault messages: what a thread's fault endpoint receives when the thread faults.
 *
 * The kernel makes the faulting thread "call" its fault endpoint (the capability in its
 * TCB's fault slot, TCB_CONFIGURE), so the handler receives an ordinary message with the
 * endpoint capability's badge, label FAULT_LABEL(kind), and these words:
 *
 *   FAULT_VM            MR0 address, MR1 pc, MR2 access (FAULT_ACCESS_*), MR3 ESR
 *   FAULT_UNKNOWN_SYSCALL MR0 syscall number (x8), MR1 pc (after the svc)
 *   FAULT_UNDEFINED     MR0 pc, MR1 ESR (undefined instruction)
 *   FAULT_ALIGNMENT     MR0 address (pc or sp), MR1 pc, MR2 ESR
 *   FAULT_OTHER         MR0 pc, MR1 ESR (any other exception class)
 *   FAULT_ASYNC         MR0 pc, MR1 source (FAULT_ASYNC_*), MR2 syndrome (ESR_EL1 of an
 *                       SError; 0 for an FIQ): an asynchronous exception taken while the
 *                       thread ran; pc is where it was interrupted
 *
 * FAULT_UNDEFINED also covers a trapped system-register access (ESR class 0x18, e.g. a
 * write to the PMU, which user space may only read).
 *
 * Replying with label 0 resumes the thread where it faulted (for FAULT_UNKNOWN_SYSCALL:
 * after the svc); any other label leaves it suspended. A thread without a fault endpoint
 * is suspended and the kernel logs the fault.
 */
#pragma once

enum fault_kind {
	FAULT_VM = 1,
	FAULT_UNKNOWN_SYSCALL = 2,
	FAULT_UNDEFINED = 3,
	FAULT_ALIGNMENT = 4,
	FAULT_OTHER = 5,
	FAULT_ASYNC = 6,
};

/* What raised a FAULT_ASYNC. */
enum fault_async {
	FAULT_ASYNC_SERROR = 1,
	FAULT_ASYNC_FIQ = 2,
};

#define FAULT_LABEL_BASE  0xfa000ull
#define FAULT_LABEL(kind) (FAULT_LABEL_BASE + (kind))

enum fault_access {
	FAULT_ACCESS_READ = 1,
	FAULT_ACCESS_WRITE = 2,
	FAULT_ACCESS_EXEC = 3,
};
