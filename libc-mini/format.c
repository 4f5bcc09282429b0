#include <format.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int precision; /* -1: none */
	int length;    /* in bytes of the argument: 1, 2, 4 or 8 */
	char conv;
};

struct sink {
	fmt_out_fn out;
	void *ctx;
	int count;
};

static void put(struct sink *s, char c)
{
	s->out(s->ctx, c);
	s->count++;
}

static void pad(struct sink *s, char c, int n)
{
	while (n-- > 0)
		put(s, c);
}

/* Emits a prefix ("-", "0x", ...) and digits in a field, honouring width and flags. */
static void emit_number(struct sink *s, const struct spec *sp, const char *prefix,
			const char *digits, int ndigits)
{
	int nprefix = 0;
	while (prefix[nprefix])
		nprefix++;
	int zeros = sp->precision > ndigits ? sp->precision - ndigits : 0;
	int body = nprefix + zeros + ndigits;
	int fill = sp->width > body ? sp->width - body : 0;
	if (sp->zero && !sp->left && sp->precision < 0) {
		zeros += fill;
		fill = 0;
	}
	if (!sp->left)
		pad(s, ' ', fill);
	for (int i = 0; i < nprefix; i++)
		put(s, prefix[i]);
	pad(s, '0', zeros);
	for (int i = 0; i < ndigits; i++)
		put(s, digits[i]);
	if (sp->left)
		pad(s, ' ', fill);
}

static void format_integer(struct sink *s, const struct spec *sp, uint64_t v, bool negative)
{
	char buf[24];
	int n = 0;
	unsigned base = 10;
	const char *set = "0123456789abcdef";
	const char *prefix = "";
	if (sp->conv == 'x' || sp->conv == 'p') {
		base = 16;
	} else if (sp->conv == 'X') {
		base = 16;
		set = "0123456789ABCDEF";
	} else if (sp->conv == 'o') {
		base = 8;
	}
	if (negative)
		prefix = "-";
	else if (sp->plus && (sp->conv == 'd' || sp->conv == 'i'))
		prefix = "+";
	else if (sp->space && (sp->conv == 'd' || sp->conv == 'i'))
		prefix = " ";
	else if ((sp->alt && v != 0 && base == 16) || sp->conv == 'p')
		prefix = sp->conv == 'X' ? "0X" : "0x";
	else if (sp->alt && base == 8)
		prefix = "0";
	/* Digits are produced least significant first, then reversed. */
	do {
		buf[n++] = set[v % base];
		v /= base;
	} while (v);
	if (sp->precision == 0 && n == 1 && buf[0] == '0')
		n = 0;
	for (int i = 0; i < n / 2; i++) {
		char t = buf[i];
		buf[i] = buf[n - 1 - i];
		buf[n - 1 - i] = t;
	}
	emit_number(s, sp, prefix, buf, n);
}

static void format_string(struct sink *s, const struct spec *sp, const char *str)
{
	if (!str)
		str = "(null)";
	int len = 0;
	while (str[len] && (sp->precision < 0 || len < sp->precision))
		len++;
	int fill = sp->width > len ? sp->width - len : 0;
	if (!sp->left)
		pad(s, ' ', fill);
	for (int i = 0; i < len; i++)
		put(s, str[i]);
	if (sp->left)
		pad(s, ' ', fill);
}

/* Parses flags, width, precision and length at *fmt; returns false at a premature end. */
static bool parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
	const char *f = *fmt;
	*sp = (struct spec){ .precision = -1, .length = 4 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9' && sp->width < 10000)
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->precision = 0;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9' && sp->precision < 10000)
			sp->precision = sp->precision * 10 + (*f++ - '0');
	}
	if (f[0] == 'h' && f[1] == 'h') {
		sp->length = 1;
		f += 2;
	} else if (*f == 'h') {
		sp->length = 2;
		f++;
	} else if (f[0] == 'l' && f[1] == 'l') {
		sp->length = 8;
		f += 2;
	} else if (*f == 'l' || *f == 'z' || *f == 't' || *f == 'j') {
		sp->length = 8;
		f++;
	}
	sp->conv = *f;
	*fmt = f;
	return *f != '\0';
}

static uint64_t fetch_unsigned(const struct spec *sp, va_list *ap)
{
	uint64_t v = sp->length == 8 ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned int);
	if (sp->length == 1)
		v = (uint8_t)v;
	else if (sp->length == 2)
		v = (uint16_t)v;
	return v;
}

static int64_t fetch_signed(const struct spec *sp, va_list *ap)
{
	int64_t v = sp->length == 8 ? va_arg(*ap, int64_t) : va_arg(*ap, int);
	if (sp->length == 1)
		v = (int8_t)v;
	else if (sp->length == 2)
		v = (int16_t)v;
	return v;
}

int fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap)
{
	struct sink s = { out, ctx, 0 };
	va_list args;
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&s, *fmt++);
			continue;
		}
		const char *start = fmt++;
		struct spec sp;
		if (!parse_spec(&fmt, &sp, &args)) {
			while (*start)
				put(&s, *start++);
			break;
		}
		switch (sp.conv) {
		case 'd':
		case 'i': {
			int64_t v = fetch_signed(&sp, &args);
			format_integer(&s, &sp, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			format_integer(&s, &sp, fetch_unsigned(&sp, &args), false);
			break;
		case 'p':
			format_integer(&s, &sp, (uintptr_t)va_arg(args, void *), false);
			break;
		case 's':
			format_string(&s, &sp, va_arg(args, const char *));
			break;
		case 'c':
			put(&s, (char)va_arg(args, int));
			break;
		case '%':
			put(&s, '%');
			break;
		default: /* unknown: print the directive as written */
			while (start <= fmt)
				put(&s, *start++);
			break;
		}
		fmt++;
	}
	va_end(args);
	return s.count;
}

/* fmt_vwrite's buffer. */
struct chunk {
	fmt_write_fn write;
	void *ctx;
	size_t used;
	char buf[FMT_CHUNK];
};

static void chunk_put(void *ctx, char c)
{
	struct chunk *k = ctx;
	if (k->used == sizeof(k->buf)) {
		k->write(k->ctx, k->buf, k->used);
		k->used = 0;
	}
	k->buf[k->used++] = c;
}

int fmt_vwrite(fmt_write_fn write, void *ctx, const char *fmt, va_list ap)
{
	struct chunk k = { .write = write, .ctx = ctx, .used = 0 };
	int n = fmt_vformat(chunk_put, &k, fmt, ap);
	if (k.used)
		write(ctx, k.buf, k.used);
	return n;
}
