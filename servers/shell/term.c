/*
 * Terminal state: one serial line, one line editor (its history is shared by every prompt),
 * and a flag saying whether a prompt is on the screen, so that asynchronous output first
 * clears that line and then puts it back.
 */
#include "term.h"

#include <format.h>

#include "serial.h"

#define CLEAR_LINE  "\r\x1b[K"
#define INPUT_CHUNK 64
#define CTRL_C      0x03

static struct serial serial;
static struct lineedit editor;
static term_event_fn event_handler;
static bool prompt_shown; /* a prompt and a partial line are on the terminal */
static bool line_cleared; /* output during an event cleared that line */

/* Output through the editor (its echo and redraws). */
static void editor_write(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	serial_write(&serial, s, n);
}

int term_init(volatile void *regs, cptr_t irq, cptr_t ntfn, uint64_t irq_bits,
	      term_event_fn on_event)
{
	event_handler = on_event;
	lineedit_init(&editor, editor_write, NULL, "");
	return serial_init(&serial, regs, irq, ntfn, irq_bits);
}

void term_write(const char *s, size_t n)
{
	if (prompt_shown && !line_cleared) {
		serial_write(&serial, CLEAR_LINE, sizeof(CLEAR_LINE) - 1);
		line_cleared = true;
	}
	serial_write(&serial, s, n);
}

/* fmt_write_fn over term_write. */
static void term_chunk(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	term_write(s, n);
}

int term_vprintf(const char *fmt, va_list ap)
{
	return fmt_vwrite(term_chunk, NULL, fmt, ap);
}

int term_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = term_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* Hands events to the handler; if it printed over the prompt, puts the prompt back. */
static void dispatch_events(uint64_t events)
{
	if (!events || !event_handler)
		return;
	line_cleared = false;
	event_handler(events);
	if (prompt_shown && line_cleared)
		lineedit_redraw(&editor);
	line_cleared = false;
}

/* Feeds bytes to the editor; returns its first non-NONE result (rest of the chunk kept). */
static int feed(const uint8_t *in, size_t n, size_t *used, bool menu_hotkey, char *out, size_t size)
{
	for (size_t i = 0; i < n; i++) {
		if (menu_hotkey && in[i] == '|' && editor.len == 0) {
			*used = i + 1;
			return TERM_MENU;
		}
		int r = lineedit_feed(&editor, in[i], out, size);
		if (r != LINEEDIT_NONE) {
			*used = i + 1;
			return r;
		}
	}
	*used = n;
	return LINEEDIT_NONE;
}

int term_readline(const char *prompt, bool menu_hotkey, char *out, size_t size)
{
	/* Bytes read past the end of a line wait here for the next call (a paste). */
	static uint8_t pending[INPUT_CHUNK];
	static size_t pending_at, pending_len;
	lineedit_set_prompt(&editor, prompt);
	lineedit_start(&editor);
	prompt_shown = true;
	for (;;) {
		if (pending_at == pending_len) {
			uint64_t events = 0;
			pending_at = 0;
			pending_len = serial_read(&serial, pending, sizeof(pending), &events);
			dispatch_events(events);
		}
		size_t used;
		int r = feed(pending + pending_at, pending_len - pending_at, &used, menu_hotkey,
			     out, size);
		pending_at += used;
		if (r == LINEEDIT_NONE)
			continue;
		prompt_shown = false;
		if (r == TERM_MENU) {
			serial_write(&serial, "|\n", 2);
			if (size)
				out[0] = '\0';
		}
		return r;
	}
}

bool term_wait(void)
{
	uint8_t in[INPUT_CHUNK];
	uint64_t events = 0;
	size_t n = serial_read(&serial, in, sizeof(in), &events);
	dispatch_events(events);
	for (size_t i = 0; i < n; i++) {
		if (in[i] == CTRL_C)
			return true;
	}
	return false;
}

uint64_t term_interrupts(void)
{
	return serial.interrupts;
}
