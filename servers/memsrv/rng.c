/*
 * xorshift64*: a 64-bit xorshift state (shifts 12, 25, 27) whose output is multiplied by an
 * odd constant. Period 2^64 - 1; the state is never 0.
 */
#include "rng.h"

#define SPLITMIX_GAMMA 0x9e3779b97f4a7c15ull
#define XORSHIFT_MULT  0x2545f4914f6cdd1dull
#define NONZERO_STATE  0x853c49e6748fea9bull /* stands in if splitmix gives 0 */

void rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t z = seed + SPLITMIX_GAMMA;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	r->state = z ? z : NONZERO_STATE;
}

uint64_t rng_next(struct rng *r)
{
	uint64_t x = r->state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	return x * XORSHIFT_MULT;
}
