/*
 * Fixed-priority round-robin scheduling.
 *
 * Every runnable thread, including the running one, is in the queue of its priority; the
 * running thread is the head of the highest non-empty queue unless something of higher
 * priority became runnable. A bitmap of non-empty queues finds the highest in a few
 * instructions. Rotation (tick, yield) moves the head to the tail.
 */
#include "sched.h"

#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "object/tcb.h"
#include "stats.h"

#define PRIO_LEVELS 256

struct run_queue {
	struct tcb *head, *tail;
};

struct tcb *current;
static struct run_queue queues[PRIO_LEVELS];
static uint64_t ready_bitmap[PRIO_LEVELS / 64];

static void queue_append(struct tcb *t)
{
	struct run_queue *q = &queues[t->priority];
	t->sched_next = NULL;
	t->sched_prev = q->tail;
	if (q->tail)
		q->tail->sched_next = t;
	else
		q->head = t;
	q->tail = t;
	ready_bitmap[t->priority / 64] |= 1ull << (t->priority % 64);
}

static void queue_unlink(struct tcb *t)
{
	struct run_queue *q = &queues[t->priority];
	if (t->sched_prev)
		t->sched_prev->sched_next = t->sched_next;
	else
		q->head = t->sched_next;
	if (t->sched_next)
		t->sched_next->sched_prev = t->sched_prev;
	else
		q->tail = t->sched_prev;
	t->sched_next = t->sched_prev = NULL;
	if (!q->head)
		ready_bitmap[t->priority / 64] &= ~(1ull << (t->priority % 64));
}

/* True if `t` is linked into a run queue. */
static bool queued(const struct tcb *t)
{
	return t->sched_prev || queues[t->priority].head == t;
}

void sched_make_runnable(struct tcb *t)
{
	t->state = THREAD_RUNNABLE;
	if (!queued(t))
		queue_append(t);
	if (t->timeslice == 0)
		t->timeslice = TIMESLICE_TICKS;
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

/* Moves `t` (runnable, queued) to the tail of its priority and refills its slice. */
static void rotate(struct tcb *t)
{
	queue_unlink(t);
	queue_append(t);
	t->timeslice = TIMESLICE_TICKS;
}

void sched_yield(void)
{
	if (current && current->state == THREAD_RUNNABLE)
		rotate(current);
}

void sched_tick(void)
{
	if (!current || current->state != THREAD_RUNNABLE)
		return;
	if (current->timeslice > 1) {
		current->timeslice--;
		return;
	}
	rotate(current);
}

/* The head of the highest non-empty queue, or NULL. */
static struct tcb *highest_runnable(void)
{
	for (int i = PRIO_LEVELS / 64 - 1; i >= 0; i--) {
		if (ready_bitmap[i]) {
			unsigned prio =
			    64 * (unsigned)i + 63 - (unsigned)__builtin_clzll(ready_bitmap[i]);
			return queues[prio].head;
		}
	}
	return NULL;
}

void schedule_and_return(void)
{
	struct tcb *next = highest_runnable();
	if (!next) {
		current = NULL;
		arch_idle_forever();
	}
	if (next != current) {
		stats.context_switches++;
		arch_switch_to(current, next);
		current = next;
	}
	arch_return_to_user(next);
}
