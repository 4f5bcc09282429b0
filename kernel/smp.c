/*
 * Several cores: the per-CPU data, the big kernel lock, bringing secondaries into the
 * scheduler, and detaching a thread from whatever core holds it.
 */
#include "smp.h"

#include <stddef.h>

#include "arch.h"
#include "console.h"
#include "object/tcb.h"
#include "sched.h"

struct percpu cpus[MAX_CPUS];
unsigned smp_ncpus = 1;
uint32_t kernel_lock;

_Static_assert(offsetof(struct percpu, cur) == PERCPU_CURRENT, "vectors.S");
_Static_assert(offsetof(struct percpu, stack_top) == PERCPU_STACK_TOP, "vectors.S, boot.S");

#define TICKET_ONE (1u << 16) /* the next-ticket half of kernel_lock */

void smp_lock(void)
{
	uint32_t old = __atomic_fetch_add(&kernel_lock, TICKET_ONE, __ATOMIC_ACQUIRE);
	uint16_t mine = (uint16_t)(old >> 16);
	if ((uint16_t)old != mine)
		smp_lock_wait(mine);
}

void smp_lock_wait(uint32_t ticket)
{
	/* Invariant: the ticket being served is not ours yet. While waiting, answer the core
	 * that holds the lock if it asks this one to get out of user state (smp_stall). */
	this_cpu()->lock_waits++; /* only this core writes it */
	while ((uint16_t)__atomic_load_n(&kernel_lock, __ATOMIC_ACQUIRE) != (uint16_t)ticket) {
		arch_answer_stall();
		arch_cpu_relax();
	}
}

void smp_unlock(void)
{
	uint16_t owner = (uint16_t)__atomic_load_n(&kernel_lock, __ATOMIC_RELAXED);
	__atomic_store_n((uint16_t *)&kernel_lock, (uint16_t)(owner + 1), __ATOMIC_RELEASE);
}

void smp_init_boot_cpu(void)
{
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		cpus[i].id = i;
		cpus[i].sched.top_queued = -1;
	}
	cpus[0].online = 1;
	cpus[0].stack_top = arch_boot_stack_top();
	smp_lock();
}

void smp_secondary_main(struct percpu *self)
{
	kprintf("smp: core %u online (MPIDR %#lx)\n", self->id, arch_cpu_hwid(self->id));
	__atomic_store_n(&self->online, 1, __ATOMIC_RELEASE);
	smp_lock();
	schedule_and_return(); /* nothing of this core's is runnable yet: idle */
}

void smp_detach_thread(struct tcb *t)
{
	struct percpu *self = this_cpu();
	for (unsigned c = 0; c < smp_ncpus; c++) {
		if (c == self->id || (cpus[c].cur != t && !arch_cpu_holds_thread(c, t)))
			continue;
		arch_stall_cpu(c);
		if (cpus[c].cur == t) {
			cpus[c].cur = NULL; /* it picks another thread when it gets the lock */
			if (t->state == THREAD_RUNNABLE)
				sched_make_runnable(t);
		}
	}
}
