/*
 * The formatting engine behind the kernel's kprintf and libc-mini's printf family.
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '+' ' ' '#', a field width and
 * precision (numbers or '*'), and the length modifiers hh h l ll z t j. Unknown
 * conversions are printed verbatim, so a bad format string cannot read stray arguments
 * beyond the one it names.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#define FMT_CHUNK 128 /* fmt_vwrite's buffer: the most it passes to `write` at once */

typedef void (*fmt_out_fn)(void *ctx, char c);
typedef void (*fmt_write_fn)(void *ctx, const char *s, size_t n);

/* Formats `fmt` with `ap`, passing every output character to `out`. Returns the count. */
int fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap);

/*
 * Formats `fmt` with `ap` into a buffer on the stack and passes the output to `write` in
 * chunks of FMT_CHUNK bytes (the last one shorter; no call at all for empty output), so a
 * console sees few large writes instead of one per character. Returns the count.
 */
int fmt_vwrite(fmt_write_fn write, void *ctx, const char *fmt, va_list ap);
