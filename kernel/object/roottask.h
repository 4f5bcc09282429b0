/* Creating the root task at boot: its objects, address space, image and boot-info page. */
#pragma once

#include <stdint.h>

struct bootmem;
struct cte;
struct tcb;

struct roottask {
	struct tcb *tcb;
	struct cte *cnode_slots; /* the root CNode's slots */
	uint64_t cnode_bits;
	uint64_t next_free_slot;   /* first slot not yet used */
	struct bootinfo *bootinfo; /* kernel alias of the boot-info page, to be completed */
};

/*
 * Loads the program named `name` from the boot archive linked into the kernel into a new
 * address space, with a stack, an IPC buffer and a boot-info page, and creates its TCB
 * (priority 255, left inactive: the caller makes it runnable once its untypeds exist), CNode and
 * capabilities. Memory comes from `bm`. Panics with a clear message if the archive or the program
 * is missing or malformed (a build error).
 */
void roottask_create(struct bootmem *bm, const char *name, const char *cmdline,
		     struct roottask *rt);
