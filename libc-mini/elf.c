/*
 * ELF64 executable checker. Headers are copied out with memcpy (the file may sit at any
 * alignment) and every field that locates or sizes something is checked, overflow-safely,
 * before it is used. Host and target are both little-endian, so fields are read as they are.
 */
#include <elf.h>

#include <stdbool.h>
#include <string.h>

#define EI_NIDENT     16
#define EI_CLASS      4
#define EI_DATA       5
#define EI_VERSION    6
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ET_EXEC       2
#define EM_AARCH64    183
#define PT_LOAD       1
#define PT_DYNAMIC    2
#define PT_INTERP     3
#define PF_MASK       (ELF_SEG_R | ELF_SEG_W | ELF_SEG_X)
#define ELF_PAGE_SIZE 4096ull
#define USER_VA_LIMIT (1ull << 48) /* user space is the lower 48-bit half (TTBR0) */

struct elf64_ehdr {
	unsigned char e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

/* Checks the file header and that the program header table lies inside the file. */
static const char *check_header(const unsigned char *data, size_t len, struct elf64_ehdr *eh)
{
	static const unsigned char magic[4] = { 0x7f, 'E', 'L', 'F' };
	if (len < sizeof(*eh))
		return "file shorter than an ELF header";
	memcpy(eh, data, sizeof(*eh));
	if (memcmp(eh->e_ident, magic, sizeof(magic)) != 0)
		return "not an ELF file (bad magic)";
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return "not ELF64";
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return "not little-endian";
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return "unknown ELF version";
	if (eh->e_type != ET_EXEC)
		return "not an executable (ET_EXEC)";
	if (eh->e_machine != EM_AARCH64)
		return "not an AArch64 file";
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return "unexpected program header size";
	if (eh->e_phoff > len || (len - eh->e_phoff) / sizeof(struct elf64_phdr) < eh->e_phnum)
		return "program headers out of bounds";
	return NULL;
}

/* Checks one PT_LOAD header on its own: sizes, bounds, alignment, rights. */
static const char *check_segment(const struct elf64_phdr *ph, size_t len)
{
	if (ph->p_filesz > ph->p_memsz)
		return "segment filesz > memsz";
	if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
		return "segment data past the end of the file";
	if (ph->p_vaddr > UINT64_MAX - ph->p_memsz)
		return "segment wraps around the address space";
	if (ph->p_vaddr >= USER_VA_LIMIT || ph->p_memsz > USER_VA_LIMIT - ph->p_vaddr)
		return "segment outside the user half of the address space";
	if (ph->p_vaddr % ELF_PAGE_SIZE != ph->p_offset % ELF_PAGE_SIZE)
		return "segment vaddr and offset disagree modulo the page size";
	if ((ph->p_flags & ELF_SEG_W) && (ph->p_flags & ELF_SEG_X))
		return "segment both writable and executable";
	return NULL;
}

/* First and one-past-last page address a segment touches (it lies below USER_VA_LIMIT). */
static uint64_t seg_page_start(const struct elf_segment *s)
{
	return s->vaddr & ~(ELF_PAGE_SIZE - 1);
}

static uint64_t seg_page_end(const struct elf_segment *s)
{
	return (s->vaddr + s->memsz + ELF_PAGE_SIZE - 1) & ~(ELF_PAGE_SIZE - 1);
}

/*
 * Refuses segments that share a page: each page gets the rights of one segment, so two
 * segments in one page would be an overlap for the loader even if their bytes are disjoint.
 */
static const char *check_overlaps(const struct elf_info *info)
{
	for (unsigned i = 0; i < info->nsegments; i++) {
		for (unsigned j = i + 1; j < info->nsegments; j++) {
			const struct elf_segment *a = &info->segments[i], *b = &info->segments[j];
			if (seg_page_start(a) < seg_page_end(b) &&
			    seg_page_start(b) < seg_page_end(a))
				return "segments overlap (or share a page)";
		}
	}
	return NULL;
}

static bool entry_is_executable(const struct elf_info *info)
{
	for (unsigned i = 0; i < info->nsegments; i++) {
		const struct elf_segment *s = &info->segments[i];
		if ((s->flags & ELF_SEG_X) && info->entry >= s->vaddr &&
		    info->entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

/* Checks one program header and, if it is a non-empty PT_LOAD, appends it to *info. */
static const char *add_phdr(const struct elf64_phdr *ph, size_t len, struct elf_info *info)
{
	if (ph->p_type == PT_INTERP || ph->p_type == PT_DYNAMIC)
		return "dynamically linked (PT_INTERP or PT_DYNAMIC)";
	if (ph->p_type != PT_LOAD)
		return NULL;
	const char *err = check_segment(ph, len);
	if (err)
		return err;
	if (ph->p_memsz == 0)
		return NULL; /* nothing to load (an empty PHDRS entry) */
	if (info->nsegments == ELF_MAX_SEGMENTS)
		return "too many loadable segments";
	struct elf_segment *s = &info->segments[info->nsegments++];
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->flags = ph->p_flags & PF_MASK;
	return NULL;
}

const char *elf_parse(const void *data, size_t len, struct elf_info *info)
{
	const unsigned char *bytes = data;
	struct elf64_ehdr eh;
	if (!data || !info)
		return "no file";
	const char *err = check_header(bytes, len, &eh);
	if (err)
		return err;
	info->entry = eh.e_entry;
	info->nsegments = 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;
		memcpy(&ph, bytes + eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		err = add_phdr(&ph, len, info);
		if (err)
			return err;
	}
	if (info->nsegments == 0)
		return "no loadable segment";
	err = check_overlaps(info);
	if (err)
		return err;
	if (!entry_is_executable(info))
		return "entry point outside every executable segment";
	return NULL;
}
