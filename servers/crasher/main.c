/*
 * crasher: misbehaves as its spawn argument says (crasher.h), so that memtest can check
 * that memsrv kills it with the right fault class and keeps serving. Every mode that should
 * have been killed and was not exits with a code saying so.
 */
#include <mica.h>
#include <memsrv_client.h>
#include <stdint.h>
#include <stdio.h>

#include "crasher.h"

#define PAGE        4096ull
#define BAD_ARG     2   /* exit code: an unknown mode, or isolation without a target */
#define NOT_KILLED  100 /* exit code: the fault did not end the process */
#define QUOTA_PAGES 4096

static cptr_t ms;

static volatile uint64_t depth_limit = ~0ull;

/* Each frame holds 512 bytes of stack; the recursion ends only at the guard page. */
static __attribute__((noinline)) uint64_t recurse(uint64_t depth)
{
	volatile char pad[512];
	pad[0] = (char)depth;
	if (depth == depth_limit)
		return 0;
	return recurse(depth + 1) + pad[0];
}

static int permission(void)
{
	uint64_t va;
	int err = mem_map(ms, 0, 0, PAGE, MEMSRV_PROT_R, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va);
	if (err)
		return 1;
	*(volatile uint64_t *)va = 1;
	return NOT_KILLED;
}

static int quota(void)
{
	uint64_t va, len = QUOTA_PAGES * PAGE;
	int err = mem_map(ms, 0, 0, len, MEMSRV_PROT_R | MEMSRV_PROT_W, MEMSRV_KIND_ANON, 0, &va);
	if (err)
		return 1;
	for (uint64_t off = 0; off < len; off += PAGE)
		*(volatile uint64_t *)(va + off) = off;
	return NOT_KILLED;
}

static int lazy_exit(void)
{
	uint64_t va;
	int err =
	    mem_map(ms, 0, 0, 8 * PAGE, MEMSRV_PROT_R | MEMSRV_PROT_W, MEMSRV_KIND_ANON, 0, &va);
	if (err)
		return 1;
	for (unsigned i = 0; i < 8; i++)
		*(volatile uint64_t *)(va + i * PAGE) = i;
	return 0;
}

/* This process's own address-space id (0 if memsrv does not say). */
static unsigned own_id(void)
{
	uint64_t s[MEMSRV_STAT_COUNT];
	return mem_stats(ms, 0, s) ? 0 : (unsigned)s[MEMSRV_STAT_AS_ID];
}

/*
 * Every request on `target` must be refused with E_RIGHTS; returns 0 or the step that was not.
 * A target of 0 or the crasher's own id would act on itself (unmapping its own code), so it
 * is refused with BAD_ARG before any request.
 */
static int isolation(unsigned target)
{
	uint64_t stats[MEMSRV_STAT_COUNT], checked, bad, start;
	if (target == 0 || target == own_id()) {
		printf("crasher: mode 5 needs another address space's id in ARG bits 8-23 "
		       "(0x105 tries address space 1)\n");
		return BAD_ARG;
	}
	struct mem_vma v;
	struct mem_global_stats g;
	struct mem_program prog;
	unsigned id;
	const int results[] = {
		mem_map(ms, target, 0, PAGE, MEMSRV_PROT_R, MEMSRV_KIND_ANON, 0, &start),
		mem_unmap(ms, target, 0x400000, PAGE),
		mem_protect(ms, target, 0x400000, PAGE, MEMSRV_PROT_R),
		mem_query(ms, target, 0x400000, &v),
		mem_stats(ms, target, stats),
		mem_audit(ms, target, &checked, &bad),
		mem_as_destroy(ms, target),
		mem_kill(ms, target),
		mem_as_create(ms, 0, &id),
		mem_spawn(ms, "crasher", 0, 0, 0, 0, &id),
		mem_global_stats(ms, &g),
		mem_seed(ms, 1),
		mem_program(ms, 0, &prog),
	};
	for (unsigned i = 0; i < sizeof(results) / sizeof(results[0]); i++) {
		if (results[i] != E_RIGHTS) {
			printf("crasher: isolation step %u gave %s\n", i,
			       mica_strerror(results[i]));
			return (int)i + 1;
		}
	}
	return 0;
}

/* Spawns a waiting crasher held and ends without starting it: memsrv must kill it. */
static int held_orphan(void)
{
	unsigned id;
	int err =
	    mem_spawn(ms, "crasher", 0, CRASH_ARG(CRASH_WAIT, 0, 0), MEMSRV_SPAWN_HELD, 0, &id);
	if (err) {
		printf("crasher: spawn held: %s\n", mica_strerror(err));
		return 0;
	}
	return (int)id;
}

static int run(uint64_t arg)
{
	switch (arg & 0xff) {
	case CRASH_EXIT:
		return (int32_t)(arg >> 32);
	case CRASH_STACK_OVERFLOW:
		recurse(0);
		return NOT_KILLED;
	case CRASH_UNMAPPED:
		return (int)*(volatile uint64_t *)0x10 + NOT_KILLED;
	case CRASH_PERMISSION:
		return permission();
	case CRASH_QUOTA:
		return quota();
	case CRASH_ISOLATION:
		return isolation((unsigned)(arg >> 8) & 0xffff);
	case CRASH_WAIT:
		for (;;)
			mica_yield();
	case CRASH_EXEC: {
		static uint32_t code[2] = { 0xd65f03c0 }; /* ret, in a writable data page */
		((void (*)(void))(uintptr_t)code)();
		return NOT_KILLED;
	}
	case CRASH_UNDEFINED:
		__asm__ volatile(".inst 0x00000000"); /* permanently undefined (UDF #0) */
		return NOT_KILLED;
	case CRASH_LAZY_EXIT:
		return lazy_exit();
	case CRASH_HELD_ORPHAN:
		return held_orphan();
	default:
		printf("crasher: unknown mode %u (modes 0-10)\n", (unsigned)(arg & 0xff));
		return BAD_ARG;
	}
}

/* Entry: x0 = the memsrv capability, x1 = the spawn argument. */
int main(void *cap, uint64_t arg)
{
	ms = (cptr_t)(uintptr_t)cap;
	int code = run(arg);
	/* CRASH_EXIT returns from main: crt0's mica_exit sends MEMSRV_EXIT (memsrv started us). */
	if ((arg & 0xff) == CRASH_EXIT)
		return code;
	mem_exit(ms, code);
	return code;
}
