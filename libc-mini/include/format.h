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

typedef void (*fmt_out_fn)(void *ctx, char c);

/* Formats `fmt` with `ap`, passing every output character to `out`. Returns the count. */
int fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap);
