/*
 * kbench: the kernel micro-benchmarks, run as the root task (bootarg init=kbench).
 *
 * Counts retired instructions with PMU event counter 0 (INST_RETIRED, EL0 and EL1, readable
 * at EL0; the kernel sets it up). Under QEMU with -icount shift=0 the count is exact and
 * repeatable. Each figure is the minimum over ROUNDS runs of one operation, minus the cost
 * of reading the counter itself; the system calls are issued with hand-written inline asm so
 * user-side overhead is the few instructions any client needs.
 *
 * Prints "kbench: NAME INSTRUCTIONS" lines, then "kbench: done" and powers off.
 */
#include <mica.h>
#include <mica/bootinfo.h>
#include <mica/objects.h>
#include <mica/syscall.h>
#include <mica_invoke.h>
#include <stdio.h>

#define ROUNDS      64
#define STACK_WORDS 2048

static const struct bootinfo *bi;
static cptr_t next_slot;
static cptr_t ram_untyped;
static uint64_t stacks[2][STACK_WORDS] __attribute__((aligned(16)));

/* The PMU instruction counter; the isb keeps it from being read early. */
static inline uint64_t icount(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, pmevcntr0_el0" : "=r"(v)::"memory");
	return v;
}

/* A raw system call with the message registers as given; returns x1. */
static inline uint64_t raw_call(uint64_t nr, cptr_t cap, uint64_t info)
{
	register uint64_t x0 __asm__("x0") = cap;
	register uint64_t x1 __asm__("x1") = info;
	register uint64_t x2 __asm__("x2") = 1, x3 __asm__("x3") = 2, x4 __asm__("x4") = 3;
	register uint64_t x5 __asm__("x5") = 4, x6 __asm__("x6") = 5, x7 __asm__("x7") = 6;
	register uint64_t x8 __asm__("x8") = nr;
	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6),
			   "+r"(x7)
			 : "r"(x8)
			 : "memory");
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
		mica_debug_poweroff();
	}
	return slot;
}

/* Starts a thread at `pc` in this address space at priority 255, IPC buffer k (1..2),
 * with x0 as given. */
static cptr_t start_thread(void (*pc)(void), unsigned k, uint64_t x0)
{
	cptr_t tcb = make(OBJ_TCB);
	uint64_t buffer = bi->ipc_buffer + 1024ull * k;
	uint64_t regs[8] = { x0 };
	int err =
	    mica_tcb_configure(tcb, 0, SLOT_INIT_CNODE, SLOT_INIT_VSPACE, buffer, SLOT_IPC_BUFFER);
	if (!err)
		err = mica_tcb_set_priority(tcb, 255, 255);
	if (!err)
		err = mica_tcb_set_tls(tcb, buffer);
	if (!err)
		err = mica_tcb_write_registers(tcb, 1, (uint64_t)(uintptr_t)pc,
					       (uint64_t)(uintptr_t)&stacks[k - 1][STACK_WORDS],
					       regs);
	if (err) {
		printf("kbench: starting a thread failed: %d\n", err);
		mica_debug_poweroff();
	}
	return tcb;
}

static uint64_t counter_overhead(void)
{
	uint64_t best = ~0ull;
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = icount();
		uint64_t t1 = icount();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

static void report(const char *name, uint64_t best, uint64_t overhead)
{
	printf("kbench: %s %lu\n", name, (unsigned long)(best - overhead));
}

static void bench_null_syscall(uint64_t overhead)
{
	uint64_t best = ~0ull;
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = icount();
		raw_call(SYS_DEBUG_NULL, 0, 0);
		uint64_t t1 = icount();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	report("null_syscall", best, overhead);
}

/* Call+reply round trips of `words` message words with the echo server on `ep`. */
static void bench_call(const char *name, cptr_t ep, unsigned words, uint64_t overhead)
{
	uint64_t info = msginfo_pack(1, words, 0);
	uint64_t best = ~0ull;
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = icount();
		uint64_t reply = raw_call(SYS_CALL, ep, info);
		uint64_t t1 = icount();
		if (msginfo_unpack(reply).length != words) {
			printf("kbench: %s: reply of %u words, expected %u\n", name,
			       msginfo_unpack(reply).length, words);
			mica_debug_poweroff();
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
		uint64_t t0 = icount();
		raw_call(SYS_YIELD, 0, 0);
		uint64_t t1 = icount();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	printf("kbench: yield %lu\n", (unsigned long)((best - overhead) / 2));
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
	mica_debug_poweroff();
}

int main(void *arg)
{
	bi = arg;
	mica_set_ipc_buffer((struct ipc_buffer *)bi->ipc_buffer);
	next_slot = bi->empty.start;
	ram_untyped = find_ram_untyped();
	uint64_t overhead = counter_overhead();
	printf("kbench: counter_overhead %lu\n", (unsigned long)overhead);
	bench_null_syscall(overhead);

	cptr_t ep = make(OBJ_ENDPOINT);
	start_thread(echo_server, 1, ep);
	mica_yield(); /* let the server block in its first receive */
	bench_call("ipc_call_reply_0", ep, 0, overhead);
	bench_call("ipc_call_reply_4", ep, 4, overhead);
	bench_call("ipc_call_reply_10", ep, 10, overhead);

	start_thread(yielder, 2, 0);
	bench_yield(overhead);
	printf("kbench: done\n");
	mica_debug_poweroff();
}
