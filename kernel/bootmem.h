/*
 * The boot-time physical memory map and early allocator.
 *
 * Built from the device tree before anything else allocates: RAM ranges are added, then
 * everything already in use (the kernel image, the DTB, firmware reservations) is
 * reserved. What remains is free, page-aligned memory; the early allocator hands out pages
 * from it (lowest address first) for the kernel's own tables, recording each allocation as
 * a reservation so the printed map accounts for every byte. After boot the free ranges are
 * what the kernel turns into untyped memory; nothing is allocated from them afterwards.
 *
 * Pure C with fixed-size arrays: no allocation, no arch dependencies, host-tested.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define BOOTMEM_MAX_RAM      8
#define BOOTMEM_MAX_RESERVED 32
#define BOOTMEM_MAX_FREE     32
#define BOOTMEM_MAX_DEVICE   8
#define BOOTMEM_PAGE         ((uint64_t)4096)

struct bootmem_range {
	uint64_t base;
	uint64_t size;
	const char *what; /* for reservations: who holds it ("kernel image", "dtb", ...) */
};

struct bootmem {
	struct bootmem_range ram[BOOTMEM_MAX_RAM];
	int n_ram;
	struct bootmem_range reserved[BOOTMEM_MAX_RESERVED];
	int n_reserved;
	struct bootmem_range free[BOOTMEM_MAX_FREE]; /* sorted, disjoint, page-aligned */
	int n_free;
	/* Device windows the device tree declares (a bus's `ranges`), never RAM: they become
	 * device untyped memory wherever they lie, also above RAM or inside a /memory range. */
	struct bootmem_range device[BOOTMEM_MAX_DEVICE];
	int n_device;
};

/* Error codes (negative). */
#define BOOTMEM_ERR_FULL  (-1) /* a fixed-size table is full */
#define BOOTMEM_ERR_RANGE (-2) /* empty, wrapping or overlapping range */

/* Empties the map. */
void bootmem_init(struct bootmem *bm);

/*
 * Adds a RAM range; its page-aligned interior becomes free. Returns 0, BOOTMEM_ERR_RANGE
 * (empty, ends past 2^64 - 1, or overlaps RAM already added) or BOOTMEM_ERR_FULL.
 */
int bootmem_add_ram(struct bootmem *bm, uint64_t base, uint64_t size);

/*
 * Records a device window [base, base+size) (added before the RAM, so add_ram can leave it
 * out). Returns 0, BOOTMEM_ERR_RANGE (empty or wrapping) or BOOTMEM_ERR_FULL.
 */
int bootmem_add_device(struct bootmem *bm, uint64_t base, uint64_t size);

/*
 * Adds [base, base+size) as RAM except where it overlaps a device window (a board may put
 * its peripherals inside what /memory calls RAM), as up to BOOTMEM_MAX_DEVICE + 1 pieces.
 * Returns 0, or the first error of bootmem_add_ram (the other pieces are still added).
 */
int bootmem_add_ram_outside_devices(struct bootmem *bm, uint64_t base, uint64_t size);

/*
 * Marks [base, base+size) in use by `what` (widened to whole pages); parts outside RAM
 * or already reserved are fine. Returns 0, BOOTMEM_ERR_RANGE (empty or ending past 2^64 - 1) or
 * BOOTMEM_ERR_FULL.
 */
int bootmem_reserve(struct bootmem *bm, uint64_t base, uint64_t size, const char *what);

/*
 * Allocates `size` bytes (rounded up to pages) aligned to `align` (a power of two, at
 * least a page) from the lowest free address that fits, and records it as reserved by
 * `what`. Returns the physical address, or 0 if nothing fits or a table is full.
 */
uint64_t bootmem_alloc(struct bootmem *bm, uint64_t size, uint64_t align, const char *what);

/* Sum of the RAM ranges and of the free ranges, in bytes. */
uint64_t bootmem_ram_bytes(const struct bootmem *bm);
uint64_t bootmem_free_bytes(const struct bootmem *bm);

/* True if [base, base+size) lies entirely inside one free range. */
bool bootmem_is_free(const struct bootmem *bm, uint64_t base, uint64_t size);
