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

struct tcb;

extern struct tcb *current; /* the thread that entered the kernel; NULL while idle */

#define TIMESLICE_TICKS 5

/* Makes `t` runnable (state THREAD_RUNNABLE) and queues it at the tail of its priority. */
void sched_make_runnable(struct tcb *t);

/* Takes `t` off the run queue (it blocks or is suspended); its state is the caller's. */
void sched_remove(struct tcb *t);

/* Changes `t`'s priority, requeueing it if runnable. */
void sched_set_priority(struct tcb *t, unsigned prio);

#define PRIO_LEVELS 256

/* The highest priority of any queued runnable thread, or -1 (sched.c keeps it up to date
 * on every queue change, so the IPC fastpath reads one word). */
extern int sched_top_queued;

/* The highest priority of any queued runnable thread (the running one is not queued), or
 * -1: a thread the IPC fastpath switches to must be at least this important. */
static inline int sched_highest_queued(void)
{
	return sched_top_queued;
}

/* The current thread gives up the rest of its time slice. */
void sched_yield(void);

/* The timer tick: charges the current thread, rotating its priority level when its slice
 * is used up. */
void sched_tick(void);

/* Leaves the kernel: picks the highest-priority runnable thread (the current one if it is
 * still runnable and not outranked), switches to it and returns to user mode; idles if
 * there is none. Does not return. */
__attribute__((noreturn)) void schedule_and_return(void);
