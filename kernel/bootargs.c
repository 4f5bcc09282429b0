#include "bootargs.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "lib/fdt.h"

#define BOOTARGS_MAX_WORDS 32

static char buf[BOOTARGS_MAX];
static char raw[BOOTARGS_MAX];
static const char *keys[BOOTARGS_MAX_WORDS];
static const char *values[BOOTARGS_MAX_WORDS];
static int nwords;

void bootargs_parse(const char *line)
{
	strlcpy(buf, line, sizeof(buf));
	strlcpy(raw, line, sizeof(raw));
	nwords = 0;
	/* Each word is cut out in place: its trailing space and its first '=' become NULs. */
	for (char *p = buf; *p && nwords < BOOTARGS_MAX_WORDS;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		keys[nwords] = p;
		values[nwords] = "";
		bool has_value = false;
		for (; *p && *p != ' ' && *p != '\t'; p++) {
			if (*p == '=' && !has_value) {
				*p = '\0';
				values[nwords] = p + 1;
				has_value = true;
			}
		}
		nwords++;
	}
}

void bootargs_init(const struct fdt *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	uint32_t len = 0;
	const char *args = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", &len) : NULL;
	/* The property must be a NUL-terminated string inside its own length. */
	if (!args || len == 0 || strnlen(args, len) == len)
		args = "";
	bootargs_parse(args);
}

const char *bootargs_get(const char *key)
{
	for (int i = nwords - 1; i >= 0; i--) {
		if (strcmp(keys[i], key) == 0)
			return values[i];
	}
	return NULL;
}

const char *bootargs_raw(void)
{
	return raw;
}
