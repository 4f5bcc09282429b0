/* Kernel console output: formatted printing over the arch console, and panic. */
#pragma once

#include <stdarg.h>

/* Prints to the kernel console (format as in libc-mini's format.h). Returns chars written. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* kprintf with a va_list. */
int kvprintf(const char *fmt, va_list ap);

/* Prints "panic: " and the message, then stops the machine. For broken kernel invariants only;
 * start the message with the function name. */
__attribute__((noreturn)) void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
