/*
 * The shell's terminal: output to the serial line, line input through the line editor, and
 * the events memsrv signals on the console notification, all in one place.
 *
 * Reading blocks on the notification (serial.h). When memsrv signals an event while a line is
 * being edited, the terminal clears the prompt line, lets the event handler print, and redraws
 * the prompt and the half-typed line.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mica/syscall.h>

#include "lineedit.h"

/* What term_readline returns besides LINEEDIT_LINE, _CANCEL and _EOF. */
#define TERM_MENU 4 /* '|' typed at the start of an empty line (menu_hotkey only) */

/* Called with the event bits memsrv signalled. */
typedef void (*term_event_fn)(uint64_t events);

/*
 * Takes over the UART (serial_init with `irq_bits`, the bits its interrupt sets on `ntfn`)
 * and prepares the line editor. Other bits go to on_event. Returns 0 or serial_init's error.
 */
int term_init(volatile void *regs, cptr_t irq, cptr_t ntfn, uint64_t irq_bits,
	      term_event_fn on_event);

/* Writes n bytes ("\n" becomes "\r\n"). */
void term_write(const char *s, size_t n);

/* Formatted output (format.h conversions); returns the characters written. */
__attribute__((format(printf, 1, 2))) int term_printf(const char *fmt, ...);

/* Like term_printf with a va_list. */
int term_vprintf(const char *fmt, va_list ap);

/*
 * Reads one line after printing `prompt` (kept by pointer while reading). Returns
 * LINEEDIT_LINE with the line in out[0..size) (NUL-terminated), LINEEDIT_CANCEL (Ctrl-C) or
 * LINEEDIT_EOF (Ctrl-D on an empty line) with out = "", or TERM_MENU if `menu_hotkey` and '|'
 * was typed on an empty line. Events are handled while waiting.
 */
int term_readline(const char *prompt, bool menu_hotkey, char *out, size_t size);

/*
 * Waits for input or an event (which goes to the handler). Returns true if Ctrl-C was typed;
 * other input is dropped. For commands that wait for a process.
 */
bool term_wait(void);

/* The number of UART receive interrupts taken so far. */
uint64_t term_interrupts(void);
