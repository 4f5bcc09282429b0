/*
 * Checking and reading ELF64 AArch64 executables (user programs). Read-only and
 * bounds-checked: a malformed file is refused with a reason, never read out of bounds.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

#define ELF_SEG_R        4u
#define ELF_SEG_W        2u
#define ELF_SEG_X        1u

struct elf_segment {
	uint64_t vaddr;  /* where it goes */
	uint64_t memsz;  /* bytes in memory (>= filesz; the rest is zero) */
	uint64_t offset; /* file offset of the data */
	uint64_t filesz;
	uint32_t flags; /* ELF_SEG_R|W|X */
};

struct elf_info {
	uint64_t entry;
	unsigned nsegments; /* PT_LOAD segments, in file order */
	struct elf_segment segments[ELF_MAX_SEGMENTS];
};

/*
 * Parses the executable at [data, data+len): ELF64, little-endian, ET_EXEC, EM_AARCH64,
 * program headers in bounds, at most ELF_MAX_SEGMENTS PT_LOAD segments each with
 * filesz <= memsz, data in bounds, no address wrap-around, vaddr + memsz within the lower
 * 48-bit half, page-aligned-compatible (vaddr % 4096 == offset % 4096), no segment both
 * writable and executable, segments not overlapping, entry inside an executable segment.
 * Returns NULL and fills *info, or a static string saying what is wrong.
 */
const char *elf_parse(const void *data, size_t len, struct elf_info *info);
