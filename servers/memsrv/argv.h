/*
 * Program arguments (MEMSRV_SPAWN_ARGV): the check of the argument strings a client sends,
 * and their layout in the page memsrv maps read-only in the new process. A pure module: no
 * kernel calls, host-tested (tests/unit).
 *
 * The strings arrive packed: argv[0] (the program's name), NUL, argv[1], NUL, ... with
 * zero padding up to a whole word. In the page, argv[] comes first (argc + 1 pointers, the
 * last NULL, as the process sees them at `va`), then the strings.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define ARGV_COUNT_MAX 16  /* MEMSRV_ARGC_MAX */
#define ARGV_BYTES_MAX 512 /* MEMSRV_ARGV_BYTES */

/*
 * Checks that bytes[0..n) holds exactly argc NUL-terminated strings of printable ASCII
 * (0x20..0x7e; argv[0] not empty), then only zero bytes. Returns the bytes the strings take
 * (NULs included), or -1.
 */
int argv_check(const char *bytes, size_t n, unsigned argc);

/*
 * Writes argv[] and the strings into `page` (4 KiB), which the process sees at `va`. `bytes`
 * and `used` are what argv_check accepted for `argc`.
 */
void argv_layout(void *page, uint64_t va, const char *bytes, size_t used, unsigned argc);
