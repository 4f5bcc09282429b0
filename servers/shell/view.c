/*
 * Presentation helpers (view.h). The map bar is logarithmic: column 2k covers
 * [2^(12+k), 1.5 * 2^(12+k)) and column 2k+1 covers [1.5 * 2^(12+k), 2^(13+k)), so the image
 * at 4 MiB, heaps near 1 TiB and stacks near 128 TiB all show on one line.
 */
#include "view.h"

#include <mica/errors.h>
#include <mica/memsrv.h>
#include <stdio.h>

#define PAGE         4096ull
#define FIRST_OCTAVE 12 /* the bar starts at 4 KiB */

const char *view_kind(unsigned kind)
{
	static const char *const names[] = { "anon", "stack", "elf", "device", "shared" };
	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

void view_perms(unsigned prot, char out[4])
{
	out[0] = (prot & MEMSRV_PROT_R) ? 'r' : '-';
	out[1] = (prot & MEMSRV_PROT_W) ? 'w' : '-';
	out[2] = (prot & MEMSRV_PROT_X) ? 'x' : '-';
	out[3] = '\0';
}

const char *view_fault_class(unsigned stat)
{
	switch (stat) {
	case MEMSRV_STAT_FAULTS_LAZY:
		return "lazy";
	case MEMSRV_STAT_FAULTS_GUARD:
		return "guard";
	case MEMSRV_STAT_FAULTS_UNMAPPED:
		return "unmapped";
	case MEMSRV_STAT_FAULTS_PERMISSION:
		return "permission";
	case MEMSRV_STAT_FAULTS_QUOTA:
		return "quota";
	case MEMSRV_STAT_FAULTS_OTHER:
		return "other";
	default:
		return "?";
	}
}

const char *view_fault_meaning(unsigned stat)
{
	switch (stat) {
	case MEMSRV_STAT_FAULTS_GUARD:
		return "a stack's guard page";
	case MEMSRV_STAT_FAULTS_UNMAPPED:
		return "no VMA there";
	case MEMSRV_STAT_FAULTS_PERMISSION:
		return "the VMA does not allow this access";
	case MEMSRV_STAT_FAULTS_QUOTA:
		return "out of quota or memory for a lazy fill";
	case MEMSRV_STAT_FAULTS_OTHER:
		return "not a page fault";
	default:
		return "unknown class";
	}
}

const char *view_fault_kill(unsigned stat)
{
	switch (stat) {
	case MEMSRV_STAT_FAULTS_GUARD:
		return "guard page hit";
	case MEMSRV_STAT_FAULTS_UNMAPPED:
		return "unmapped access";
	case MEMSRV_STAT_FAULTS_PERMISSION:
		return "permission fault";
	case MEMSRV_STAT_FAULTS_QUOTA:
		return "out of quota";
	case MEMSRV_STAT_FAULTS_OTHER:
		return "fault (undefined instruction, bad system call, alignment, ...)";
	default:
		return "fault";
	}
}

const char *view_error(int err)
{
	switch (err) {
	case E_INVAL:
		return "invalid argument";
	case E_RANGE:
		return "out of range";
	case E_ALIGN:
		return "not aligned (addresses and lengths are whole 4 KiB pages)";
	case E_RIGHTS:
		return "not allowed";
	case E_NOMEM:
		return "out of memory, quota or ids";
	case E_BUSY:
		return "in use (pinned by memsrv)";
	case E_STATE:
		return "wrong state";
	case E_MAPPED:
		return "overlaps an existing VMA";
	case E_NOTMAPPED:
		return "not mapped";
	case E_WX:
		return "writable and executable together (W^X)";
	case E_TYPE:
		return "not a valid program";
	case E_NOCAP:
		return "no capability (nothing attached)";
	case E_DELETED:
		return "the other side went away";
	default:
		return mica_strerror(err);
	}
}

int view_bytes(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;
	while (u + 1 < sizeof(units) / sizeof(units[0]) && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	return snprintf(buf, size, "%llu %s", (unsigned long long)bytes, units[u]);
}

int view_vma(char *buf, size_t size, const struct mem_vma *v, const char *note)
{
	char perms[4];
	uint64_t pages = v->length / PAGE;
	if (v->kind == MEMSRV_KIND_STACK && pages)
		pages--; /* the guard page is never resident */
	view_perms(v->prot, perms);
	return snprintf(buf, size, "%012llx-%012llx %s %-6s %6llu/%-6llu %s%s%s%s",
			(unsigned long long)v->start, (unsigned long long)(v->start + v->length),
			perms, view_kind(v->kind), (unsigned long long)v->resident,
			(unsigned long long)pages, (v->flags & MEMSRV_MAP_EAGER) ? "eager" : "lazy",
			(v->flags & MEMSRV_VMA_PINNED) ? " pinned" : "",
			v->kind == MEMSRV_KIND_STACK ? " guard" : "", note ? note : "");
}

unsigned view_bar_column(uint64_t addr)
{
	if (addr < (1ull << FIRST_OCTAVE))
		return 0;
	unsigned msb = 63 - (unsigned)__builtin_clzll(addr);
	unsigned col = 2 * (msb - FIRST_OCTAVE) + (unsigned)((addr >> (msb - 1)) & 1);
	return col < VIEW_BAR_WIDTH ? col : VIEW_BAR_WIDTH - 1;
}

char view_bar_letter(const struct mem_vma *v)
{
	static const char letters[] = "asedi";
	if (v->start >= MEMSRV_PROBE_BASE && v->start < MEMSRV_PROBE_BASE + MEMSRV_PROBE_SIZE)
		return 'p';
	return v->kind < sizeof(letters) - 1 ? letters[v->kind] : '?';
}

void view_bar(const struct mem_vma *v, unsigned n, char bar[VIEW_BAR_WIDTH + 1])
{
	for (unsigned c = 0; c < VIEW_BAR_WIDTH; c++)
		bar[c] = '.';
	bar[VIEW_BAR_WIDTH] = '\0';
	for (unsigned i = 0; i < n; i++) {
		char letter = view_bar_letter(&v[i]);
		unsigned first = view_bar_column(v[i].start);
		unsigned last = view_bar_column(v[i].start + v[i].length - 1);
		for (unsigned c = first; c <= last; c++)
			bar[c] = (bar[c] == '.' || bar[c] == letter) ? letter : '*';
	}
}
