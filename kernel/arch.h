/*
 * The kernel-to-architecture interface. Generic kernel code calls only these functions for
 * anything that touches the CPU, the MMU or devices; kernel/arch/aarch64/ implements them.
 * This is the one header through which generic code reaches the architecture: it includes
 * the architecture's inline part, and generic code includes no other arch header
 * (tests/check_arch_split.py keeps it so; smp.h's <arch/percpu.h> is the one exception).
 *
 * Inline, from the architecture's include/arch/ (static inline: they cost nothing):
 *   <arch/registers.h>  struct user_context and struct fpu_state (opaque to generic code)
 *                       and the register accessors: arch_get_mr / arch_set_mr,
 *                       arch_get_cptr, arch_get_badge / arch_set_badge, arch_get_msginfo /
 *                       arch_set_msginfo, arch_get_syscall, arch_get_arg / arch_set_arg,
 *                       arch_get_pc / arch_set_pc, arch_get_sp / arch_set_sp, arch_set_tls,
 *                       arch_get_register_word, arch_clear_scratch_registers,
 *                       arch_init_user_context
 *   <arch/memlayout.h>  paddr_t, vaddr_t, phys_to_virt, virt_to_phys (the kernel's linear
 *                       window onto physical memory)
 *   <arch/percpu.h>     struct arch_percpu and arch_this_cpu (through smp.h)
 */
#pragma once

#include <arch/memlayout.h>
#include <arch/registers.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smp.h"

struct fdt;
struct bootmem;

/* Writes one character to the kernel console, polling; usable from the first instruction of C. */
void arch_console_putc(char c);

/* Finds the DTB: at `boot_arg` if the loader passed one, else at the board's conventional
 * place (which may be physical address 0). Returns true and sets *pa, or false if there is
 * no valid blob at either. */
bool arch_find_dtb(uint64_t boot_arg, uint64_t *pa);

/*
 * Brings up the CPU and platform from the device tree: prints the CPU model, builds the
 * kernel's final translation tables (allocating them from `bm`), and initialises the
 * console UART, the interrupt controller, the timer and the power controller.
 * Panics if the device tree lacks something the kernel cannot run without.
 */
void arch_init(const struct fdt *fdt, struct bootmem *bm);

/* Starts the periodic tick at `hz`; each tick calls kernel_tick(). */
void arch_timer_start(unsigned hz);

/* Powers the machine off through PSCI. Does not return. */
__attribute__((noreturn)) void arch_poweroff(void);

/* Stops the machine after a fatal error (powers off). Does not return. */
__attribute__((noreturn)) void arch_halt(void);

/* Debug builds: deliberately takes the named kernel exception ("dabort", "write-text",
 * "exec-rodata", "undef"). Returns false for an unknown name. */
bool arch_debug_crash(const char *what);

/* Debug builds: makes the next return to user mode take a virtual SError or FIQ (`source`
 * is FAULT_ASYNC_*), through the EL2 stub. Returns E_OK, E_STATE if the kernel was not
 * entered at EL2 (or this is not a debug build), E_INVAL for an unknown source. */
int arch_debug_async(uint64_t source);

struct tcb;

/* Prepares the CPU to run user threads (TTBR0 walks, ASIDs, FP/SIMD trap, PMU). */
void arch_user_init(void);

/*
 * Switches the CPU from `prev` (NULL: idle) to `next` and returns to next in user mode:
 * loads next's TPIDR_EL0 (saved at its last kernel entry), installs its VSpace with its ASID
 * unless TTBR0 already holds it, arms the FP/SIMD trap unless next owns the FP registers,
 * and counts the switch. One call from the decision to the ERET, so the IPC fastpath pays
 * for no glue. Returns, changing nothing, only if next's VSpace has no valid ASID (it
 * cannot run). The caller sets `current` to next first (and back if this returns).
 */
void arch_switch_to_user(struct tcb *prev, struct tcb *next);

/*
 * The IPC fastpath's switch, split so that nothing can fail once the fastpath has
 * committed (`cpu` is the calling core's struct percpu, which the fastpaths are given).
 * arch_switch_prepare(next, cpu) is the fastpath's last check: it says whether the
 * core can switch to `next` (ARCH_SWITCH_NO: it cannot run, its VSpace has no valid ASID;
 * what would make arch_switch_to_user return), and when TTBR0 can be made to hold next's
 * VSpace with register writes alone it makes it so (ARCH_SWITCH_READY); the fastpath's
 * changes follow, which cannot fail. Then arch_fast_switch(next, cpu) does the rest of what
 * arch_switch_to_user does up to the ERET (TPIDR_EL0, FP/SIMD trap, the count), or, when
 * the VSpace needs a hardware ASID (ARCH_SWITCH_NEW_ASID), arch_switch_installing(next, cpu)
 * does all of it (out of line: it may start an ASID generation) and returns to next
 * through fastpath_resume (fastpath.h), which the caller otherwise tail-calls itself, with
 * the same effect. The first two are static inline functions of <arch/switch.h>,
 * which their one user (fastpath.c) includes, so that this header needs no TCB layout:
 *   enum arch_switch arch_switch_prepare(struct tcb *next, struct percpu *cpu);
 *   void arch_fast_switch(struct tcb *next, struct percpu *cpu);
 */
enum arch_switch {
	ARCH_SWITCH_READY,    /* TTBR0 holds next's VSpace (it did, or one write made it) */
	ARCH_SWITCH_NO,       /* next cannot run */
	ARCH_SWITCH_NEW_ASID, /* arch_switch_installing */
};
struct tcb *arch_switch_installing(struct tcb *next, struct percpu *cpu);

/* `t` keeps the CPU: re-installs its VSpace if it changed while t was in the kernel.
 * Returns false if t no longer has a VSpace with a valid ASID (it cannot run). */
bool arch_keep_running(struct tcb *t);

/* True if the running thread's VSpace may have changed since arch_keep_running last ran:
 * only then need a thread that keeps the CPU call it (one load on every kernel exit). Set
 * per core when a VSpace capability was derived or deleted or the installed VSpace was
 * forgotten; cleared by arch_keep_running. */
static inline bool arch_vspace_changed_on(const struct percpu *cpu)
{
	return cpu->arch.vspace_dirty;
}

static inline bool arch_vspace_changed(void)
{
	return arch_vspace_changed_on(this_cpu());
}

/* Returns to `t` in user mode. */
__attribute__((noreturn)) void arch_return_to_user(struct tcb *t);

/* Idles until an interrupt; its handler leaves through schedule_and_return(). */
__attribute__((noreturn)) void arch_idle_forever(void);

/* Forgets `t` in per-CPU state (FP/SIMD owner); it is being destroyed. */
void arch_forget_thread(struct tcb *t);

/* Interrupt controller operations for IRQ handler capabilities. */
void arch_irq_enable(uint32_t intid, bool edge);
void arch_irq_disable(uint32_t intid);
void arch_irq_raise(uint32_t intid); /* makes an SPI pending (tests) */
/* Debug builds (tests): makes SPI `intid` pending when this core next goes idle. */
void arch_irq_raise_at_idle(uint32_t intid);
void arch_irq_clear_pending(uint32_t intid);
/* True if user space may claim `intid` (an SPI the kernel does not use itself). */
bool arch_irq_claimable(uint32_t intid);

/*
 * Physical ranges outside RAM the kernel keeps for itself (the interrupt controller), as
 * [base, end) pairs; returns how many it wrote (at most `max`). Everything else outside RAM
 * becomes device untyped memory.
 */
unsigned arch_reserved_device_ranges(uint64_t (*ranges)[2], unsigned max);

struct cap;
struct invocation;

/* Decodes an invocation on an architecture capability (frame, page table, VSpace, ASID
 * control, ASID pool). */
int arch_decode_invocation(struct invocation *inv);

/* A capability is being deleted (final or not): frames and page tables unmap themselves. */
void arch_cap_deleted(const struct cap *cap);

/* A capability is being copied: a copy of a mapped frame or table starts unmapped. */
void arch_cap_derived(struct cap *cap);

/* The last capability to a VSpace or ASID pool is gone: release ASIDs, drop TLB entries. */
void arch_object_finalise(const struct cap *cap);

/* Zeroes `size` bytes at `va` (a retyped object: naturally aligned, a power of two) as fast
 * as the CPU allows (DC ZVA by cache-line blocks where permitted). */
void arch_zero_memory(void *va, size_t size);

/* The console UART's physical address and interrupt, for a user-mode driver. */
void arch_console_device(uint64_t *paddr, uint32_t *irq);

/* Sets up ASIDs at boot: the pool page at `pool_pa` becomes ASIDs 0..127, with the root
 * task's VSpace (`vspace_pa`, its table and page counts) at `asid`. */
void arch_vspace_boot(uint64_t pool_pa, uint64_t vspace_pa, uint16_t asid, uint32_t table_pages,
		      uint32_t mapped_pages);

/*
 * Boot (the root task, roottask.c): maps the 4 KiB frame at `pa` at user address `va` in the
 * VSpace whose root table is at `root`, with `rights` (RIGHT_READ/WRITE/EXEC; W^X and PXN
 * as for every user mapping). A translation table missing on the way is asked for with
 * new_table(ctx, level, base): the caller returns a zeroed 4 KiB page for the page table
 * object at `level` (1..3 on AArch64) covering the range starting at `base` (and keeps a
 * capability to it); 0 if it has none. Returns E_OK; E_MAPPED if `va` is mapped already;
 * E_NOMEM if new_table returned 0; E_ALIGN or E_RANGE for a bad `va` or `pa`.
 */
int arch_boot_map_frame(paddr_t root, vaddr_t va, paddr_t pa, unsigned rights,
			paddr_t (*new_table)(void *ctx, unsigned level, vaddr_t base), void *ctx);

/* Makes instructions written through the kernel alias of [pa, pa + size) visible to
 * instruction fetch in user mode (boot: the root task's code). */
void arch_sync_icache(paddr_t pa, uint64_t size);

/* The frequency of the counter user space reads (CNTVCT_EL0 on AArch64), in Hz. */
uint64_t arch_timer_frequency(void);

/* True if `t`'s VSpace can run (it has a valid ASID binding). */
bool arch_thread_can_run(const struct tcb *t);

struct audit;

/* The self-audit's architecture part (debug builds; audit.h): ASID pools and entries,
 * hardware ASID bookkeeping, and every VSpace's tables against its counters and the frame
 * and page-table capabilities. Runs after mdb_audit (it looks objects up in its table).
 * Changes nothing. */
void arch_audit(struct audit *a);

/* Several cores (smp.h). */

/* Starts every other core the platform describes and waits until each is online (or
 * reports that it did not come up). Call once, on the boot core, with the lock held. */
void arch_smp_boot(void);

/* The top of the boot core's kernel stack (the one it is running on). */
uint64_t arch_boot_stack_top(void);

/* The hardware identity (MPIDR affinity) of core `cpu`. */
uint64_t arch_cpu_hwid(unsigned cpu);

/* Sends core `cpu` the reschedule SGI: it leaves user mode or idle and schedules. */
void arch_send_reschedule(unsigned cpu);

/* Makes core `cpu` (not this one) leave user mode, drop its TTBR0 and write its FP/SIMD
 * registers back, and waits until it has: an SGI, answered while that core waits for the
 * kernel lock, which the caller holds. */
void arch_stall_cpu(unsigned cpu);

/* Answers a stall request made of this core, if there is one. */
void arch_answer_stall(void);

/* True if core `cpu`'s FP/SIMD registers hold `t`'s state. */
bool arch_cpu_holds_thread(unsigned cpu, const struct tcb *t);

/* This core's registers no longer hold `t`'s state (FP/SIMD written back): t moves away. */
void arch_release_thread(struct tcb *t);

/* A spin-wait hint. */
void arch_cpu_relax(void);

/* Called by the architecture on every timer tick, with interrupts masked. */
void kernel_tick(void);

/* Called by the architecture when the console UART has received `c`. */
void kernel_console_rx(char c);
