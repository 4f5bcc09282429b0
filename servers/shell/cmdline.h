/*
 * Command-line parsing for the shell: splitting a line into arguments, and reading the
 * numbers and protection strings that commands take. Pure functions, no allocation.
 */
#pragma once

#include <stdint.h>

#define CMDLINE_MAX_ARGS 16

/* Protection bits, the same values as MEMSRV_PROT_R/W/X. */
#define CMDLINE_PROT_R 1u
#define CMDLINE_PROT_W 2u
#define CMDLINE_PROT_X 4u

/* Errors; each has a message from cmdline_strerror. */
enum cmdline_error {
	CMDLINE_OK = 0,
	CMDLINE_ERR_QUOTE = -1,      /* a double quote is never closed */
	CMDLINE_ERR_TOO_MANY = -2,   /* more than CMDLINE_MAX_ARGS arguments */
	CMDLINE_ERR_EMPTY = -3,      /* an empty string where a number was expected */
	CMDLINE_ERR_NOT_NUMBER = -4, /* no digits where the number should start */
	CMDLINE_ERR_JUNK = -5,       /* characters after the number (and its suffix) */
	CMDLINE_ERR_OVERFLOW = -6,   /* the value does not fit in 64 bits */
	CMDLINE_ERR_PROT = -7,       /* not a protection string */
	CMDLINE_ERR_END = -8,
};

/* A one-line English message for a cmdline error code ("unknown error" for others). */
const char *cmdline_strerror(int err);

/*
 * Splits `line` in place into arguments: runs of spaces and tabs separate them, and text in
 * double quotes is kept together (spaces included, quotes removed; "" is an empty argument,
 * and a"b c"d is one argument "ab cd"). There are no escapes. Fills argv[0..argc) with
 * pointers into `line` and sets argv[argc] = NULL. Returns argc (0 for a blank line),
 * CMDLINE_ERR_QUOTE if a quote is not closed, or CMDLINE_ERR_TOO_MANY past
 * CMDLINE_MAX_ARGS arguments. On error `line` and argv hold garbage.
 */
int cmdline_split(char *line, char *argv[CMDLINE_MAX_ARGS + 1]);

/*
 * Parses an unsigned 64-bit number: decimal ("4096", leading zeros allowed, no octal) or
 * hexadecimal after 0x/0X ("0x1000"), then an optional suffix K, M or G (either case)
 * multiplying by 2^10, 2^20 or 2^30. No sign, spaces or separators. Returns CMDLINE_OK
 * and sets *out, or CMDLINE_ERR_EMPTY, _NOT_NUMBER, _JUNK or _OVERFLOW leaving *out alone.
 */
int cmdline_parse_u64(const char *s, uint64_t *out);

/*
 * Parses a protection string into CMDLINE_PROT_* bits: either letters from "rwx" in that
 * order, each at most once ("r", "rw", "rx", "wx", "rwx", ...), or exactly three positions
 * "[r-][w-][x-]" ("r--", "rw-", "r-x", "---" is 0). Lower case only. Whether a combination
 * is allowed (W^X, ...) is for the caller. Returns CMDLINE_OK and sets *prot, or
 * CMDLINE_ERR_PROT leaving *prot alone.
 */
int cmdline_parse_prot(const char *s, unsigned *prot);
