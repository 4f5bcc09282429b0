/* Untyped memory: retype into kernel objects, and the untyped capabilities made at boot. */
#pragma once

#include <stdint.h>

#include "object/cap.h"

struct bootmem;
struct bootinfo;

/* Size in bytes (as bits) of one object of `type` with the caller's `size_bits`
 * (meaningful for untyped and CNode); returns -1 if the combination is invalid. */
int object_size_bits(unsigned type, unsigned size_bits);

/*
 * Turns every free range of `bm` into untyped capabilities (naturally aligned power-of-two
 * blocks), placed in root CNode slots from `*next_slot` on, and the physical address
 * ranges outside RAM that the kernel does not use itself into device untypeds. Records
 * them in `bi` (untyped range and list) and advances *next_slot. The free ranges are
 * consumed: after this the kernel allocates nothing.
 */
void untyped_create_boot_caps(struct bootmem *bm, struct cte *root_slots, uint64_t nslots,
			      uint64_t *next_slot, struct bootinfo *bi);
