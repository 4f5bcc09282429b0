/*
 * Parsing memsrv's boot arguments. The command line is at most BOOTINFO_CMDLINE_MAX bytes and
 * is only read; names are copied into fixed arrays, so nothing here can overrun.
 */
#include "options.h"

#include <digit.h>
#include <string.h>

int options_number(const char *s, unsigned len, uint64_t *out)
{
	unsigned base = 10;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return -1;
	uint64_t v = 0;
	for (unsigned i = 0; i < len; i++) {
		unsigned d = digit_value(s[i]);
		if (d >= base || v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

/* Splits the comma-separated value [s, s+len) into `list`; returns the malformed names. */
static int parse_names(const char *s, unsigned len, struct name_list *list)
{
	int bad = 0;
	unsigned i = 0;
	list->count = 0;
	while (i < len) {
		unsigned n = 0;
		while (i + n < len && s[i + n] != ',')
			n++;
		if (n == 0 || n >= OPTIONS_NAME_MAX || list->count == OPTIONS_NAMES_MAX) {
			bad += n != 0;
		} else {
			memcpy(list->names[list->count], s + i, n);
			list->names[list->count][n] = '\0';
			list->count++;
		}
		i += n + 1;
	}
	return bad;
}

/* Whether the word [w, w+len) is `key` followed by '=' (sets *value) or is exactly `key`. */
static bool word_is(const char *w, unsigned len, const char *key, const char **value)
{
	unsigned k = (unsigned)strlen(key);
	if (len < k || memcmp(w, key, k) != 0)
		return false;
	if (len == k) {
		*value = NULL;
		return true;
	}
	if (w[k] != '=')
		return false;
	*value = w + k + 1;
	return true;
}

/* memsrv.failalloc's value "N" or "N,M" (N >= 1). Returns 0, or -1 if malformed. */
static int parse_fail(const char *s, unsigned len, struct memsrv_options *o)
{
	unsigned n = 0;
	while (n < len && s[n] != ',')
		n++;
	uint64_t nth, every = 0;
	if (options_number(s, n, &nth) != 0 || nth == 0)
		return -1;
	if (n < len && options_number(s + n + 1, len - n - 1, &every) != 0)
		return -1;
	o->fail_nth = nth;
	o->fail_every = every;
	return 0;
}

/* Applies one memsrv.* word; returns the number of malformed parts (0 or more). */
static int parse_word(const char *w, unsigned len, struct memsrv_options *o)
{
	const char *v;
	unsigned vlen;
	if (word_is(w, len, "memsrv.poweroff_when_idle", &v)) {
		o->poweroff_when_idle = true;
		return v != NULL;
	}
	if (word_is(w, len, "memsrv.seed", &v) && v) {
		vlen = (unsigned)(w + len - v);
		o->have_seed = options_number(v, vlen, &o->seed) == 0;
		return !o->have_seed;
	}
	if (word_is(w, len, "memsrv.quota", &v) && v) {
		vlen = (unsigned)(w + len - v);
		return options_number(v, vlen, &o->quota) != 0 || o->quota == 0;
	}
	if (word_is(w, len, "memsrv.as_max", &v) && v) {
		uint64_t n;
		if (options_number(v, (unsigned)(w + len - v), &n) || n == 0 || n > 65535)
			return 1;
		o->as_max = n;
		return 0;
	}
	if (word_is(w, len, "memsrv.arg", &v) && v)
		return options_number(v, (unsigned)(w + len - v), &o->arg) != 0;
	if (word_is(w, len, "memsrv.core", &v) && v) {
		o->have_core = options_number(v, (unsigned)(w + len - v), &o->core) == 0;
		return !o->have_core;
	}
	if (word_is(w, len, "memsrv.failalloc", &v) && v)
		return parse_fail(v, (unsigned)(w + len - v), o) != 0;
	if (word_is(w, len, "memsrv.spawn", &v) && v) {
		o->have_spawn = true;
		return parse_names(v, (unsigned)(w + len - v), &o->spawn);
	}
	if (word_is(w, len, "memsrv.control", &v) && v)
		return parse_names(v, (unsigned)(w + len - v), &o->control);
	if (word_is(w, len, "memsrv.uart", &v) && v)
		return parse_names(v, (unsigned)(w + len - v), &o->uart);
	return 1;
}

int options_parse(const char *cmdline, struct memsrv_options *out)
{
	static const char prefix[] = "memsrv.";
	int bad = 0;
	memset(out, 0, sizeof(*out));
	const char *p = cmdline;
	while (*p) {
		while (*p == ' ')
			p++;
		unsigned len = 0;
		while (p[len] && p[len] != ' ')
			len++;
		if (len > sizeof(prefix) - 1 && memcmp(p, prefix, sizeof(prefix) - 1) == 0)
			bad += parse_word(p, len, out);
		p += len;
	}
	return bad;
}

/* Appends `name` (shorter than OPTIONS_NAME_MAX) to `list` if it has room and lacks it. */
static void add_name(struct name_list *list, const char *name)
{
	if (list->count == OPTIONS_NAMES_MAX || options_has(list, name))
		return;
	memcpy(list->names[list->count], name, strlen(name) + 1);
	list->count++;
}

void options_apply_defaults(struct memsrv_options *o)
{
	if (o->have_spawn)
		return;
	add_name(&o->spawn, OPTIONS_DEFAULT_PROGRAM);
	add_name(&o->control, OPTIONS_DEFAULT_PROGRAM);
	if (o->uart.count == 0)
		add_name(&o->uart, OPTIONS_DEFAULT_PROGRAM);
}

bool options_has(const struct name_list *list, const char *name)
{
	for (unsigned i = 0; i < list->count; i++) {
		if (strcmp(list->names[i], name) == 0)
			return true;
	}
	return false;
}
