/*
 * memsrv's boot arguments, read from bootinfo->cmdline (space-separated words):
 *
 *   memsrv.seed=N             seed of the placement generator (decimal or 0x hex);
 *                             without it memsrv seeds from the counter (CNTVCT_EL0)
 *   memsrv.spawn=a,b          programs of the boot archive to start at boot, in order
 *   memsrv.control=a,b        programs whose memsrv capability carries MEMSRV_R_CONTROL
 *   memsrv.uart=a             the program that gets the console UART (docs/memsrv.md,
 *                             "Console"); only the first one started gets it
 *   memsrv.quota=N            default quota of a new address space, in pages
 *   memsrv.as_max=N           live address spaces memsrv allows at once, 1..65535
 *                             (default ASPACE_DEFAULT_LIVE_MAX, aspace.h)
 *   memsrv.poweroff_when_idle power the machine off when the last process has ended
 *   memsrv.arg=N              x1 (the spawn argument) of every boot program (default 0)
 *   memsrv.core=N             every process and thread on core N unless its request names
 *                             a core (default: spread over the cores, cores.h); the
 *                             benchmarks use memsrv.core=0 to measure one core's paths
 *   memsrv.failalloc=N[,M]    debug builds: the Nth allocation after boot fails, then every
 *                             Mth (alloc.h, fault injection)
 *
 * Pure code, host-tested (tests/unit/test_memsrv_options.c).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define OPTIONS_NAMES_MAX 8  /* programs per list */
#define OPTIONS_NAME_MAX  32 /* bytes per name, NUL included */

struct name_list {
	unsigned count;
	char names[OPTIONS_NAMES_MAX][OPTIONS_NAME_MAX];
};

struct memsrv_options {
	bool have_seed;
	uint64_t seed;
	uint64_t quota;  /* 0: not given */
	uint64_t as_max; /* 0: not given */
	bool poweroff_when_idle;
	uint64_t arg;   /* x1 of the boot programs */
	bool have_core; /* memsrv.core was given */
	uint64_t core;
	uint64_t fail_nth; /* memsrv.failalloc: 0 not given */
	uint64_t fail_every;
	bool have_spawn; /* memsrv.spawn was given (even empty) */
	struct name_list spawn;
	struct name_list control;
	struct name_list uart;
};

#define OPTIONS_DEFAULT_PROGRAM "shell" /* started when memsrv.spawn is not given */

/*
 * Parses the memsrv.* words of `cmdline` into *out (other words are ignored). Returns the
 * number of memsrv.* words that were malformed (a bad number, too many or too long names,
 * an unknown memsrv.* key); those are skipped, everything else is still applied.
 */
int options_parse(const char *cmdline, struct memsrv_options *out);

/*
 * The boot without memsrv.spawn: starts OPTIONS_DEFAULT_PROGRAM with the control right and
 * the console (spawn, control and uart all name it). Changes nothing if memsrv.spawn was given.
 */
void options_apply_defaults(struct memsrv_options *o);

/* Whether `name` is in `list`. */
bool options_has(const struct name_list *list, const char *name);

/*
 * Parses a decimal or 0x-prefixed hexadecimal number of exactly `len` characters at s.
 * Returns 0 and sets *out, or -1 if it is empty, has other characters, or overflows.
 */
int options_number(const char *s, unsigned len, uint64_t *out);
