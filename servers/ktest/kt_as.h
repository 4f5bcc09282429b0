/*
 * Address spaces of a test's own: a fresh VSpace with an ASID in which helper
 * threads (kt_thread_opts.as) run the root's own code at the root's own addresses.
 *
 * What such a space maps:
 *
 *   [__user_start, _end)  the root's program image: copies of the root's frame capabilities,
 *                         with the rights the root maps them with (text R+X, rodata R, data
 *                         and bss R+W). Same physical pages, so data and bss are memory
 *                         shared with the root: helpers report results through globals.
 *   KT_AS_PAGE            a private page, R+W: tests use its first words; the IPC buffer
 *                         of a helper with .ipc is at KT_AS_IPC in it
 *   KT_AS_STACK           a stack page, R+W, with an unmapped guard page below it
 *
 * and four page tables: L1, L2 and L3 for the image, an L3 for the private pages. Nothing
 * else (no boot-info page, no root stack, no archive).
 *
 * Also the helpers the address-space tests (t_vspace*.c, t_asid.c) share: a probe thread
 * that makes one access and reports how it ended, the kernel counters, test mappings.
 */
#pragma once

#include <stdint.h>

#include "ktest.h"

#define KT_AS_PAGE      0x800000ull
#define KT_AS_IPC       (KT_AS_PAGE + 0x800)
#define KT_AS_STACK     (KT_AS_PAGE + 0x2000)
#define KT_AS_STACK_TOP (KT_AS_STACK + 0x1000)
#define KT_AS_TABLES    4
#define KT_AS_IMAGE_MAX 256 /* image pages kt_as_new can map */

struct kt_as {
	cptr_t vspace;        /* root slot of its VSpace capability */
	uint64_t asid;        /* its software ASID */
	cptr_t page;          /* frame of the private page (mapped at KT_AS_PAGE) */
	cptr_t stack;         /* frame of the stack page */
	unsigned image_pages; /* pages of the root's image it maps */
};

/*
 * Makes the address space `as` from `untyped` (0: the test's own; about 28 KiB) with an
 * ASID from `pool`,
 * using 7 root slots plus one per image page. Returns 0 or the first error (recorded as a
 * failure).
 */
int kt_as_new(struct kt_as *as, cptr_t untyped, cptr_t pool);

/* The pages kt_as_new maps in every space: the image plus the private and stack pages. */
unsigned kt_as_mapped_pages(void);

/* Addresses the address-space tests use. */
#define KT_PAGE        4096ull
#define KT_BLOCK       (1ull << 21)
#define KT_TEST_VA     0x20000000ull /* free in the root's space: tests add an L3 table */
#define KT_BLOCK_VA    0x20400000ull /* a free 2 MiB slot of the root's space */
#define KT_SPACE_VA    0x40000000ull /* where tests map into fresh VSpaces */
#define KT_PROBE_VALUE 0x5709e5ull   /* what kt_probe_store writes */

#define KT_RW          (RIGHT_READ | RIGHT_WRITE)
#define KT_RX          (RIGHT_READ | RIGHT_EXEC)

/* ESR_EL1 fields of an abort (Arm ARM D17.2.40). */
#define ESR_EC(esr)            ((esr) >> 26)
#define ESR_WNR                (1ull << 6)
#define ESR_FSC(esr)           ((esr)&0x3f)
#define EC_IABT_LOWER          0x20
#define EC_DABT_LOWER          0x24
#define FSC_TRANSLATION(level) (0x04u + (level))
#define FSC_PERMISSION(level)  (0x0cu + (level))

/* What the thread of kt_probe got to do. */
struct kt_probed {
	uint64_t done;   /* it got past its access */
	uint64_t result; /* what its load returned */
};
extern volatile struct kt_probed kt_probed;

/* Probe accesses (kt_fn): a load, a store of KT_PROBE_VALUE, a jump to `addr`; nothing. */
void kt_probe_load(uint64_t addr);
void kt_probe_store(uint64_t addr);
void kt_probe_jump(uint64_t addr);
void kt_do_nothing(uint64_t arg);

/*
 * Runs fn(arg) in a fresh helper thread (priority 100, in `as` or the root's space if NULL)
 * whose faults go to a fresh endpoint, until it has finished or faulted. Returns the fault
 * message's label with the message in *m, 0 if it did not fault, ~0 if it could not start.
 */
uint64_t kt_probe(kt_fn fn, uint64_t arg, const struct kt_as *as, struct mica_msg *m);

/* Checks that *m reports a VM fault at `addr` by the instruction at `pc`, with `access` and
 * fault status code `fsc`. A macro, so failures name the test's line. */
#define CHECK_VM_FAULT(m, addr, pc, access, fsc)                                         \
	do {                                                                             \
		CHECK_EQ((m)->label, FAULT_LABEL(FAULT_VM));                             \
		CHECK_EQ((m)->mr[0], (addr));                                            \
		CHECK_EQ((m)->mr[1], (uint64_t)(pc));                                    \
		CHECK_EQ((m)->mr[2], (access));                                          \
		CHECK_EQ(ESR_EC((m)->mr[3]),                                             \
			 (access) == FAULT_ACCESS_EXEC ? EC_IABT_LOWER : EC_DABT_LOWER); \
		CHECK_EQ(ESR_FSC((m)->mr[3]), (fsc));                                    \
	} while (0)

/* Checks a VSpace's installed table pages and mapped 4 KiB pages (VSPACE_INFO). */
#define CHECK_INFO(vs, tables, pages)                           \
	do {                                                    \
		struct mica_vspace_info info_;                  \
		if (CHECK_OK(mica_vspace_info((vs), &info_))) { \
			CHECK_EQ(info_.table_pages, (tables));  \
			CHECK_EQ(info_.mapped_pages, (pages));  \
		}                                               \
	} while (0)

/* One kernel counter (enum kernel_stat); 0 with a failure recorded if it cannot be read. */
uint64_t kt_kstat(unsigned which);

/* Maps a fresh L3 table for KT_TEST_VA into the root's space; returns its slot or 0. */
cptr_t kt_map_test_table(void);

/* A page table and a frame mapped at KT_TEST_VA in the root's space. */
struct kt_test_page {
	cptr_t table, frame;
};

/* Maps a fresh L3 table and a fresh frame with `rights` at KT_TEST_VA. Returns false (with
 * a failure recorded) if it could not. */
bool kt_map_test_page(unsigned rights, struct kt_test_page *p);

/* A fresh VSpace with an ASID from the first pool and L1, L2 and L3 tables for
 * KT_SPACE_VA (from the test's untyped). Returns its slot or 0. */
cptr_t kt_space_with_tables(void);
