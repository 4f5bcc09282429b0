/*
 * Threads: more threads in a process's own address space (MEMSRV_THREAD_CREATE, _EXIT,
 * _INFO). Each gets a TCB from a cell (cells.h), a lazy stack of LAYOUT_STACK_PAGES pages
 * above a guard page and a one-page IPC buffer (eager, pinned while the thread lives), both
 * placed at random and counted against the process's quota, and a memsrv capability of its
 * own, badged like the process's plus MEMSRV_BADGE_THREAD(tid), in a user slot of the CNode:
 * it speaks for the process, and MEMSRV_THREAD_EXIT through it ends that thread. Its faults
 * go to the pager as the process's do (a fatal one ends the whole process). A process may
 * run MEMSRV_THREADS_MAX threads besides its first; they all end with it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "aspace.h"
#include "handlers.h"

/* Ends every thread of `as` (its process is ending) and forgets them. */
void threads_release(struct aspace *as);

/* Whether [start, start + length) of `as` touches a live thread's IPC buffer. */
bool threads_pinned(const struct aspace *as, uint64_t start, uint64_t length);

/* The cores of `as`'s running threads: byte tid - 1 per thread, MEMSRV_CORE_NONE if none. */
uint64_t threads_cores(const struct aspace *as);

/* MEMSRV_THREAD_CREATE: pc, x0, x1, priority, [flags: MEMSRV_CORE] -> thread id; E_RANGE
 * for a core not online, E_INVAL for other flags (checked before anything is made). */
int handle_thread_create(struct call *c);

/* MEMSRV_THREAD_EXIT: code (through the thread's own capability; no reply). */
int handle_thread_exit(struct call *c);

/* MEMSRV_THREAD_INFO: thread id -> state, exit code. */
int handle_thread_info(struct call *c);
