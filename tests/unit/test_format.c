/* Host tests for libc-mini's formatting engine, compared with what C's printf specifies. */
#include <stdarg.h>
#include <string.h>

#include "check.h"
#include "format.h"

CHECK_DEFINE_GLOBALS;

struct buf {
	char s[256];
	int n;
};

static void out(void *ctx, char c)
{
	struct buf *b = ctx;
	if (b->n < (int)sizeof(b->s) - 1)
		b->s[b->n++] = c;
	b->s[b->n] = '\0';
}

static const char *fmt(const char *f, ...)
{
	static struct buf b;
	va_list ap;
	b.n = 0;
	b.s[0] = '\0';
	va_start(ap, f);
	int n = fmt_vformat(out, &b, f, ap);
	va_end(ap);
	CHECK_EQ(n, b.n);
	return b.s;
}

static void test_integers(void)
{
	CHECK_STR(fmt("%d %i %u", -42, 7, 3000000000u), "-42 7 3000000000");
	CHECK_STR(fmt("%ld", (long)INT64_MIN), "-9223372036854775808");
	CHECK_STR(fmt("%lu", (unsigned long)UINT64_MAX), "18446744073709551615");
	CHECK_STR(fmt("%x %X %o", 0xbeefu, 0xbeefu, 8u), "beef BEEF 10");
	CHECK_STR(fmt("%hhu %hd", 0x1ff, 0x18000), "255 -32768");
	CHECK_STR(fmt("%zu", (size_t)12), "12");
}

static void test_width_precision_flags(void)
{
	CHECK_STR(fmt("[%5d][%-5d][%05d]", 42, 42, -42), "[   42][42   ][-0042]");
	CHECK_STR(fmt("[%+d][% d]", 5, 5), "[+5][ 5]");
	CHECK_STR(fmt("[%#x][%#o][%#x]", 255u, 8u, 0u), "[0xff][010][0]");
	CHECK_STR(fmt("[%#011lx]", 0x40000000ul), "[0x040000000]");
	CHECK_STR(fmt("[%.3d][%.0d]", 7, 0), "[007][]");
	CHECK_STR(fmt("[%*d][%-*d]", 4, 1, 3, 2), "[   1][2  ]");
	CHECK_STR(fmt("[%016lx]", 0xabcul), "[0000000000000abc]");
}

static void test_strings_chars_pointers(void)
{
	CHECK_STR(fmt("%s|%-4s|%4s|%.2s", "abc", "ab", "ab", "abcdef"), "abc|ab  |  ab|ab");
	CHECK_STR(fmt("%s", (char *)NULL), "(null)");
	CHECK_STR(fmt("%c%c%%", 'o', 'k'), "ok%");
	CHECK_STR(fmt("%p", (void *)0x1234), "0x1234");
}

static void test_malformed_formats_are_printed_verbatim(void)
{
	CHECK_STR(fmt("100%"), "100%");
	CHECK_STR(fmt("%q and %d", 3), "%q and 3");
	CHECK_STR(fmt("%-"), "%-");
}

/* Records fmt_vwrite's calls. */
struct writes {
	char s[1024];
	size_t len, calls, largest;
};

static void record(void *ctx, const char *s, size_t n)
{
	struct writes *w = ctx;
	memcpy(w->s + w->len, s, n);
	w->len += n;
	w->s[w->len] = '\0';
	w->calls++;
	w->largest = n > w->largest ? n : w->largest;
}

static int vwrite(struct writes *w, const char *f, ...)
{
	va_list ap;
	memset(w, 0, sizeof(*w));
	va_start(ap, f);
	int n = fmt_vwrite(record, w, f, ap);
	va_end(ap);
	return n;
}

static void test_vwrite_passes_output_in_chunks(void)
{
	struct writes w;
	CHECK_EQ(vwrite(&w, "%s=%d", "x", 5), 3);
	CHECK_STR(w.s, "x=5");
	CHECK_EQ(w.calls, 1);
	CHECK_EQ(vwrite(&w, ""), 0);
	CHECK_EQ(w.calls, 0); /* nothing to write: no call */
	CHECK_EQ(vwrite(&w, "%*d", 300, 7), 300);
	CHECK_EQ(w.len, 300);
	CHECK_EQ(w.s[299], '7');
	CHECK_EQ(w.calls, 3); /* 128 + 128 + 44 */
	CHECK_EQ(w.largest, FMT_CHUNK);
	CHECK_EQ(vwrite(&w, "%*d", FMT_CHUNK, 1), FMT_CHUNK);
	CHECK_EQ(w.calls, 1); /* exactly one full chunk */
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "integers", test_integers },
		{ "width_precision_flags", test_width_precision_flags },
		{ "strings_chars_pointers", test_strings_chars_pointers },
		{ "malformed_formats_are_printed_verbatim",
		  test_malformed_formats_are_printed_verbatim },
		{ "vwrite_passes_output_in_chunks", test_vwrite_passes_output_in_chunks },
		{ NULL, NULL },
	};
	return check_main(tests);
}
