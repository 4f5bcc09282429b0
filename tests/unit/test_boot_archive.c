/*
 * The real boot archive (build/servers/bootarchive.cpio, path in argv[1]) read with the same
 * code the kernel uses: every program in it must pass elf_parse, and servers/user.ld's
 * promises must hold (nothing below 4 MiB, text R+X first, no segment both W and X). The
 * probe (servers/probe/probe.ld) keeps the same promises from MEMSRV_PROBE_BASE, inside the
 * 1 MiB code area memsrv allows it.
 */
#include <stdint.h>
#include <stdlib.h>

#include <cpio.h>
#include <elf.h>
#include <mica/memsrv.h>

#include "check.h"

CHECK_DEFINE_GLOBALS;

#define USER_BASE      0x400000ull
#define PROBE_CODE_MAX 0x100000ull /* servers/memsrv/process.h */

static unsigned char *archive;
static size_t archive_len;

static void load(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	archive_len = (size_t)ftell(f);
	rewind(f);
	archive = malloc(archive_len);
	if (fread(archive, 1, archive_len, f) != archive_len) {
		perror(path);
		exit(2);
	}
	fclose(f);
}

static void check_program(const struct cpio_file *file)
{
	struct elf_info info;
	const char *err = elf_parse(file->data, file->size, &info);
	if (strcmp(file->name, "notelf") == 0) {
		/* The archive's one deliberate non-program (memtest checks memsrv refuses it). */
		CHECK(err != NULL);
		return;
	}
	if (err)
		fprintf(stderr, "%s: %s\n", file->name, err);
	CHECK(err == NULL);
	if (err)
		return;
	uint64_t base = strcmp(file->name, "probe") == 0 ? MEMSRV_PROBE_BASE : USER_BASE;
	CHECK_EQ(info.segments[0].vaddr, base);
	CHECK_EQ(info.segments[0].flags, ELF_SEG_R | ELF_SEG_X);
	CHECK_EQ(info.entry, base); /* crt0's (or the probe's) _start comes first */
	for (unsigned i = 0; i < info.nsegments; i++) {
		CHECK(info.segments[i].vaddr >= base);
		CHECK_EQ(info.segments[i].vaddr % 4096, 0);
	}
}

static void test_probe_lies_in_its_code_area(void)
{
	struct cpio_file file;
	struct elf_info info;
	CHECK_EQ(cpio_find(archive, archive_len, "probe", &file), 0);
	CHECK(elf_parse(file.data, file.size, &info) == NULL);
	for (unsigned i = 0; i < info.nsegments; i++) {
		const struct elf_segment *s = &info.segments[i];
		CHECK(s->vaddr >= MEMSRV_PROBE_BASE);
		CHECK(s->vaddr + s->memsz <= MEMSRV_PROBE_BASE + PROBE_CODE_MAX);
	}
}

static void test_every_program_is_a_loadable_executable(void)
{
	struct cpio_file file;
	unsigned n = 0;
	while (cpio_entry(archive, archive_len, n, &file) == 0) {
		check_program(&file);
		n++;
	}
	CHECK(n >= 1);
}

static void test_archive_holds_hello(void)
{
	struct cpio_file file;
	CHECK_EQ(cpio_find(archive, archive_len, "hello", &file), 0);
	CHECK_EQ(file.mode, 0100755);
}

int main(int argc, char **argv)
{
	static const struct check_test tests[] = {
		{ "every_program_is_a_loadable_executable",
		  test_every_program_is_a_loadable_executable },
		{ "archive_holds_hello", test_archive_holds_hello },
		{ "probe_lies_in_its_code_area", test_probe_lies_in_its_code_area },
		{ NULL, NULL },
	};
	if (argc < 2) {
		fprintf(stderr, "usage: %s bootarchive.cpio\n", argv[0]);
		return 2;
	}
	load(argv[1]);
	int r = check_main(tests);
	free(archive);
	return r;
}
