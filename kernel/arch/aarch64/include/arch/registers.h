/*
 * A user thread's saved registers and the accessors generic code uses on them (reached
 * through kernel/arch.h). Generic code never names a register: it asks for the message
 * register, the badge, the system-call number; this file says which AArch64 register
 * that is (the system-call ABI of include/mica/syscall.h):
 *
 *   x0       in: the capability address (cptr) or argument 0; out: the badge
 *   x1       the message info word, in and out (a kernel error is its label)
 *   x2..x7   message registers MR0..MR5
 *   x0..x7   the argument registers of debug system calls and of TCB_WRITE_REGISTERS
 *   x8       the system-call number
 *   SP_EL0, ELR_EL1, SPSR_EL1, TPIDR_EL0   sp, pc, spsr, tpidr
 *
 * Everything here is static inline: an accessor costs what the load or store costs.
 */
#pragma once

#include <mica/syscall.h>
#include <stdint.h>

/* Saved user registers. Layout fixed: the EL0 exception entry (vectors.S, its UC_*
 * offsets) stores straight into it, and it is the first member of struct tcb. */
struct user_context {
	uint64_t x[31];
	uint64_t sp;    /* SP_EL0 */
	uint64_t pc;    /* ELR_EL1 */
	uint64_t spsr;  /* SPSR_EL1 */
	uint64_t tpidr; /* TPIDR_EL0 */
	uint64_t pad;
};

#define USER_CONTEXT_SIZE (36 * 8)
_Static_assert(sizeof(struct user_context) == USER_CONTEXT_SIZE, "vectors.S layout");
_Static_assert(__builtin_offsetof(struct user_context, sp) == 31 * 8, "vectors.S UC_SP");
_Static_assert(__builtin_offsetof(struct user_context, pc) == 32 * 8, "vectors.S UC_PC");
_Static_assert(__builtin_offsetof(struct user_context, tpidr) == 34 * 8, "vectors.S UC_TPIDR");

/* FP/SIMD state: V0..V31 and FPSR/FPCR, switched lazily (context.c, fpu.S). */
struct fpu_state {
	uint64_t v[64];
	uint64_t fpsr;
	uint64_t fpcr;
};

#define ARCH_REG_MSGINFO  1 /* x1 */
#define ARCH_REG_MR0      2 /* x2: MR0..MR5 are x2..x7 */
#define ARCH_REG_SYSCALL  8 /* x8 */
#define ARCH_ARG_REGS     8 /* x0..x7 */
#define ARCH_GPR_COUNT    31
#define ARCH_SPSR_EL0T    0 /* SPSR_EL1 for EL0t (SP_EL0) with DAIF clear: interrupts on */
#define ARCH_REGDUMP_GPR0 3 /* TCB_READ_REGISTERS: pc, sp, spsr, then x0..x30 */

_Static_assert(ARCH_REG_MR0 + MSG_REGISTERS <= ARCH_REG_SYSCALL, "MRs below x8");
_Static_assert(ARCH_REGDUMP_GPR0 + ARCH_GPR_COUNT == 34, "TCB_REGISTER_WORDS layout");

/* Message register MR`i` (i < MSG_REGISTERS; the rest live in the IPC buffer). */
static inline uint64_t arch_get_mr(const struct user_context *c, unsigned i)
{
	return c->x[ARCH_REG_MR0 + i];
}
static inline void arch_set_mr(struct user_context *c, unsigned i, uint64_t v)
{
	c->x[ARCH_REG_MR0 + i] = v;
}

/* The capability address a system call names (x0). */
static inline uint64_t arch_get_cptr(const struct user_context *c)
{
	return c->x[0];
}

/* The badge a received message or signal came with (x0). */
static inline uint64_t arch_get_badge(const struct user_context *c)
{
	return c->x[0];
}
static inline void arch_set_badge(struct user_context *c, uint64_t badge)
{
	c->x[0] = badge;
}

/* The message info word (x1): the caller's going in, the result coming out. */
static inline uint64_t arch_get_msginfo(const struct user_context *c)
{
	return c->x[ARCH_REG_MSGINFO];
}
static inline void arch_set_msginfo(struct user_context *c, uint64_t info)
{
	c->x[ARCH_REG_MSGINFO] = info;
}

/* The system-call number (x8). */
static inline uint64_t arch_get_syscall(const struct user_context *c)
{
	return c->x[ARCH_REG_SYSCALL];
}

/* Argument or result register `i` (i < ARCH_ARG_REGS) of a debug system call or of
 * TCB_WRITE_REGISTERS: x0..x7. */
static inline uint64_t arch_get_arg(const struct user_context *c, unsigned i)
{
	return c->x[i];
}
static inline void arch_set_arg(struct user_context *c, unsigned i, uint64_t v)
{
	c->x[i] = v;
}

/* The user program counter (ELR_EL1) and stack pointer (SP_EL0). */
static inline uint64_t arch_get_pc(const struct user_context *c)
{
	return c->pc;
}
static inline void arch_set_pc(struct user_context *c, uint64_t pc)
{
	c->pc = pc;
}
/* Puts the PC of a thread that entered the kernel with a system call back on its SVC, so
 * that it makes the call again when it next runs (vectors.S does the same, in assembly, for
 * an entry that waits for the kernel lock). */
static inline void arch_restart_syscall(struct user_context *c)
{
	c->pc -= 4; /* the SVC's size */
}
static inline uint64_t arch_get_sp(const struct user_context *c)
{
	return c->sp;
}
static inline void arch_set_sp(struct user_context *c, uint64_t sp)
{
	c->sp = sp;
}

/* The thread-local storage pointer (TPIDR_EL0; loaded when the thread is switched to). */
static inline void arch_set_tls(struct user_context *c, uint64_t tls)
{
	c->tpidr = tls;
}

/* Word `i` (i < TCB_REGISTER_WORDS) of what TCB_READ_REGISTERS returns: pc, sp, spsr, then
 * x0..x30. */
static inline uint64_t arch_get_register_word(const struct user_context *c, unsigned i)
{
	if (i == 0)
		return c->pc;
	if (i == 1)
		return c->sp;
	if (i == 2)
		return c->spsr;
	return c->x[i - ARCH_REGDUMP_GPR0];
}

/* Zeroes the registers TCB_WRITE_REGISTERS does not set (x8..x30), for TCB_WRITE_CLEAR. */
static inline void arch_clear_scratch_registers(struct user_context *c)
{
	for (unsigned i = ARCH_ARG_REGS; i < ARCH_GPR_COUNT; i++)
		c->x[i] = 0;
}

/* Sets up `c` to start a thread at `entry` in user mode (EL0t, interrupts unmasked) with
 * stack pointer `sp` and `arg` in its first argument register. Other registers are left. */
static inline void arch_init_user_context(struct user_context *c, uint64_t entry, uint64_t sp,
					  uint64_t arg)
{
	c->pc = entry;
	c->sp = sp;
	c->x[0] = arg;
	c->spsr = ARCH_SPSR_EL0T;
}
