/*
 * Fixed-priority round-robin scheduling.
 *
 * Every runnable thread except the running one (`current`) waits in the queue of its
 * priority; a bitmap of non-empty queues finds the highest in a few instructions. Keeping
 * the running thread out of the queues means a thread that blocks, or one that the IPC
 * fastpath switches to directly, costs no queue operation at all. When the kernel leaves,
 * schedule_and_return keeps the current thread unless a queued thread outranks it; a thread
 * that yields or used up its time slice goes to the tail of its queue first, and a thread
 * preempted by a higher priority goes back to the head, keeping its turn.
 */
#include "sched.h"

#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "audit.h"
#include "console.h"
#include "smp.h"
#include "object/tcb.h"
#include "stats.h"

/*
 * Each core has its own queues (struct sched_cpu in smp.h); a thread waits in the queues
 * of its core, t->cpu. In each, a two-level bitmap of non-empty run queues: bit w of
 * ready_words says ready_bitmap[w] is not 0; bit p % 64 of ready_bitmap[p / 64] says the
 * queue of priority p is not empty.
 */

/* The scheduler state of the core `t` belongs to. */
static struct sched_cpu *sched_of(const struct tcb *t)
{
	return &cpus[t->cpu].sched;
}

/* The highest non-empty queue, from the bitmap (-1: all empty). */
static int bitmap_top(const struct sched_cpu *sc)
{
	if (!sc->ready_words)
		return -1;
	int w = 63 - __builtin_clzll(sc->ready_words);
	return 64 * w + 63 - __builtin_clzll(sc->ready_bitmap[w]);
}

/* Marks the queue of `prio` non-empty. */
static void mark_ready(struct sched_cpu *sc, unsigned prio)
{
	sc->ready_bitmap[prio / 64] |= 1ull << (prio % 64);
	sc->ready_words |= 1ull << (prio / 64);
	if ((int)prio > sc->top_queued)
		sc->top_queued = (int)prio;
}

static void queue_append(struct tcb *t)
{
	struct sched_cpu *sc = sched_of(t);
	struct run_queue *q = &sc->queues[t->priority];
	t->sched_next = NULL;
	t->sched_prev = q->tail;
	if (q->tail)
		q->tail->sched_next = t;
	else
		q->head = t;
	q->tail = t;
	mark_ready(sc, t->priority);
}

static void queue_unlink(struct tcb *t)
{
	struct sched_cpu *sc = sched_of(t);
	struct run_queue *q = &sc->queues[t->priority];
	if (t->sched_prev)
		t->sched_prev->sched_next = t->sched_next;
	else
		q->head = t->sched_next;
	if (t->sched_next)
		t->sched_next->sched_prev = t->sched_prev;
	else
		q->tail = t->sched_prev;
	t->sched_next = t->sched_prev = NULL;
	if (!q->head) {
		sc->ready_bitmap[t->priority / 64] &= ~(1ull << (t->priority % 64));
		if (!sc->ready_bitmap[t->priority / 64])
			sc->ready_words &= ~(1ull << (t->priority / 64));
		if (t->priority == sc->top_queued)
			sc->top_queued = bitmap_top(sc);
	}
}

static void queue_prepend(struct tcb *t)
{
	struct sched_cpu *sc = sched_of(t);
	struct run_queue *q = &sc->queues[t->priority];
	t->sched_prev = NULL;
	t->sched_next = q->head;
	if (q->head)
		q->head->sched_prev = t;
	else
		q->tail = t;
	q->head = t;
	mark_ready(sc, t->priority);
}

/* True if `t` is linked into a run queue. */
static bool queued(const struct tcb *t)
{
	return t->sched_prev || sched_of(t)->queues[t->priority].head == t;
}

/* True if `t` is the thread some core runs (or is about to return to). */
static bool running_somewhere(const struct tcb *t)
{
	return cpus[t->cpu].cur == t;
}

void sched_make_runnable(struct tcb *t)
{
	t->state = THREAD_RUNNABLE; /* its time slice is never 0 (tcb_init, sched_tick) */
	if (running_somewhere(t) || queued(t))
		return;
	queue_append(t);
	if (t->cpu != this_cpu()->id)
		arch_send_reschedule(t->cpu); /* it runs without waiting for that core's tick */
}

void sched_remove(struct tcb *t)
{
	if (queued(t))
		queue_unlink(t);
}

void sched_set_priority(struct tcb *t, unsigned prio)
{
	bool was_queued = queued(t);
	if (was_queued)
		queue_unlink(t);
	t->priority = (uint8_t)prio;
	if (was_queued)
		queue_append(t);
}

/* Sends the running thread to the tail of its queue with a fresh slice (it keeps running
 * only if nothing else of its priority is waiting). */
static void rotate_current(void)
{
	queue_append(current);
	current->timeslice = TIMESLICE_TICKS;
}

void sched_yield(void)
{
	if (current && current->state == THREAD_RUNNABLE)
		rotate_current();
}

void sched_tick(void)
{
	if (!current || current->state != THREAD_RUNNABLE)
		return;
	if (current->timeslice > 1)
		current->timeslice--;
	else
		rotate_current();
}

/* `t` cannot run: its VSpace was deleted or lost its ASID. Leaves it suspended. */
static void suspend_without_vspace(struct tcb *t)
{
	kprintf("sched: thread %lu has no valid VSpace: suspended\n", t->id);
	t->state = THREAD_INACTIVE;
}

/* `t` keeps the CPU, but a VSpace capability changed while it was in the kernel: perhaps
 * its own VSpace was replaced or deleted. Out of line, so the common return stays short. */
static __attribute__((noreturn, noinline)) void keep_running_checked(struct tcb *t)
{
	if (arch_keep_running(t))
		arch_return_to_user(t);
	suspend_without_vspace(t);
	schedule_and_return();
}

void schedule_and_return(void)
{
	struct sched_cpu *sc = &this_cpu()->sched;
	struct tcb *cur = current;
	if (cur && cur->cpu != this_cpu()->id) {
		/* It was moved to another core (TCB_SET_AFFINITY) while it ran here. */
		current = NULL;
		if (cur->state == THREAD_RUNNABLE)
			sched_make_runnable(cur);
		cur = NULL;
	}
	int prio = sc->top_queued;
	bool cur_runnable = cur && cur->state == THREAD_RUNNABLE && !queued(cur);
	if (cur_runnable && cur->priority >= prio) {
		if (arch_vspace_changed())
			keep_running_checked(cur);
		arch_return_to_user(cur);
	}
	if (prio < 0) {
		current = NULL;
		arch_idle_forever();
	}
	struct tcb *next = sc->queues[prio].head;
	queue_unlink(next);
	if (cur_runnable)
		queue_prepend(cur); /* preempted: first in line at its priority */
	if (next != cur) {
		current = next;
		arch_switch_to_user(cur, next);
		/* Its address space lost its ASID (pool deleted): it cannot run again. */
		current = cur;
		suspend_without_vspace(next);
		schedule_and_return();
	}
	if (arch_vspace_changed()) /* it yielded, and nothing else of its priority waits */
		keep_running_checked(next);
	arch_return_to_user(next);
}

unsigned sched_queued_on(unsigned cpu)
{
	const struct sched_cpu *sc = &cpus[cpu].sched;
	unsigned n = 0;
	for (int prio = sc->top_queued; prio >= 0; prio--) {
		for (const struct tcb *t = sc->queues[prio].head; t; t = t->sched_next)
			n++;
	}
	return n;
}

/* A bound on any run queue's length: more links than this means a cycle. */
#define AUDIT_MAX_QUEUE (1u << 20)

/* Checks one run queue: links both ways, the tail, every thread's priority and state. */
static void audit_queue(struct audit *a, const struct sched_cpu *sc, unsigned cpu, unsigned prio)
{
	const struct run_queue *q = &sc->queues[prio];
	const struct tcb *prev = NULL;
	unsigned n = 0;

	for (const struct tcb *t = q->head; t; prev = t, t = t->sched_next) {
		a->checked++;
		if (++n > AUDIT_MAX_QUEUE) {
			audit_fail(a, "run queue %u: cycle", prio);
			return;
		}
		if (t->sched_prev != prev)
			audit_fail(a, "run queue %u: thread %lu has a wrong back link", prio,
				   t->id);
		if (t->priority != prio)
			audit_fail(a, "run queue %u: thread %lu has priority %u", prio, t->id,
				   t->priority);
		if (t->state != THREAD_RUNNABLE)
			audit_fail(a, "run queue %u: thread %lu is not runnable (state %u)", prio,
				   t->id, (unsigned)t->state);
		if (t == cpus[cpu].cur)
			audit_fail(a, "run queue %u: the running thread %lu is queued", prio,
				   t->id);
		if (t->cpu != cpu)
			audit_fail(a, "run queue %u of core %u: thread %lu belongs to core %u",
				   prio, cpu, t->id, t->cpu);
	}
	if (q->tail != prev)
		audit_fail(a, "run queue %u: tail is not the last thread", prio);
	bool bit = sc->ready_bitmap[prio / 64] & (1ull << (prio % 64));
	if (bit != (q->head != NULL))
		audit_fail(a, "run queue %u: ready bit %u but queue %s", prio, bit,
			   q->head ? "non-empty" : "empty");
}

/* Checks one core's queues and bitmaps. */
static void audit_cpu(struct audit *a, unsigned cpu)
{
	const struct sched_cpu *sc = &cpus[cpu].sched;
	for (unsigned prio = 0; prio < PRIO_LEVELS; prio++)
		audit_queue(a, sc, cpu, prio);
	for (unsigned w = 0; w < PRIO_LEVELS / 64; w++) {
		if (((sc->ready_words >> w) & 1) != (sc->ready_bitmap[w] != 0))
			audit_fail(a, "core %u: ready_words bit %u disagrees with its bitmap word",
				   cpu, w);
	}
	if (sc->top_queued != bitmap_top(sc))
		audit_fail(a, "core %u: cached highest queued priority %d, the bitmap says %d", cpu,
			   sc->top_queued, bitmap_top(sc));
	/* The auditing thread may have just moved itself (it leaves on the way out). */
	const struct tcb *cur = cpus[cpu].cur;
	if (cur && cur->cpu != cpu && cpu != this_cpu()->id)
		audit_fail(a, "core %u runs thread %lu of core %u", cpu, cur->id, cur->cpu);
	if (cur && cur->state != THREAD_RUNNABLE && cpu != this_cpu()->id)
		audit_fail(a, "core %u runs thread %lu, which is not runnable (state %u)", cpu,
			   cur->id, (unsigned)cur->state);
}

void sched_audit(struct audit *a)
{
	for (unsigned cpu = 0; cpu < smp_ncpus; cpu++)
		audit_cpu(a, cpu);
}
