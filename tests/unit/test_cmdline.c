/* Host tests for the shell's command-line parsing (servers/shell/cmdline.c). */
#include "check.h"
#include "cmdline.h"

CHECK_DEFINE_GLOBALS;

static char buf[512];
static char *argv[CMDLINE_MAX_ARGS + 1];

/* Splits a copy of `line` into the globals; returns what cmdline_split returned. */
static int split(const char *line)
{
	snprintf(buf, sizeof(buf), "%s", line);
	for (int i = 0; i <= CMDLINE_MAX_ARGS; i++)
		argv[i] = (char *)"unset";
	return cmdline_split(buf, argv);
}

static void test_split_on_spaces_and_tabs(void)
{
	CHECK_EQ(split("  vma\tmap  0x1000 \t 4K rw  "), 5);
	CHECK_STR(argv[0], "vma");
	CHECK_STR(argv[1], "map");
	CHECK_STR(argv[2], "0x1000");
	CHECK_STR(argv[3], "4K");
	CHECK_STR(argv[4], "rw");
	CHECK(argv[5] == NULL);
}

static void test_blank_line_has_no_arguments(void)
{
	CHECK_EQ(split(""), 0);
	CHECK(argv[0] == NULL);
	CHECK_EQ(split(" \t  "), 0);
	CHECK(argv[0] == NULL);
}

static void test_quotes_group_words(void)
{
	CHECK_EQ(split("echo \"hello  world\" x"), 3);
	CHECK_STR(argv[1], "hello  world");
	CHECK_STR(argv[2], "x");
}

static void test_quotes_join_adjacent_text(void)
{
	CHECK_EQ(split("a\"b c\"d e"), 2);
	CHECK_STR(argv[0], "ab cd");
	CHECK_STR(argv[1], "e");
}

static void test_empty_quotes_are_an_empty_argument(void)
{
	CHECK_EQ(split("set \"\" \"\""), 3);
	CHECK_STR(argv[1], "");
	CHECK_STR(argv[2], "");
	CHECK(argv[3] == NULL);
}

static void test_quoted_tab_is_kept(void)
{
	CHECK_EQ(split("\"a\tb\""), 1);
	CHECK_STR(argv[0], "a\tb");
}

static void test_missing_closing_quote_is_an_error(void)
{
	CHECK_EQ(split("echo \"hello"), CMDLINE_ERR_QUOTE);
	CHECK_EQ(split("\""), CMDLINE_ERR_QUOTE);
	CHECK_EQ(split("a \"b\" \"c"), CMDLINE_ERR_QUOTE);
}

static void test_sixteen_arguments_fit(void)
{
	CHECK_EQ(split("0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15  "), CMDLINE_MAX_ARGS);
	CHECK_STR(argv[15], "15");
	CHECK(argv[16] == NULL);
}

static void test_seventeen_arguments_are_an_error(void)
{
	CHECK_EQ(split("0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"), CMDLINE_ERR_TOO_MANY);
}

static void test_long_line_splits_without_overflow(void)
{
	char line[400];
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	CHECK_EQ(split(line), 1);
	CHECK_EQ(strlen(argv[0]), sizeof(line) - 1);
}

static void test_error_messages(void)
{
	CHECK_STR(cmdline_strerror(CMDLINE_OK), "ok");
	CHECK_STR(cmdline_strerror(CMDLINE_ERR_QUOTE), "missing closing quote");
	CHECK_STR(cmdline_strerror(CMDLINE_ERR_TOO_MANY), "too many arguments (at most 16)");
	CHECK_STR(cmdline_strerror(CMDLINE_ERR_EMPTY), "empty number");
	CHECK_STR(cmdline_strerror(CMDLINE_ERR_NOT_NUMBER), "not a number");
	CHECK_STR(cmdline_strerror(CMDLINE_ERR_JUNK), "unexpected characters after the number");
	CHECK_STR(cmdline_strerror(CMDLINE_ERR_OVERFLOW), "number too large (more than 64 bits)");
	CHECK_STR(cmdline_strerror(CMDLINE_ERR_PROT),
		  "bad protection (use r, rw, rx, r--, rw-, r-x)");
	CHECK_STR(cmdline_strerror(CMDLINE_ERR_END), "unknown error");
	CHECK_STR(cmdline_strerror(1), "unknown error");
	CHECK_STR(cmdline_strerror(-1000), "unknown error");
}

/* Parses `s`, expecting success with `want`. */
static void check_u64(const char *s, uint64_t want)
{
	uint64_t v = 0xdeadbeef;
	int err = cmdline_parse_u64(s, &v);
	if (err != CMDLINE_OK)
		fprintf(stderr, "parsing \"%s\":\n", s);
	CHECK_EQ(err, CMDLINE_OK);
	CHECK_EQ(v, want);
}

/* Parses `s`, expecting error `want` and *out untouched. */
static void check_u64_error(const char *s, int want)
{
	uint64_t v = 0xdeadbeef;
	int err = cmdline_parse_u64(s, &v);
	if (err != want)
		fprintf(stderr, "parsing \"%s\":\n", s);
	CHECK_EQ(err, want);
	CHECK_EQ(v, 0xdeadbeef);
}

static void test_decimal_numbers(void)
{
	check_u64("0", 0);
	check_u64("4096", 4096);
	check_u64("007", 7); /* leading zeros are decimal, not octal */
	check_u64("18446744073709551615", UINT64_MAX);
}

static void test_hex_numbers(void)
{
	check_u64("0x0", 0);
	check_u64("0x1000", 0x1000);
	check_u64("0XdeadBEEF", 0xdeadbeef);
	check_u64("0xffffffffffffffff", UINT64_MAX);
	check_u64("0x00000000000000000001", 1);
}

static void test_size_suffixes(void)
{
	check_u64("4K", 4096);
	check_u64("4k", 4096);
	check_u64("2M", 2ull << 20);
	check_u64("2m", 2ull << 20);
	check_u64("1G", 1ull << 30);
	check_u64("1g", 1ull << 30);
	check_u64("16G", 16ull << 30);
	check_u64("0x10K", 0x4000);
	check_u64("0K", 0);
	check_u64("17179869183G", 17179869183ull << 30); /* 2^34 - 1 G: the largest */
	check_u64("17592186044415M", 17592186044415ull << 20);
}

static void test_empty_string_is_not_a_number(void)
{
	check_u64_error("", CMDLINE_ERR_EMPTY);
}

static void test_missing_digits_are_rejected(void)
{
	check_u64_error("0x", CMDLINE_ERR_NOT_NUMBER);
	check_u64_error("K", CMDLINE_ERR_NOT_NUMBER);
	check_u64_error("x10", CMDLINE_ERR_NOT_NUMBER);
	check_u64_error("-1", CMDLINE_ERR_NOT_NUMBER);
	check_u64_error("+1", CMDLINE_ERR_NOT_NUMBER);
	check_u64_error(" 1", CMDLINE_ERR_NOT_NUMBER);
	check_u64_error("0xg", CMDLINE_ERR_NOT_NUMBER);
}

static void test_trailing_junk_is_rejected(void)
{
	check_u64_error("0x1_0000", CMDLINE_ERR_JUNK);
	check_u64_error("12abc", CMDLINE_ERR_JUNK);
	check_u64_error("4KB", CMDLINE_ERR_JUNK);
	check_u64_error("4KK", CMDLINE_ERR_JUNK);
	check_u64_error("1T", CMDLINE_ERR_JUNK);
	check_u64_error("10 ", CMDLINE_ERR_JUNK);
	check_u64_error("0x10x", CMDLINE_ERR_JUNK);
	check_u64_error("1.5", CMDLINE_ERR_JUNK);
	check_u64_error("00x10", CMDLINE_ERR_JUNK);
}

static void test_overflow_is_rejected(void)
{
	check_u64_error("18446744073709551616", CMDLINE_ERR_OVERFLOW);
	check_u64_error("99999999999999999999999", CMDLINE_ERR_OVERFLOW);
	check_u64_error("0x10000000000000000", CMDLINE_ERR_OVERFLOW);
	check_u64_error("17179869184G", CMDLINE_ERR_OVERFLOW);
	check_u64_error("17592186044416M", CMDLINE_ERR_OVERFLOW);
	check_u64_error("18014398509481984K", CMDLINE_ERR_OVERFLOW);
	check_u64_error("0xffffffffffffffffK", CMDLINE_ERR_OVERFLOW);
}

/* Parses `s`, expecting success with `want`. */
static void check_prot(const char *s, unsigned want)
{
	unsigned prot = 99;
	int err = cmdline_parse_prot(s, &prot);
	if (err != CMDLINE_OK)
		fprintf(stderr, "parsing \"%s\":\n", s);
	CHECK_EQ(err, CMDLINE_OK);
	CHECK_EQ(prot, want);
}

static void check_prot_error(const char *s)
{
	unsigned prot = 99;
	if (cmdline_parse_prot(s, &prot) != CMDLINE_ERR_PROT)
		fprintf(stderr, "parsing \"%s\":\n", s);
	CHECK_EQ(cmdline_parse_prot(s, &prot), CMDLINE_ERR_PROT);
	CHECK_EQ(prot, 99);
}

static void test_compact_prot_strings(void)
{
	check_prot("r", CMDLINE_PROT_R);
	check_prot("rw", CMDLINE_PROT_R | CMDLINE_PROT_W);
	check_prot("rx", CMDLINE_PROT_R | CMDLINE_PROT_X);
	check_prot("w", CMDLINE_PROT_W);
	check_prot("x", CMDLINE_PROT_X);
	check_prot("wx", CMDLINE_PROT_W | CMDLINE_PROT_X);
	check_prot("rwx", CMDLINE_PROT_R | CMDLINE_PROT_W | CMDLINE_PROT_X);
}

static void test_positional_prot_strings(void)
{
	check_prot("r--", CMDLINE_PROT_R);
	check_prot("rw-", CMDLINE_PROT_R | CMDLINE_PROT_W);
	check_prot("r-x", CMDLINE_PROT_R | CMDLINE_PROT_X);
	check_prot("-w-", CMDLINE_PROT_W);
	check_prot("--x", CMDLINE_PROT_X);
	check_prot("---", 0);
}

static void test_prot_bits_are_r1_w2_x4(void)
{
	CHECK_EQ(CMDLINE_PROT_R, 1);
	CHECK_EQ(CMDLINE_PROT_W, 2);
	CHECK_EQ(CMDLINE_PROT_X, 4);
}

static void test_bad_prot_strings_are_rejected(void)
{
	static const char *const bad[] = { "",  "-",  "--", "----", "rr",   "wr",  "xr",  "rwxr",
					   "R", "RW", "r-", "-r-",  "w--",  "rx-", "r-w", "rwx-",
					   "a", " r", "r ", "0x1",  "r--x", "rw-x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_prot_error(bad[i]);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "split_on_spaces_and_tabs", test_split_on_spaces_and_tabs },
		{ "blank_line_has_no_arguments", test_blank_line_has_no_arguments },
		{ "quotes_group_words", test_quotes_group_words },
		{ "quotes_join_adjacent_text", test_quotes_join_adjacent_text },
		{ "empty_quotes_are_an_empty_argument", test_empty_quotes_are_an_empty_argument },
		{ "quoted_tab_is_kept", test_quoted_tab_is_kept },
		{ "missing_closing_quote_is_an_error", test_missing_closing_quote_is_an_error },
		{ "sixteen_arguments_fit", test_sixteen_arguments_fit },
		{ "seventeen_arguments_are_an_error", test_seventeen_arguments_are_an_error },
		{ "long_line_splits_without_overflow", test_long_line_splits_without_overflow },
		{ "error_messages", test_error_messages },
		{ "decimal_numbers", test_decimal_numbers },
		{ "hex_numbers", test_hex_numbers },
		{ "size_suffixes", test_size_suffixes },
		{ "empty_string_is_not_a_number", test_empty_string_is_not_a_number },
		{ "missing_digits_are_rejected", test_missing_digits_are_rejected },
		{ "trailing_junk_is_rejected", test_trailing_junk_is_rejected },
		{ "overflow_is_rejected", test_overflow_is_rejected },
		{ "compact_prot_strings", test_compact_prot_strings },
		{ "positional_prot_strings", test_positional_prot_strings },
		{ "prot_bits_are_r1_w2_x4", test_prot_bits_are_r1_w2_x4 },
		{ "bad_prot_strings_are_rejected", test_bad_prot_strings_are_rejected },
		{ NULL, NULL },
	};
	return check_main(tests);
}
