/*
 * memsrv's placement generator: xorshift64* (Vigna), seedable so that a fixed seed makes every
 * randomised placement reproducible. Pure code, host-tested (tests/unit/test_memsrv_rng.c).
 */
#pragma once

#include <stdint.h>

struct rng {
	uint64_t state; /* never 0 */
};

/*
 * Seeds `r` from any 64-bit value: the seed goes through one splitmix64 step, so nearby seeds
 * (1, 2, ...) give unrelated sequences and seed 0 is as good as any other.
 */
void rng_seed(struct rng *r, uint64_t seed);

/* The next 64-bit value of the sequence. Requires a seeded `r`. */
uint64_t rng_next(struct rng *r);
