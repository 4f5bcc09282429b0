/*
 * kbench: the kernel micro-benchmarks, run as the root task (bootarg init=kbench).
 *
 * Counts retired instructions with PMU event counter 0 (INST_RETIRED, EL0 and EL1, readable
 * at EL0; the kernel sets it up). Under QEMU with -icount shift=0 the count is exact and
 * repeatable. Each figure is the minimum over ROUNDS runs of one operation, minus the cost
 * of reading the counter itself; the system calls are issued with hand-written inline asm so
 * user-side overhead is the few instructions any client needs.
 *
 * Address spaces: a second address space B maps the program image again (copies
 * of the root's frame capabilities at the same addresses; data and bss shared) so threads
 * there run this same code. B holds the echo server of the cross-address-space round trip
 * and the faulter of the fault round trip, whose handler is the root.
 *
 * Run queue: each IPC round trip is measured twice, with no other thread ready and with one
 * low-priority thread queued beside the pair (NAME_queued), which the fastpath must look at.
 *
 * Prints "kbench: NAME INSTRUCTIONS" lines, then "kbench: done" and powers off. A release
 * kernel has no debug console, no SYS_DEBUG_NULL and no power-off: there (or with the
 * bootarg kbench.semihosting) kbench reports and powers off through Arm semihosting
 * (semihost.h), which needs QEMU's -semihosting-config enable=on,userspace=on, and skips the
 * debug-only null_syscall. nbsend_no_receiver is the null system call of both builds.
 */
#include <mica.h>
#include <mica_bench.h>
#include <mica/bootinfo.h>
#include <mica/fault.h>
#include <mica/objects.h>
#include <mica/syscall.h>
#include <mica_invoke.h>
#include <semihost.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define ROUNDS      64
#define STACK_WORDS 2048
#define THREADS     5
#define QUEUED_PRIO 1 /* the thread queued beside the round trips: it never gets to run */
#define RW          (RIGHT_READ | RIGHT_WRITE)
#define BENCH_VA    0x20000000ull /* nothing there, in the root's space and in B */
#define DONE_LABEL  1             /* the faulter's report of one round */

static const struct bootinfo *bi;
static cptr_t next_slot;
static cptr_t ram_untyped;
static bool semihosting; /* report and stop through semihosting, not the debug calls */
static uint64_t stacks[THREADS][STACK_WORDS] __attribute__((aligned(16)));

/* The linker script's bounds of the program image (servers/user.ld). */
extern const char __user_start[], _end[];

/*
 * A system call with message info `info`; returns x1. Loads only the message registers the
 * message carries (MR(i) = i + 1): none for an empty message, four for up to four words,
 * all six beyond, as a client sending that message would; the others are declared
 * overwritten (the kernel leaves them alone). Inlined with a constant `info`, only one of
 * the three statements is left: the same instructions as hand-written asm.
 */
#define SVC_ASM(...) __asm__ volatile("svc #0" : __VA_ARGS__ : "r"(x8) : "memory")
static inline __attribute__((always_inline)) uint64_t raw_call(uint64_t nr, cptr_t cap,
							       uint64_t info)
{
	unsigned words = msginfo_unpack(info).length;
	register uint64_t x0 __asm__("x0") = cap;
	register uint64_t x1 __asm__("x1") = info;
	register uint64_t x2 __asm__("x2"), x3 __asm__("x3"), x4 __asm__("x4");
	register uint64_t x5 __asm__("x5"), x6 __asm__("x6"), x7 __asm__("x7");
	register uint64_t x8 __asm__("x8") = nr;
	if (words == 0) {
		SVC_ASM("+r"(x0), "+r"(x1), "=r"(x2), "=r"(x3), "=r"(x4), "=r"(x5), "=r"(x6),
			"=r"(x7));
	} else if (words <= 4) {
		x2 = 1, x3 = 2, x4 = 3, x5 = 4;
		SVC_ASM("+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "=r"(x6),
			"=r"(x7));
	} else {
		x2 = 1, x3 = 2, x4 = 3, x5 = 4, x6 = 5, x7 = 6;
		SVC_ASM("+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6),
			"+r"(x7));
	}
	return x1;
}

/* An invocation of `cap` with `label` and three arguments, as inline asm; returns x1 (the
 * reply's info word: label 0 on success). */
static inline uint64_t raw_invoke(cptr_t cap, uint64_t label, uint64_t a0, uint64_t a1, uint64_t a2)
{
	register uint64_t x0 __asm__("x0") = cap;
	register uint64_t x1 __asm__("x1") = msginfo_pack(label, 3, 0);
	register uint64_t x2 __asm__("x2") = a0, x3 __asm__("x3") = a1, x4 __asm__("x4") = a2;
	register uint64_t x8 __asm__("x8") = SYS_CALL;
	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4)
			 : "r"(x8)
			 : "x5", "x6", "x7", "memory");
	return x1;
}

/* The server side of the IPC round trip (x0 = endpoint): receive, then reply-and-receive
 * forever, echoing each request (the received x1 and MRs are the reply). */
__attribute__((naked, noreturn)) static void echo_server(void)
{
	__asm__ volatile("mov x19, x0\n\t"
			 "mov x8, %0\n\t"
			 "svc #0\n"
			 "1:\n\t"
			 "mov x0, x19\n\t"
			 "mov x8, %1\n\t"
			 "svc #0\n\t"
			 "b 1b" ::"i"(SYS_RECV),
			 "i"(SYS_REPLY_RECV));
}

/* Ends the benchmark: QEMU exits with `code` (semihosting) or the kernel powers off. */
static __attribute__((noreturn)) void stop(int code)
{
	if (semihosting)
		semihost_exit(code);
	mica_debug_poweroff();
}

/* Spins forever (the queued thread: it is ready but never the highest priority). */
__attribute__((naked, noreturn)) static void spinner(void)
{
	__asm__ volatile("1:\n\t"
			 "b 1b");
}

/* Yields forever. */
__attribute__((naked, noreturn)) static void yielder(void)
{
	__asm__ volatile("mov x8, %0\n"
			 "1:\n\t"
			 "svc #0\n\t"
			 "b 1b" ::"i"(SYS_YIELD));
}

static cptr_t alloc_slot(void)
{
	return next_slot++;
}

/* Retypes one object of `type` into a fresh slot; stops the benchmark on failure. */
static cptr_t make(unsigned type)
{
	cptr_t slot = alloc_slot();
	int err = mica_untyped_retype(ram_untyped, type, 0, SLOT_INIT_CNODE, slot, 1);
	if (err) {
		printf("kbench: retype of type %u failed: %d\n", type, err);
		stop(1);
	}
	return slot;
}

/* Stops the benchmark with a message if `err` is an error. */
static void require_ok(int err, const char *what)
{
	if (err) {
		printf("kbench: %s failed: %d\n", what, err);
		stop(1);
	}
}

/* Starts a thread at `pc` in `vspace` at priority `prio` on stack k (0..THREADS-1), with x0
 * as given, the fault endpoint `fault_ep` (0: none), and IPC buffer `ipc` of the root's IPC
 * frame (1..2, 0: none). */
static cptr_t start_prio_thread_in(cptr_t vspace, void (*pc)(void), unsigned prio, unsigned k,
				   unsigned ipc, cptr_t fault_ep, uint64_t x0)
{
	cptr_t tcb = make(OBJ_TCB);
	uint64_t buffer = ipc ? bi->ipc_buffer + 1024ull * ipc : 0;
	uint64_t regs[8] = { x0 };
	require_ok(mica_tcb_configure(tcb, fault_ep, SLOT_INIT_CNODE, vspace, buffer,
				      ipc ? SLOT_IPC_BUFFER : 0),
		   "configuring a thread");
	require_ok(mica_tcb_set_priority(tcb, prio, prio), "setting a priority");
	require_ok(mica_tcb_set_tls(tcb, buffer), "setting TLS");
	require_ok(mica_tcb_write_registers(tcb, 1, (uint64_t)(uintptr_t)pc,
					    (uint64_t)(uintptr_t)&stacks[k][STACK_WORDS], regs),
		   "starting a thread");
	return tcb;
}

/* Starts a thread at `pc` in `vspace` at priority 255 (see start_prio_thread_in). */
static cptr_t start_thread_in(cptr_t vspace, void (*pc)(void), unsigned k, unsigned ipc,
			      cptr_t fault_ep, uint64_t x0)
{
	return start_prio_thread_in(vspace, pc, 255, k, ipc, fault_ep, x0);
}

/* Starts a thread at `pc` in this address space at priority 255, IPC buffer k (1..2),
 * with x0 as given. */
static cptr_t start_thread(void (*pc)(void), unsigned k, uint64_t x0)
{
	return start_thread_in(SLOT_INIT_VSPACE, pc, k - 1, k, 0, x0);
}

/* Maps a fresh page table on the walk to `vaddr` in `vspace`. */
static void map_table(cptr_t vspace, uint64_t vaddr)
{
	require_ok(mica_page_table_map(make(OBJ_PAGE_TABLE), vspace, vaddr, NULL),
		   "mapping a page table");
}

/*
 * Address space B: a fresh VSpace (ASID from the first pool) with copies of the root's
 * image frames at the root's addresses and rights, and an L3 table for BENCH_VA.
 */
static cptr_t make_space(void)
{
	cptr_t vs = make(OBJ_VSPACE);
	require_ok(mica_asid_pool_assign(SLOT_INIT_ASID_POOL, vs, NULL), "assigning an ASID");
	for (int level = 1; level <= 3; level++)
		map_table(vs, (uint64_t)__user_start);
	map_table(vs, BENCH_VA);
	for (cptr_t s = bi->image_frames.start; s < bi->image_frames.end; s++) {
		struct mica_frame_info f;
		struct mica_mapping m;
		unsigned n;
		uint64_t next;
		require_ok(mica_frame_get_address(s, &f), "reading a frame");
		if (f.mapped_vaddr < (uint64_t)__user_start || f.mapped_vaddr >= (uint64_t)_end)
			continue;
		require_ok(mica_vspace_walk(SLOT_INIT_VSPACE, f.mapped_vaddr, &m, 1, &n, &next),
			   "walking the root's space");
		cptr_t copy = alloc_slot();
		require_ok(mica_cnode_copy(SLOT_INIT_CNODE, copy, SLOT_INIT_CNODE, s, RIGHTS_ALL),
			   "copying a frame capability");
		require_ok(mica_frame_map(copy, vs, m.vaddr, m.rights), "mapping the image");
	}
	return vs;
}

static void report(const char *name, uint64_t best, uint64_t overhead)
{
	printf("kbench: %s %lu\n", name, (unsigned long)(best - overhead));
}

/* The minimum over ROUNDS of system call `nr` on `cap` with message info 0, reported. */
static void bench_syscall(const char *name, uint64_t nr, cptr_t cap, uint64_t overhead)
{
	uint64_t best = ~0ull;
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = bench_icount();
		raw_call(nr, cap, 0);
		uint64_t t1 = bench_icount();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	report(name, best, overhead);
}

/*
 * The null system calls: SYS_DEBUG_NULL (debug builds only), and in every build a
 * non-blocking send of an empty message to an endpoint with no receiver, which the kernel
 * drops after the capability lookup and rights check (what seL4's null-syscall figure
 * measures).
 */
static void bench_null_syscalls(uint64_t overhead)
{
	if (bi->debug_build)
		bench_syscall("null_syscall", SYS_DEBUG_NULL, 0, overhead);
	bench_syscall("nbsend_no_receiver", SYS_NBSEND, make(OBJ_ENDPOINT), overhead);
}

/* Call+reply round trips of `words` message words with the echo server on `ep`. */
static void bench_call(const char *name, cptr_t ep, unsigned words, uint64_t overhead)
{
	uint64_t info = msginfo_pack(1, words, 0);
	uint64_t best = ~0ull;
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = bench_icount();
		uint64_t reply = raw_call(SYS_CALL, ep, info);
		uint64_t t1 = bench_icount();
		if (msginfo_unpack(reply).length != words) {
			printf("kbench: %s: reply of %u words, expected %u\n", name,
			       msginfo_unpack(reply).length, words);
			stop(1);
		}
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	report(name, best, overhead);
}

/* A yield to another thread of the same priority and back, halved: one yield. */
static void bench_yield(uint64_t overhead)
{
	uint64_t best = ~0ull;
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = bench_icount();
		raw_call(SYS_YIELD, 0, 0);
		uint64_t t1 = bench_icount();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	printf("kbench: yield %lu\n", (unsigned long)((best - overhead) / 2));
}

/* FRAME_MAP + FRAME_UNMAP of a 4 KiB frame at BENCH_VA of the root's space (its page
 * tables in place). */
static void bench_map_unmap(uint64_t overhead)
{
	cptr_t frame = make(OBJ_FRAME_4K);
	uint64_t best = ~0ull;
	map_table(SLOT_INIT_VSPACE, BENCH_VA);
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = bench_icount();
		uint64_t map = raw_invoke(frame, FRAME_MAP, SLOT_INIT_VSPACE, BENCH_VA, RW);
		uint64_t unmap = raw_invoke(frame, FRAME_UNMAP, 0, 0, 0);
		uint64_t t1 = bench_icount();
		if (mica_msg_error(map) || mica_msg_error(unmap)) {
			printf("kbench: frame_map_unmap: map %d, unmap %d\n", mica_msg_error(map),
			       mica_msg_error(unmap));
			stop(1);
		}
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	report("frame_map_unmap_4k", best, overhead);
}

/* FRAME_ZERO of an unmapped 4 KiB frame: how memsrv clears a reused frame. */
static void bench_frame_zero(uint64_t overhead)
{
	cptr_t frame = make(OBJ_FRAME_4K);
	uint64_t best = ~0ull;
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = bench_icount();
		uint64_t err = raw_invoke(frame, FRAME_ZERO, 0, 0, 0);
		uint64_t t1 = bench_icount();
		require_ok(mica_msg_error(err), "zeroing a frame");
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	report("frame_zero_4k", best, overhead);
}

/* The faulter (in B, x0 = the endpoint): loads from BENCH_VA, which is not mapped, and
 * reports the instructions from just before the load to just after it in a call. */
static __attribute__((noreturn)) void faulter(uint64_t ep)
{
	for (;;) {
		uint64_t t0 = bench_icount();
		(void)*(volatile uint64_t *)BENCH_VA;
		uint64_t t1 = bench_icount();
		struct mica_msg m = { .label = DONE_LABEL, .length = 1, .mr = { t1 - t0 } };
		mica_call(ep, &m);
	}
}

/*
 * A fault in B handled by the root (address space A): the faulter's load faults, the root
 * receives the fault message, maps the (pre-made) frame into B at the page, and replies;
 * the load completes. Measured by the faulter around its load. Between rounds the root
 * unmaps the frame again when the faulter reports.
 */
static void bench_fault(cptr_t space, uint64_t overhead)
{
	cptr_t ep = make(OBJ_ENDPOINT), frame = make(OBJ_FRAME_4K);
	cptr_t tcb = start_thread_in(space, (void (*)(void))faulter, 2, 0, ep, ep);
	uint64_t best = ~0ull;
	struct mica_msg m;
	mica_recv(ep, &m, NULL);
	for (int round = 0; round < ROUNDS;) {
		struct mica_msg reply = { 0 };
		if (m.label == FAULT_LABEL(FAULT_VM)) {
			uint64_t err = raw_invoke(frame, FRAME_MAP, space, m.mr[0] & ~0xfffull, RW);
			require_ok(mica_msg_error(err), "mapping on demand");
		} else if (m.label == DONE_LABEL) {
			if (m.mr[0] < best)
				best = m.mr[0];
			require_ok(mica_frame_unmap(frame), "unmapping");
			if (++round == ROUNDS)
				break;
		} else {
			printf("kbench: fault: unexpected message %#lx\n", (unsigned long)m.label);
			stop(1);
		}
		mica_reply_recv(ep, &reply, NULL);
		m = reply;
	}
	mica_tcb_suspend(tcb);
	report("fault_map_resume_cross_as", best, overhead);
}

/* The call round trips of 0, 4 and 10 words with the echo server on `ep`, names suffixed
 * with `suffix`. */
static void bench_calls(cptr_t ep, const char *suffix, uint64_t overhead)
{
	static const unsigned words[] = { 0, 4, 10 };
	char name[48];
	for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		snprintf(name, sizeof(name), "ipc_call_reply_%u%s", words[i], suffix);
		bench_call(name, ep, words[i], overhead);
	}
}

/* Whether the boot arguments hold the word `word`. */
static bool bootarg(const char *word)
{
	size_t n = strlen(word);
	for (const char *p = strstr(bi->cmdline, word); p; p = strstr(p + 1, word)) {
		bool starts = p == bi->cmdline || p[-1] == ' ';
		if (starts && (p[n] == '\0' || p[n] == ' '))
			return true;
	}
	return false;
}

/* Finds a RAM untyped of at least 1 MiB to make objects from. */
static cptr_t find_ram_untyped(void)
{
	for (uint64_t i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
		const struct untyped_desc *u = &bi->untyped_list[i];
		if (!u->is_device && u->size_bits >= 20)
			return bi->untyped.start + i;
	}
	printf("kbench: no RAM untyped of 1 MiB\n");
	stop(1);
}

/*
 * The cross-core round trip (bootarg kbench.cross_core, two cores or more): the caller on
 * core 0, an echo server on core 1. Both read their own core's PMU counter: the caller around
 * all XCORE_ROUNDS calls, the server at its first receive and before its last reply. Each
 * side's total is reported per round (an average: every round is counted, waits included),
 * with the ticks core 0 took meanwhile (docs/performance.md, "Across cores").
 */
#define XCORE_ROUNDS 1000
#define XCORE_WARMUP 16
#define XCORE_SPIN   1000 /* loop iterations (2 instructions each) the server may add */
static volatile uint64_t xcore_first, xcore_last, xcore_served, xcore_spin;

/* Runs `n` (>= 1) iterations of a two-instruction loop on this core. */
static inline void spin_loop(uint64_t n)
{
	__asm__ volatile("1:\n\t"
			 "subs %0, %0, #1\n\t"
			 "b.ne 1b"
			 : "+r"(n)::"cc");
}

/* The echo server of the cross-core round trip; counts its own core's instructions. */
static __attribute__((noreturn)) void xcore_server(uint64_t ep)
{
	uint64_t info = raw_call(SYS_RECV, ep, 0);
	for (;;) {
		uint64_t now = bench_icount();
		if (xcore_served++ == XCORE_WARMUP)
			xcore_first = now;
		xcore_last = now;
		if (xcore_spin)
			spin_loop(xcore_spin);
		info = raw_call(SYS_REPLY_RECV, ep, info & ~0ull);
	}
}

/* Ticks core `core` has taken (KERNEL_INFO_CPU_STATS). */
static uint64_t core_ticks(unsigned core)
{
	uint64_t s[KCPU_COUNT];
	require_ok(mica_kernel_cpu_stats(SLOT_KERNEL_INFO, core, s), "reading a core's counters");
	return s[KCPU_TICKS];
}

static void bench_cross_core(void)
{
	uint64_t k[KSTAT_COUNT];
	require_ok(mica_kernel_stats(SLOT_KERNEL_INFO, k), "reading the kernel counters");
	if (k[KSTAT_CPUS_ONLINE] < 2) {
		printf("kbench: cross_core needs two cores (%lu online)\n",
		       (unsigned long)k[KSTAT_CPUS_ONLINE]);
		return;
	}
	cptr_t ep = make(OBJ_ENDPOINT);
	cptr_t tcb = start_thread((void (*)(void))xcore_server, 2, ep); /* the yielder's stack */
	mica_yield(); /* it blocks in its first receive on core 0 ... */
	require_ok(mica_tcb_set_affinity(tcb, 1), "moving the server"); /* ... and waits on 1 */
	uint64_t info = msginfo_pack(1, 0, 0);
	for (int i = 0; i < XCORE_WARMUP; i++)
		raw_call(SYS_CALL, ep, info);
	uint64_t ticks0 = core_ticks(0), ticks1 = core_ticks(1);
	uint64_t t0 = bench_icount();
	for (int i = 0; i < XCORE_ROUNDS; i++)
		raw_call(SYS_CALL, ep, info);
	uint64_t t1 = bench_icount();
	uint64_t served = xcore_last - xcore_first; /* XCORE_ROUNDS - 1 rounds of the server */
	printf("kbench: xcore_client_per_round %lu\n", (unsigned long)((t1 - t0) / XCORE_ROUNDS));
	printf("kbench: xcore_server_per_round %lu\n",
	       (unsigned long)(served / (XCORE_ROUNDS - 1)));
	printf("kbench: xcore_rounds %u\n", XCORE_ROUNDS);
	printf("kbench: xcore_ticks_core0 %lu\n", (unsigned long)(core_ticks(0) - ticks0));
	printf("kbench: xcore_ticks_core1 %lu\n", (unsigned long)(core_ticks(1) - ticks1));
	/* Does core 0's counter see what core 1 executes? The server now spins 2 * XCORE_SPIN
	 * instructions more per round, on core 1 only, while core 0 waits in wfi. */
	xcore_spin = XCORE_SPIN;
	raw_call(SYS_CALL, ep, info);
	t0 = bench_icount();
	for (int i = 0; i < XCORE_ROUNDS; i++)
		raw_call(SYS_CALL, ep, info);
	t1 = bench_icount();
	xcore_spin = 0;
	printf("kbench: xcore_client_per_round_server_spinning %lu\n",
	       (unsigned long)((t1 - t0) / XCORE_ROUNDS));
	printf("kbench: xcore_server_spin %u\n", 2 * XCORE_SPIN);
	require_ok(mica_tcb_suspend(tcb), "stopping the server");
}

int main(void *arg)
{
	bi = arg;
	mica_set_ipc_buffer((struct ipc_buffer *)bi->ipc_buffer);
	semihosting = !bi->debug_build || bootarg("kbench.semihosting");
	mica_debug_console = bi->debug_build;
	if (semihosting)
		semihost_console();
	next_slot = bi->empty.start;
	ram_untyped = find_ram_untyped();
	uint64_t overhead = bench_counter_overhead(ROUNDS);
	printf("kbench: counter_overhead %lu\n", (unsigned long)overhead);
	bench_null_syscalls(overhead);

	cptr_t ep = make(OBJ_ENDPOINT);
	start_thread(echo_server, 1, ep);
	mica_yield(); /* let the server block in its first receive */
	bench_calls(ep, "", overhead);

	cptr_t space = make_space();
	cptr_t ep_b = make(OBJ_ENDPOINT);
	start_thread_in(space, echo_server, 3, 0, 0, ep_b);
	mica_yield(); /* let the server in B block in its first receive */
	bench_call("ipc_call_reply_cross_as", ep_b, 0, overhead);

	cptr_t queued = start_prio_thread_in(SLOT_INIT_VSPACE, spinner, QUEUED_PRIO, 4, 0, 0, 0);
	bench_calls(ep, "_queued", overhead);
	bench_call("ipc_call_reply_cross_as_queued", ep_b, 0, overhead);
	require_ok(mica_tcb_suspend(queued), "suspending the queued thread");

	bench_map_unmap(overhead);
	bench_frame_zero(overhead);
	bench_fault(space, overhead);

	cptr_t yielding = start_thread(yielder, 2, 0);
	bench_yield(overhead);
	if (bootarg("kbench.cross_core")) {
		require_ok(mica_tcb_suspend(yielding), "suspending the yielder");
		bench_cross_core();
	}
	printf("kbench: done\n");
	stop(0);
}
