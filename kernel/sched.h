/*
 * The scheduler: fixed priorities 0..255, round-robin within a priority on the timer tick.
 *
 * The running thread is not in a run queue; every other runnable thread is.
 * The kernel is not preemptible: it runs with interrupts masked, decides on each entry
 * which thread runs next, and returns to it. With nothing runnable it idles in wfi.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "smp.h"

struct tcb;

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

/* The highest priority of any thread queued on this core (the running one is not
 * queued), or -1: a thread the IPC fastpath switches to must be at least this important.
 * sched.c keeps it up to date on every queue change, so the fastpath reads one word. */
static inline int sched_highest_queued(void)
{
	return this_cpu()->sched.top_queued;
}

/* How many runnable threads wait in core `cpu`'s run queues (the running one not counted). */
unsigned sched_queued_on(unsigned cpu);

/* The current thread gives up the rest of its time slice. */
void sched_yield(void);

/* The timer tick: charges the current thread, rotating its priority level when its slice
 * is used up. */
void sched_tick(void);

/* Leaves the kernel: picks the highest-priority runnable thread (the current one if it is
 * still runnable and not outranked), switches to it and returns to user mode; idles if
 * there is none. Does not return. */
__attribute__((noreturn)) void schedule_and_return(void);
