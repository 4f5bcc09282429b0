/*
 * Formatted output for user programs (libc-mini). Output goes to the kernel's debug console
 * (SYS_DEBUG_PUTC, debug builds) until a serial server exists; each call is formatted into a
 * buffer and then emitted. Conversions are those of fmt_vformat (format.h).
 */
#pragma once

/* Start flags a spawner passes in x3 (memsrv does): bit 1 says bits 0 and 2 are valid, bit 0
 * says the kernel's debug console exists (printf writes nowhere otherwise), bit 2 that the
 * program was spawned with string arguments (MEMSRV_SPAWN_ARGV). */
#define MICA_START_DEBUG_CONSOLE 1u
#define MICA_START_FLAGS_VALID   2u
#define MICA_START_ARGV          4u /* x4 = argc, x5 = argv: crt0 calls main(argc, argv) */

/* 1 while printf may use the kernel's debug console (see crt0.S). */
extern int mica_debug_console;

/* 1 if memsrv started the program (crt0.S): mica_exit then sends MEMSRV_EXIT through the
 * memsrv capability in slot MICA_MEMSRV_SLOT instead of powering the machine off. */
extern int mica_started_by_memsrv;
#define MICA_MEMSRV_SLOT 1

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

/* Prints to the console. Returns the number of characters printed. */
__attribute__((format(printf, 1, 2))) int printf(const char *fmt, ...);

/* Like printf, with the arguments in `ap`. */
int vprintf(const char *fmt, va_list ap);

/*
 * Formats into buf[0..size), always NUL-terminated when size > 0. Returns the length the
 * whole output has (it was cut short if that is >= size).
 */
__attribute__((format(printf, 3, 4))) int snprintf(char *buf, size_t size, const char *fmt, ...);

/* Like snprintf, with the arguments in `ap`. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Prints one character; returns it (as an unsigned char). */
int putchar(int c);

/* Prints `s` and a newline; returns a non-negative number. */
int puts(const char *s);
