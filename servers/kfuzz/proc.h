/*
 * kfuzz's root side: the objects the root makes for the fuzzer and the canary, and how it
 * rebuilds the fuzzer (a "life") after it destroyed itself.
 *
 * Memory: three untypeds carved from the largest RAM untyped at start-up. `misc` holds the
 * root's own objects and the canary, which the fuzzer has no capability to; `region` is the
 * parent of each life's untyped L (FZ_LIFE_BITS): every object of the fuzzer process comes
 * from L, and the fuzzer holds L itself, so revoking L destroys the whole process. The root
 * ends a life by revoking `region`.
 */
#pragma once

#include <mica/bootinfo.h>
#include <stdbool.h>
#include <stdint.h>

#include "kfuzz.h"

#define FZ_LIFE_BITS    23  /* 8 MiB per life */
#define FZ_MISC_BITS    21  /* 2 MiB for the root's and the canary's objects */
#define FZ_LIFE_SLOTS   256 /* root slots a life may use */
#define FZ_TEXT_MAX     128 /* pages of text and rodata the root's image may have */
#define FZ_CHILD_BADGE  1   /* badges of the fault endpoint's copies */
#define FZ_CANARY_BADGE 2

/* A read-only page of the root's image, which the other processes map too. */
struct fz_text_page {
	cptr_t frame;
	uint64_t vaddr;
	unsigned rights;
};

struct fz_root {
	const struct bootinfo *bi;
	cptr_t next_slot; /* the next permanent root slot */
	cptr_t misc, region;
	cptr_t fault_ep;  /* the fuzzer's and canary's faults arrive here (the root receives) */
	cptr_t tick_ntfn; /* bound to the root's TCB; the ticker signals it */
	cptr_t ctl_frame; /* the control page */
	struct fz_ctl *ctl;
	struct fz_text_page text[FZ_TEXT_MAX];
	unsigned text_pages;
	/* the canary */
	cptr_t canary_ep, canary_reply_ep;
	cptr_t canary_mine; /* the root's copy of the canary's first page (mapped read-only) */
	uint64_t canary_seq;
	/* the current life: root slots life_base .. life_next */
	cptr_t life_base, life_next;
	cptr_t tcb, cspace, vspace, ipc_frame, fault_copy;
	unsigned lives;
	bool irq_control; /* the root still has IRQ control to lend */
};

/* Helpers of proc.c and life.c. `life`: a slot of the current life (emptied when it ends),
 * else a permanent one. */

/* A new root slot, or 0 if none is left. */
cptr_t fz_slot(struct fz_root *fr, bool life);

/* Retypes one object of `type` (size_bits for untyped and CNodes) from `ut` into a new
 * slot in *slot. Returns 0 or an error. */
int fz_make(struct fz_root *fr, bool life, cptr_t ut, unsigned type, unsigned bits, cptr_t *slot);

/* Maps `frame` at `va` in `vs` with `rights`, installing page tables from `ut` (in new
 * slots) on the way as needed; *l3 (if not NULL) gets the last table installed, or keeps
 * its value. Returns 0 or an error. */
int fz_map_page(struct fz_root *fr, bool life, cptr_t ut, cptr_t vs, cptr_t frame, uint64_t va,
		unsigned rights, cptr_t *l3);

/* Sets up the root's own objects (untypeds, endpoints, control page, ticker). Returns 0
 * or an error, after printing what failed. */
int fz_root_init(struct fz_root *fr, const struct bootinfo *bi);

/* Builds the canary process and fills its pages with the pattern. Returns 0 or an error. */
int fz_canary_init(struct fz_root *fr);

/* Asks the canary to check its pattern and compares it through the root's own read-only
 * mapping. Returns the number of wrong words, or -1 if the canary did not answer. */
long fz_canary_check(struct fz_root *fr);

/* Flips one bit of the canary's first page through the root's own mapping: a planted
 * damage (bootarg fuzz_plant_canary) that shows the check catches it. Returns 0 or an
 * error. */
int fz_canary_damage(struct fz_root *fr);

/* Builds a new fuzzer process and starts it at fz_child_main. Returns 0 or an error. */
int fz_life_start(struct fz_root *fr);

/* Destroys the current fuzzer process and everything it made. Returns 0 or an error. */
int fz_life_end(struct fz_root *fr);

/* Restarts the fuzzer's thread at fz_child_main (re-configured, priority reset). Returns 0,
 * or an error if its objects are gone (it destroyed itself): then a new life is needed. */
int fz_life_restart(struct fz_root *fr);
