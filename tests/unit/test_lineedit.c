/* Host tests for the shell's line editor (servers/shell/lineedit.c). */
#include "check.h"
#include "lineedit.h"

#include <stdbool.h>

CHECK_DEFINE_GLOBALS;

#define ESC "\x1b"

static struct lineedit le;
static char output[8192]; /* everything written since clear_output(), NUL-terminated */
static size_t output_len;
static char line[LINEEDIT_MAX]; /* the last line a LINE/CANCEL/EOF result produced */
static int lines_seen;          /* LINEEDIT_LINE results since fresh() */

static void capture(void *ctx, const char *s, size_t n)
{
	CHECK(ctx == &le);
	CHECK(n > 0);
	if (output_len + n >= sizeof(output)) {
		CHECK(!"output buffer overflow in test");
		return;
	}
	memcpy(output + output_len, s, n);
	output_len += n;
	output[output_len] = 0;
}

static void clear_output(void)
{
	output_len = 0;
	output[0] = 0;
}

/* A new editor with prompt "> ", the prompt printed, and the output cleared. */
static void fresh(void)
{
	lineedit_init(&le, capture, &le, "> ");
	lineedit_start(&le);
	clear_output();
	lines_seen = 0;
	line[0] = 0;
}

/* Feeds `n` bytes; returns the last result other than LINEEDIT_NONE, or LINEEDIT_NONE. */
static int feed_bytes(const char *s, size_t n)
{
	int last = LINEEDIT_NONE;
	for (size_t i = 0; i < n; i++) {
		int r = lineedit_feed(&le, (uint8_t)s[i], line, sizeof(line));
		if (r == LINEEDIT_LINE)
			lines_seen++;
		if (r != LINEEDIT_NONE)
			last = r;
	}
	return last;
}

static int type(const char *s)
{
	return feed_bytes(s, strlen(s));
}

/* Types `s` and Enter, then starts the next line as the shell would; clears the output. */
static void submit(const char *s)
{
	type(s);
	CHECK_EQ(type("\r"), LINEEDIT_LINE);
	CHECK_STR(line, s);
	lineedit_start(&le);
	clear_output();
}

static void check_line(const char *text, size_t cursor)
{
	CHECK_STR(le.buf, text);
	CHECK_EQ(le.len, strlen(text));
	CHECK_EQ(le.cursor, cursor);
}

static void test_start_prints_the_prompt(void)
{
	lineedit_init(&le, capture, &le, "mica> ");
	clear_output();
	lineedit_start(&le);
	CHECK_STR(output, "mica> ");
	check_line("", 0);
}

static void test_printable_bytes_are_inserted_and_echoed(void)
{
	fresh();
	CHECK_EQ(type("ls -l ~/x"), LINEEDIT_NONE);
	check_line("ls -l ~/x", 9);
	CHECK_STR(output, "ls -l ~/x");
}

static void test_cr_ends_the_line(void)
{
	fresh();
	type("stats");
	clear_output();
	CHECK_EQ(type("\r"), LINEEDIT_LINE);
	CHECK_STR(line, "stats");
	CHECK_STR(output, "\r\n");
	check_line("", 0);
}

static void test_lf_ends_the_line(void)
{
	fresh();
	CHECK_EQ(type("maps\n"), LINEEDIT_LINE);
	CHECK_STR(line, "maps");
	check_line("", 0);
}

static void test_crlf_and_lfcr_are_one_enter(void)
{
	fresh();
	type("a\r\nb\n\rc\r\n");
	CHECK_EQ(lines_seen, 3);
	CHECK_STR(line, "c");
	check_line("", 0);
}

static void test_two_crs_are_two_enters(void)
{
	fresh();
	type("a\r\r");
	CHECK_EQ(lines_seen, 2);
	CHECK_STR(line, "");
	type("\n\n");
	CHECK_EQ(lines_seen, 3); /* LF after CR pairs with it; the next LF is an Enter */
}

static void test_crlf_split_across_start_is_one_enter(void)
{
	fresh();
	CHECK_EQ(type("help\r"), LINEEDIT_LINE);
	lineedit_start(&le);
	clear_output();
	CHECK_EQ(type("\n"), LINEEDIT_NONE);
	CHECK_STR(output, "");
	CHECK_EQ(lines_seen, 1);
}

static void test_insert_mid_line_redraws_the_tail(void)
{
	fresh();
	type("ac" ESC "[D");
	clear_output();
	type("b");
	check_line("abc", 2);
	CHECK_STR(output, "bc" ESC "[1D");
}

static void test_backspace_at_end_erases_one_char(void)
{
	fresh();
	type("abc");
	clear_output();
	type("\x7f");
	check_line("ab", 2);
	CHECK_STR(output, ESC "[1D" ESC "[K");
}

static void test_ctrl_h_is_backspace(void)
{
	fresh();
	type("abc\x08\x08");
	check_line("a", 1);
}

static void test_backspace_mid_line_closes_the_gap(void)
{
	fresh();
	type("abcd" ESC "[D" ESC "[D");
	clear_output();
	type("\x7f");
	check_line("acd", 1);
	CHECK_STR(output, ESC "[1Dcd" ESC "[K" ESC "[2D");
}

static void test_backspace_at_start_does_nothing(void)
{
	fresh();
	type("ab\x01");
	clear_output();
	type("\x7f\x08");
	check_line("ab", 0);
	CHECK_STR(output, "");
}

static void test_ctrl_u_erases_the_whole_line(void)
{
	fresh();
	type("vma map" ESC "[D" ESC "[D");
	clear_output();
	type("\x15");
	check_line("", 0);
	CHECK_STR(output, "\r> " ESC "[K");
	type("ok\r");
	CHECK_STR(line, "ok");
}

static void test_ctrl_c_cancels_mid_line(void)
{
	fresh();
	type("as destroy" ESC "[D");
	clear_output();
	CHECK_EQ(type("\x03"), LINEEDIT_CANCEL);
	CHECK_STR(line, "");
	CHECK_STR(output, "^C\r\n");
	check_line("", 0);
	CHECK_EQ(le.hist_count, 0);
}

static void test_ctrl_d_on_empty_line_is_eof(void)
{
	fresh();
	memcpy(line, "junk", 5);
	CHECK_EQ(type("\x04"), LINEEDIT_EOF);
	CHECK_STR(line, "");
	CHECK_STR(output, "");
}

static void test_ctrl_d_mid_line_deletes_under_cursor(void)
{
	fresh();
	type("abc\x01");
	clear_output();
	CHECK_EQ(type("\x04"), LINEEDIT_NONE);
	check_line("bc", 0);
	CHECK_STR(output, "bc" ESC "[K" ESC "[2D");
}

static void test_ctrl_a_and_ctrl_e_go_home_and_end(void)
{
	fresh();
	type("abc");
	clear_output();
	type("\x01");
	check_line("abc", 0);
	CHECK_STR(output, ESC "[3D");
	clear_output();
	type("\x05");
	check_line("abc", 3);
	CHECK_STR(output, "abc");
}

static void test_ctrl_l_redraws_the_line(void)
{
	fresh();
	type("ab" ESC "[D");
	clear_output();
	type("\x0c");
	check_line("ab", 1);
	CHECK_STR(output, "\r> ab" ESC "[K" ESC "[1D");
}

static void test_arrows_move_the_cursor(void)
{
	fresh();
	type("abc");
	clear_output();
	type(ESC "[D" ESC "[D");
	check_line("abc", 1);
	CHECK_STR(output, ESC "[1D" ESC "[1D");
	clear_output();
	type(ESC "[C");
	check_line("abc", 2);
	CHECK_STR(output, "b"); /* moving right reprints the character passed over */
}

static void test_arrows_stop_at_the_ends(void)
{
	fresh();
	type("ab");
	clear_output();
	type(ESC "[C");
	check_line("ab", 2);
	type(ESC "[D" ESC "[D" ESC "[D" ESC "[D");
	check_line("ab", 0);
	CHECK_STR(output, ESC "[1D" ESC "[1D");
}

static void test_ss3_arrows_work_like_csi_arrows(void)
{
	fresh();
	submit("old");
	type("xy" ESC "OD");
	check_line("xy", 1);
	type(ESC "OC");
	check_line("xy", 2);
	type(ESC "OA");
	check_line("old", 3);
	type(ESC "OB");
	check_line("xy", 2);
}

static void test_home_and_end_sequences(void)
{
	static const char *const home[] = { ESC "[H", ESC "[1~", ESC "[7~", ESC "OH" };
	static const char *const end[] = { ESC "[F", ESC "[4~", ESC "[8~", ESC "OF" };
	for (int i = 0; i < 4; i++) {
		fresh();
		type("abcd" ESC "[D");
		type(home[i]);
		check_line("abcd", 0);
		type(end[i]);
		check_line("abcd", 4);
	}
}

static void test_delete_key_removes_under_cursor(void)
{
	fresh();
	type("abcd" ESC "[D" ESC "[D");
	clear_output();
	type(ESC "[3~");
	check_line("abd", 2);
	CHECK_STR(output, "d" ESC "[K" ESC "[1D");
	clear_output();
	type(ESC "[F" ESC "[3~");
	check_line("abd", 3);
	CHECK_STR(output, "d"); /* only the move to the end: Delete there does nothing */
}

static void test_escape_sequence_split_across_feeds(void)
{
	fresh();
	type("abc");
	clear_output();
	CHECK_EQ(lineedit_feed(&le, 0x1b, line, sizeof(line)), LINEEDIT_NONE);
	check_line("abc", 3);
	CHECK_EQ(lineedit_feed(&le, '[', line, sizeof(line)), LINEEDIT_NONE);
	CHECK_EQ(lineedit_feed(&le, '3', line, sizeof(line)), LINEEDIT_NONE);
	CHECK_STR(output, "");
	CHECK_EQ(lineedit_feed(&le, 'D', line, sizeof(line)), LINEEDIT_NONE);
	check_line("abc", 3); /* ESC [ 3 D is not a known key: ignored */
	type(ESC);
	type("[");
	type("D");
	check_line("abc", 2);
	CHECK_STR(output, ESC "[1D");
}

static void test_unknown_sequences_are_consumed_and_ignored(void)
{
	fresh();
	type("ab");
	clear_output();
	type(ESC "[Z" ESC "[2~" ESC "[5~" ESC "[1;5C" ESC "[?25h" ESC "[12~" ESC "OP" ESC "O5A");
	check_line("ab", 2);
	CHECK_STR(output, "");
	CHECK_EQ(le.esc, LINEEDIT_ESC_NONE);
}

static void test_overlong_sequence_is_skipped_to_its_final_byte(void)
{
	fresh();
	type(ESC "[1;2;3;4;5;6;7;8;9;10;11A");
	check_line("", 0);
	CHECK_EQ(le.esc, LINEEDIT_ESC_NONE);
	CHECK(le.esc_len <= LINEEDIT_ESC_PARAM);
	CHECK_STR(output, "");
	type("x");
	check_line("x", 1);
}

static void test_alt_key_is_ignored(void)
{
	fresh();
	type(ESC "x" ESC "by"); /* ESC b is Alt-b */
	check_line("y", 1);
}

static void test_control_byte_ends_an_escape_sequence(void)
{
	fresh();
	type("ls" ESC "[");
	CHECK_EQ(type("\r"), LINEEDIT_LINE);
	CHECK_STR(line, "ls");
	type("rm" ESC);
	CHECK_EQ(type("\x03"), LINEEDIT_CANCEL);
	type("ab" ESC "[1");
	type("\x7f");
	check_line("a", 1);
}

static void test_esc_restarts_a_sequence(void)
{
	fresh();
	type("ab" ESC "[1" ESC "[D");
	check_line("ab", 1);
	type(ESC ESC ESC "[D");
	check_line("ab", 0);
}

static void test_other_control_and_high_bytes_are_ignored(void)
{
	static const char junk[] = { 0x00,       0x02,       0x06,      0x07, 0x09,
				     0x0b,       0x0e,       0x1a,      0x1f, (char)0x80,
				     (char)0x9b, (char)0xc3, (char)0xff };
	fresh();
	type("ab");
	clear_output();
	CHECK_EQ(feed_bytes(junk, sizeof(junk)), LINEEDIT_NONE);
	check_line("ab", 2);
	CHECK_STR(output, "");
}

static void test_high_byte_ends_an_escape_sequence(void)
{
	fresh();
	type(ESC "[\377D");
	check_line("D", 1);
}

static void test_full_line_refuses_more_with_a_bell(void)
{
	char want[LINEEDIT_MAX];
	fresh();
	memset(want, 'a', LINEEDIT_MAX - 1);
	want[LINEEDIT_MAX - 1] = 0;
	type(want);
	check_line(want, LINEEDIT_MAX - 1);
	clear_output();
	type("bc");
	check_line(want, LINEEDIT_MAX - 1);
	CHECK_STR(output, "\a\a");
	type(ESC "[H");
	clear_output();
	type("z");
	check_line(want, 0);
	CHECK_STR(output, "\a");
	CHECK_EQ(type("\r"), LINEEDIT_LINE);
	CHECK_STR(line, want);
}

static void test_line_is_truncated_to_the_callers_buffer(void)
{
	char small[4] = { 'x', 'x', 'x', 'x' };
	fresh();
	type("abcdef");
	CHECK_EQ(lineedit_feed(&le, '\r', small, sizeof(small)), LINEEDIT_LINE);
	CHECK_STR(small, "abc");
	type("q");
	CHECK_EQ(lineedit_feed(&le, '\r', NULL, 0), LINEEDIT_LINE);
	CHECK_STR(le.history[1], "q");
}

static void test_history_up_recalls_newer_entries_first(void)
{
	fresh();
	submit("one");
	submit("two");
	type(ESC "[A");
	check_line("two", 3);
	CHECK_STR(output, "\r> two" ESC "[K");
	type(ESC "[A");
	check_line("one", 3);
	clear_output();
	type(ESC "[A");
	check_line("one", 3);
	CHECK_STR(output, "");
}

static void test_history_down_restores_the_edited_line(void)
{
	fresh();
	submit("one");
	submit("two");
	type("draft" ESC "[D");
	type(ESC "[A" ESC "[A");
	check_line("one", 3);
	type(ESC "[B");
	check_line("two", 3);
	clear_output();
	type(ESC "[B");
	check_line("draft", 5);
	CHECK_STR(output, "\r> draft" ESC "[K");
	CHECK_EQ(le.hist_pos, -1);
	clear_output();
	type(ESC "[B");
	check_line("draft", 5);
	CHECK_STR(output, "");
}

static void test_history_with_nothing_stored_does_nothing(void)
{
	fresh();
	type("x" ESC "[A");
	check_line("x", 1);
	CHECK_EQ(le.hist_pos, -1);
	CHECK_STR(output, "x");
}

static void test_history_skips_empty_lines_and_repeats(void)
{
	fresh();
	submit("a");
	submit("a");
	submit("");
	submit("b");
	submit("a");
	CHECK_EQ(le.hist_count, 3);
	type(ESC "[A");
	check_line("a", 1);
	type(ESC "[A");
	check_line("b", 1);
	type(ESC "[A");
	check_line("a", 1);
	type(ESC "[A");
	check_line("a", 1);
	CHECK_EQ(le.hist_pos, 2);
}

static void test_history_keeps_the_newest_sixteen(void)
{
	char cmd[8];
	fresh();
	for (int i = 0; i < 20; i++) {
		snprintf(cmd, sizeof(cmd), "c%d", i);
		submit(cmd);
	}
	CHECK_EQ(le.hist_count, LINEEDIT_HISTORY);
	for (int i = 19; i >= 20 - LINEEDIT_HISTORY; i--) {
		snprintf(cmd, sizeof(cmd), "c%d", i);
		type(ESC "[A");
		CHECK_STR(le.buf, cmd);
	}
	type(ESC "[A");
	CHECK_STR(le.buf, "c4");
}

static void test_recalled_entry_can_be_edited_and_submitted(void)
{
	fresh();
	submit("vma map");
	type(ESC "[A 0x1000\r");
	CHECK_STR(line, "vma map 0x1000");
	CHECK_EQ(le.hist_count, 2);
	lineedit_start(&le);
	type(ESC "[A" ESC "[A");
	check_line("vma map", 7); /* the older entry itself was not changed */
}

static void test_enter_and_cancel_leave_history_browsing(void)
{
	fresh();
	submit("one");
	type(ESC "[A\x03");
	CHECK_EQ(le.hist_pos, -1);
	lineedit_start(&le);
	type(ESC "[A\r");
	CHECK_EQ(le.hist_pos, -1);
	CHECK_EQ(le.hist_count, 1);
}

static void test_redraw_reprints_prompt_and_line(void)
{
	fresh();
	type("abc" ESC "[D" ESC "[D");
	clear_output();
	lineedit_redraw(&le);
	CHECK_STR(output, "\r> abc" ESC "[K" ESC "[2D");
	check_line("abc", 1);
}

static void test_set_prompt_changes_later_prompts(void)
{
	fresh();
	lineedit_set_prompt(&le, "menu> ");
	CHECK_STR(output, "");
	lineedit_start(&le);
	CHECK_STR(output, "menu> ");
}

/* xorshift64*: a fixed, portable pseudo-random sequence. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t fuzz_output_bytes;
static bool fuzz_output_ok = true;

/* Output may only hold printable text, CR, LF, BEL and ESC (for ESC [ K / ESC [ n D). */
static void fuzz_write(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];
		if (!((c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\a' || c == 0x1b))
			fuzz_output_ok = false;
	}
	fuzz_output_bytes += n;
}

static bool printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* Checks every documented invariant of `le`; returns false (after CHECKs) if one fails. */
static bool invariants_hold(void)
{
	bool ok = le.cursor <= le.len && le.len < LINEEDIT_MAX && le.buf[le.len] == 0 &&
		  printable(le.buf, le.len) && le.hist_count <= LINEEDIT_HISTORY &&
		  le.hist_head < LINEEDIT_HISTORY && le.hist_pos >= -1 &&
		  le.hist_pos < (int)le.hist_count && le.esc_len <= LINEEDIT_ESC_PARAM;
	for (unsigned i = 0; ok && i < LINEEDIT_HISTORY; i++)
		ok = strnlen(le.history[i], LINEEDIT_MAX) < LINEEDIT_MAX;
	for (unsigned i = 0; ok && i < le.hist_count; i++)
		ok = printable(le.history[i], strlen(le.history[i])) && le.history[i][0] != 0;
	CHECK(ok);
	return ok;
}

/* Bytes that drive the editor into its interesting states. */
static const uint8_t fuzz_keys[] = { 0x1b, '[',  '[',  'O',  'A',  'B',  'C',  'D',  'H',  'F',
				     '~',  '1',  '3',  '4',  '7',  '8',  ';',  '\r', '\n', 0x7f,
				     0x08, 0x01, 0x03, 0x04, 0x05, 0x0c, 0x15, 'a',  'z',  ' ' };

/*
 * Alternates 50,000-byte phases: "mixed" (key bytes and uniform random bytes) and "typing"
 * (mostly printable, so lines grow to the limit between rare Enters).
 */
static uint8_t fuzz_byte(unsigned i)
{
	uint64_t r = rng_next();
	bool typing = (i / 50000) % 2 == 1;
	if (typing)
		return (r >> 32) % 400 == 0 ? '\r' : (uint8_t)(0x20 + (r >> 8) % 95);
	if (r & 1)
		return fuzz_keys[(r >> 8) % sizeof(fuzz_keys)];
	return (uint8_t)(r >> 8);
}

static void test_fuzz_million_random_bytes_keep_invariants(void)
{
	char out[LINEEDIT_MAX];
	unsigned results[4] = { 0 }, full_lines = 0;
	bool history_filled = false;

	lineedit_init(&le, fuzz_write, NULL, "> ");
	lineedit_start(&le);
	for (unsigned i = 0; i < 1000000; i++) {
		memset(out, 0x55, sizeof(out));
		int r = lineedit_feed(&le, fuzz_byte(i), out, sizeof(out));
		CHECK(r >= LINEEDIT_NONE && r <= LINEEDIT_EOF);
		if (r != LINEEDIT_NONE) {
			size_t n = strnlen(out, sizeof(out));
			CHECK(n < sizeof(out) && printable(out, n));
			CHECK(r == LINEEDIT_LINE || n == 0);
			full_lines += n == LINEEDIT_MAX - 1;
			results[r]++;
			lineedit_start(&le);
		}
		history_filled |= le.hist_count == LINEEDIT_HISTORY;
		if (!invariants_hold() || !fuzz_output_ok) {
			fprintf(stderr, "fuzz: broken after byte %u\n", i);
			break;
		}
	}
	CHECK(fuzz_output_ok);
	/* The run reached every outcome, full lines and a full history ring. */
	CHECK(results[LINEEDIT_LINE] > 1000);
	CHECK(results[LINEEDIT_CANCEL] > 1000);
	CHECK(results[LINEEDIT_EOF] > 100);
	CHECK(full_lines > 10);
	CHECK(history_filled);
	CHECK(fuzz_output_bytes > 0);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "start_prints_the_prompt", test_start_prints_the_prompt },
		{ "printable_bytes_are_inserted_and_echoed",
		  test_printable_bytes_are_inserted_and_echoed },
		{ "cr_ends_the_line", test_cr_ends_the_line },
		{ "lf_ends_the_line", test_lf_ends_the_line },
		{ "crlf_and_lfcr_are_one_enter", test_crlf_and_lfcr_are_one_enter },
		{ "two_crs_are_two_enters", test_two_crs_are_two_enters },
		{ "crlf_split_across_start_is_one_enter",
		  test_crlf_split_across_start_is_one_enter },
		{ "insert_mid_line_redraws_the_tail", test_insert_mid_line_redraws_the_tail },
		{ "backspace_at_end_erases_one_char", test_backspace_at_end_erases_one_char },
		{ "ctrl_h_is_backspace", test_ctrl_h_is_backspace },
		{ "backspace_mid_line_closes_the_gap", test_backspace_mid_line_closes_the_gap },
		{ "backspace_at_start_does_nothing", test_backspace_at_start_does_nothing },
		{ "ctrl_u_erases_the_whole_line", test_ctrl_u_erases_the_whole_line },
		{ "ctrl_c_cancels_mid_line", test_ctrl_c_cancels_mid_line },
		{ "ctrl_d_on_empty_line_is_eof", test_ctrl_d_on_empty_line_is_eof },
		{ "ctrl_d_mid_line_deletes_under_cursor",
		  test_ctrl_d_mid_line_deletes_under_cursor },
		{ "ctrl_a_and_ctrl_e_go_home_and_end", test_ctrl_a_and_ctrl_e_go_home_and_end },
		{ "ctrl_l_redraws_the_line", test_ctrl_l_redraws_the_line },
		{ "arrows_move_the_cursor", test_arrows_move_the_cursor },
		{ "arrows_stop_at_the_ends", test_arrows_stop_at_the_ends },
		{ "ss3_arrows_work_like_csi_arrows", test_ss3_arrows_work_like_csi_arrows },
		{ "home_and_end_sequences", test_home_and_end_sequences },
		{ "delete_key_removes_under_cursor", test_delete_key_removes_under_cursor },
		{ "escape_sequence_split_across_feeds", test_escape_sequence_split_across_feeds },
		{ "unknown_sequences_are_consumed_and_ignored",
		  test_unknown_sequences_are_consumed_and_ignored },
		{ "overlong_sequence_is_skipped_to_its_final_byte",
		  test_overlong_sequence_is_skipped_to_its_final_byte },
		{ "alt_key_is_ignored", test_alt_key_is_ignored },
		{ "control_byte_ends_an_escape_sequence",
		  test_control_byte_ends_an_escape_sequence },
		{ "esc_restarts_a_sequence", test_esc_restarts_a_sequence },
		{ "other_control_and_high_bytes_are_ignored",
		  test_other_control_and_high_bytes_are_ignored },
		{ "high_byte_ends_an_escape_sequence", test_high_byte_ends_an_escape_sequence },
		{ "full_line_refuses_more_with_a_bell", test_full_line_refuses_more_with_a_bell },
		{ "line_is_truncated_to_the_callers_buffer",
		  test_line_is_truncated_to_the_callers_buffer },
		{ "history_up_recalls_newer_entries_first",
		  test_history_up_recalls_newer_entries_first },
		{ "history_down_restores_the_edited_line",
		  test_history_down_restores_the_edited_line },
		{ "history_with_nothing_stored_does_nothing",
		  test_history_with_nothing_stored_does_nothing },
		{ "history_skips_empty_lines_and_repeats",
		  test_history_skips_empty_lines_and_repeats },
		{ "history_keeps_the_newest_sixteen", test_history_keeps_the_newest_sixteen },
		{ "recalled_entry_can_be_edited_and_submitted",
		  test_recalled_entry_can_be_edited_and_submitted },
		{ "enter_and_cancel_leave_history_browsing",
		  test_enter_and_cancel_leave_history_browsing },
		{ "redraw_reprints_prompt_and_line", test_redraw_reprints_prompt_and_line },
		{ "set_prompt_changes_later_prompts", test_set_prompt_changes_later_prompts },
		{ "fuzz_million_random_bytes_keep_invariants",
		  test_fuzz_million_random_bytes_keep_invariants },
		{ NULL, NULL },
	};
	return check_main(tests);
}
