/*
 * A tiny assertion framework for host unit tests. Each test is a function; CHECK* record a
 * failure with file:line and keep going, so one run reports every broken expectation.
 * check_main() runs the table and returns the process exit status Meson reads.
 */
#pragma once

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

extern int check_failures;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			check_failures++;                                                        \
		}                                                                                \
	} while (0)

#define CHECK_EQ(a, b)                                                                      \
	do {                                                                                \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                            \
		if (a_ != b_) {                                                             \
			fprintf(stderr,                                                     \
				"%s:%d: %s == %s failed: 0x%" PRIx64 " != 0x%" PRIx64 "\n", \
				__FILE__, __LINE__, #a, #b, a_, b_);                        \
			check_failures++;                                                   \
		}                                                                           \
	} while (0)

#define CHECK_STR(a, b)                                                                       \
	do {                                                                                  \
		const char *a_ = (a), *b_ = (b);                                              \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                      \
			fprintf(stderr, "%s:%d: %s == \"%s\" failed: got \"%s\"\n", __FILE__, \
				__LINE__, #a, b_ ? b_ : "(null)", a_ ? a_ : "(null)");        \
			check_failures++;                                                     \
		}                                                                             \
	} while (0)

struct check_test {
	const char *name;
	void (*fn)(void);
};

/* Runs every test in `tests` (terminated by a NULL name); returns 0 if all passed. */
static inline int check_main(const struct check_test *tests)
{
	int failed_tests = 0, total = 0;
	for (const struct check_test *t = tests; t->name; t++, total++) {
		int before = check_failures;
		t->fn();
		int bad = check_failures != before;
		failed_tests += bad;
		printf("%s %s\n", bad ? "FAIL" : "ok  ", t->name);
	}
	printf("%d/%d tests passed\n", total - failed_tests, total);
	return failed_tests ? 1 : 0;
}

#define CHECK_DEFINE_GLOBALS int check_failures
