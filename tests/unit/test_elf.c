/*
 * Host tests for the ELF64 checker (libc-mini/elf.c). Each test starts from a small valid
 * executable built here (text R+X, rodata R, data R+W with bss, a PT_GNU_STACK header),
 * breaks one thing, and checks the exact reason the checker gives. Files are handed over in
 * heap buffers of exactly their length, so AddressSanitizer catches any read past the end.
 */
#include <stdint.h>
#include <stdlib.h>

#include <elf.h>

#include "check.h"

CHECK_DEFINE_GLOBALS;

/* The ELF64 layout, written out independently of the checker. */
struct ehdr {
	unsigned char ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD      1
#define PT_DYNAMIC   2
#define PT_INTERP    3
#define PT_NOTE      4
#define PT_GNU_STACK 0x6474e551u
#define PF_X         1u
#define PF_W         2u
#define PF_R         4u
#define PAGE         0x1000ull
#define TEXT         0x400000ull
#define MAX_PHDRS    24
#define FILE_SIZE    (4 * PAGE + 0x10)

/* An executable under construction: headers at the front, segment data at page offsets. */
struct image {
	struct ehdr eh;
	struct phdr ph[MAX_PHDRS];
	unsigned char body[FILE_SIZE];
	size_t len;
};

static struct image img;
static struct elf_info info;

static struct phdr load(uint32_t flags, uint64_t offset, uint64_t vaddr, uint64_t filesz,
			uint64_t memsz)
{
	struct phdr p = { PT_LOAD, flags, offset, vaddr, vaddr, filesz, memsz, PAGE };
	return p;
}

/* The valid baseline: text, rodata, data+bss, GNU_STACK; entry 0x10 into text. */
static void baseline(void)
{
	memset(&img, 0, sizeof(img));
	struct ehdr eh = {
		.ident = { 0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* LSB */, 1 /* version */ },
		.type = 2,      /* ET_EXEC */
		.machine = 183, /* EM_AARCH64 */
		.version = 1,
		.entry = TEXT + 0x10,
		.phoff = 64,
		.ehsize = 64,
		.phentsize = 56,
		.phnum = 4,
		.shentsize = 64,
	};
	img.eh = eh;
	img.ph[0] = load(PF_R | PF_X, PAGE, TEXT, 0x100, 0x100);
	img.ph[1] = load(PF_R, 2 * PAGE, TEXT + PAGE, 0x20, 0x20);
	img.ph[2] = load(PF_R | PF_W, 4 * PAGE, TEXT + 2 * PAGE, 0x10, 2 * PAGE);
	struct phdr stack = { PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16 };
	img.ph[3] = stack;
	img.len = FILE_SIZE;
}

/* Lays the image out as a file and parses a heap copy of its first `len` bytes. */
static const char *parse_len(size_t len)
{
	static unsigned char file[FILE_SIZE];
	memset(file, 0xcc, sizeof(file));
	memcpy(file, &img.eh, sizeof(img.eh));
	memcpy(file + 64, img.ph, sizeof(img.ph));
	unsigned char *copy = malloc(len ? len : 1);
	memcpy(copy, file, len);
	const char *r = elf_parse(copy, len, &info);
	free(copy);
	return r;
}

static const char *parse(void)
{
	return parse_len(img.len);
}

static void test_valid_executable_is_accepted(void)
{
	baseline();
	CHECK(parse() == NULL);
	CHECK_EQ(info.entry, TEXT + 0x10);
	CHECK_EQ(info.nsegments, 3);
	CHECK_EQ(info.segments[0].vaddr, TEXT);
	CHECK_EQ(info.segments[0].flags, ELF_SEG_R | ELF_SEG_X);
	CHECK_EQ(info.segments[1].flags, ELF_SEG_R);
	CHECK_EQ(info.segments[2].vaddr, TEXT + 2 * PAGE);
	CHECK_EQ(info.segments[2].offset, 4 * PAGE);
	CHECK_EQ(info.segments[2].filesz, 0x10);
	CHECK_EQ(info.segments[2].memsz, 2 * PAGE);
	CHECK_EQ(info.segments[2].flags, ELF_SEG_R | ELF_SEG_W);
}

static void test_non_load_headers_are_skipped(void)
{
	baseline();
	img.ph[1].type = PT_NOTE;
	CHECK(parse() == NULL);
	CHECK_EQ(info.nsegments, 2);
	CHECK_EQ(info.segments[1].vaddr, TEXT + 2 * PAGE);
}

static void test_empty_load_segment_is_skipped(void)
{
	baseline();
	img.ph[1].filesz = img.ph[1].memsz = 0;
	CHECK(parse() == NULL);
	CHECK_EQ(info.nsegments, 2);
}

static void test_os_flag_bits_are_dropped(void)
{
	baseline();
	img.ph[1].flags |= 0x0ff00000u; /* PF_MASKOS */
	CHECK(parse() == NULL);
	CHECK_EQ(info.segments[1].flags, ELF_SEG_R);
}

static void test_short_file_is_refused(void)
{
	baseline();
	for (size_t len = 0; len < 64; len++)
		CHECK_STR(parse_len(len), "file shorter than an ELF header");
}

static void test_every_truncation_is_refused(void)
{
	baseline();
	for (size_t len = 0; len < img.len; len++)
		CHECK(parse_len(len) != NULL);
}

static void test_bad_magic_is_refused(void)
{
	baseline();
	img.eh.ident[1] = 'e';
	CHECK_STR(parse(), "not an ELF file (bad magic)");
}

static void test_wrong_class_is_refused(void)
{
	baseline();
	img.eh.ident[4] = 1; /* ELFCLASS32 */
	CHECK_STR(parse(), "not ELF64");
}

static void test_big_endian_is_refused(void)
{
	baseline();
	img.eh.ident[5] = 2;
	CHECK_STR(parse(), "not little-endian");
}

static void test_unknown_version_is_refused(void)
{
	baseline();
	img.eh.ident[6] = 0;
	CHECK_STR(parse(), "unknown ELF version");
	baseline();
	img.eh.version = 2;
	CHECK_STR(parse(), "unknown ELF version");
}

static void test_wrong_type_is_refused(void)
{
	const uint16_t types[] = { 0, 1, 3, 4 }; /* none, REL, DYN (PIE), CORE */
	for (int i = 0; i < 4; i++) {
		baseline();
		img.eh.type = types[i];
		CHECK_STR(parse(), "not an executable (ET_EXEC)");
	}
}

static void test_wrong_machine_is_refused(void)
{
	baseline();
	img.eh.machine = 62; /* x86-64 */
	CHECK_STR(parse(), "not an AArch64 file");
	img.eh.machine = 40; /* 32-bit Arm */
	CHECK_STR(parse(), "not an AArch64 file");
}

static void test_wrong_phentsize_is_refused(void)
{
	baseline();
	img.eh.phentsize = 32;
	CHECK_STR(parse(), "unexpected program header size");
}

static void test_phdrs_out_of_bounds_are_refused(void)
{
	baseline();
	img.eh.phoff = FILE_SIZE - 56 * 3;
	CHECK_STR(parse(), "program headers out of bounds");
	baseline();
	img.eh.phoff = UINT64_MAX - 8; /* phoff + size would wrap */
	CHECK_STR(parse(), "program headers out of bounds");
	baseline();
	img.eh.phnum = 0xffff; /* PN_XNUM */
	CHECK_STR(parse(), "program headers out of bounds");
	baseline();
	CHECK_STR(parse_len(64 + 56 * 4 - 1), "program headers out of bounds");
}

static void test_filesz_above_memsz_is_refused(void)
{
	baseline();
	img.ph[1].filesz = 0x21;
	CHECK_STR(parse(), "segment filesz > memsz");
}

static void test_data_past_the_end_is_refused(void)
{
	baseline();
	img.ph[2].filesz = 0x11;
	CHECK_STR(parse(), "segment data past the end of the file");
	baseline();
	img.ph[2].offset = FILE_SIZE + PAGE;
	img.ph[2].vaddr += PAGE;
	CHECK_STR(parse(), "segment data past the end of the file");
	baseline();
	img.ph[0].offset = UINT64_MAX & ~(PAGE - 1);
	CHECK_STR(parse(), "segment data past the end of the file");
	baseline();
	img.ph[0].filesz = img.ph[0].memsz = UINT64_MAX - PAGE + 1; /* offset + filesz wraps to 0 */
	CHECK_STR(parse(), "segment data past the end of the file");
}

static void test_wrap_around_is_refused(void)
{
	baseline();
	img.ph[2].vaddr = UINT64_MAX & ~(PAGE - 1);
	CHECK_STR(parse(), "segment wraps around the address space");
}

static void test_upper_half_is_refused(void)
{
	baseline();
	img.ph[1].vaddr = 0xffff000000401000ull;
	CHECK_STR(parse(), "segment outside the user half of the address space");
	baseline();
	img.ph[1].vaddr = 1ull << 48;
	CHECK_STR(parse(), "segment outside the user half of the address space");
	baseline();
	img.ph[2].vaddr = (1ull << 48) - PAGE; /* starts below, ends above */
	CHECK_STR(parse(), "segment outside the user half of the address space");
}

static void test_segment_ending_at_the_top_of_user_space_is_accepted(void)
{
	baseline();
	img.ph[2].vaddr = (1ull << 48) - 2 * PAGE;
	CHECK(parse() == NULL);
}

static void test_misaligned_vaddr_is_refused(void)
{
	baseline();
	img.ph[1].vaddr += 8;
	CHECK_STR(parse(), "segment vaddr and offset disagree modulo the page size");
}

static void test_writable_executable_segment_is_refused(void)
{
	baseline();
	img.ph[0].flags = PF_R | PF_W | PF_X;
	CHECK_STR(parse(), "segment both writable and executable");
	baseline();
	img.ph[2].flags = PF_W | PF_X;
	CHECK_STR(parse(), "segment both writable and executable");
}

static void test_overlapping_segments_are_refused(void)
{
	baseline();
	img.ph[1].vaddr = TEXT; /* rodata on top of text */
	CHECK_STR(parse(), "segments overlap (or share a page)");
	baseline();
	img.ph[2].vaddr = TEXT - PAGE; /* data+bss (2 pages) runs into text */
	CHECK_STR(parse(), "segments overlap (or share a page)");
}

static void test_segments_sharing_a_page_are_refused(void)
{
	baseline();
	img.ph[1].vaddr = TEXT + 0x800; /* bytes disjoint from text, page shared */
	img.ph[1].offset = 2 * PAGE + 0x800;
	CHECK_STR(parse(), "segments overlap (or share a page)");
}

static void test_entry_outside_executable_segment_is_refused(void)
{
	const uint64_t entries[] = { 0, TEXT - 4, TEXT + 0x100, TEXT + PAGE, TEXT + 2 * PAGE };
	for (int i = 0; i < 5; i++) {
		baseline();
		img.eh.entry = entries[i];
		CHECK_STR(parse(), "entry point outside every executable segment");
	}
	baseline();
	img.eh.entry = TEXT + 0xfc; /* the last instruction */
	CHECK(parse() == NULL);
}

static void test_no_loadable_segment_is_refused(void)
{
	baseline();
	img.eh.phnum = 0;
	CHECK_STR(parse(), "no loadable segment");
	baseline();
	img.ph[0].type = img.ph[1].type = img.ph[2].type = PT_NOTE;
	CHECK_STR(parse(), "no loadable segment");
}

static void test_dynamic_executable_is_refused(void)
{
	baseline();
	img.ph[3].type = PT_INTERP;
	CHECK_STR(parse(), "dynamically linked (PT_INTERP or PT_DYNAMIC)");
	baseline();
	img.ph[3].type = PT_DYNAMIC;
	CHECK_STR(parse(), "dynamically linked (PT_INTERP or PT_DYNAMIC)");
}

/* Text plus `n` - 1 one-page read-only segments, all backed by the same file page. */
static void many_segments(unsigned n)
{
	baseline();
	img.eh.phnum = (uint16_t)n;
	for (unsigned i = 1; i < n; i++)
		img.ph[i] = load(PF_R, 2 * PAGE, TEXT + i * PAGE, 0x20, 0x20);
}

static void test_max_segments_are_accepted(void)
{
	many_segments(ELF_MAX_SEGMENTS);
	CHECK(parse() == NULL);
	CHECK_EQ(info.nsegments, ELF_MAX_SEGMENTS);
}

static void test_too_many_segments_are_refused(void)
{
	many_segments(ELF_MAX_SEGMENTS + 1);
	CHECK_STR(parse(), "too many loadable segments");
}

static void test_null_file_is_refused(void)
{
	CHECK_STR(elf_parse(NULL, 100, &info), "no file");
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* What an accepted file must satisfy, checked independently of the parser. */
static void check_accepted(size_t len)
{
	CHECK(info.nsegments >= 1 && info.nsegments <= ELF_MAX_SEGMENTS);
	int entry_ok = 0;
	for (unsigned i = 0; i < info.nsegments && i < ELF_MAX_SEGMENTS; i++) {
		const struct elf_segment *s = &info.segments[i];
		CHECK(s->filesz <= s->memsz);
		CHECK(s->offset <= len && s->filesz <= len - s->offset);
		CHECK(s->vaddr < (1ull << 48) && s->memsz <= (1ull << 48) - s->vaddr);
		CHECK(!((s->flags & ELF_SEG_W) && (s->flags & ELF_SEG_X)));
		if ((s->flags & ELF_SEG_X) && info.entry >= s->vaddr &&
		    info.entry < s->vaddr + s->memsz)
			entry_ok = 1;
	}
	CHECK(entry_ok);
}

static void test_fuzzed_headers_are_refused_or_sound(void)
{
	static unsigned char file[FILE_SIZE];
	baseline();
	memcpy(file, &img.eh, sizeof(img.eh));
	memcpy(file + 64, img.ph, sizeof(img.ph));
	rng_state = 0x2545f4914f6cdd1dull;
	for (int i = 0; i < 100000; i++) {
		size_t len = rng() % 8 ? FILE_SIZE : rng() % (FILE_SIZE + 1);
		unsigned char *copy = malloc(len ? len : 1);
		memcpy(copy, file, len);
		/* Flip bytes in the headers, where every byte matters. */
		size_t span = len < 64 + 56 * 5 ? len : 64 + 56 * 5;
		for (int flips = 1 + rng() % 4; flips > 0 && span; flips--)
			copy[rng() % span] ^= (unsigned char)(1u << (rng() % 8));
		if (elf_parse(copy, len, &info) == NULL)
			check_accepted(len);
		free(copy);
	}
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "valid_executable_is_accepted", test_valid_executable_is_accepted },
		{ "non_load_headers_are_skipped", test_non_load_headers_are_skipped },
		{ "empty_load_segment_is_skipped", test_empty_load_segment_is_skipped },
		{ "os_flag_bits_are_dropped", test_os_flag_bits_are_dropped },
		{ "short_file_is_refused", test_short_file_is_refused },
		{ "every_truncation_is_refused", test_every_truncation_is_refused },
		{ "bad_magic_is_refused", test_bad_magic_is_refused },
		{ "wrong_class_is_refused", test_wrong_class_is_refused },
		{ "big_endian_is_refused", test_big_endian_is_refused },
		{ "unknown_version_is_refused", test_unknown_version_is_refused },
		{ "wrong_type_is_refused", test_wrong_type_is_refused },
		{ "wrong_machine_is_refused", test_wrong_machine_is_refused },
		{ "wrong_phentsize_is_refused", test_wrong_phentsize_is_refused },
		{ "phdrs_out_of_bounds_are_refused", test_phdrs_out_of_bounds_are_refused },
		{ "filesz_above_memsz_is_refused", test_filesz_above_memsz_is_refused },
		{ "data_past_the_end_is_refused", test_data_past_the_end_is_refused },
		{ "wrap_around_is_refused", test_wrap_around_is_refused },
		{ "upper_half_is_refused", test_upper_half_is_refused },
		{ "segment_ending_at_the_top_of_user_space_is_accepted",
		  test_segment_ending_at_the_top_of_user_space_is_accepted },
		{ "misaligned_vaddr_is_refused", test_misaligned_vaddr_is_refused },
		{ "writable_executable_segment_is_refused",
		  test_writable_executable_segment_is_refused },
		{ "overlapping_segments_are_refused", test_overlapping_segments_are_refused },
		{ "segments_sharing_a_page_are_refused", test_segments_sharing_a_page_are_refused },
		{ "entry_outside_executable_segment_is_refused",
		  test_entry_outside_executable_segment_is_refused },
		{ "no_loadable_segment_is_refused", test_no_loadable_segment_is_refused },
		{ "dynamic_executable_is_refused", test_dynamic_executable_is_refused },
		{ "max_segments_are_accepted", test_max_segments_are_accepted },
		{ "too_many_segments_are_refused", test_too_many_segments_are_refused },
		{ "null_file_is_refused", test_null_file_is_refused },
		{ "fuzzed_headers_are_refused_or_sound", test_fuzzed_headers_are_refused_or_sound },
		{ NULL, NULL },
	};
	return check_main(tests);
}
