/*
 * coretest: the worker of memtest's multi-core tests (servers/memtest/t_cores.c). memtest
 * starts one per core with MEMSRV_CORE; each checks where it runs, takes lazy page faults,
 * calls memtest's server by name and writes into a region memtest shares with it.
 *
 * Spawn argument: bits 0..7 the core it was asked for, bits 8..15 its index.
 * Protocol on the endpoint published as CORETEST_NAME (memtest serves it):
 *   1st call: index, the core it runs on (SYS_DEBUG_CPU), the checksum of its lazy pages
 *             -> the handle of the shared region
 *   2nd call: index, CORETEST_DONE -> 0 (it wrote CORETEST_WORD(index, core) at word
 *             `index` of the region)
 * Exit code 0, or the CORETEST_FAIL_* step that went wrong.
 */
#pragma once

#define CORETEST_NAME            "cores"
#define CORETEST_PAGES           16
#define CORETEST_DONE            0xd0e
#define CORETEST_ARG(core, idx)  ((uint64_t)(core) | (uint64_t)(idx) << 8)
#define CORETEST_WORD(idx, core) (0xc0de000000000000ull | (uint64_t)(idx) << 16 | (uint64_t)(core))

/* The checksum of a worker's lazy pages: word j of page p holds (index + 1) * (p * 512 + j). */
#define CORETEST_SUM(idx) \
	((uint64_t)((idx) + 1) * ((uint64_t)CORETEST_PAGES * 512 * (CORETEST_PAGES * 512 - 1) / 2))

enum coretest_fail {
	CORETEST_FAIL_MAP = 10,
	CORETEST_FAIL_READBACK = 11,
	CORETEST_FAIL_LOOKUP = 12,
	CORETEST_FAIL_CALL = 13,
	CORETEST_FAIL_SHM = 14,
	CORETEST_FAIL_UNMAP = 15,
};
