/*
 * printf and friends over fmt_vformat. Console output collects in fmt_vwrite's buffer per
 * call and goes out through console_write, the one place that knows the output channel.
 */
#include <stdio.h>

#include <format.h>
#include <mica.h>
#include <semihost.h>

struct string_sink {
	char *buf;
	size_t size; /* of buf, including room for the NUL */
	size_t pos;  /* characters produced so far, stored or not */
};

/* 1 while the kernel's debug console exists (debug builds). Release kernels have no debug
 * system calls: a program learns it from its starter (crt0's x3, MICA_START_*) or, as the
 * root task, from the boot-info page, and then printf writes nothing. */
int mica_debug_console = 1;

/* 1 once semihost_console was called (semihost.c): output goes to QEMU's semihosting. */
extern int mica_semihost_console;

/*
 * Sends len characters to the console; "\n" goes as is (the kernel adds "\r"). They go in
 * pieces of DEBUG_PUTS_MAX, each written at once (SYS_DEBUG_PUTS), so a line printed with one
 * call is not cut by another core's output unless it is longer; a piece the kernel refuses
 * (a byte it does not print that way) goes character by character.
 */
static void console_write(const char *s, size_t len)
{
	if (mica_semihost_console)
		return semihost_write(s, len);
	if (!mica_debug_console)
		return;
	while (len) {
		unsigned n = len < DEBUG_PUTS_MAX ? (unsigned)len : DEBUG_PUTS_MAX;
		if (mica_debug_puts(s, n) != 0)
			for (unsigned i = 0; i < n; i++)
				mica_debug_putc(s[i]);
		s += n;
		len -= n;
	}
}

/* fmt_write_fn over console_write. */
static void console_chunk(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	console_write(s, len);
}

static void string_char(void *ctx, char c)
{
	struct string_sink *s = ctx;
	if (s->pos + 1 < s->size)
		s->buf[s->pos] = c;
	s->pos++;
}

int vprintf(const char *fmt, va_list ap)
{
	return fmt_vwrite(console_chunk, NULL, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct string_sink s = { buf, size, 0 };
	int n = fmt_vformat(string_char, &s, fmt, ap);
	if (size > 0)
		buf[s.pos < size ? s.pos : size - 1] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int putchar(int c)
{
	char ch = (char)c;
	console_write(&ch, 1);
	return (unsigned char)c;
}

int puts(const char *s)
{
	size_t len = 0;
	while (s[len])
		len++;
	console_write(s, len);
	console_write("\n", 1);
	return 0;
}
