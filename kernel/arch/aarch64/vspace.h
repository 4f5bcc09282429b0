/*
 * User address spaces (TTBR0_EL1): descriptor encoding for user pages and tables, and the
 * one walker over a VSpace's tables. The walker never allocates: a caller that needs a
 * missing table allocates it (at boot from bootmem, later by retype) and installs it with
 * vspace_install_table, one level at a time.
 *
 * Levels are numbered as in <arch/pte.h>: the VSpace root is the L0 table; a page table
 * object is an L1, L2 or L3 table; 4 KiB pages are mapped by L3 entries.
 */
#pragma once

#include <arch/memlayout.h>
#include <arch/pte.h>
#include <stdbool.h>
#include <stdint.h>

/* User virtual addresses are [0, USER_VA_END): the lower half, 48 bits. */
#define USER_VA_END (UL(1) << VA_BITS)

/* The lowest and highest level of a page table object (the L0 table is the VSpace root). */
#define VSPACE_TABLE_LEVEL_MIN 1
#define VSPACE_TABLE_LEVEL_MAX 3
/* The level whose entries map 4 KiB pages. */
#define VSPACE_PAGE_LEVEL 3

/*
 * Encodes an L3 entry mapping the normal-memory 4 KiB frame at `pa` for EL0 with `rights`
 * (RIGHT_READ/WRITE/EXEC from <mica/objects.h>): AP[2:1] EL0 read-only, or read-write with
 * RIGHT_WRITE; UXN unless RIGHT_EXEC (and always with RIGHT_WRITE: W^X); PXN always; AF,
 * nG (ASID-tagged), inner shareable, write-back cacheable. AArch64 cannot make an EL0 page
 * writable or executable without making it readable, so every mapping is readable.
 * Requires `pa` page-aligned and below 2^48 (other bits are dropped).
 */
pte_t vspace_user_pte(paddr_t pa, unsigned rights);

/* As vspace_user_pte for a device frame: Device-nGnRE memory, never executable. */
pte_t vspace_user_device_pte(paddr_t pa, unsigned rights);

/*
 * Returns the entry for `va` in the table at `level` (0..3) of the VSpace whose L0 table is
 * at `l0`: the L0 entry for level 0, else the entry in the table that the level-1 entry
 * points to. Returns NULL if `va` is not a user address or a table above `level` is
 * missing (or a block maps the range). Reads only; the entry itself may be empty.
 */
pte_t *vspace_lookup(paddr_t l0, vaddr_t va, int level);

/* As vspace_lookup, and says why there is no entry: *err = E_RANGE (not a user address or
 * bad level), E_NOTABLE (a table above `level` is missing), E_MAPPED (a block covers it). */
pte_t *vspace_entry(paddr_t l0, vaddr_t va, int level, int *err);

/* Encodes an L2 block entry mapping the 2 MiB frame at `pa` (2 MiB aligned) with `rights`,
 * normal or device memory, with the same rules as vspace_user_pte. */
pte_t vspace_user_block_pte(paddr_t pa, unsigned rights, bool device);

/* The RIGHT_* an EL0 page or block entry grants (always RIGHT_READ). */
unsigned vspace_pte_rights(pte_t pte);

/* True if the valid entry `pte` at `level` points to a next-level table. */
bool vspace_pte_is_table(pte_t pte, int level);

/* The physical address an entry points to (table, page or block). */
paddr_t vspace_pte_address(pte_t pte);

/* The kernel's pointer to the table at physical address `table`. */
void *vspace_table_kva(paddr_t table);

/*
 * Installs the zeroed table at `table` as the level-`level` table (1..3) covering `va`, in
 * the entry of its parent (level - 1). The low bits of `va` below the range the table
 * covers are ignored. Returns E_OK; E_RANGE if `va` is not a user address, `level` is not
 * 1..3 or `table` is beyond 48 bits; E_ALIGN if `table` is not page-aligned; E_NOTABLE if
 * the parent is missing; E_MAPPED if the parent's entry is in use (or a block covers it).
 * The entry is visible to the table walker on return.
 */
int vspace_install_table(paddr_t l0, vaddr_t va, int level, paddr_t table);

/*
 * Installs the L3 entry `pte` (from vspace_user_pte) for the page at `va`. Returns E_OK;
 * E_ALIGN if `va` is not page-aligned; E_RANGE if it is not a user address; E_NOTABLE if
 * an L1, L2 or L3 table on the way is missing; E_MAPPED if the entry is in use (or a block
 * covers it). The entry is visible to the table walker on return; no TLB maintenance is
 * needed, since the entry was empty.
 */
int vspace_install_page(paddr_t l0, vaddr_t va, pte_t pte);

/*
 * Makes instructions written through the kernel alias of [pa, pa+size) visible to
 * instruction fetch: cleans the data cache to the point of unification and invalidates the
 * instruction caches. Call after loading code into frames and before running it.
 */
void vspace_sync_icache(paddr_t pa, uint64_t size);
