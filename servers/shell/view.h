/*
 * How the shell shows memsrv's answers: names for kinds, rights, fault classes and errors,
 * one /proc/PID/maps-style line per VMA, and the address-space bar of `map`. Pure functions
 * (host-tested: tests/unit/test_shell_view.c).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memsrv_client.h>

#define VIEW_BAR_WIDTH 72 /* columns of the map bar: 2 per power of two from 4 KiB to 256 TiB */
#define VIEW_LINE_MAX  128

/* "anon", "stack", "elf", "device", "shared", or "?" for an unknown kind. */
const char *view_kind(unsigned kind);

/* Writes "rwx"-style rights ("r-x", "rw-", ...) for MEMSRV_PROT_* bits into out[4]. */
void view_perms(unsigned prot, char out[4]);

/* The pager's fault class MEMSRV_STAT_FAULTS_* in one word: "lazy", "guard", "unmapped",
 * "permission", "quota", "other", or "?" for another index. */
const char *view_fault_class(unsigned stat);

/* Why the pager gave that class ("no VMA there", ...). */
const char *view_fault_meaning(unsigned stat);

/* How a process killed by a fault of that class died ("guard page hit", ...). */
const char *view_fault_kill(unsigned stat);

/* A short explanation of a memsrv or kernel error code ("not page-aligned", ...). */
const char *view_error(int err);

/* A byte count as "12 KiB", "3 MiB", ... (exact multiples, else bytes). Returns snprintf's. */
int view_bytes(char *buf, size_t size, uint64_t bytes);

/*
 * One VMA as a maps line: "start-end perms kind resident/pages backing [flags] [note]", e.g.
 * "00010004a000-00010004c000 rw- anon       1/2      lazy". `note` (may be NULL) is appended.
 * Returns snprintf's result.
 */
int view_vma(char *buf, size_t size, const struct mem_vma *v, const char *note);

/* The column of the map bar that address `addr` falls in (log2 scale, 0..VIEW_BAR_WIDTH-1). */
unsigned view_bar_column(uint64_t addr);

/*
 * Draws n VMAs (in address order) into bar[0..VIEW_BAR_WIDTH] (NUL-terminated): each column
 * is '.' if no VMA touches it, the VMA's letter (view_bar_letter) if one kind does, '*' if
 * several do.
 */
void view_bar(const struct mem_vma *v, unsigned n, char bar[VIEW_BAR_WIDTH + 1]);

/* The letter of a VMA in the bar: e(lf) a(non) s(tack) d(evice) i (shared: IPC buffers),
 * p (anything in the probe window). */
char view_bar_letter(const struct mem_vma *v);
