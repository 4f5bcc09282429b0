/*
 * The shell's line editor (see lineedit.h and docs/shell-lineedit.md).
 *
 * Input is a byte stream from a terminal. Plain bytes are keys; ESC starts an ANSI escape
 * sequence, parsed by a small state machine (enum lineedit_esc) that consumes a whole
 * sequence before acting on it, so a key split across feeds is handled like one that
 * arrives in one piece. Output is only printable text, "\r", ESC [ K and ESC [ n D.
 */
#include "lineedit.h"

#include <stdbool.h>
#include <string.h>

#define KEY_CTRL_A    0x01
#define KEY_CTRL_C    0x03
#define KEY_CTRL_D    0x04
#define KEY_CTRL_E    0x05
#define KEY_BACKSPACE 0x08
#define KEY_CTRL_L    0x0c
#define KEY_CTRL_U    0x15
#define KEY_ESC       0x1b
#define KEY_DEL       0x7f

static const char erase_to_eol[] = "\x1b[K";

static void emit(struct lineedit *le, const char *s, size_t n)
{
	if (n > 0)
		le->write(le->ctx, s, n);
}

static void emit_str(struct lineedit *le, const char *s)
{
	emit(le, s, strlen(s));
}

/* Moves the terminal cursor n columns left: ESC [ n D (nothing for n == 0). */
static void emit_back(struct lineedit *le, size_t n)
{
	char seq[24];
	char digits[20];
	size_t nd = 0, i = 0;

	if (n == 0)
		return;
	do {
		digits[nd++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	seq[i++] = KEY_ESC;
	seq[i++] = '[';
	while (nd > 0)
		seq[i++] = digits[--nd];
	seq[i++] = 'D';
	emit(le, seq, i);
}

/* Rewrites the line from `from` to its end, erases what was beyond, restores the cursor. */
static void emit_tail(struct lineedit *le, size_t from)
{
	emit(le, le->buf + from, le->len - from);
	emit_str(le, erase_to_eol);
	emit_back(le, le->len - le->cursor);
}

static void copy_out(char *out, size_t outsz, const char *s)
{
	size_t n;

	if (outsz == 0)
		return;
	n = strlen(s);
	if (n > outsz - 1)
		n = outsz - 1;
	memcpy(out, s, n);
	out[n] = 0;
}

/* Replaces the line with `s` (NUL-terminated, shorter than LINEEDIT_MAX), cursor at end. */
static void line_load(struct lineedit *le, const char *s)
{
	le->len = strlen(s);
	memmove(le->buf, s, le->len + 1);
	le->cursor = le->len;
}

/* Empties the line and leaves history browsing; keeps the history and any Enter pair. */
static void line_reset(struct lineedit *le)
{
	le->buf[0] = 0;
	le->len = 0;
	le->cursor = 0;
	le->hist_pos = -1;
}

void lineedit_init(struct lineedit *le, lineedit_write_fn write, void *ctx, const char *prompt)
{
	memset(le, 0, sizeof(*le));
	le->write = write;
	le->ctx = ctx;
	le->prompt = prompt;
	le->esc = LINEEDIT_ESC_NONE;
	line_reset(le);
}

void lineedit_set_prompt(struct lineedit *le, const char *prompt)
{
	le->prompt = prompt;
}

void lineedit_start(struct lineedit *le)
{
	line_reset(le);
	emit_str(le, le->prompt);
}

void lineedit_redraw(struct lineedit *le)
{
	emit_str(le, "\r");
	emit_str(le, le->prompt);
	emit_tail(le, 0);
}

static void insert_char(struct lineedit *le, char c)
{
	if (le->len >= LINEEDIT_MAX - 1) {
		emit_str(le, "\a");
		return;
	}
	memmove(le->buf + le->cursor + 1, le->buf + le->cursor, le->len - le->cursor + 1);
	le->buf[le->cursor] = c;
	le->len++;
	le->cursor++;
	emit(le, le->buf + le->cursor - 1, le->len - le->cursor + 1);
	emit_back(le, le->len - le->cursor);
}

/* Removes the character at `pos` (< len) from the buffer; no output. */
static void remove_char(struct lineedit *le, size_t pos)
{
	memmove(le->buf + pos, le->buf + pos + 1, le->len - pos);
	le->len--;
}

static void backspace(struct lineedit *le)
{
	if (le->cursor == 0)
		return;
	le->cursor--;
	remove_char(le, le->cursor);
	emit_back(le, 1);
	emit_tail(le, le->cursor);
}

static void delete_at_cursor(struct lineedit *le)
{
	if (le->cursor == le->len)
		return;
	remove_char(le, le->cursor);
	emit_tail(le, le->cursor);
}

static void cursor_left(struct lineedit *le)
{
	if (le->cursor == 0)
		return;
	le->cursor--;
	emit_back(le, 1);
}

/* Moves right by reprinting the character under the cursor. */
static void cursor_right(struct lineedit *le)
{
	if (le->cursor == le->len)
		return;
	emit(le, le->buf + le->cursor, 1);
	le->cursor++;
}

static void cursor_home(struct lineedit *le)
{
	emit_back(le, le->cursor);
	le->cursor = 0;
}

static void cursor_end(struct lineedit *le)
{
	emit(le, le->buf + le->cursor, le->len - le->cursor);
	le->cursor = le->len;
}

static void kill_line(struct lineedit *le)
{
	le->buf[0] = 0;
	le->len = 0;
	le->cursor = 0;
	lineedit_redraw(le);
}

/* The i-th newest history entry (i < hist_count). */
static const char *history_entry(const struct lineedit *le, unsigned i)
{
	unsigned slot = (le->hist_head + LINEEDIT_HISTORY - 1 - i) % LINEEDIT_HISTORY;
	return le->history[slot];
}

/* Appends the current line unless it is empty or repeats the newest entry. */
static void history_add(struct lineedit *le)
{
	if (le->len == 0)
		return;
	if (le->hist_count > 0 && strcmp(history_entry(le, 0), le->buf) == 0)
		return;
	memcpy(le->history[le->hist_head], le->buf, le->len + 1);
	le->hist_head = (le->hist_head + 1) % LINEEDIT_HISTORY;
	if (le->hist_count < LINEEDIT_HISTORY)
		le->hist_count++;
}

/* Shows the next older entry, first saving the line being edited. */
static void history_up(struct lineedit *le)
{
	if ((unsigned)(le->hist_pos + 1) >= le->hist_count)
		return;
	if (le->hist_pos < 0)
		memcpy(le->saved, le->buf, le->len + 1);
	le->hist_pos++;
	line_load(le, history_entry(le, (unsigned)le->hist_pos));
	lineedit_redraw(le);
}

/* Shows the next newer entry, or past the newest the line that was being edited. */
static void history_down(struct lineedit *le)
{
	if (le->hist_pos < 0)
		return;
	le->hist_pos--;
	if (le->hist_pos < 0)
		line_load(le, le->saved);
	else
		line_load(le, history_entry(le, (unsigned)le->hist_pos));
	lineedit_redraw(le);
}

static int finish_line(struct lineedit *le, char *out, size_t outsz)
{
	emit_str(le, "\r\n");
	history_add(le);
	copy_out(out, outsz, le->buf);
	line_reset(le);
	return LINEEDIT_LINE;
}

static int cancel_line(struct lineedit *le, char *out, size_t outsz)
{
	emit_str(le, "^C\r\n");
	copy_out(out, outsz, "");
	line_reset(le);
	return LINEEDIT_CANCEL;
}

/* Ctrl-D: end of input on an empty line, otherwise delete under the cursor. */
static int ctrl_d(struct lineedit *le, char *out, size_t outsz)
{
	if (le->len > 0) {
		delete_at_cursor(le);
		return LINEEDIT_NONE;
	}
	copy_out(out, outsz, "");
	line_reset(le);
	return LINEEDIT_EOF;
}

/* Acts on the final byte of ESC O x (application-mode cursor keys). */
static void ss3_final(struct lineedit *le, uint8_t b)
{
	switch (b) {
	case 'A':
		history_up(le);
		break;
	case 'B':
		history_down(le);
		break;
	case 'C':
		cursor_right(le);
		break;
	case 'D':
		cursor_left(le);
		break;
	case 'H':
		cursor_home(le);
		break;
	case 'F':
		cursor_end(le);
		break;
	default:
		break;
	}
}

/* Acts on ESC [ <params> ~ : 1 or 7 Home, 4 or 8 End, 3 Delete; anything else is ignored. */
static void csi_tilde(struct lineedit *le)
{
	if (le->esc_len != 1)
		return;
	switch (le->esc_param[0]) {
	case '1':
	case '7':
		cursor_home(le);
		break;
	case '4':
	case '8':
		cursor_end(le);
		break;
	case '3':
		delete_at_cursor(le);
		break;
	default:
		break;
	}
}

/* Acts on a complete CSI sequence ending in `b`; unknown ones are ignored. */
static void csi_final(struct lineedit *le, uint8_t b)
{
	if (b == '~') {
		csi_tilde(le);
		return;
	}
	if (le->esc_len == 0)
		ss3_final(le, b); /* ESC [ A..D, H, F mean what ESC O A..D, H, F do */
}

/*
 * In ESC [ or ESC O: stores a parameter/intermediate byte (0x20..0x3f), or ends the
 * sequence on a final byte (0x40..0x7e) and acts on it. Past LINEEDIT_ESC_PARAM parameter
 * bytes the sequence is overlong: the rest is consumed up to its final byte and ignored.
 */
static void seq_byte(struct lineedit *le, uint8_t b)
{
	enum lineedit_esc state = le->esc;

	if (b < 0x40) {
		if (state != LINEEDIT_ESC_OVERLONG && le->esc_len < LINEEDIT_ESC_PARAM)
			le->esc_param[le->esc_len++] = (char)b;
		else
			le->esc = LINEEDIT_ESC_OVERLONG;
		return;
	}
	le->esc = LINEEDIT_ESC_NONE;
	if (state == LINEEDIT_ESC_CSI)
		csi_final(le, b);
	else if (state == LINEEDIT_ESC_SS3 && le->esc_len == 0)
		ss3_final(le, b);
}

/* After ESC: '[' starts a CSI, 'O' an SS3; any other byte (an Alt-key) is ignored. */
static void esc_start_byte(struct lineedit *le, uint8_t b)
{
	le->esc_len = 0;
	if (b == '[')
		le->esc = LINEEDIT_ESC_CSI;
	else if (b == 'O')
		le->esc = LINEEDIT_ESC_SS3;
	else
		le->esc = LINEEDIT_ESC_NONE;
}

/*
 * Feeds a byte to the escape parser (le->esc != NONE). Returns true if the byte was
 * consumed, false if it ended the sequence and must be handled as an ordinary key: a control
 * byte (Enter, Ctrl-C, Backspace, ...) abandons any sequence, so those keys always work.
 */
static bool esc_feed(struct lineedit *le, uint8_t b)
{
	if (b == KEY_ESC) {
		le->esc = LINEEDIT_ESC_START;
		le->esc_len = 0;
		return true;
	}
	if (b < 0x20 || b == KEY_DEL) {
		le->esc = LINEEDIT_ESC_NONE;
		return false;
	}
	if (b >= 0x80) {
		le->esc = LINEEDIT_ESC_NONE;
		return true;
	}
	if (le->esc == LINEEDIT_ESC_START)
		esc_start_byte(le, b);
	else
		seq_byte(le, b);
	return true;
}

/* Handles one byte outside an escape sequence. */
static int key_feed(struct lineedit *le, uint8_t b, char *out, size_t outsz)
{
	switch (b) {
	case '\r':
	case '\n':
		le->enter_pair = b == '\r' ? '\n' : '\r';
		return finish_line(le, out, outsz);
	case KEY_CTRL_C:
		return cancel_line(le, out, outsz);
	case KEY_CTRL_D:
		return ctrl_d(le, out, outsz);
	case KEY_CTRL_A:
		cursor_home(le);
		break;
	case KEY_CTRL_E:
		cursor_end(le);
		break;
	case KEY_CTRL_L:
		lineedit_redraw(le);
		break;
	case KEY_CTRL_U:
		kill_line(le);
		break;
	case KEY_BACKSPACE:
	case KEY_DEL:
		backspace(le);
		break;
	case KEY_ESC:
		le->esc = LINEEDIT_ESC_START;
		le->esc_len = 0;
		break;
	default:
		if (b >= 0x20 && b < 0x7f)
			insert_char(le, (char)b);
		break;
	}
	return LINEEDIT_NONE;
}

int lineedit_feed(struct lineedit *le, uint8_t byte, char *out, size_t outsz)
{
	uint8_t pair = le->enter_pair;

	le->enter_pair = 0;
	if (pair != 0 && byte == pair)
		return LINEEDIT_NONE; /* the LF of CR LF (or the CR of LF CR): same Enter */
	if (le->esc != LINEEDIT_ESC_NONE && esc_feed(le, byte))
		return LINEEDIT_NONE;
	return key_feed(le, byte, out, outsz);
}
