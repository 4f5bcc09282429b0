/*
 * Host tests for memsrv's program arguments (servers/memsrv/argv.c): which packed argument
 * strings MEMSRV_SPAWN_ARGV accepts, and the argv[] page a new process reads.
 */
#include <stdint.h>
#include <string.h>

#include "../../servers/memsrv/argv.h"
#include "check.h"

CHECK_DEFINE_GLOBALS;

static void test_check_accepts_packed_strings_and_padding(void)
{
	static const char good[16] = "kv\0put\0\0key\0";
	CHECK_EQ(argv_check(good, sizeof(good), 4), 12); /* "kv", "put", "", "key" */
	CHECK_EQ(argv_check("kv", 3, 1), 3);
	CHECK_EQ(argv_check("a b\0c", 6, 2), 6); /* spaces are fine inside an argument */
}

static void test_check_refuses_malformed_forms(void)
{
	static const char two[4] = "a\0b";
	CHECK_EQ(argv_check(two, sizeof(two), 3), -1); /* fewer strings than argc */
	CHECK_EQ(argv_check("a\0b\0\0", 6, 3), 5);     /* argc decides: the third is "" */
	CHECK_EQ(argv_check(two, sizeof(two), 0), -1); /* argc 0 */
	CHECK_EQ(argv_check(two, sizeof(two), ARGV_COUNT_MAX + 1), -1);
	CHECK_EQ(argv_check("abc", 3, 1), -1);     /* unterminated */
	CHECK_EQ(argv_check("\0a\0", 4, 2), -1);   /* empty program name */
	CHECK_EQ(argv_check("a\tb", 4, 1), -1);    /* a control character */
	CHECK_EQ(argv_check("a\0\xff", 4, 2), -1); /* not ASCII */
	CHECK_EQ(argv_check("a\0junk", 7, 1), -1); /* bytes after the last string */
	static char big[ARGV_BYTES_MAX + 8];
	memset(big, 'x', sizeof(big));
	big[ARGV_BYTES_MAX + 7] = '\0';
	CHECK_EQ(argv_check(big, sizeof(big), 1), -1); /* too long */
	big[ARGV_BYTES_MAX - 1] = '\0';
	CHECK_EQ(argv_check(big, ARGV_BYTES_MAX, 1), ARGV_BYTES_MAX); /* the longest */
}

static void test_layout_points_into_the_page(void)
{
	static const char packed[] = "prog\0one\0\0two";
	static uint64_t page[512];
	const uint64_t va = 0x10000040000ull;
	int used = argv_check(packed, sizeof(packed), 4);
	CHECK_EQ(used, sizeof(packed));
	argv_layout(page, va, packed, (size_t)used, 4);
	const char *base = (const char *)page;
	CHECK_EQ(page[0], va + 5 * 8);
	CHECK_STR(base + (page[0] - va), "prog");
	CHECK_STR(base + (page[1] - va), "one");
	CHECK_STR(base + (page[2] - va), "");
	CHECK_STR(base + (page[3] - va), "two");
	CHECK_EQ(page[4], 0); /* argv[argc] is NULL */
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "check_accepts_packed_strings_and_padding",
		  test_check_accepts_packed_strings_and_padding },
		{ "check_refuses_malformed_forms", test_check_refuses_malformed_forms },
		{ "layout_points_into_the_page", test_layout_points_into_the_page },
		{ NULL, NULL },
	};
	return check_main(tests);
}
