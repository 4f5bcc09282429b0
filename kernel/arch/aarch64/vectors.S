/*
 * Exception vector table (VBAR_EL1).
 *
 * Each of the 16 slots saves the full register frame (struct trap_frame) on the current
 * stack, calls a C handler with a pointer to it and restores from it, so a handler can
 * change the interrupted context by editing the frame. Slots the kernel does not expect
 * (SP_EL0 at EL1, AArch32 at EL0, FIQ and SError taken by the kernel itself) report and
 * stop through trap_unexpected. An FIQ or SError taken from EL0 is the thread's fault.
 *
 * User threads are different: while a thread runs at EL0, SP_EL1 points just past its
 * struct user_context (the first member of its TCB), so an exception from EL0 stores the
 * user registers straight into the TCB, then switches to the kernel stack and calls C,
 * which never returns there: it leaves through return_to_user (this file), which reloads a
 * context and leaves SP_EL1 just past it again, ready for the next entry. The fastpaths
 * need no stack (kernel/fastpath.h; the build checks their code): a system call one of
 * them handles never moves SP, and whatever else runs moves to the kernel stack first
 * (to_kernel_stack).
 *
 * A synchronous exception from EL0 saves in two steps. First x0..x19 and x30: what a C
 * function may clobber, and x19, which holds the context where it must outlive a C call
 * (x0 holds it on the way to a fastpath, whose argument it is); x20..x29 keep the thread's
 * values through any C call (they are callee-saved). The rest (x20..x29, SP_EL0, ELR,
 * SPSR, TPIDR_EL0) is saved before anything that may switch threads, wait or report the
 * context. The NBSend fastpath needs none of it: the thread comes straight back, and
 * return_to_same_user reloads only what the first step saved.
 *
 * Every entry from EL0 takes the big kernel lock (kernel/smp.h). If the lock is free the
 * entry goes on at once: no other core can have detached the thread, which needs this
 * core's answer to a stall (smp_lock_wait), and the core asking holds the lock until it has
 * it. Otherwise the entry saves everything, waits (answering stalls), and then checks that
 * the thread it saved is still this core's current one: the lock holder may have detached
 * it (smp_detach_thread), and then the entry only schedules (a system call caught so is
 * made when the thread runs again). return_to_user and idle_loop release the lock.
 */
#include <arch/percpu.h>
#include <arch/sysreg.h>
#include <arch/trapframe.h>

/* struct user_context (arch/registers.h): x0..x30, sp, pc, spsr, tpidr, pad. */
#define UC_SP    (31 * 8)
#define UC_PC    (32 * 8)
#define UC_TPIDR (34 * 8)
#define UC_SIZE  (36 * 8)

/* System-call numbers (mica/syscall.h; traps.c asserts they match). */
#define SYSNO_CALL       0
#define SYSNO_REPLY_RECV 1
#define SYSNO_NBSEND     3
#define SYSNO_YIELD      7


#define VEC_BAD_SYNC   0
#define VEC_BAD_IRQ    1
#define VEC_BAD_FIQ    2
#define VEC_BAD_SERROR 3

/* Stores / loads registers of a frame at `base` + `bias` (struct trap_frame and struct
 * user_context share this layout): x0..x19 and x20..x29 in pairs, the halves of the two
 * steps of a user entry; x0..x29 both. A load of x2..x19 leaves x0 and x1 to the caller,
 * which loads them last when `base` is one of them. */
.macro store_x0_x19 base, bias=0
	stp	x0, x1, [\base, #(\bias + TF_X(0))]
	stp	x2, x3, [\base, #(\bias + TF_X(2))]
	stp	x4, x5, [\base, #(\bias + TF_X(4))]
	stp	x6, x7, [\base, #(\bias + TF_X(6))]
	stp	x8, x9, [\base, #(\bias + TF_X(8))]
	stp	x10, x11, [\base, #(\bias + TF_X(10))]
	stp	x12, x13, [\base, #(\bias + TF_X(12))]
	stp	x14, x15, [\base, #(\bias + TF_X(14))]
	stp	x16, x17, [\base, #(\bias + TF_X(16))]
	stp	x18, x19, [\base, #(\bias + TF_X(18))]
.endm

.macro store_x20_x29 base
	stp	x20, x21, [\base, #TF_X(20)]
	stp	x22, x23, [\base, #TF_X(22)]
	stp	x24, x25, [\base, #TF_X(24)]
	stp	x26, x27, [\base, #TF_X(26)]
	stp	x28, x29, [\base, #TF_X(28)]
.endm

.macro store_x0_x29
	store_x0_x19 sp
	store_x20_x29 sp
.endm

.macro load_x2_x19 base
	ldp	x2, x3, [\base, #TF_X(2)]
	ldp	x4, x5, [\base, #TF_X(4)]
	ldp	x6, x7, [\base, #TF_X(6)]
	ldp	x8, x9, [\base, #TF_X(8)]
	ldp	x10, x11, [\base, #TF_X(10)]
	ldp	x12, x13, [\base, #TF_X(12)]
	ldp	x14, x15, [\base, #TF_X(14)]
	ldp	x16, x17, [\base, #TF_X(16)]
	ldp	x18, x19, [\base, #TF_X(18)]
.endm

.macro load_x20_x29 base
	ldp	x20, x21, [\base, #TF_X(20)]
	ldp	x22, x23, [\base, #TF_X(22)]
	ldp	x24, x25, [\base, #TF_X(24)]
	ldp	x26, x27, [\base, #TF_X(26)]
	ldp	x28, x29, [\base, #TF_X(28)]
.endm

.macro load_x0_x29
	ldp	x0, x1, [sp, #TF_X(0)]
	load_x2_x19 sp
	load_x20_x29 sp
.endm

/* Saves x0..x30, the interrupted SP, ELR, SPSR, ESR and FAR; leaves x0 = frame. */
.macro save_frame el
	sub	sp, sp, #TF_SIZE
	store_x0_x29
	.if \el == 0
	mrs	x21, sp_el0
	.else
	add	x21, sp, #TF_SIZE
	.endif
	stp	x30, x21, [sp, #TF_X(30)]
	mrs	x22, elr_el1
	mrs	x23, spsr_el1
	stp	x22, x23, [sp, #TF_ELR]
	mrs	x24, esr_el1
	mrs	x25, far_el1
	stp	x24, x25, [sp, #TF_ESR]
	mov	x0, sp
.endm

/* Restores the frame at sp (as possibly edited by the handler) and returns. */
.macro restore_frame el
	ldp	x22, x23, [sp, #TF_ELR]
	msr	elr_el1, x22
	msr	spsr_el1, x23
	.if \el == 0
	ldr	x21, [sp, #TF_SP]
	msr	sp_el0, x21
	.endif
	load_x0_x29
	ldr	x30, [sp, #TF_X(30)]
	add	sp, sp, #TF_SIZE
	eret
.endm

/* At an entry from EL0, SP_EL1 points just past the thread's context (UC_SIZE above it). */

/* The first step of saving the user registers (see the top): x0..x19 and x30 into the
 * context SP_EL1 points past; then `ctx` (x0 or x19) = context and x1 = this core's struct
 * percpu (a fastpath's second argument). SP stays just past the context. */
.macro save_user_first ctx
	store_x0_x19 sp, -UC_SIZE
	str	x30, [sp, #(TF_X(30) - UC_SIZE)]
	sub	\ctx, sp, #UC_SIZE
	mrs	x1, tpidr_el1
.endm

/* Moves SP to this core's kernel stack (x1 = its struct percpu), for anything that may use
 * a stack: all but the fastpaths, which need none (see vec_el0_sync). Clobbers x10. */
.macro to_kernel_stack
	ldr	x10, [x1, #PERCPU_STACK_TOP]
	mov	sp, x10
.endm

/* The second step, into the context at `ctx`: x20..x29, SP_EL0, ELR, SPSR and TPIDR_EL0
 * (a thread writes it without the kernel). It leaves x20..x29 as they are and clobbers only
 * x10..x13: after a wait for the lock the dispatch runs it again, and the NBSend fastpath
 * may still return without reloading x20..x29. */
.macro save_user_rest ctx
	store_x20_x29 \ctx
	mrs	x10, sp_el0
	str	x10, [\ctx, #UC_SP]
	mrs	x11, elr_el1
	mrs	x12, spsr_el1
	stp	x11, x12, [\ctx, #UC_PC]
	mrs	x13, tpidr_el0
	str	x13, [\ctx, #UC_TPIDR]
.endm

/* Both steps; leaves x19 = context, x20 = this core's struct percpu, and ends the
 * frame-pointer chain (for debuggers). */
.macro save_user
	save_user_first x19
	to_kernel_stack
	save_user_rest x19
	mov	x20, x1
	mov	x29, xzr
.endm

/* Sets the flags to EQ if the exception being taken is an SVC from AArch64. Clobbers x10. */
.macro test_svc
	mrs	x10, esr_el1
	ubfx	x10, x10, #ESR_EC_SHIFT, #ESR_EC_WIDTH
	cmp	x10, #EC_SVC64
.endm

/*
 * Draws a ticket of the big kernel lock (ticket lock, smp.h) and goes on if it is the one
 * being served; otherwise branches to `busy` with w11 = the lock as it was when drawn (the
 * ticket is its high half). Clobbers x10..x13.
 */
.macro take_kernel_lock busy
	ldr	x10, =kernel_lock		/* one literal load, not ADRP + ADD */
9:	ldaxr	w11, [x10]
	add	w12, w11, #(1 << 16)
	stxr	w13, w12, [x10]
	cbnz	w13, 9b
	eor	w12, w11, w11, ror #16		/* 0 if our ticket (high half) is served (low) */
	cbnz	w12, \busy
.endm

/*
 * Takes the big kernel lock with everything saved (x19 = context, x20 = percpu): if it is
 * busy, waits in smp_lock_wait (which may clobber x0..x18; x8, the system-call number, is
 * reloaded) and then, if the saved thread is no longer this core's current one, only
 * schedules.
 */
.macro enter_kernel
	take_kernel_lock 1f
	b	2f
1:	lsr	w0, w11, #16			/* our ticket */
	bl	smp_lock_wait
	ldr	x8, [x19, #TF_X(8)]
	ldr	x9, [x20, #PERCPU_CURRENT]
	cmp	x9, x19
	b.ne	thread_gone
2:
.endm

/* Releases the big kernel lock: the next ticket is served. Clobbers x9, w10. */
.macro leave_kernel
	ldr	x9, =kernel_lock
	ldrh	w10, [x9]
	add	w10, w10, #1
	stlrh	w10, [x9]
.endm

/* An entry stub: save, call `handler(frame[, kind])`, restore. */
.macro entry name, handler, el, kind=-1
vec_\name:
	save_frame \el
	.if \kind >= 0
	mov	x1, #\kind
	.endif
	bl	\handler
	restore_frame \el
.endm

/* A slot of the table: 0x80 bytes, too small for a frame save, so it branches out. */
.macro slot name
	.balign 0x80
	b	vec_\name
.endm

	.section .text, "ax"
	.balign 0x800
	.global exception_vectors
exception_vectors:
	/* Current EL with SP_EL0: never used by the kernel. */
	slot el1t_sync
	slot el1t_irq
	slot el1t_fiq
	slot el1t_serror
	/* Current EL with SP_EL1: the kernel itself. */
	slot el1h_sync
	slot el1h_irq
	slot el1h_fiq
	slot el1h_serror
	/* Lower EL, AArch64: user threads (system calls, faults, interrupts). */
	slot el0_sync
	slot el0_irq
	slot el0_fiq
	slot el0_serror
	/* Lower EL, AArch32: not supported. */
	slot el0_32_sync
	slot el0_32_irq
	slot el0_32_fiq
	slot el0_32_serror

	entry el1t_sync, trap_unexpected, 1, VEC_BAD_SYNC
	entry el1t_irq, trap_unexpected, 1, VEC_BAD_IRQ
	entry el1t_fiq, trap_unexpected, 1, VEC_BAD_FIQ
	entry el1t_serror, trap_unexpected, 1, VEC_BAD_SERROR
	entry el1h_sync, trap_kernel_sync, 1
	entry el1h_irq, trap_irq, 1
	entry el1h_fiq, trap_unexpected, 1, VEC_BAD_FIQ
	entry el1h_serror, trap_unexpected, 1, VEC_BAD_SERROR
/*
 * A system call tries a fastpath (kernel/fastpath.c) straight from here for SYS_CALL,
 * SYS_REPLY_RECV, SYS_NBSEND and SYS_YIELD (x8 still holds the number, x0 the context,
 * which is the start of the TCB: the fastpath's argument), by a branch: a fastpath never returns, it ends in a tail
 * call to return_to_user (fastpath_resume) or return_to_same_user with the thread to
 * resume, or, if it cannot handle the call, to fastpath_decline, the general path. Only
 * NBSend runs with the second half of the registers unsaved (see the top).
 */
vec_el0_sync:
	save_user_first x0
	take_kernel_lock el0_sync_busy
el0_sync_locked:				/* x0 = the context, x1 = percpu */
	test_svc
	b.ne	el0_sync_other
	cbz	x8, el0_call			/* SYSNO_CALL */
	cmp	x8, #SYSNO_REPLY_RECV
	b.eq	el0_reply_recv
	cmp	x8, #SYSNO_NBSEND
	b.eq	fastpath_nbsend			/* preserves x20..x29 */
	save_user_rest x0
	cmp	x8, #SYSNO_YIELD
	b.eq	fastpath_yield			/* goes on by tail call (fastpath.h) */
	.global fastpath_decline
fastpath_decline:				/* x0 = the context, x1 = percpu */
	to_kernel_stack
	mov	x29, xzr			/* the end of the frame-pointer chain */
	bl	trap_el0_syscall		/* does not return */
el0_call:
	save_user_rest x0
	b	fastpath_call
el0_reply_recv:
	save_user_rest x0
	b	fastpath_reply_recv
	.global fastpath_nbsend_decline
fastpath_nbsend_decline:
	save_user_rest x0
	b	fastpath_decline
	.global fastpath_install
fastpath_install:				/* x0 = the thread to switch to, x1 = percpu */
	to_kernel_stack
	mov	x29, xzr			/* the end of the frame-pointer chain */
	b	arch_switch_installing		/* does not return */
el0_sync_other:
	save_user_rest x0
	to_kernel_stack
	mrs	x0, esr_el1
	mrs	x1, far_el1
	mov	x29, xzr
	bl	trap_el0_sync			/* does not return */
/*
 * The lock is busy (our ticket is w11's high half): everything is saved before waiting, since the wait
 * answers stalls, after which the core asking may read or change the context, or detach
 * the thread. For a system call the saved PC is the SVC itself, so that a thread detached
 * here makes its call when it runs again (nothing of the call has happened yet); if the
 * thread is still ours afterwards, the dispatch saves the real PC again (save_user_rest
 * reads ELR_EL1), or NBSend returns through ELR_EL1 itself. The wait keeps x19..x28 (C)
 * and x29 is reloaded, so the dispatch above goes on as if the lock had been free.
 */
el0_sync_busy:
	mov	x19, x0				/* the context, kept through the wait */
	lsr	w0, w11, #16			/* our ticket */
	save_user_rest x19
	to_kernel_stack
	test_svc
	b.ne	1f
	sub	x11, x11, #4			/* x11: ELR_EL1, as save_user_rest read it */
	str	x11, [x19, #UC_PC]
1:	mov	x29, xzr			/* the end of the frame-pointer chain */
	bl	smp_lock_wait
	ldr	x8, [x19, #TF_X(8)]
	ldr	x29, [x19, #TF_X(29)]
	mov	x0, x19
	mrs	x1, tpidr_el1
	ldr	x9, [x1, #PERCPU_CURRENT]
	cmp	x9, x19
	b.ne	1f
	add	sp, x19, #UC_SIZE		/* the fastpaths run with SP past the context */
	b	el0_sync_locked
1:	mrs	x0, esr_el1			/* the wait took no exception: still ours */
	mov	x29, xzr
	bl	trap_el0_thread_gone		/* does not return */
vec_el0_irq:
	save_user
	enter_kernel
	bl	trap_el0_irq			/* does not return */
vec_el0_fiq:
	save_user
	enter_kernel
	mov	x0, #VEC_BAD_FIQ
	mov	x1, xzr				/* an FIQ has no syndrome */
	bl	trap_el0_async			/* does not return */
vec_el0_serror:
	save_user
	enter_kernel
	mov	x0, #VEC_BAD_SERROR
	mrs	x1, esr_el1
	bl	trap_el0_async			/* does not return */
thread_gone:					/* from enter_kernel: an interrupt */
	mov	x0, xzr
	bl	trap_el0_thread_gone		/* does not return */
	.ltorg					/* enter_kernel's literals */
	entry el0_32_sync, trap_unexpected, 0, VEC_BAD_SYNC
	entry el0_32_irq, trap_unexpected, 0, VEC_BAD_IRQ
	entry el0_32_fiq, trap_unexpected, 0, VEC_BAD_FIQ
	entry el0_32_serror, trap_unexpected, 0, VEC_BAD_SERROR

/*
 * return_to_user(struct user_context *ctx): releases the kernel lock, restores the thread
 * and erets to EL0. SP_EL1 ends just past ctx, where the next exception from EL0 will save
 * the registers. Another core may take the lock while this one still reads ctx: it changes
 * a thread this core runs only after stalling this core (smp_detach_thread), which waits
 * until this core has entered the kernel again, saving the registers it restored here.
 */
	.global return_to_user
	.global fastpath_resume
return_to_user:
fastpath_resume:
	leave_kernel
	add	sp, x0, #UC_SIZE
	ldp	x22, x23, [x0, #UC_PC]
	msr	elr_el1, x22
	msr	spsr_el1, x23
	ldr	x21, [x0, #UC_SP]
	msr	sp_el0, x21
	load_x2_x19 x0
	load_x20_x29 x0
	ldr	x30, [x0, #TF_X(30)]
	ldp	x0, x1, [x0, #TF_X(0)]
	eret

/*
 * return_to_same_user(struct user_context *ctx): return_to_user for the thread that entered
 * the kernel on this core through vec_el0_sync, when nothing changed its PC, PSTATE, SP_EL0,
 * TPIDR_EL0 or x20..x29 (the NBSend fastpath). Those still hold what they held at the entry:
 * the kernel runs with interrupts masked and took no other exception, waiting for the lock
 * changes none of them, and C keeps x20..x29. So only x0..x19 and x30 are reloaded, the
 * registers save_user_first stored. The rest of the saved context may be stale (after a
 * wait, its PC is the SVC): the next entry saves it again before anything reads it.
 */
	.global fastpath_resume_same
return_to_same_user:
fastpath_resume_same:				/* SP is still just past ctx */
	leave_kernel
	load_x2_x19 x0
	ldr	x30, [x0, #TF_X(30)]
	ldp	x0, x1, [x0, #TF_X(0)]
	eret

/*
 * idle_loop(void): nothing is runnable. Releases the kernel lock and runs on a fresh
 * kernel stack (this core's) with interrupts enabled; an interrupt enters through
 * vec_el1h_irq, whose handler takes the lock and leaves through return_to_user if it made
 * a thread runnable, or comes back here.
 */
	.global idle_loop
idle_loop:
	leave_kernel
	mrs	x0, tpidr_el1
	ldr	x0, [x0, #PERCPU_STACK_TOP]
	mov	sp, x0
	mov	x29, xzr
	msr	daifclr, #2
1:	wfi
	b	1b
