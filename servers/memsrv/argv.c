/* Program arguments (argv.h). */
#include "argv.h"

#include <stdbool.h>
#include <string.h>

static bool printable(char ch)
{
	return ch >= 0x20 && ch <= 0x7e;
}

int argv_check(const char *bytes, size_t n, unsigned argc)
{
	size_t at = 0;
	if (argc == 0 || argc > ARGV_COUNT_MAX || n > ARGV_BYTES_MAX)
		return -1;
	/* Invariant: bytes[0..at) holds i whole, valid strings. */
	for (unsigned i = 0; i < argc; i++) {
		size_t len = strnlen(bytes + at, n - at);
		if (len == n - at || (i == 0 && len == 0))
			return -1; /* unterminated, or no program name */
		for (size_t k = 0; k < len; k++)
			if (!printable(bytes[at + k]))
				return -1;
		at += len + 1;
	}
	for (size_t k = at; k < n; k++)
		if (bytes[k])
			return -1;
	return (int)at;
}

void argv_layout(void *page, uint64_t va, const char *bytes, size_t used, unsigned argc)
{
	uint64_t *vec = page;
	size_t strings = (argc + 1) * sizeof(uint64_t), at = 0;
	memcpy((char *)page + strings, bytes, used);
	for (unsigned i = 0; i < argc; i++) {
		vec[i] = va + strings + at;
		at += strlen(bytes + at) + 1;
	}
	vec[argc] = 0;
}
