/*
 * The scheduler: fixed priorities 0..255, round-robin within a priority on the timer tick.
 *
 * The running thread is not in a run queue; every other runnable thread is.
 * The kernel is not preemptible: it runs with interrupts masked, decides on each entry
 * which thread runs next, and returns to it. With nothing runnable it idles in wfi.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "object/tcb.h"
#include "smp.h"

/* The thread that entered the kernel on this core; NULL while idle. */
#define current         (this_cpu()->cur)

#define TIMESLICE_TICKS 5

/* Makes `t` runnable (state THREAD_RUNNABLE) and queues it at the tail of its priority on
 * its core (t->cpu), sending that core a reschedule SGI if it is not this one. */
void sched_make_runnable(struct tcb *t);

/* Takes `t` off the run queue (it blocks or is suspended); its state is the caller's. */
void sched_remove(struct tcb *t);

/* Changes `t`'s priority, requeueing it if runnable. */
void sched_set_priority(struct tcb *t, unsigned prio);

/* The highest priority of any thread queued on core `cpu` (the running one is not
 * queued), or -1: a thread the IPC fastpath switches to must be at least this important.
 * sched.c keeps it up to date on every queue change, so the fastpath reads one word. */
static inline int sched_highest_queued_on(const struct percpu *cpu)
{
	return cpu->sched.top_queued;
}

/* The same on this core. */
static inline int sched_highest_queued(void)
{
	return sched_highest_queued_on(this_cpu());
}

/* How many runnable threads wait in core `cpu`'s run queues (the running one not counted). */
unsigned sched_queued_on(unsigned cpu);

/* The current thread gives up the rest of its time slice. */
void sched_yield(void);

/* The yield fastpath (fastpath.c), first half: the thread a SYS_YIELD of the running
 * thread `t` hands this core to, when the general path (sched_yield, then
 * schedule_and_return) would switch at all and to a thread of t's own priority: t belongs
 * to this core and the first thread of its queue is next in line. NULL otherwise. Changes
 * nothing. */
static inline struct tcb *sched_yield_target(const struct tcb *t)
{
	const struct sched_cpu *sc = &this_cpu()->sched;
	if (t->cpu != this_cpu()->id || sc->top_queued != t->priority)
		return NULL;
	return sc->queues[t->priority].head;
}

/* Second half: what those two do then. `t` goes to the tail of its queue with a fresh
 * slice and `next`, its first thread (sched_yield_target), leaves it; the queue stays
 * non-empty, so its bitmap bits and the highest queued priority stay as they are. */
static inline void sched_yield_rotate(struct tcb *t, struct tcb *next)
{
	struct run_queue *q = &this_cpu()->sched.queues[t->priority];
	t->sched_next = NULL;
	t->sched_prev = q->tail;
	q->tail->sched_next = t;
	q->tail = t;
	q->head = next->sched_next;
	q->head->sched_prev = NULL;
	next->sched_next = next->sched_prev = NULL;
	t->timeslice = TIMESLICE_TICKS;
}

/* The timer tick: charges the current thread, rotating its priority level when its slice
 * is used up. */
void sched_tick(void);

/* Leaves the kernel: picks the highest-priority runnable thread (the current one if it is
 * still runnable and not outranked), switches to it and returns to user mode; idles if
 * there is none. Does not return. */
__attribute__((noreturn)) void schedule_and_return(void);
