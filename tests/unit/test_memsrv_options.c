/*
 * Host tests for memsrv's boot arguments (servers/memsrv/options.c): memsrv.seed, .spawn,
 * .control, .uart, .quota, .as_max and .poweroff_when_idle, what happens to malformed ones, and the
 * default boot (the shell) when memsrv.spawn is not given.
 */
#include <stdint.h>

#include "../../servers/memsrv/options.h"
#include "check.h"

CHECK_DEFINE_GLOBALS;

static void test_no_memsrv_words_gives_defaults(void)
{
	struct memsrv_options o;
	CHECK_EQ(options_parse("init=memsrv console=x", &o), 0);
	CHECK(!o.have_seed);
	CHECK_EQ(o.quota, 0);
	CHECK(!o.poweroff_when_idle);
	CHECK_EQ(o.spawn.count, 0);
	CHECK_EQ(o.control.count, 0);
	CHECK_EQ(options_parse("", &o), 0);
}

static void test_full_line_is_parsed(void)
{
	struct memsrv_options o;
	CHECK_EQ(options_parse("init=memsrv memsrv.spawn=memtest,shell memsrv.control=memtest "
			       "memsrv.seed=0x10 memsrv.quota=512 memsrv.poweroff_when_idle",
			       &o),
		 0);
	CHECK(o.have_seed);
	CHECK_EQ(o.seed, 16);
	CHECK_EQ(o.quota, 512);
	CHECK(o.poweroff_when_idle);
	CHECK_EQ(o.spawn.count, 2);
	CHECK_STR(o.spawn.names[0], "memtest");
	CHECK_STR(o.spawn.names[1], "shell");
	CHECK(options_has(&o.control, "memtest"));
	CHECK(!options_has(&o.control, "shell"));
	CHECK(!options_has(&o.control, "memtes"));
}

static void test_numbers(void)
{
	uint64_t v;
	CHECK_EQ(options_number("18446744073709551615", 20, &v), 0);
	CHECK_EQ(v, UINT64_MAX);
	CHECK_EQ(options_number("18446744073709551616", 20, &v), -1);
	CHECK_EQ(options_number("0xffffffffffffffff", 18, &v), 0);
	CHECK_EQ(v, UINT64_MAX);
	CHECK_EQ(options_number("0x1ffffffffffffffff", 19, &v), -1);
	CHECK_EQ(options_number("0x", 2, &v), -1);
	CHECK_EQ(options_number("", 0, &v), -1);
	CHECK_EQ(options_number("12a", 3, &v), -1);
	CHECK_EQ(options_number("0", 1, &v), 0);
	CHECK_EQ(v, 0);
}

static void test_malformed_words_are_counted_and_skipped(void)
{
	struct memsrv_options o;
	CHECK_EQ(options_parse("memsrv.seed=12x memsrv.bogus=1 memsrv.quota=0 memsrv.seed "
			       "memsrv.spawn=a,,b memsrv.poweroff_when_idle=1",
			       &o),
		 5);
	CHECK(!o.have_seed);
	CHECK_EQ(o.quota, 0);
	CHECK_EQ(o.spawn.count, 2); /* the empty name between the commas is skipped */
	CHECK_STR(o.spawn.names[1], "b");
}

static void test_lists_are_bounded(void)
{
	struct memsrv_options o;
	CHECK_EQ(options_parse("memsrv.spawn=a,b,c,d,e,f,g,h,i,j", &o), 2);
	CHECK_EQ(o.spawn.count, OPTIONS_NAMES_MAX);
	CHECK_STR(o.spawn.names[7], "h");
	CHECK_EQ(options_parse("memsrv.control=0123456789012345678901234567890123456789,x", &o), 1);
	CHECK_EQ(o.control.count, 1);
	CHECK_STR(o.control.names[0], "x");
}

static void test_last_word_wins_and_spaces_are_skipped(void)
{
	struct memsrv_options o;
	CHECK_EQ(options_parse("  memsrv.seed=1   memsrv.seed=2  ", &o), 0);
	CHECK_EQ(o.seed, 2);
	CHECK_EQ(options_parse("memsrv.spawn=a memsrv.spawn=b", &o), 0);
	CHECK_EQ(o.spawn.count, 1);
	CHECK_STR(o.spawn.names[0], "b");
}

static void test_uart_names_the_console_program(void)
{
	struct memsrv_options o;
	CHECK_EQ(options_parse("memsrv.spawn=shell memsrv.uart=shell", &o), 0);
	CHECK(options_has(&o.uart, "shell"));
	CHECK(!options_has(&o.uart, "memtest"));
	CHECK_EQ(options_parse("memsrv.uart=", &o), 0);
	CHECK_EQ(o.uart.count, 0);
}

static void test_without_spawn_the_default_is_the_shell_with_control_and_uart(void)
{
	struct memsrv_options o;
	CHECK_EQ(options_parse("init=memsrv memsrv.seed=3", &o), 0);
	CHECK(!o.have_spawn);
	options_apply_defaults(&o);
	CHECK_EQ(o.spawn.count, 1);
	CHECK_STR(o.spawn.names[0], OPTIONS_DEFAULT_PROGRAM);
	CHECK_STR(OPTIONS_DEFAULT_PROGRAM, "shell");
	CHECK(options_has(&o.control, "shell"));
	CHECK(options_has(&o.uart, "shell"));
	CHECK_EQ(o.seed, 3);
}

static void test_defaults_keep_given_control_and_uart(void)
{
	struct memsrv_options o;
	CHECK_EQ(options_parse("memsrv.control=memtest,shell memsrv.uart=other", &o), 0);
	options_apply_defaults(&o);
	CHECK_EQ(o.control.count, 2); /* shell is not added twice */
	CHECK(options_has(&o.control, "memtest"));
	CHECK_EQ(o.uart.count, 1);
	CHECK_STR(o.uart.names[0], "other");
}

static void test_a_given_spawn_list_has_no_defaults(void)
{
	struct memsrv_options o;
	CHECK_EQ(options_parse("memsrv.spawn=memtest memsrv.control=memtest", &o), 0);
	CHECK(o.have_spawn);
	options_apply_defaults(&o);
	CHECK_EQ(o.spawn.count, 1);
	CHECK_STR(o.spawn.names[0], "memtest");
	CHECK(!options_has(&o.control, "shell"));
	CHECK_EQ(o.uart.count, 0);
	CHECK_EQ(options_parse("memsrv.spawn=", &o), 0); /* even an empty one: nothing starts */
	options_apply_defaults(&o);
	CHECK_EQ(o.spawn.count, 0);
}

static void test_arg_is_given_to_boot_programs(void)
{
	struct memsrv_options o;
	CHECK_EQ(options_parse("memsrv.arg=100000", &o), 0);
	CHECK_EQ(o.arg, 100000);
	CHECK_EQ(options_parse("memsrv.arg=0x1ff", &o), 0);
	CHECK_EQ(o.arg, 0x1ff);
	CHECK_EQ(options_parse("memsrv.arg=x memsrv.arg", &o), 2);
	CHECK_EQ(o.arg, 0);
}

static void test_core_fixes_the_placement(void)
{
	struct memsrv_options o;
	CHECK_EQ(options_parse("memsrv.core=2", &o), 0);
	CHECK(o.have_core);
	CHECK_EQ(o.core, 2);
	CHECK_EQ(options_parse("memsrv.spawn=a", &o), 0);
	CHECK(!o.have_core); /* without it memsrv spreads */
	CHECK_EQ(options_parse("memsrv.core=x memsrv.core", &o), 2);
	CHECK(!o.have_core);
}

static void test_failalloc_takes_nth_and_every(void)
{
	struct memsrv_options o;
	CHECK_EQ(options_parse("memsrv.failalloc=7", &o), 0);
	CHECK_EQ(o.fail_nth, 7);
	CHECK_EQ(o.fail_every, 0);
	CHECK_EQ(options_parse("memsrv.failalloc=3,1", &o), 0);
	CHECK_EQ(o.fail_nth, 3);
	CHECK_EQ(o.fail_every, 1);
	CHECK_EQ(options_parse("memsrv.failalloc=0x10,0x20", &o), 0);
	CHECK_EQ(o.fail_nth, 16);
	CHECK_EQ(o.fail_every, 32);
}

static void test_malformed_failalloc_arms_nothing(void)
{
	static const char *const bad[] = {
		"memsrv.failalloc=0",  "memsrv.failalloc=",    "memsrv.failalloc=5,",
		"memsrv.failalloc=,5", "memsrv.failalloc=5,x", "memsrv.failalloc=5,1,2",
		"memsrv.failalloc",
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct memsrv_options o;
		CHECK_EQ(options_parse(bad[i], &o), 1);
		CHECK_EQ(o.fail_nth, 0);
		CHECK_EQ(o.fail_every, 0);
	}
}

static void test_as_max_takes_1_to_65535(void)
{
	struct memsrv_options o;
	CHECK_EQ(options_parse("init=memsrv", &o), 0);
	CHECK_EQ(o.as_max, 0);
	CHECK_EQ(options_parse("memsrv.as_max=2500", &o), 0);
	CHECK_EQ(o.as_max, 2500);
	CHECK_EQ(options_parse("memsrv.as_max=65535", &o), 0);
	CHECK_EQ(o.as_max, 65535);
	CHECK_EQ(options_parse("memsrv.as_max=0 memsrv.as_max=65536 memsrv.as_max=x", &o), 3);
	CHECK_EQ(o.as_max, 0);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "no_memsrv_words_gives_defaults", test_no_memsrv_words_gives_defaults },
		{ "full_line_is_parsed", test_full_line_is_parsed },
		{ "numbers", test_numbers },
		{ "malformed_words_are_counted_and_skipped",
		  test_malformed_words_are_counted_and_skipped },
		{ "lists_are_bounded", test_lists_are_bounded },
		{ "last_word_wins_and_spaces_are_skipped",
		  test_last_word_wins_and_spaces_are_skipped },
		{ "uart_names_the_console_program", test_uart_names_the_console_program },
		{ "without_spawn_the_default_is_the_shell_with_control_and_uart",
		  test_without_spawn_the_default_is_the_shell_with_control_and_uart },
		{ "defaults_keep_given_control_and_uart",
		  test_defaults_keep_given_control_and_uart },
		{ "a_given_spawn_list_has_no_defaults", test_a_given_spawn_list_has_no_defaults },
		{ "arg_is_given_to_boot_programs", test_arg_is_given_to_boot_programs },
		{ "core_fixes_the_placement", test_core_fixes_the_placement },
		{ "failalloc_takes_nth_and_every", test_failalloc_takes_nth_and_every },
		{ "malformed_failalloc_arms_nothing", test_malformed_failalloc_arms_nothing },
		{ "as_max_takes_1_to_65535", test_as_max_takes_1_to_65535 },
		{ NULL, NULL },
	};
	return check_main(tests);
}
