/*
 * What gen.c and gen_ops.c share: the generator's random stream and value pickers. Every
 * picker draws from struct fz_rng only, so an operation is a function of (seed, index).
 */
#pragma once

#include <mica/invocation.h>
#include <mica/objects.h>
#include <mica/syscall.h>
#include <stdint.h>

#include "gen.h"
#include "kfuzz.h"

struct fz_rng {
	uint64_t s;
};

/* The next 64 random bits (splitmix64). */
static inline uint64_t rng_next(struct fz_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A number in 0..n-1 (n > 0). */
static inline uint64_t rng_below(struct fz_rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

/* True with probability per_mille / 1000. */
static inline int rng_chance(struct fz_rng *r, unsigned per_mille)
{
	return rng_below(r, 1000) < per_mille;
}

/* A random element of a constant array. */
#define RNG_PICK(r, arr) ((arr)[rng_below((r), sizeof(arr) / sizeof((arr)[0]))])

/* One pool band: its slots and the object type retyped into it (0: none). */
struct fz_band_info {
	uint16_t start, count;
	uint8_t obj_type;
	uint8_t size_lo, size_hi; /* size_bits range of well-formed retypes */
};
extern const struct fz_band_info fz_bands[FZ_BANDS];

/* A slot of band b. */
uint64_t gen_band_slot(struct fz_rng *r, unsigned b);
/* Any pool slot (every band), or now and then an empty or out-of-range one. */
uint64_t gen_pool_slot(struct fz_rng *r);
/* A cptr that does not name a pool capability: 0, out of range, garbage. */
uint64_t gen_bad_cptr(struct fz_rng *r);
/* Virtual addresses: in the fuzz window (aligned to 2^align_bits), or hostile ones. */
uint64_t gen_window_va(struct fz_rng *r, unsigned align_bits);
uint64_t gen_hostile_va(struct fz_rng *r);
/* Frame rights, mostly valid. */
uint64_t gen_rights(struct fz_rng *r);
/* A hostile 64-bit value: 0, ~0, sign bits, near the limits of common ranges. */
uint64_t gen_hostile_word(struct fz_rng *r);
/* A VSpace to map into: the fuzzer's own or one of the pool. */
uint64_t gen_vspace(struct fz_rng *r);

/* Starts call *c as an invocation of `cptr` with `label` and `n` arguments (rest zero). */
void gen_invoke(struct fz_call *c, uint64_t cptr, uint64_t label, unsigned n, const uint64_t *args);

/* Per-object invocation builders (gen_ops.c): each fills one well-formed-looking call. */
void gen_untyped_op(struct fz_rng *r, struct fz_call *c);
void gen_cnode_op(struct fz_rng *r, struct fz_call *c);
void gen_tcb_op(struct fz_rng *r, const struct fz_gen_env *env, struct fz_call *c);
void gen_irq_op(struct fz_rng *r, struct fz_call *c);
void gen_frame_op(struct fz_rng *r, struct fz_call *c);
void gen_table_op(struct fz_rng *r, struct fz_call *c);
void gen_vspace_op(struct fz_rng *r, struct fz_call *c);
void gen_asid_op(struct fz_rng *r, struct fz_call *c);
void gen_replenish(struct fz_rng *r, struct fz_call *c);
/* A helper thread's start: pc, one of the helpers or a faulting address. */
uint64_t gen_helper_pc(struct fz_rng *r, const struct fz_gen_env *env);
