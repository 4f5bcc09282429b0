#include "console.h"

#include <format.h>

#include "arch.h"

static void console_out(void *ctx, char c)
{
	(void)ctx;
	if (c == '\n')
		arch_console_putc('\r');
	arch_console_putc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
	return fmt_vformat(console_out, 0, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	kprintf("\npanic: ");
	va_start(ap, fmt);
	fmt_vformat(console_out, 0, fmt, ap);
	va_end(ap);
	kprintf("\n");
	arch_halt();
}
