/*
 * Host tests for the shell's argument checking (servers/shell/args.c): every bad word gets a
 * message naming it, and good words become exactly the request arguments.
 */
#include <mica/memsrv.h>

#include "args.h"
#include "check.h"

CHECK_DEFINE_GLOBALS;

static char why[ARGS_WHY_MAX];

static char buf[256];
static char *words[9];

/* Splits a copy of `line` at single spaces into words[]; returns how many (at most 8). */
static int split(const char *line)
{
	int n = 0;
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *p = buf; *p && n < 8;) {
		words[n++] = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
	}
	why[0] = '\0';
	return n;
}

/* Runs args_map on the words of `line`. */
static int map_words(const char *line, struct args_map *m)
{
	int argc = split(line);
	return args_map(argc, words, m, why, sizeof(why));
}

/* Runs args_range on the words of `line`. */
static int range_words(const char *line, bool prot, struct args_range *r)
{
	int argc = split(line);
	return args_range(argc, words, prot, r, why, sizeof(why));
}

static void test_map_defaults_to_lazy_anonymous(void)
{
	struct args_map m;
	CHECK_EQ(map_words("3 0x10000000 16K rw", &m), 0);
	CHECK_EQ(m.as, 3);
	CHECK_EQ(m.addr, 0x10000000);
	CHECK_EQ(m.length, 16384);
	CHECK_EQ(m.prot, MEMSRV_PROT_R | MEMSRV_PROT_W);
	CHECK_EQ(m.kind, MEMSRV_KIND_ANON);
	CHECK_EQ(m.flags, 0);
}

static void test_map_auto_kind_and_backing_in_either_order(void)
{
	struct args_map m;
	CHECK_EQ(map_words("7 auto 8K r-- eager stack", &m), 0);
	CHECK_EQ(m.addr, 0);
	CHECK_EQ(m.prot, MEMSRV_PROT_R);
	CHECK_EQ(m.kind, MEMSRV_KIND_STACK);
	CHECK_EQ(m.flags, MEMSRV_MAP_EAGER);
	CHECK_EQ(map_words("7 auto 8K rx anon lazy", &m), 0);
	CHECK_EQ(m.kind, MEMSRV_KIND_ANON);
	CHECK_EQ(m.flags, 0);
	CHECK_EQ(m.prot, MEMSRV_PROT_R | MEMSRV_PROT_X);
}

static void test_map_leaves_wx_to_memsrv(void)
{
	struct args_map m;
	CHECK_EQ(map_words("1 0x1000 4K rwx", &m), 0); /* memsrv answers E_WX */
	CHECK_EQ(m.prot, MEMSRV_PROT_R | MEMSRV_PROT_W | MEMSRV_PROT_X);
}

static void test_map_errors_name_the_bad_word(void)
{
	struct args_map m = { .as = 99 };
	CHECK_EQ(map_words("3 0x1000 12x rw", &m), -1);
	CHECK_STR(why, "bad LEN '12x': unexpected characters after the number");
	CHECK_EQ(m.as, 99); /* untouched on error */
	CHECK_EQ(map_words("3 0x1000 4K rq", &m), -1);
	CHECK(strstr(why, "bad PROT 'rq'") == why);
	CHECK_EQ(map_words("3 zz 4K rw", &m), -1);
	CHECK_STR(why, "bad ADDR 'zz': not a number");
	CHECK_EQ(map_words("3 0 4K rw", &m), -1);
	CHECK(strstr(why, "page 0 is never mapped") != NULL);
	CHECK_EQ(map_words("3 0x1000 4K rw huge", &m), -1);
	CHECK_STR(why, "bad option 'huge': expected anon, stack, eager or lazy");
	CHECK_EQ(map_words("3 0x1000 4K", &m), -1);
	CHECK(strstr(why, "got 3 words") != NULL);
	CHECK_EQ(map_words("3 0x1000 4K rw anon eager extra", &m), -1);
	CHECK(strstr(why, "got 7 words") != NULL);
}

static void test_ids_are_one_to_1023(void)
{
	unsigned id = 5;
	CHECK_EQ(args_as_id("1023", &id, why, sizeof(why)), 0);
	CHECK_EQ(id, 1023);
	CHECK_EQ(args_as_id("0x10", &id, why, sizeof(why)), 0);
	CHECK_EQ(id, 16);
	CHECK_EQ(args_as_id("0", &id, why, sizeof(why)), -1);
	CHECK_STR(why, "bad ID '0': address-space ids are 1..1023");
	CHECK_EQ(args_as_id("1024", &id, why, sizeof(why)), -1);
	CHECK_EQ(args_as_id("99999999999999999999999", &id, why, sizeof(why)), -1);
	CHECK(strstr(why, "too large") != NULL);
	CHECK_EQ(args_as_id("", &id, why, sizeof(why)), -1);
	CHECK_EQ(id, 16);
}

static void test_quota_states_its_limit(void)
{
	uint64_t q = 7;
	CHECK_EQ(args_quota("0x1000000", &q, why, sizeof(why)), 0);
	CHECK_EQ(q, 1u << 24);
	CHECK_EQ(args_quota("0", &q, why, sizeof(why)), 0);
	CHECK_EQ(q, 0);
	CHECK_EQ(args_quota("16777217", &q, why, sizeof(why)), -1);
	CHECK_STR(why, "bad QUOTA '16777217': at most 2^24 pages (16777216)");
	CHECK_EQ(args_quota("4x", &q, why, sizeof(why)), -1);
	CHECK(strncmp(why, "bad QUOTA '4x': ", 16) == 0);
	CHECK_EQ(q, 0);
}

static void test_range_with_and_without_prot(void)
{
	struct args_range r;
	CHECK_EQ(range_words("2 0x10000000 4K", false, &r), 0);
	CHECK_EQ(r.as, 2);
	CHECK_EQ(r.addr, 0x10000000);
	CHECK_EQ(r.length, 4096);
	CHECK_EQ(range_words("2 0x10000000 4K r", true, &r), 0);
	CHECK_EQ(r.prot, MEMSRV_PROT_R);
	CHECK_EQ(range_words("2 0x10000000 4K", true, &r), -1);
	CHECK_STR(why, "expected ID ADDR LEN PROT, got 3 words");
	CHECK_EQ(range_words("2 0x10000000 4K r", false, &r), -1);
	CHECK_STR(why, "expected ID ADDR LEN, got 4 words");
	CHECK_EQ(range_words("2 0x10000000 -4", false, &r), -1);
	CHECK_STR(why, "bad LEN '-4': not a number");
}

static void test_long_words_are_cut_in_messages(void)
{
	uint64_t v;
	char word[200];
	memset(word, 'q', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	CHECK_EQ(args_number("ADDR", word, &v, why, sizeof(why)), -1);
	CHECK(strlen(why) < sizeof(why));
	CHECK(strstr(why, "bad ADDR 'qqqqqqqqqqqqqqqqqqqqqqqq'") == why);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "map_defaults_to_lazy_anonymous", test_map_defaults_to_lazy_anonymous },
		{ "map_auto_kind_and_backing_in_either_order",
		  test_map_auto_kind_and_backing_in_either_order },
		{ "map_leaves_wx_to_memsrv", test_map_leaves_wx_to_memsrv },
		{ "map_errors_name_the_bad_word", test_map_errors_name_the_bad_word },
		{ "ids_are_one_to_1023", test_ids_are_one_to_1023 },
		{ "quota_states_its_limit", test_quota_states_its_limit },
		{ "range_with_and_without_prot", test_range_with_and_without_prot },
		{ "long_words_are_cut_in_messages", test_long_words_are_cut_in_messages },
		{ NULL, NULL },
	};
	return check_main(tests);
}
