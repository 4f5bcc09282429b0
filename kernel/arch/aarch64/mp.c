/*
 * Secondary cores on AArch64: found in the device tree's /cpus, started with PSCI CPU_ON,
 * each given the final kernel tables, its GIC CPU interface, its timer tick and the user
 * state (context_init). Also the cross-core primitives of arch.h: the reschedule SGI and
 * the stall (make another core leave user mode and drop its registers).
 */
#include <arch/memlayout.h>
#include <arch/sysreg.h>
#include <config.h>

#include "arch.h"
#include "console.h"
#include "context.h"
#include "cpu.h"
#include "irqc.h"
#include "lib/fdt.h"
#include "mmu.h"
#include "platform.h"
#include "mp.h"
#include "psci.h"
#include "smp.h"
#include "timer.h"

#define SECONDARY_STACK_SIZE (16 * 1024)
#define MPIDR_HWID_MASK      (UL(0xff) << 32 | UL(0xffffff)) /* Aff3, Aff2.Aff1.Aff0 */
#define ONLINE_TIMEOUT_MS    1000

extern char secondary_entry[];

static uint64_t cpu_hwid[MAX_CPUS];
static unsigned cpus_described;
static uint8_t secondary_stacks[MAX_CPUS - 1][SECONDARY_STACK_SIZE] __attribute__((aligned(16)));

void smp_parse_cpus(const struct fdt *fdt)
{
	uint64_t self = read_sysreg(mpidr_el1) & MPIDR_HWID_MASK;
	cpu_hwid[0] = self;
	cpus_described = 1;
	for (int node = fdt_find_device_type(fdt, -1, "cpu"); node >= 0;
	     node = fdt_find_device_type(fdt, node, "cpu")) {
		struct fdt_range r;
		if (fdt_read_reg(fdt, node, 0, &r) != 0 || (r.base & MPIDR_HWID_MASK) == self)
			continue;
		if (cpus_described == MAX_CPUS) {
			kprintf("smp: more than %u cores described; the rest stay off\n", MAX_CPUS);
			break;
		}
		cpu_hwid[cpus_described++] = r.base & MPIDR_HWID_MASK;
	}
	this_cpu()->arch.mpidr = self;
}

uint64_t arch_boot_stack_top(void)
{
	extern char boot_stack_top[];
	return (uint64_t)boot_stack_top;
}

uint64_t arch_cpu_hwid(unsigned cpu)
{
	return cpu < MAX_CPUS ? cpu_hwid[cpu] : 0;
}

/* Waits up to ONLINE_TIMEOUT_MS for core `c` to say it is online. */
static bool wait_online(struct percpu *c)
{
	uint64_t freq = timer_frequency();
	uint64_t end = read_sysreg(cntvct_el0) + freq * ONLINE_TIMEOUT_MS / 1000;
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
		if (read_sysreg(cntvct_el0) > end)
			return false;
		arch_cpu_relax();
	}
	return true;
}

void arch_smp_boot(void)
{
	kprintf("smp: core 0 online (MPIDR %#lx), boot core\n", cpu_hwid[0]);
	uint64_t entry = virt_to_phys(secondary_entry);
	if (platform.psci == PSCI_NONE && cpus_described > 1) {
		/* The Raspberry Pi: its cores wait on spin tables, which are not supported yet
		 * (docs/boards.md); they stay parked in the firmware's (QEMU's) loop. */
		kprintf("smp: no PSCI: %u other core%s not started\n", cpus_described - 1,
			cpus_described == 2 ? "" : "s");
		cpus_described = 1;
	}
	for (unsigned i = 1; i < cpus_described; i++) {
		struct percpu *c = &cpus[smp_ncpus];
		c->stack_top = (uint64_t)&secondary_stacks[smp_ncpus - 1][SECONDARY_STACK_SIZE];
		c->arch.mpidr = cpu_hwid[i];
		cpu_hwid[smp_ncpus] = cpu_hwid[i];
		int64_t err = psci_cpu_on(cpu_hwid[i], entry, (uint64_t)c);
		if (err != 0) {
			kprintf("smp: core MPIDR %#lx: PSCI CPU_ON failed (%ld)\n", cpu_hwid[i],
				err);
			continue;
		}
		/* Counted only once it is up: stall and reschedule requests reach only cores
		 * below smp_ncpus. A core that started but did not answer may still come up
		 * later and use its percpu, so no other core may get it: stop here. */
		if (!wait_online(c)) {
			kprintf("smp: core MPIDR %#lx did not come up; no further cores started\n",
				cpu_hwid[i]);
			break;
		}
		smp_ncpus++;
	}
	kprintf("smp: %u core%s online\n", smp_ncpus, smp_ncpus == 1 ? "" : "s");
}

/* Entered from boot.S (secondary_entry) on the core's own stack, MMU on with the boot
 * table, TPIDR_EL1 = self. */
void smp_secondary_start(struct percpu *self);
void smp_secondary_start(struct percpu *self)
{
	mmu_init_secondary();
	cpu_enable_pan();
	irqc_init_cpu();
	context_init();
	timer_start_cpu();
	smp_secondary_main(self);
}

void arch_send_reschedule(unsigned cpu)
{
	cpus[cpu].ipis++;
	irqc_send_sgi(cpu, IRQC_SGI_RESCHEDULE);
}

void arch_stall_cpu(unsigned cpu)
{
	struct arch_percpu *a = &cpus[cpu].arch;
	uint32_t req = a->stall_req + 1;
	cpus[cpu].stalls++;
	__atomic_store_n(&a->stall_req, req, __ATOMIC_RELEASE);
	arch_send_reschedule(cpu);
	/* That core answers while it waits for the lock we hold (smp_lock_wait), after it left
	 * user mode or idle for the SGI. */
	while (__atomic_load_n(&a->stall_ack, __ATOMIC_ACQUIRE) != req)
		arch_cpu_relax();
}

void arch_answer_stall(void)
{
	context_answer_stall();
}

bool arch_cpu_holds_thread(unsigned cpu, const struct tcb *t)
{
	return cpus[cpu].arch.fpu_owner == t;
}

void arch_release_thread(struct tcb *t)
{
	context_release_thread(t);
}

void arch_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}
