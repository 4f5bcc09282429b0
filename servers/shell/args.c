/*
 * Argument checking (args.h). Every message has the form "bad WHAT 'word': reason" or says
 * how many words were expected, so the user can see which word to fix.
 */
#include "args.h"

#include <mica/memsrv.h>
#include <stdio.h>
#include <string.h>

#include "cmdline.h"

int args_number(const char *what, const char *word, uint64_t *out, char *why, size_t size)
{
	int err = cmdline_parse_u64(word, out);
	if (err == CMDLINE_OK)
		return 0;
	snprintf(why, size, "bad %s '%.24s': %s", what, word, cmdline_strerror(err));
	return -1;
}

int args_as_id(const char *word, unsigned *out, char *why, size_t size)
{
	uint64_t v;
	if (args_number("ID", word, &v, why, size))
		return -1;
	if (v == 0 || v > ARGS_AS_MAX) {
		snprintf(why, size, "bad ID '%.24s': address-space ids are 1..%d", word,
			 ARGS_AS_MAX);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int args_quota(const char *word, uint64_t *out, char *why, size_t size)
{
	uint64_t v;
	if (args_number("QUOTA", word, &v, why, size))
		return -1;
	if (v > MEMSRV_QUOTA_MAX) {
		snprintf(why, size, "bad QUOTA '%.24s': at most 2^24 pages (%llu)", word,
			 (unsigned long long)MEMSRV_QUOTA_MAX);
		return -1;
	}
	*out = v;
	return 0;
}

/* Parses protection `word` into *prot. */
static int args_prot(const char *word, unsigned *prot, char *why, size_t size)
{
	if (cmdline_parse_prot(word, prot) == CMDLINE_OK)
		return 0;
	snprintf(why, size, "bad PROT '%.24s': %s", word, cmdline_strerror(CMDLINE_ERR_PROT));
	return -1;
}

/* Applies one optional `vma map` word (a kind or a backing) to *m. */
static int map_option(const char *word, struct args_map *m, char *why, size_t size)
{
	if (strcmp(word, "anon") == 0)
		m->kind = MEMSRV_KIND_ANON;
	else if (strcmp(word, "stack") == 0)
		m->kind = MEMSRV_KIND_STACK;
	else if (strcmp(word, "eager") == 0)
		m->flags = MEMSRV_MAP_EAGER;
	else if (strcmp(word, "lazy") == 0)
		m->flags = 0;
	else {
		snprintf(why, size, "bad option '%.24s': expected anon, stack, eager or lazy",
			 word);
		return -1;
	}
	return 0;
}

int args_map(int argc, char **argv, struct args_map *out, char *why, size_t size)
{
	struct args_map m = { .kind = MEMSRV_KIND_ANON };
	if (argc < 4 || argc > 6) {
		snprintf(why, size,
			 "expected ID ADDR|auto LEN PROT [anon|stack] [eager|lazy], "
			 "got %d word%s",
			 argc, argc == 1 ? "" : "s");
		return -1;
	}
	if (args_as_id(argv[0], &m.as, why, size))
		return -1;
	if (strcmp(argv[1], "auto") != 0 && args_number("ADDR", argv[1], &m.addr, why, size))
		return -1;
	if (strcmp(argv[1], "auto") != 0 && m.addr == 0) {
		snprintf(why, size,
			 "bad ADDR '0': page 0 is never mapped (use auto to let memsrv "
			 "place it)");
		return -1;
	}
	if (args_number("LEN", argv[2], &m.length, why, size) ||
	    args_prot(argv[3], &m.prot, why, size))
		return -1;
	for (int i = 4; i < argc; i++) {
		if (map_option(argv[i], &m, why, size))
			return -1;
	}
	*out = m;
	return 0;
}

int args_range(int argc, char **argv, bool with_prot, struct args_range *out, char *why,
	       size_t size)
{
	struct args_range r = { 0 };
	int want = with_prot ? 4 : 3;
	if (argc != want) {
		snprintf(why, size, "expected ID ADDR LEN%s, got %d word%s",
			 with_prot ? " PROT" : "", argc, argc == 1 ? "" : "s");
		return -1;
	}
	if (args_as_id(argv[0], &r.as, why, size) ||
	    args_number("ADDR", argv[1], &r.addr, why, size) ||
	    args_number("LEN", argv[2], &r.length, why, size))
		return -1;
	if (with_prot && args_prot(argv[3], &r.prot, why, size))
		return -1;
	*out = r;
	return 0;
}
