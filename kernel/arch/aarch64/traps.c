/*
 * Exception handlers called from vectors.S.
 *
 * Interrupts are dispatched to the timer, the console and user-owned handlers. Any
 * synchronous exception, FIQ or SError taken by the kernel itself is a kernel bug (or a
 * deliberate debug crash): it is reported in full, decoded, and the machine stops. What a
 * user thread causes or suffers (system calls, faults, an FIQ or SError while it runs) goes
 * to the thread: nothing from EL0 stops the machine.
 */
#include <arch/sysreg.h>
#include <arch/trapframe.h>
#include <stddef.h>

#include "arch.h"
#include "console.h"
#include "irqc.h"
#include "pl011.h"
#include "platform.h"
#include "timer.h"
#include "traps.h"
#include "context.h"
#include "el2.h"
#include "object/fault.h"
#include "object/ipc.h"
#include "object/irq.h"
#include "object/tcb.h"
#include "sched.h"
#include "smp.h"
#include "stats.h"
#include "syscall.h"
#include "fastpath.h"
#include <mica/fault.h>

static const char *const vector_kinds[] = { "synchronous", "IRQ", "FIQ", "SError" };

struct ec_name {
	unsigned ec;
	const char *name;
};

static const struct ec_name ec_names[] = {
	{ EC_UNKNOWN, "Unknown reason (undefined instruction)" },
	{ EC_WFx, "Trapped WFI/WFE" },
	{ EC_FP_ASIMD, "Trapped FP/SIMD access" },
	{ EC_ILLEGAL_STATE, "Illegal execution state" },
	{ EC_SVC64, "SVC from AArch64" },
	{ EC_HVC64, "HVC from AArch64" },
	{ EC_SMC64, "SMC from AArch64" },
	{ EC_SYSREG, "Trapped system register access" },
	{ EC_IABT_LOWER, "Instruction Abort from a lower EL" },
	{ EC_IABT_CUR, "Instruction Abort from the current EL" },
	{ EC_PC_ALIGN, "PC alignment fault" },
	{ EC_DABT_LOWER, "Data Abort from a lower EL" },
	{ EC_DABT_CUR, "Data Abort from the current EL" },
	{ EC_SP_ALIGN, "SP alignment fault" },
	{ EC_FP64, "Trapped FP exception" },
	{ EC_SERROR, "SError interrupt" },
	{ EC_BREAKPT_LOWER, "Breakpoint from a lower EL" },
	{ EC_BREAKPT_CUR, "Breakpoint from the current EL" },
	{ EC_SSTEP_LOWER, "Software step from a lower EL" },
	{ EC_SSTEP_CUR, "Software step from the current EL" },
	{ EC_WATCHPT_LOWER, "Watchpoint from a lower EL" },
	{ EC_WATCHPT_CUR, "Watchpoint from the current EL" },
	{ EC_BRK64, "BRK instruction" },
};

/* The exception class in words. */
const char *esr_class_name(uint64_t esr)
{
	for (size_t i = 0; i < sizeof(ec_names) / sizeof(ec_names[0]); i++) {
		if (ec_names[i].ec == ESR_EC(esr))
			return ec_names[i].name;
	}
	return "Reserved or unhandled exception class";
}

/* The fault status code of an abort in words; `level` gets the table level or -1. */
const char *esr_fault_name(uint64_t esr, int *level)
{
	unsigned fsc = ISS_xFSC(ESR_ISS(esr));
	*level = -1;
	if (fsc <= 0x03) {
		*level = fsc & 3;
		return "address size fault";
	}
	if (fsc >= 0x04 && fsc <= 0x07) {
		*level = fsc & 3;
		return "translation fault";
	}
	if (fsc >= 0x09 && fsc <= 0x0b) {
		*level = fsc & 3;
		return "access flag fault";
	}
	if (fsc >= 0x0d && fsc <= 0x0f) {
		*level = fsc & 3;
		return "permission fault";
	}
	if (fsc == 0x10)
		return "synchronous external abort";
	if (fsc == 0x21)
		return "alignment fault";
	if (fsc == 0x30)
		return "TLB conflict abort";
	return "other fault status";
}

static bool is_abort(unsigned ec)
{
	return ec == EC_DABT_CUR || ec == EC_DABT_LOWER || ec == EC_IABT_CUR || ec == EC_IABT_LOWER;
}

static void print_registers(const struct trap_frame *tf)
{
	for (int i = 0; i < 31; i++)
		kprintf("  x%-2d 0x%016lx%s", i, tf->x[i], i % 3 == 2 ? "\n" : "");
	kprintf("  sp  0x%016lx\n", tf->sp);
}

/* Prints the full decoded report of an exception the kernel cannot handle and stops. */
static __attribute__((noreturn)) void report_and_stop(const struct trap_frame *tf, const char *what)
{
	unsigned ec = ESR_EC(tf->esr);
	kprintf("\n*** %s: %s (EC 0x%02x)\n", what, esr_class_name(tf->esr), ec);
	kprintf("  ESR 0x%08lx  FAR 0x%016lx\n  ELR 0x%016lx  SPSR 0x%08lx\n", tf->esr, tf->far,
		tf->elr, tf->spsr);
	if (is_abort(ec)) {
		int level;
		const char *fault = esr_fault_name(tf->esr, &level);
		const char *access = ec == EC_IABT_CUR || ec == EC_IABT_LOWER ? "instruction fetch"
				     : (ESR_ISS(tf->esr) & ISS_WNR)           ? "write"
									      : "read";
		if (level >= 0)
			kprintf("  %s, level %d, on %s at %#lx\n", fault, level, access, tf->far);
		else
			kprintf("  %s, on %s at %#lx\n", fault, access, tf->far);
	}
	print_registers(tf);
	panic("%s", what);
}

void trap_kernel_sync(struct trap_frame *tf)
{
	report_and_stop(tf, "unhandled exception in kernel");
}

void trap_unexpected(struct trap_frame *tf, unsigned kind)
{
	kprintf("\n*** unexpected %s exception vector\n", kind < 4 ? vector_kinds[kind] : "?");
	report_and_stop(tf, "unexpected exception");
}

/* Takes every pending interrupt: the tick, the kernel console, user-owned interrupts. */
static void handle_interrupts(void)
{
	for (;;) {
		uint32_t intid = irqc_ack();
		if (intid == IRQC_SPURIOUS)
			return;
		stats.interrupts++;
		if (intid == IRQC_SGI_RESCHEDULE)
			; /* another core made a thread of ours runnable, or stalled us */
		else if (intid == platform.timer_intid)
			timer_irq();
		else if (irq_deliver(intid))
			; /* masked and signalled; the driver acknowledges */
		else if (intid == platform.uart_intid)
			pl011_irq();
		else
			kprintf("irq: unexpected interrupt %u\n", intid);
		irqc_eoi(intid);
	}
}

/* An interrupt taken in the kernel: only possible while idle (which released the lock). */
void trap_irq(struct trap_frame *tf)
{
	(void)tf;
	smp_lock();
	handle_interrupts();
	schedule_and_return();
}

void trap_el0_irq(void)
{
	handle_interrupts();
	schedule_and_return();
}

/* Turns a user thread's abort into a FAULT_VM message: address, pc, access, ESR. */
static void user_abort(struct tcb *t, uint64_t esr, uint64_t far)
{
	unsigned ec = ESR_EC(esr);
	uint64_t access = ec == EC_IABT_LOWER        ? FAULT_ACCESS_EXEC
			  : (ESR_ISS(esr) & ISS_WNR) ? FAULT_ACCESS_WRITE
						     : FAULT_ACCESS_READ;
	uint64_t words[4] = { far, t->ctx.pc, access, esr };
	fastpath_fault(t, FAULT_VM, words, 4); /* returns only if the handler is not waiting */
	fault_raise(t, FAULT_VM, words, 4);
}

/* Vector kinds as vectors.S passes them (VEC_BAD_*): index into vector_kinds. */
#define VEC_FIQ    2
#define VEC_SERROR 3

/*
 * An FIQ or SError taken while a user thread ran. Mica routes no interrupt as an FIQ and
 * QEMU raises no physical SError, so either is unexpected; the kernel is not involved (it
 * runs with both masked), so the thread gets it: a FAULT_ASYNC with its pc, the source and
 * the syndrome (ESR_EL1 of an SError, 0 for an FIQ). A debug-build injection (el2.c) is
 * withdrawn first so that replying to the fault resumes the thread.
 */
void trap_el0_async(unsigned kind, uint64_t esr)
{
	struct tcb *t = current;
	uint64_t source = kind == VEC_SERROR ? FAULT_ASYNC_SERROR : FAULT_ASYNC_FIQ;
	el2_async_taken(source);
	uint64_t words[3] = { t->ctx.pc, source, kind == VEC_SERROR ? esr : 0 };
	fault_raise(t, FAULT_ASYNC, words, 3);
	schedule_and_return();
}

_Static_assert(SYS_CALL == 0 && SYS_REPLY_RECV == 1 && SYS_NBSEND == 3 && SYS_YIELD == 7,
	       "vectors.S dispatches these numbers");
_Static_assert(offsetof(struct tcb, ctx) == 0, "vectors.S: the user context starts the TCB");

/* An entry from EL0 found its thread detached from this core while it waited for the
 * lock (smp_detach_thread): the registers are saved (a system call's PC rewound to its SVC,
 * so it is made when the thread runs again), the thread is someone else's now and its TCB
 * is not touched here (it may be gone). `esr` is the entry's syndrome, 0 for an
 * interrupt. */
void trap_el0_thread_gone(uint64_t esr)
{
	if (ESR_EC(esr) == EC_SVC64)
		this_cpu()->calls_restarted++;
	schedule_and_return();
}

/* A system call of thread `t` that the IPC fastpath (tried first by vectors.S) did not
 * take: the general path. */
void trap_el0_syscall(struct tcb *t)
{
	syscall_handle(t);
	schedule_and_return();
}

/* Any other synchronous exception from a user thread: the FP/SIMD trap, or a fault. */
void trap_el0_sync(uint64_t esr, uint64_t far)
{
	struct tcb *t = current;
	switch (ESR_EC(esr)) {
	case EC_FP_ASIMD:
		context_fpu_trap(t);
		break;
	case EC_DABT_LOWER:
	case EC_IABT_LOWER:
		user_abort(t, esr, far);
		break;
	case EC_PC_ALIGN:
	case EC_SP_ALIGN: {
		uint64_t words[3] = { ESR_EC(esr) == EC_PC_ALIGN ? t->ctx.pc : t->ctx.sp, t->ctx.pc,
				      esr };
		fault_raise(t, FAULT_ALIGNMENT, words, 3);
		break;
	}
	case EC_UNKNOWN:
	case EC_SYSREG: { /* a trapped system-register access (the PMU): undefined for EL0 */
		uint64_t words[2] = { t->ctx.pc, esr };
		fault_raise(t, FAULT_UNDEFINED, words, 2);
		break;
	}
	default: {
		uint64_t words[2] = { t->ctx.pc, esr };
		fault_raise(t, FAULT_OTHER, words, 2);
		break;
	}
	}
	schedule_and_return();
}
