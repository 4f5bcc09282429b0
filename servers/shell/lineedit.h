/*
 * The shell's line editor: turns terminal input bytes into complete lines, echoing and
 * redrawing as it goes, with a small history ring.
 *
 * Pure logic with no I/O of its own: the caller feeds one byte at a time and every byte of
 * output goes through the write callback given to lineedit_init. No allocation; the whole
 * state is the struct below. Any byte sequence is safe to feed: unknown keys are ignored,
 * overlong lines are refused with a bell, and the buffer is always NUL-terminated.
 * Keys, history rules and limits are in docs/shell-lineedit.md.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define LINEEDIT_MAX       256 /* line buffer size, including the NUL */
#define LINEEDIT_HISTORY   16  /* history entries kept (the oldest is dropped) */
#define LINEEDIT_ESC_PARAM 8   /* parameter bytes kept from one escape sequence */

/* What lineedit_feed made of a byte. */
enum lineedit_result {
	LINEEDIT_NONE = 0,   /* the line is still being edited: feed more */
	LINEEDIT_LINE = 1,   /* Enter: the line is in `out` (and history) */
	LINEEDIT_CANCEL = 2, /* Ctrl-C: "^C" was printed, `out` is the empty string */
	LINEEDIT_EOF = 3,    /* Ctrl-D on an empty line: `out` is the empty string */
};

/* Where an escape sequence stands (ESC, ESC [ ..., ESC O ...). */
enum lineedit_esc {
	LINEEDIT_ESC_NONE,     /* not in a sequence */
	LINEEDIT_ESC_START,    /* saw ESC */
	LINEEDIT_ESC_CSI,      /* saw ESC [ and maybe parameter bytes */
	LINEEDIT_ESC_SS3,      /* saw ESC O and maybe parameter bytes */
	LINEEDIT_ESC_OVERLONG, /* too many parameter bytes: skipping to the final byte */
};

typedef void (*lineedit_write_fn)(void *ctx, const char *s, size_t n);

/*
 * The editor. Fields are public so tests (and the shell's status output) can read them;
 * only the lineedit_* functions change them. Invariants between calls:
 * cursor <= len < LINEEDIT_MAX, buf[len] == 0 and buf[0..len) is printable ASCII;
 * hist_count <= LINEEDIT_HISTORY; -1 <= hist_pos < hist_count.
 */
struct lineedit {
	lineedit_write_fn write;
	void *ctx;
	const char *prompt;
	char buf[LINEEDIT_MAX]; /* the line being edited */
	size_t len;             /* bytes in buf, not counting the NUL */
	size_t cursor;          /* insertion point, 0..len */
	/* history[(hist_head - 1 - i) mod LINEEDIT_HISTORY] is the i-th newest entry */
	char history[LINEEDIT_HISTORY][LINEEDIT_MAX];
	unsigned hist_head;       /* slot the next entry goes into */
	unsigned hist_count;      /* entries stored */
	int hist_pos;             /* entry shown (0 = newest), or -1: the line being edited */
	char saved[LINEEDIT_MAX]; /* the edited line, kept while walking the history */
	enum lineedit_esc esc;
	uint8_t esc_len;                    /* parameter bytes in esc_param */
	char esc_param[LINEEDIT_ESC_PARAM]; /* parameter bytes of the current CSI */
	uint8_t enter_pair;                 /* CR or LF that would complete a CR LF / LF CR */
};

/*
 * Prepares `le` with an empty line and history. Output goes to write(ctx, s, n); `prompt`
 * (not copied, so it must outlive `le`) is printed by lineedit_start and redraws.
 * Prints nothing.
 */
void lineedit_init(struct lineedit *le, lineedit_write_fn write, void *ctx, const char *prompt);

/* Changes the prompt used from the next lineedit_start or redraw on. Not copied. */
void lineedit_set_prompt(struct lineedit *le, const char *prompt);

/* Starts a new, empty line and prints the prompt. History is kept. */
void lineedit_start(struct lineedit *le);

/*
 * Processes one input byte, echoing or redrawing as needed. Returns LINEEDIT_NONE while the
 * line is being edited; for LINEEDIT_LINE, _CANCEL and _EOF the result (the line, or "") is
 * copied to out (truncated to outsz - 1 bytes and NUL-terminated; an outsz of
 * LINEEDIT_MAX always holds the whole line) and the editor is left on an empty line, with
 * no prompt printed: call lineedit_start for the next one. out may be NULL if outsz is 0.
 */
int lineedit_feed(struct lineedit *le, uint8_t byte, char *out, size_t outsz);

/*
 * Reprints the prompt and the current line and puts the terminal cursor back where the
 * editing cursor is: "\r", prompt, line, ESC [ K, then ESC [ n D if the cursor is not at
 * the end. For use after other output has disturbed the terminal line.
 */
void lineedit_redraw(struct lineedit *le);
