/*
 * Host tests for the CPIO newc reader (libc-mini/cpio.c). Archives are built here, field by
 * field, and every malformed one is handed to the reader in a heap buffer of exactly its
 * length, so AddressSanitizer catches any read past the end.
 */
#include <stdint.h>
#include <stdlib.h>

#include <cpio.h>

#include "check.h"

CHECK_DEFINE_GLOBALS;

#define HDR_SIZE   110
#define MODE_FILE  0100755u
#define MODE_DIR   0040755u
#define FIELD(n)   (6 + 8 * (n)) /* offset of hex field n in a header */
#define F_FILESIZE FIELD(6)
#define F_NAMESIZE FIELD(11)

struct archive {
	unsigned char buf[16384];
	size_t len;
};

static void pad4(struct archive *a)
{
	while (a->len % 4)
		a->buf[a->len++] = 0;
}

/* Appends one newc entry, as GNU cpio and scripts/mkcpio.py write it. */
static void add(struct archive *a, const char *name, const void *data, size_t size, uint32_t mode)
{
	uint32_t namesize = (uint32_t)strlen(name) + 1;
	const uint32_t fields[13] = {
		(uint32_t)a->len, mode, 0, 0, 1, 0, (uint32_t)size, 0, 0, 0, 0, namesize, 0
	};
	memcpy(a->buf + a->len, "070701", 6);
	for (int f = 0; f < 13; f++) {
		for (int d = 0; d < 8; d++)
			a->buf[a->len + FIELD(f) + d] =
			    "0123456789ABCDEF"[(fields[f] >> (28 - 4 * d)) & 15];
	}
	a->len += HDR_SIZE;
	memcpy(a->buf + a->len, name, namesize);
	a->len += namesize;
	pad4(a);
	memcpy(a->buf + a->len, data, size);
	a->len += size;
	pad4(a);
}

static void finish(struct archive *a)
{
	add(a, "TRAILER!!!", "", 0, 0);
}

/* The archive most tests start from: names of every length mod 4, and an empty file. */
static void sample(struct archive *a)
{
	a->len = 0;
	add(a, "hello", "HELLO", 5, MODE_FILE);
	add(a, "dir", "", 0, MODE_DIR);
	add(a, "empty", "", 0, MODE_FILE);
	add(a, "abc", "0123456789", 10, MODE_FILE);
	add(a, "x", "y", 1, MODE_FILE);
	finish(a);
}

/* A heap copy of the first `len` bytes, so ASan sees the exact end of the data. */
static unsigned char *exact_copy(const void *src, size_t len)
{
	unsigned char *p = malloc(len ? len : 1);
	memcpy(p, src, len);
	return p;
}

static int find_in(const struct archive *a, size_t len, const char *name, struct cpio_file *f)
{
	unsigned char *copy = exact_copy(a->buf, len);
	int r = cpio_find(copy, len, name, f);
	free(copy);
	return r;
}

static int entry_in(const struct archive *a, size_t len, unsigned index)
{
	struct cpio_file f;
	unsigned char *copy = exact_copy(a->buf, len);
	int r = cpio_entry(copy, len, index, &f);
	free(copy);
	return r;
}

/* Overwrites hex field at `off` with the 8 characters of `text`. */
static void set_field(struct archive *a, size_t off, const char *text)
{
	memcpy(a->buf + off, text, 8);
}

static void test_find_returns_name_data_size_and_mode(void)
{
	struct archive a;
	struct cpio_file f;
	sample(&a);
	CHECK_EQ(cpio_find(a.buf, a.len, "abc", &f), 0);
	CHECK_STR(f.name, "abc");
	CHECK_EQ(f.size, 10);
	CHECK(memcmp(f.data, "0123456789", 10) == 0);
	CHECK_EQ(f.mode, MODE_FILE);
	CHECK_EQ(cpio_find(a.buf, a.len, "dir", &f), 0);
	CHECK_EQ(f.mode, MODE_DIR);
}

static void test_data_starts_on_four_byte_boundaries(void)
{
	struct archive a;
	struct cpio_file f;
	sample(&a);
	const char *names[] = { "hello", "abc", "x" };
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(cpio_find(a.buf, a.len, names[i], &f), 0);
		CHECK_EQ(((const unsigned char *)f.data - a.buf) % 4, 0);
	}
	CHECK_EQ(a.len % 4, 0);
}

static void test_empty_file_has_size_zero(void)
{
	struct archive a;
	struct cpio_file f;
	sample(&a);
	CHECK_EQ(cpio_find(a.buf, a.len, "empty", &f), 0);
	CHECK_EQ(f.size, 0);
}

static void test_absent_name_is_not_found(void)
{
	struct archive a;
	struct cpio_file f;
	sample(&a);
	CHECK_EQ(cpio_find(a.buf, a.len, "nothere", &f), -1);
	CHECK_EQ(cpio_find(a.buf, a.len, "hell", &f), -1);
	CHECK_EQ(cpio_find(a.buf, a.len, "TRAILER!!!", &f), -1);
	CHECK_EQ(cpio_find(a.buf, a.len, NULL, &f), -1);
}

static void test_leading_dot_slash_is_ignored(void)
{
	struct archive a = { .len = 0 };
	struct cpio_file f;
	add(&a, "./memsrv", "M", 1, MODE_FILE);
	finish(&a);
	CHECK_EQ(cpio_find(a.buf, a.len, "memsrv", &f), 0);
	CHECK_STR(f.name, "./memsrv");
}

static void test_entries_iterate_in_order_without_trailer(void)
{
	struct archive a;
	struct cpio_file f;
	sample(&a);
	const char *names[] = { "hello", "dir", "empty", "abc", "x" };
	for (unsigned i = 0; i < 5; i++) {
		CHECK_EQ(cpio_entry(a.buf, a.len, i, &f), 0);
		CHECK_STR(f.name, names[i]);
	}
	CHECK_EQ(cpio_entry(a.buf, a.len, 5, &f), -1);
	CHECK_EQ(cpio_entry(a.buf, a.len, 1000, &f), -1);
}

static void test_archive_of_only_a_trailer_is_empty(void)
{
	struct archive a = { .len = 0 };
	struct cpio_file f;
	finish(&a);
	CHECK_EQ(cpio_entry(a.buf, a.len, 0, &f), -1);
	CHECK_EQ(cpio_find(a.buf, a.len, "hello", &f), -1);
}

static void test_null_or_empty_archive_is_refused(void)
{
	struct cpio_file f;
	CHECK_EQ(cpio_find(NULL, 0, "hello", &f), -1);
	CHECK_EQ(cpio_entry(NULL, 100, 0, &f), -1);
	CHECK_EQ(cpio_entry("", 0, 0, &f), -1);
}

static void test_lower_case_hex_is_accepted(void)
{
	struct archive a = { .len = 0 };
	struct cpio_file f;
	add(&a, "big", "0123456789abcdef", 16, MODE_FILE);
	finish(&a);
	set_field(&a, F_FILESIZE, "0000000a"); /* 16 -> 10 */
	CHECK_EQ(cpio_find(a.buf, a.len, "big", &f), 0);
	CHECK_EQ(f.size, 10);
}

static void test_entries_after_the_trailer_are_ignored(void)
{
	struct archive a = { .len = 0 };
	struct cpio_file f;
	add(&a, "one", "1", 1, MODE_FILE);
	finish(&a);
	add(&a, "ghost", "g", 1, MODE_FILE);
	CHECK_EQ(cpio_find(a.buf, a.len, "ghost", &f), -1);
	CHECK_EQ(cpio_entry(a.buf, a.len, 1, &f), -1);
}

static void test_truncated_header_is_refused(void)
{
	struct archive a;
	sample(&a);
	for (size_t len = 0; len < HDR_SIZE; len++)
		CHECK_EQ(entry_in(&a, len, 0), -1);
}

static void test_every_truncation_hides_what_it_cuts(void)
{
	struct archive a;
	struct cpio_file f;
	sample(&a);
	/* "x" is the last file: its data ends 4 bytes before the trailer header. */
	CHECK_EQ(cpio_find(a.buf, a.len, "x", &f), 0);
	size_t x_end = (size_t)((const unsigned char *)f.data - a.buf) + f.size;
	for (size_t len = 0; len < a.len; len++) {
		int r = find_in(&a, len, "x", &f);
		CHECK_EQ(r, len >= x_end ? 0 : -1);
		CHECK_EQ(entry_in(&a, len, 5), -1);
	}
}

static void test_bad_magic_is_refused(void)
{
	const char *magics[] = { "070707", "070702", "070700", "171701", "\0\0\0\0\0\0" };
	for (int i = 0; i < 5; i++) {
		struct archive a;
		sample(&a);
		memcpy(a.buf, magics[i], 6);
		CHECK_EQ(entry_in(&a, a.len, 0), -1);
	}
}

static void test_bad_hex_in_any_field_is_refused(void)
{
	const char bad[] = { 'g', 'G', ' ', '-', 'x', '\0', '/', ':', '@', '`' };
	for (int field = 0; field < 13; field++) {
		for (size_t b = 0; b < sizeof(bad); b++) {
			struct archive a;
			sample(&a);
			a.buf[FIELD(field) + 3] = (unsigned char)bad[b];
			CHECK_EQ(entry_in(&a, a.len, 0), -1);
		}
	}
}

static void test_name_past_the_end_is_refused(void)
{
	struct archive a;
	sample(&a);
	set_field(&a, F_NAMESIZE, "FFFFFFFF");
	CHECK_EQ(entry_in(&a, a.len, 0), -1);
	sample(&a);
	CHECK_EQ(entry_in(&a, HDR_SIZE + 3, 0), -1); /* "hel" of "hello\0" */
}

static void test_name_without_its_nul_is_refused(void)
{
	struct archive a;
	sample(&a);
	set_field(&a, F_NAMESIZE, "00000005"); /* "hello" without the NUL */
	CHECK_EQ(entry_in(&a, a.len, 0), -1);
	set_field(&a, F_NAMESIZE, "00000000");
	CHECK_EQ(entry_in(&a, a.len, 0), -1);
	sample(&a);
	set_field(&a, F_NAMESIZE, "00000007"); /* a NUL inside the name */
	CHECK_EQ(entry_in(&a, a.len, 0), -1);
}

static void test_data_past_the_end_is_refused(void)
{
	struct archive a;
	sample(&a);
	set_field(&a, F_FILESIZE, "FFFFFFFF");
	CHECK_EQ(entry_in(&a, a.len, 0), -1);
	sample(&a);
	CHECK_EQ(entry_in(&a, HDR_SIZE + 6 + 4, 0), -1); /* header, "hello\0", 4 of 5 bytes */
	CHECK_EQ(entry_in(&a, HDR_SIZE + 6 + 5, 0), 0);
}

static void test_missing_trailer_ends_the_walk(void)
{
	struct archive a = { .len = 0 };
	struct cpio_file f;
	add(&a, "one", "1", 1, MODE_FILE);
	add(&a, "two", "22", 2, MODE_FILE);
	CHECK_EQ(find_in(&a, a.len, "two", &f), 0); /* found before the end */
	CHECK_EQ(find_in(&a, a.len, "three", &f), -1);
	CHECK_EQ(entry_in(&a, a.len, 1), 0);
	CHECK_EQ(entry_in(&a, a.len, 2), -1);
}

static void test_a_file_before_a_malformed_entry_is_found(void)
{
	struct archive a;
	struct cpio_file f;
	sample(&a);
	/* Break the second header ("dir"): "hello" is before it, "abc" after. */
	CHECK_EQ(cpio_find(a.buf, a.len, "dir", &f), 0);
	unsigned char *dir_hdr = (unsigned char *)f.name - HDR_SIZE;
	dir_hdr[0] = 'X';
	CHECK_EQ(cpio_find(a.buf, a.len, "hello", &f), 0);
	CHECK_EQ(cpio_find(a.buf, a.len, "abc", &f), -1);
	CHECK_EQ(cpio_entry(a.buf, a.len, 1, &f), -1);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A file the reader returned must lie inside [base, base+len) with its name terminated. */
static void check_inside(const unsigned char *base, size_t len, const struct cpio_file *f)
{
	const unsigned char *name = (const unsigned char *)f->name;
	const unsigned char *data = f->data;
	CHECK(name >= base && name < base + len);
	CHECK(strnlen(f->name, (size_t)(base + len - name)) < (size_t)(base + len - name));
	CHECK(data >= base && data <= base + len && f->size <= (size_t)(base + len - data));
}

static void fuzz_one(const struct archive *a)
{
	size_t len = a->len;
	if (rng() % 4 == 0)
		len = rng() % (a->len + 1);
	unsigned char *copy = exact_copy(a->buf, len);
	for (int flips = 1 + rng() % 4; flips > 0 && len; flips--)
		copy[rng() % len] = (unsigned char)rng();
	struct cpio_file f;
	for (unsigned i = 0; i < 8; i++) {
		if (cpio_entry(copy, len, i, &f) == 0)
			check_inside(copy, len, &f);
	}
	if (cpio_find(copy, len, "x", &f) == 0)
		check_inside(copy, len, &f);
	free(copy);
}

static void test_fuzzed_archives_never_escape_the_buffer(void)
{
	struct archive a;
	sample(&a);
	rng_state = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 100000; i++)
		fuzz_one(&a);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "find_returns_name_data_size_and_mode",
		  test_find_returns_name_data_size_and_mode },
		{ "data_starts_on_four_byte_boundaries", test_data_starts_on_four_byte_boundaries },
		{ "empty_file_has_size_zero", test_empty_file_has_size_zero },
		{ "absent_name_is_not_found", test_absent_name_is_not_found },
		{ "leading_dot_slash_is_ignored", test_leading_dot_slash_is_ignored },
		{ "entries_iterate_in_order_without_trailer",
		  test_entries_iterate_in_order_without_trailer },
		{ "archive_of_only_a_trailer_is_empty", test_archive_of_only_a_trailer_is_empty },
		{ "null_or_empty_archive_is_refused", test_null_or_empty_archive_is_refused },
		{ "lower_case_hex_is_accepted", test_lower_case_hex_is_accepted },
		{ "entries_after_the_trailer_are_ignored",
		  test_entries_after_the_trailer_are_ignored },
		{ "truncated_header_is_refused", test_truncated_header_is_refused },
		{ "every_truncation_hides_what_it_cuts", test_every_truncation_hides_what_it_cuts },
		{ "bad_magic_is_refused", test_bad_magic_is_refused },
		{ "bad_hex_in_any_field_is_refused", test_bad_hex_in_any_field_is_refused },
		{ "name_past_the_end_is_refused", test_name_past_the_end_is_refused },
		{ "name_without_its_nul_is_refused", test_name_without_its_nul_is_refused },
		{ "data_past_the_end_is_refused", test_data_past_the_end_is_refused },
		{ "missing_trailer_ends_the_walk", test_missing_trailer_ends_the_walk },
		{ "a_file_before_a_malformed_entry_is_found",
		  test_a_file_before_a_malformed_entry_is_found },
		{ "fuzzed_archives_never_escape_the_buffer",
		  test_fuzzed_archives_never_escape_the_buffer },
		{ NULL, NULL },
	};
	return check_main(tests);
}
