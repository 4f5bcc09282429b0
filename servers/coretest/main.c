/* coretest: one worker of memtest's multi-core tests (coretest.h). */
#include <memsrv_client.h>
#include <mica.h>
#include <stddef.h>
#include <stdint.h>

#include "coretest.h"

static cptr_t ms;

/* Maps CORETEST_PAGES lazy pages (each first touch is a fault memsrv fills), fills and
 * re-reads them; returns the checksum, or 0 on failure (*why set). */
static uint64_t touch_lazy_pages(unsigned idx, int *why)
{
	uint64_t va, sum = 0;
	const uint64_t words = CORETEST_PAGES * 512;
	if (mem_map(ms, 0, 0, CORETEST_PAGES * 4096ull, MEMSRV_PROT_R | MEMSRV_PROT_W,
		    MEMSRV_KIND_ANON, 0, &va)) {
		*why = CORETEST_FAIL_MAP;
		return 0;
	}
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)va;
	for (uint64_t j = 0; j < words; j++)
		p[j] = (idx + 1) * j;
	for (uint64_t j = 0; j < words; j++) {
		if (p[j] != (idx + 1) * j) {
			*why = CORETEST_FAIL_READBACK;
			return 0;
		}
		sum += p[j];
	}
	if (mem_unmap(ms, 0, va, CORETEST_PAGES * 4096ull)) {
		*why = CORETEST_FAIL_UNMAP;
		return 0;
	}
	return sum;
}

int main(void *cap, uint64_t arg)
{
	ms = (cptr_t)(uintptr_t)cap;
	unsigned idx = (unsigned)(arg >> 8) & 0xff, core = mica_debug_cpu(NULL), server, who;
	int why = 0;
	uint64_t sum = touch_lazy_pages(idx, &why), va;
	if (why)
		return why;
	if (mem_name_lookup(ms, CORETEST_NAME, 0, &server, &who))
		return CORETEST_FAIL_LOOKUP;
	struct mica_msg msg = { .label = 0, .length = 3, .mr = { idx, core, sum } };
	if (mica_msg_error(mica_call(server, &msg)) || msg.length != 1)
		return CORETEST_FAIL_CALL;
	if (mem_shm_map(ms, 0, msg.mr[0], 0, MEMSRV_PROT_R | MEMSRV_PROT_W, &va))
		return CORETEST_FAIL_SHM;
	((volatile uint64_t *)(uintptr_t)va)[idx] = CORETEST_WORD(idx, core);
	msg = (struct mica_msg){ .label = 0, .length = 2, .mr = { idx, CORETEST_DONE } };
	if (mica_msg_error(mica_call(server, &msg)))
		return CORETEST_FAIL_CALL;
	return 0;
}
