/*
 * Several cores: the per-CPU data and the big kernel lock.
 *
 * Every core has one `struct percpu`, reached through arch_this_cpu() (TPIDR_EL1 on
 * AArch64): the thread it runs, its kernel stack, its run queues and the architecture's
 * per-core state. Core 0 is the boot core; secondaries are numbered in device-tree order.
 *
 * Concurrency model: one ticket lock, the big kernel lock, serialises the whole kernel. A
 * core takes it at every entry from user mode and from idle (vectors.S) and releases it on
 * the way out (return to user, idle). The kernel is not preemptible and runs with
 * interrupts masked, so everything in the kernel except a core's own registers is
 * protected by the lock. A core that must change another core's registers (drop a thread
 * it runs, drop a VSpace it has installed) asks it with smp_stall (an SGI) and waits.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <arch/percpu.h>

#define MAX_CPUS 8

struct tcb;

#define PRIO_LEVELS 256

struct run_queue {
	struct tcb *head, *tail;
};

/* One core's scheduler state (sched.c). */
struct sched_cpu {
	int top_queued; /* highest non-empty queue, -1: none */
	uint64_t ready_words;
	uint64_t ready_bitmap[PRIO_LEVELS / 64];
	struct run_queue queues[PRIO_LEVELS];
};

struct percpu {
	struct tcb *cur;    /* offset 0 (PERCPU_CURRENT): the thread it runs, NULL: idle */
	uint64_t stack_top; /* offset 8 (PERCPU_STACK_TOP): its kernel stack */
	uint32_t id;        /* 0 = boot core */
	uint32_t online;
	uint64_t ticks;
	uint64_t ipis;            /* reschedule SGIs sent to it */
	uint64_t switches;        /* context switches on it (KSTAT_CONTEXT_SWITCHES is their sum) */
	uint64_t stalls;          /* stall requests made of it */
	uint64_t tlbi;            /* TLB invalidation instructions it issued (broadcast or local) */
	uint64_t lock_waits;      /* its entries that found the kernel lock taken and waited */
	uint64_t calls_restarted; /* system calls whose thread was detached while they waited */
	struct arch_percpu arch;
	struct sched_cpu sched;
};

extern struct percpu cpus[MAX_CPUS];
/* How many cores are running the kernel (cores 0 .. smp_ncpus - 1). */
extern unsigned smp_ncpus;

/* This core's data. */
static inline struct percpu *this_cpu(void)
{
	return arch_this_cpu();
}

/* The ticket lock word: low half the ticket being served, high half the next ticket. */
extern uint32_t kernel_lock;

/* Takes / releases the big kernel lock from C (boot of secondaries); the entry and exit
 * paths do the same in assembly. */
void smp_lock(void);
void smp_unlock(void);

/* Waits for ticket `ticket` of the kernel lock (the contended half of taking it, also
 * called from vectors.S), answering stall requests meanwhile. */
void smp_lock_wait(uint32_t ticket);

/* Boot core, first thing: per-CPU data initialised, the lock taken (the boot core holds it
 * until it first leaves the kernel). */
void smp_init_boot_cpu(void);

/* A secondary core's generic entry, its hardware set up: reports, takes the lock, idles. */
__attribute__((noreturn)) void smp_secondary_main(struct percpu *self);

/*
 * Makes sure no other core holds `t`: a core running it (in user mode, or about to return
 * to it) is stalled and forgets it as current, and a core whose FP/SIMD registers hold
 * t's state writes them back. Afterwards t's whole context is in its TCB; a runnable t is
 * queued on its core again. Call with the lock held before changing or destroying a thread
 * another core might be running.
 */
void smp_detach_thread(struct tcb *t);
