/*
 * crasher: a small program that misbehaves on purpose, for memtest. memsrv starts it with
 * MEMSRV_SPAWN; the spawn argument (x1) selects what it does:
 *
 *   bits 0..7   mode (enum crasher_mode)
 *   bits 8..23  CRASH_ISOLATION: the address space to try to reach (another one: 0 or the
 *               crasher's own id exits with code 2 before any request)
 *   bits 32..63 CRASH_EXIT: the exit code
 */
#pragma once

enum crasher_mode {
	CRASH_EXIT = 0,           /* return the given code from main (crt0 sends MEMSRV_EXIT) */
	CRASH_STACK_OVERFLOW = 1, /* recurse until the stack's guard page */
	CRASH_UNMAPPED = 2,       /* read an address outside every VMA */
	CRASH_PERMISSION = 3,     /* write to a read-only VMA */
	CRASH_QUOTA = 4,          /* touch lazy pages until the quota runs out */
	CRASH_ISOLATION = 5,      /* act on another address space: all must be E_RIGHTS */
	CRASH_WAIT = 6,           /* yield for good (until killed) */
	CRASH_EXEC = 7,           /* jump into a non-executable page */
	CRASH_UNDEFINED = 8,      /* execute an undefined instruction */
	CRASH_LAZY_EXIT = 9,      /* touch 8 lazy pages, then exit 0 (reclaim of a process) */
	CRASH_HELD_ORPHAN = 10,   /* spawn a crasher (mode 6) held, never start it, exit with its
				   * id (0 if the spawn failed: it needs the control right) */
};

#define CRASH_ARG(mode, target, code) \
	((uint64_t)(mode) | (uint64_t)(target) << 8 | (uint64_t)(uint32_t)(code) << 32)
