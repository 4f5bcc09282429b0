/*
 * Arm semihosting from user space: a console and a power-off for programs that run where the
 * kernel has neither (release builds), under QEMU started with
 * `-semihosting-config enable=on,userspace=on` (scripts/qemu --semihosting).
 *
 * A semihosting call is `hlt #0xf000` with the operation in w0 and its parameter in x1;
 * QEMU performs it and resumes the program after the hlt, without entering the kernel.
 * Without that QEMU option the hlt is an undefined instruction: the kernel delivers it as a
 * fault like any other, so nothing here needs or gets kernel privileges.
 * Used by the benchmark programs (kbench, membench); see docs/performance.md.
 */
#pragma once

#include <stddef.h>

/* Writes s[0..len) to the semihosting console (the host's standard output). */
void semihost_write(const char *s, size_t len);

/* Makes printf, putchar and puts write to the semihosting console from now on. */
void semihost_console(void);

/* Ends the QEMU run with exit status `code` (SYS_EXIT, ADP_Stopped_ApplicationExit). */
__attribute__((noreturn)) void semihost_exit(int code);
