/*
 * Thread wait queues: the doubly linked lists of threads blocked on an endpoint or a
 * notification (ipc.c, notification.c), linked through the TCB's wait_next/wait_prev.
 * A thread is in at most one queue, and its blocked_on names the object that queues it.
 */
#pragma once

#include <stddef.h>

#include "object/tcb.h"

/* Appends `t` to the queue [*head, *tail]. */
static inline void waitq_append(struct tcb **head, struct tcb **tail, struct tcb *t)
{
	t->wait_next = NULL;
	t->wait_prev = *tail;
	if (*tail)
		(*tail)->wait_next = t;
	else
		*head = t;
	*tail = t;
}

/* Removes `t` from the queue [*head, *tail] it is in and clears its blocked_on. */
static inline void waitq_remove(struct tcb **head, struct tcb **tail, struct tcb *t)
{
	if (t->wait_prev)
		t->wait_prev->wait_next = t->wait_next;
	else
		*head = t->wait_next;
	if (t->wait_next)
		t->wait_next->wait_prev = t->wait_prev;
	else
		*tail = t->wait_prev;
	t->wait_next = t->wait_prev = NULL;
	t->blocked_on = NULL;
}
