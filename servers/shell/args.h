/*
 * Argument checking for the shell's commands: argv words become request arguments, and a bad
 * word gets a message that names it and says what is wrong ("bad LEN '12x': unexpected
 * characters after the number"). Pure functions (host-tested: tests/unit/test_shell_args.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARGS_AS_MAX  1023 /* memsrv's address-space ids are 1..1023 */
#define ARGS_WHY_MAX 128  /* room for any message here */

/* `vma map` arguments. */
struct args_map {
	unsigned as;
	uint64_t addr; /* 0: memsrv places it ("auto") */
	uint64_t length;
	unsigned prot;  /* MEMSRV_PROT_* */
	unsigned kind;  /* MEMSRV_KIND_ANON or MEMSRV_KIND_STACK */
	unsigned flags; /* MEMSRV_MAP_EAGER or 0 */
};

/* `vma unmap` and `vma protect` arguments. */
struct args_range {
	unsigned as;
	uint64_t addr, length;
	unsigned prot; /* protect only */
};

/*
 * Parses number `word` (cmdline_parse_u64: decimal, 0x hex, K/M/G suffixes) for the argument
 * named `what`. Returns 0 and *out, or -1 with a message in why[0..size).
 */
int args_number(const char *what, const char *word, uint64_t *out, char *why, size_t size);

/* Parses an address-space id (1..ARGS_AS_MAX). Returns 0 and *out, or -1 and a message. */
int args_as_id(const char *word, unsigned *out, char *why, size_t size);

/* Parses a quota in pages (0: memsrv's default, at most MEMSRV_QUOTA_MAX = 2^24). Returns 0
 * and *out, or -1 and a message that states the limit. */
int args_quota(const char *word, uint64_t *out, char *why, size_t size);

/*
 * Parses "ID ADDR|auto LEN PROT [anon|stack] [eager|lazy]" from argv[0..argc) (the words
 * after "vma map"; the last two in either order). Returns 0 and *out, or -1 and a message.
 * Whether memsrv accepts the values (alignment, W^X, overlaps) is memsrv's to say.
 */
int args_map(int argc, char **argv, struct args_map *out, char *why, size_t size);

/*
 * Parses "ID ADDR LEN" (with_prot: "ID ADDR LEN PROT") from argv[0..argc). Returns 0 and
 * *out, or -1 and a message.
 */
int args_range(int argc, char **argv, bool with_prot, struct args_range *out, char *why,
	       size_t size);
