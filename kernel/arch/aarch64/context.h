/* Switching the CPU between user threads: address space, FP/SIMD ownership, TLS. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct tcb;
struct user_context;
struct fpu_state;

/* Prepares the CPU for user threads: TTBR0 walks on, ASID size, PMU user access. */
void context_init(void);

/* A VSpace capability was derived or deleted: the next arch_keep_running checks that the
 * running thread's VSpace is still the installed one (until then it costs one load). */
void context_vspace_cap_changed(void);

/* True if `t` has a VSpace with a valid ASID. */
bool context_can_run(const struct tcb *t);

/* The FP/SIMD access trap from EL0: hands the registers to `t`. */
void context_fpu_trap(struct tcb *t);

/* Forgets `t` as FP/SIMD owner (it is being destroyed). */
void context_fpu_forget(struct tcb *t);

/* If TTBR0 holds the VSpace at `vspace_pa`, installs none instead (it is being destroyed,
 * and no walk may touch its tables again): TTBR0 an empty table (context.c). */
void context_forget_vspace(uint64_t vspace_pa);

/* Answers a pending smp_stall_cpu request made of this core: drops TTBR0 and writes the
 * FP/SIMD owner's registers back, then acknowledges. Called while waiting for the lock. */
void context_answer_stall(void);

/* If this core's FP/SIMD registers hold `t`'s state, writes them back to its TCB (t moves
 * to another core). */
void context_release_thread(struct tcb *t);

/* Restores `ctx` and returns to EL0. */
__attribute__((noreturn)) void return_to_user(struct user_context *ctx);

/* Idles with interrupts enabled until an interrupt makes a thread runnable. */
__attribute__((noreturn)) void idle_loop(void);

void fpu_save(struct fpu_state *s);
void fpu_restore(const struct fpu_state *s);
