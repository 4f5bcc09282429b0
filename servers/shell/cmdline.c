/*
 * Command-line parsing for the shell (see cmdline.h): argument splitting, numbers and
 * protection strings. Everything here works on caller memory and never allocates.
 */
#include "cmdline.h"

#include <digit.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

const char *cmdline_strerror(int err)
{
	static const char *const messages[] = {
		"ok",
		"missing closing quote",
		"too many arguments (at most 16)",
		"empty number",
		"not a number",
		"unexpected characters after the number",
		"number too large (more than 64 bits)",
		"bad protection (use r, rw, rx, r--, rw-, r-x)",
	};
	if (err > 0 || err <= CMDLINE_ERR_END)
		return "unknown error";
	return messages[-err];
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Reads one argument starting at *pos (not blank, not the end), removing its quotes by
 * copying it down in place and NUL-terminating it. Leaves *pos after the argument and the
 * blank that ended it. Returns CMDLINE_OK or CMDLINE_ERR_QUOTE.
 * Invariant: w <= r, so the copy never overwrites bytes not yet read.
 */
static int split_word(char **pos)
{
	char *r = *pos, *w = *pos;
	bool quoted = false;
	char end;

	while (*r != 0 && (quoted || !is_blank(*r))) {
		if (*r == '"')
			quoted = !quoted;
		else
			*w++ = *r;
		r++;
	}
	if (quoted)
		return CMDLINE_ERR_QUOTE;
	end = *r;
	*w = 0;
	*pos = end != 0 ? r + 1 : r;
	return CMDLINE_OK;
}

int cmdline_split(char *line, char *argv[CMDLINE_MAX_ARGS + 1])
{
	char *pos = line;
	int argc = 0;

	for (;;) {
		while (is_blank(*pos))
			pos++;
		if (*pos == 0)
			break;
		if (argc == CMDLINE_MAX_ARGS)
			return CMDLINE_ERR_TOO_MANY;
		argv[argc++] = pos;
		int err = split_word(&pos);
		if (err != CMDLINE_OK)
			return err;
	}
	argv[argc] = NULL;
	return argc;
}

/* The shift a size suffix stands for (K 10, M 20, G 30, either case), or 0. */
static unsigned suffix_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	default:
		return 0;
	}
}

/*
 * Accumulates the digits of `base` at *pos into *value, leaving *pos after them.
 * Returns CMDLINE_OK, CMDLINE_ERR_NOT_NUMBER if there are none, or CMDLINE_ERR_OVERFLOW.
 */
static int parse_digits(const char **pos, unsigned base, uint64_t *value)
{
	const char *p = *pos;
	uint64_t v = 0;
	unsigned d;

	for (; (d = digit_value(*p)) < base; p++) {
		if (v > (UINT64_MAX - d) / base)
			return CMDLINE_ERR_OVERFLOW;
		v = v * base + d;
	}
	if (p == *pos)
		return CMDLINE_ERR_NOT_NUMBER;
	*pos = p;
	*value = v;
	return CMDLINE_OK;
}

int cmdline_parse_u64(const char *s, uint64_t *out)
{
	const char *p = s;
	unsigned base = 10, shift;
	uint64_t v;

	if (*s == 0)
		return CMDLINE_ERR_EMPTY;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		p += 2;
	}
	int err = parse_digits(&p, base, &v);
	if (err != CMDLINE_OK)
		return err;
	shift = suffix_shift(*p);
	if (shift != 0)
		p++;
	if (*p != 0)
		return CMDLINE_ERR_JUNK;
	if (v > UINT64_MAX >> shift)
		return CMDLINE_ERR_OVERFLOW;
	*out = v << shift;
	return CMDLINE_OK;
}

static const char prot_letters[] = "rwx"; /* letter i stands for bit 1 << i */

/* "[r-][w-][x-]": exactly three positions. Returns true and sets *bits if `s` is one. */
static bool prot_positional(const char *s, unsigned *bits)
{
	unsigned b = 0;

	if (strlen(s) != 3)
		return false;
	for (unsigned i = 0; i < 3; i++) {
		if (s[i] == prot_letters[i])
			b |= 1u << i;
		else if (s[i] != '-')
			return false;
	}
	*bits = b;
	return true;
}

/* A non-empty subsequence of "rwx". Returns true and sets *bits if `s` is one. */
static bool prot_compact(const char *s, unsigned *bits)
{
	unsigned b = 0, next = 0;

	if (*s == 0)
		return false;
	for (; *s != 0; s++) {
		while (next < 3 && prot_letters[next] != *s)
			next++;
		if (next == 3)
			return false;
		b |= 1u << next;
		next++;
	}
	*bits = b;
	return true;
}

int cmdline_parse_prot(const char *s, unsigned *prot)
{
	unsigned bits;

	if (!prot_positional(s, &bits) && !prot_compact(s, &bits))
		return CMDLINE_ERR_PROT;
	*prot = bits;
	return CMDLINE_OK;
}
