/*
 * Children: MEMSRV_SPAWN_ARGV (a program started with string arguments: main(argc, argv))
 * and MEMSRV_WAIT (the parent waits for a child to end and gets its state word). A wait on a
 * running child keeps the caller's reply right in a slot of memsrv's (CNODE_SAVE_CALLER)
 * and answers when the child ends; a waiter that ends first just loses its wait.
 */
#pragma once

#include "aspace.h"
#include "handlers.h"

/* The MEMSRV_PS state word of a process record. */
uint64_t children_state_word(const struct process *p);

/* The process of `as` has ended: answers its parent if the parent waits for it. */
void children_ended(struct aspace *as);

/* The process of `as` is ending: drops its pending wait, if any. */
void children_forget(struct aspace *as);

/* MEMSRV_SPAWN_ARGV: priority, flags, quota, argc, strings -> process id. */
int handle_spawn_argv(struct call *c);

/* MEMSRV_WAIT: process id -> state word (now, or once the child has ended). */
int handle_wait(struct call *c);

/* MEMSRV_START: process id (a held child of the caller) -> its thread starts. */
int handle_start(struct call *c);
