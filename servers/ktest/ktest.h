/*
 * ktest: the kernel's in-guest test program (a root task), and its small framework.
 *
 * Each test is a function run by the root thread. It makes the objects it needs from a
 * fresh untyped of its own (kt_new), starts helper threads in the root's address space
 * (kt_spawn) or in address spaces of its own (kt_as.h), and states what the kernel must do
 * with CHECK_* macros, which print
 * "ktest: FAIL name: what (file:line)" and let the test go on. When a test ends, every
 * object it made is destroyed by revoking that untyped, and every root CNode slot it used
 * is emptied, so tests do not see each other.
 *
 * Output, one line each, kept distinct from the kernel's own:
 *   ktest: PASS name
 *   ktest: FAIL name: what (file:line)
 *   ktest: done, N passed, M failed
 */
#pragma once

#include <mica.h>
#include <mica/bootinfo.h>
#include <mica/errors.h>
#include <mica/fault.h>
#include <mica/invocation.h>
#include <mica/objects.h>
#include <mica_invoke.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ktest {
	const char *name;
	void (*fn)(void);
};

/*
 * The tests of one area (t_*.c), in the order they run. An opt-in suite runs only when the
 * `ktest=` filter names its tests (heavy tests that need their own boot arguments).
 */
struct ktest_suite {
	const struct ktest *tests;
	unsigned count;
	bool opt_in;
	unsigned min_cores; /* runs only with at least this many cores online (0: any) */
};

#define KT_SUITE(tests)                                             \
	{                                                           \
		tests, sizeof(tests) / sizeof((tests)[0]), false, 0 \
	}
#define KT_SUITE_OPT_IN(tests)                                     \
	{                                                          \
		tests, sizeof(tests) / sizeof((tests)[0]), true, 0 \
	}
#define KT_SUITE_MIN_CORES(tests, n)                                \
	{                                                           \
		tests, sizeof(tests) / sizeof((tests)[0]), false, n \
	}

extern const struct ktest_suite kt_suite_cspace, kt_suite_untyped, kt_suite_ipc, kt_suite_sched,
    kt_suite_ntfn_irq, kt_suite_faults, kt_suite_fpu, kt_suite_tcb, kt_suite_errors,
    kt_suite_vspace, kt_suite_vspace_info, kt_suite_vspace_errors, kt_suite_asid,
    kt_suite_asid_rollover, kt_suite_audit, kt_suite_trust, kt_suite_trust_arch,
    kt_suite_trust_async, kt_suite_fuzz_found, kt_suite_smp, kt_suite_smp_multi,
    kt_suite_smp_rollover, kt_suite_fastpath;

/* The boot-info page (valid for the whole run). */
extern const struct bootinfo *kt_bootinfo;

/* Sizes the framework works with. */
#define KT_TEST_UNTYPED_BITS 20 /* each test's own untyped: 1 MiB */
#define KT_MAX_THREADS       8  /* helper threads per test (each has its own stack) */
#define KT_STACK_BYTES       16384
#define KT_IPC_BUFFERS       3    /* spare 1 KiB IPC buffers in the root's IPC-buffer frame */
#define KT_IPC_STRIDE        1024 /* IPC buffers are 1 KiB aligned (TCB_CONFIGURE) */
#define KT_UNMAPPED_ADDR     0x1234000ull /* nothing is mapped there (docs/roottask.md) */
#define KT_BIG_UNTYPEDS      2

/* Check results; each returns true if the check held. */
bool kt_check(bool ok, const char *what, const char *file, int line);
bool kt_check_eq(uint64_t got, uint64_t want, const char *expr, const char *file, int line);
bool kt_check_err(int got, int want, const char *expr, const char *file, int line);
bool kt_check_str(const char *got, const char *want, const char *expr, const char *file, int line);

#define CHECK(cond)          kt_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_EQ(got, want)  kt_check_eq((uint64_t)(got), (uint64_t)(want), #got, __FILE__, __LINE__)
#define CHECK_ERR(got, want) kt_check_err((int)(got), (int)(want), #got, __FILE__, __LINE__)
#define CHECK_OK(got)        CHECK_ERR(got, E_OK)
#define CHECK_STR(got, want) kt_check_str((got), (want), #got, __FILE__, __LINE__)
/* For setup steps: a failure ends the test (the rest would only fail or block). */
#define REQUIRE_OK(got)             \
	do {                        \
		if (!CHECK_OK(got)) \
			return;     \
	} while (0)
#define REQUIRE(cond)             \
	do {                      \
		if (!CHECK(cond)) \
			return;   \
	} while (0)

/*
 * A free slot of the root CNode (cptr == index), emptied when the test ends. Returns 0 and
 * records a failure if the test used them all.
 */
cptr_t kt_slot(void);

/*
 * Retypes one object of `type` (CNode: 2^size_bits slots; untyped: 2^size_bits bytes) from
 * the test's untyped into a fresh slot. Returns the slot, or 0 with a failure recorded.
 */
cptr_t kt_new(unsigned type, unsigned size_bits);

/* Like kt_new, from `untyped` (a root slot). */
cptr_t kt_new_in(cptr_t untyped, unsigned type, unsigned size_bits);

/* The test's own untyped (2^KT_TEST_UNTYPED_BITS bytes) and its physical address. */
cptr_t kt_test_untyped(void);
uint64_t kt_test_untyped_paddr(void);

/*
 * A further untyped of 2^bits bytes for a test that needs more than its own (up to
 * KT_BIG_UNTYPEDS per test), revoked when the test ends like the test's own. Returns the
 * slot, or 0 with a failure recorded.
 */
cptr_t kt_big_untyped(unsigned bits);

/* CNODE_IDENTIFY on root slot `slot`; a failed invocation reads as type ~0. */
struct mica_cap_info kt_identify(cptr_t slot);

/*
 * Copies (mint: with `badge`) root slot `src` into a fresh slot with `rights`. Returns the
 * new slot, or 0 with a failure recorded.
 */
cptr_t kt_copy(cptr_t src, unsigned rights);
cptr_t kt_mint(cptr_t src, unsigned rights, uint64_t badge);

/* Signals notification `ntfn` (its badge ORs into the word). Returns 0 or an error. */
int kt_signal(cptr_t ntfn);

/* Waits on (or, poll: polls) notification `ntfn`; returns the bits, *err the error. */
uint64_t kt_wait(cptr_t ntfn, int *err);
uint64_t kt_poll(cptr_t ntfn, int *err);

/* A helper thread of the running test. */
struct kt_thread {
	cptr_t tcb;             /* root slot of its TCB capability */
	cptr_t self;            /* its TCB capability in its own CSpace */
	struct ipc_buffer *ipc; /* its IPC buffer, or NULL */
	uint64_t stack_top;
};

struct kt_as;

struct kt_thread_opts {
	unsigned prio;     /* priority */
	unsigned max_prio; /* maximum controlled priority */
	cptr_t fault_ep;   /* fault endpoint (root slot), 0 for none */
	cptr_t cspace;     /* CSpace root (root slot), 0 for the root's own CNode */
	cptr_t self;       /* cptr of its own TCB in that CSpace (0: same as tcb) */
	bool ipc;          /* give it one of the spare IPC buffers */
	cptr_t untyped;    /* untyped its TCB comes from, 0 for the test's own */
	/* Address space (kt_as.h), NULL for the root's. There it runs on the space's stack
	 * page, and `ipc` gives it the IPC buffer in the space's private page. */
	const struct kt_as *as;
};

typedef void (*kt_fn)(uint64_t arg);

/*
 * Makes a thread (TCB retyped from o->untyped or the test's untyped, configured in o->as or
 * the root's VSpace, priority set, TPIDR_EL0 = its IPC buffer) without starting it. Returns
 * 0 or the first error (recorded as a failure).
 */
int kt_thread_new(struct kt_thread *t, const struct kt_thread_opts *o);

/*
 * Starts `t` at fn(arg) on its own stack. When fn returns, the thread suspends itself.
 * Returns 0 or the error of TCB_WRITE_REGISTERS.
 */
int kt_thread_start(struct kt_thread *t, kt_fn fn, uint64_t arg);

/* kt_thread_new with default options (no fault endpoint, the root's CSpace), then start. */
int kt_spawn(struct kt_thread *t, unsigned prio, bool ipc, kt_fn fn, uint64_t arg);

/*
 * Lets every helper thread run until none is runnable: a waker thread at priority 1
 * signals the root, which waits for it. Requires the root's priority above 1 and no
 * helper that spins forever.
 */
void kt_settle(void);

/* True if page `vaddr` is mapped in the root's VSpace (VSPACE_WALK, without touching it). */
bool kt_root_maps(uint64_t vaddr);

/* An order log shared by the root and its helpers (the kernel runs one thread at a time). */
void kt_log_reset(void);
void kt_log(char c);
const char *kt_log_text(void);

/* Sets the label, length and MR0..MR(n-1) of a message (n <= 6); the rest is zero. */
struct mica_msg kt_msg(uint64_t label, unsigned length, const uint64_t *mrs);

/*
 * Finds the untypeds the framework uses and makes the settle waker. Returns false (after
 * printing why) if the boot-info page does not give ktest what it needs.
 */
bool kt_framework_init(const struct bootinfo *bi);

/* Runs one test in a fresh environment, cleans up after it and prints PASS or FAIL lines. */
void kt_run(const struct ktest *t);

/* Prints "ktest: done, N passed, M failed". */
void kt_summary(void);

/* Assembly helpers (asm.S): see the comments there. */
void kt_fault_udf(void);
void kt_fault_svc999(void);
uint64_t kt_fault_load(uint64_t addr);
void kt_fault_store(uint64_t addr, uint64_t value);
void kt_fault_jump(uint64_t addr);
void kt_fault_brk(void);
extern const char kt_fault_udf_insn[], kt_fault_svc999_next[], kt_fault_load_insn[],
    kt_fault_store_insn[], kt_fault_brk_insn[];
uint64_t kt_fpu_yield_check(uint64_t base, uint64_t rounds);
void kt_fpu_load(uint64_t base);
uint64_t kt_fpu_or_all(void);
void kt_pmu_write_pmcr(uint64_t value);
void kt_pmu_write_cntenset(uint64_t value);
void kt_pmu_write_evtyper0(uint64_t value);
uint64_t kt_debug_async(uint64_t source);
#define KT_REG_PATTERN 0x5a00 /* kt_syscall_registers: xn = KT_REG_PATTERN + n */
void kt_syscall_registers(uint64_t nr, uint64_t x0, uint64_t x1, uint64_t out[35]);
extern const char kt_pmu_write_pmcr_insn[], kt_pmu_write_cntenset_insn[],
    kt_pmu_write_evtyper0_insn[], kt_debug_async_next[];
