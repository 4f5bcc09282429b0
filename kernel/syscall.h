/* The system-call entry point. */
#pragma once

struct tcb;

/* Handles the system call `t` just made (number in x8); results go to t's registers. */
void syscall_handle(struct tcb *t);
