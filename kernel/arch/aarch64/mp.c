/*
 * Secondary cores on AArch64: found in the device tree's /cpus and started by the enable
 * method each cpu node names: "psci" (PSCI CPU_ON, QEMU virt) or "spin-table" (the
 * Raspberry Pi: the core waits in the firmware's loop until its cpu-release-addr holds an
 * entry address). Each is given the final kernel tables, its interrupt-controller
 * interface, its timer tick and the user state (context_init). Also the cross-core
 * primitives of arch.h: the reschedule SGI and the stall (make another core leave user
 * mode and drop its registers).
 */
#include <arch/memlayout.h>
#include <arch/sysreg.h>
#include <config.h>
#include <string.h>

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

extern char secondary_entry[], secondary_spin_entry[], __kernel_start[], __kernel_end[];

/* How a described core is started (its cpu node's enable-method). */
enum enable_method {
	ENABLE_DEFAULT,     /* none named: PSCI if the platform has it */
	ENABLE_PSCI,        /* "psci" */
	ENABLE_SPIN_TABLE,  /* "spin-table", release address valid */
	ENABLE_UNSUPPORTED, /* anything else, or a spin table whose address is unusable */
};

struct cpu_desc {
	uint64_t hwid;    /* MPIDR affinity (reg) */
	uint64_t release; /* ENABLE_SPIN_TABLE: cpu-release-addr (physical) */
	enum enable_method method;
};

static struct cpu_desc described[MAX_CPUS];
static uint64_t cpu_hwid[MAX_CPUS]; /* by kernel core number */
static unsigned cpus_described;
static uint8_t secondary_stacks[MAX_CPUS - 1][SECONDARY_STACK_SIZE] __attribute__((aligned(16)));
/* The percpu of the core being released from a spin table (boot.S reads it). */
struct percpu *spin_table_percpu;

/* True if [pa, pa + size) overlaps [base, base + len). */
static bool overlaps(uint64_t pa, uint64_t size, uint64_t base, uint64_t len)
{
	return pa < base + len && base < pa + size;
}

/* True if range `r` holds the 64-bit word at `pa`. */
static bool holds_word(const struct fdt_range *r, uint64_t pa)
{
	return pa >= r->base && r->size >= 8 && pa - r->base <= r->size - 8;
}

/* True if a /memory node's range holds the 64-bit word at `pa` (the kernel maps RAM). */
static bool in_memory_node(const struct fdt *fdt, uint64_t pa)
{
	for (int node = fdt_find_device_type(fdt, -1, "memory"); node >= 0;
	     node = fdt_find_device_type(fdt, node, "memory")) {
		struct fdt_range r;
		for (uint32_t i = 0; fdt_read_reg(fdt, node, i, &r) == 0; i++) {
			if (holds_word(&r, pa))
				return true;
		}
	}
	return false;
}

/* Why the spin-table release address `pa` cannot be used, or NULL. It must be an aligned
 * 64-bit word the firmware reserved (/memreserve/: memory no one else is given), outside
 * the device tree and the kernel image. */
static const char *release_addr_problem(const struct fdt *fdt, uint64_t pa)
{
	uint64_t dtb = virt_to_phys(fdt->blob), kbase = virt_to_phys(__kernel_start);
	if (pa % 8 != 0)
		return "not 8-byte aligned";
	if (!in_memory_node(fdt, pa))
		return "not in RAM (/memory)";
	if (overlaps(pa, 8, dtb, fdt_total_size(fdt)))
		return "inside the device tree (loaded over the spin table: no firmware ran)";
	if (overlaps(pa, 8, kbase, (uint64_t)(__kernel_end - __kernel_start)))
		return "inside the kernel image";
	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
		struct fdt_range r;
		if (fdt_get_mem_rsv(fdt, i, &r) == 0 && holds_word(&r, pa))
			return NULL;
	}
	return "not in memory the device tree reserves (/memreserve/)";
}

/* Reads the enable-method of cpu `node` (or of /cpus, its parent) into `d`. */
static void parse_enable_method(const struct fdt *fdt, int node, struct cpu_desc *d)
{
	const char *method = fdt_get_string(fdt, node, "enable-method");
	if (!method && fdt_parent(fdt, node) >= 0)
		method = fdt_get_string(fdt, fdt_parent(fdt, node), "enable-method");
	uint32_t len, hi, lo;
	if (!method) {
		d->method = ENABLE_DEFAULT;
	} else if (strcmp(method, "psci") == 0) {
		d->method = ENABLE_PSCI;
	} else if (strcmp(method, "spin-table") != 0) {
		kprintf("smp: core MPIDR %#lx: enable-method \"%s\" not supported; stays off\n",
			d->hwid, method);
		d->method = ENABLE_UNSUPPORTED;
	} else if (!fdt_getprop(fdt, node, "cpu-release-addr", &len) || len != 8 ||
		   fdt_read_cell(fdt, node, "cpu-release-addr", 0, &hi) != 0 ||
		   fdt_read_cell(fdt, node, "cpu-release-addr", 1, &lo) != 0) {
		kprintf("smp: core MPIDR %#lx: no 64-bit cpu-release-addr; stays off\n", d->hwid);
		d->method = ENABLE_UNSUPPORTED;
	} else {
		d->release = (uint64_t)hi << 32 | lo;
		const char *problem = release_addr_problem(fdt, d->release);
		d->method = problem ? ENABLE_UNSUPPORTED : ENABLE_SPIN_TABLE;
		if (problem)
			kprintf("smp: core MPIDR %#lx: release address %#lx %s; stays off\n",
				d->hwid, d->release, problem);
	}
}

void smp_parse_cpus(const struct fdt *fdt)
{
	uint64_t self = read_sysreg(mpidr_el1) & MPIDR_HWID_MASK;
	cpu_hwid[0] = described[0].hwid = self;
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
		struct cpu_desc *d = &described[cpus_described++];
		d->hwid = r.base & MPIDR_HWID_MASK;
		parse_enable_method(fdt, node, d);
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

/* Releases the core waiting on spin-table address `release`: the entry's physical address
 * goes into its 64-bit slot, cleaned to the point of coherency (the core reads it with its
 * MMU and caches off), then SEV wakes it from its WFE. */
static void spin_table_release(uint64_t release, uint64_t entry_pa, struct percpu *c)
{
	uint64_t *slot = phys_to_virt(release);
	spin_table_percpu = c; /* read by the core once its MMU is on: coherent */
	__atomic_store_n(slot, entry_pa, __ATOMIC_RELEASE); /* ordered after the percpu */
	__asm__ volatile("dc cvac, %0\n\tdsb sy\n\tsev" : : "r"(slot) : "memory");
}

/* Starts described core `d` at `c` (not yet counted online). Returns 0, or -1 with the
 * reason printed (here or, for an unusable enable-method, by smp_parse_cpus). */
static int start_core(const struct cpu_desc *d, struct percpu *c)
{
	if (d->method == ENABLE_UNSUPPORTED)
		return -1;
	if (d->method == ENABLE_SPIN_TABLE) {
		spin_table_release(d->release, virt_to_phys(secondary_spin_entry), c);
		return 0;
	}
	if (platform.psci == PSCI_NONE) {
		kprintf("smp: core MPIDR %#lx: %s and no PSCI in the device tree; stays off\n",
			d->hwid,
			d->method == ENABLE_PSCI ? "enable-method psci" : "no enable-method");
		return -1;
	}
	int64_t err = psci_cpu_on(d->hwid, virt_to_phys(secondary_entry), (uint64_t)c);
	if (err != 0)
		kprintf("smp: core MPIDR %#lx: PSCI CPU_ON failed (%ld)\n", d->hwid, err);
	return err == 0 ? 0 : -1;
}

void arch_smp_boot(void)
{
	kprintf("smp: core 0 online (MPIDR %#lx), boot core\n", cpu_hwid[0]);
	for (unsigned i = 1; i < cpus_described; i++) {
		struct percpu *c = &cpus[smp_ncpus];
		c->stack_top = (uint64_t)&secondary_stacks[smp_ncpus - 1][SECONDARY_STACK_SIZE];
		c->arch.mpidr = described[i].hwid;
		cpu_hwid[smp_ncpus] = described[i].hwid;
		if (start_core(&described[i], c) != 0)
			continue;
		/* Counted only once it is up: stall and reschedule requests reach only cores
		 * below smp_ncpus. A core that started but did not answer may still come up
		 * later and use its percpu, so no other core may get it: stop here. */
		if (!wait_online(c)) {
			kprintf("smp: core MPIDR %#lx did not come up; no further cores started\n",
				described[i].hwid);
			break;
		}
		smp_ncpus++;
	}
	kprintf("smp: %u core%s online\n", smp_ncpus, smp_ncpus == 1 ? "" : "s");
}

/* Entered from boot.S (secondary_entry, secondary_spin_entry) on the core's own stack, MMU on with
 * the boot table, TPIDR_EL1 = self. */
void smp_secondary_start(struct percpu *self);
void smp_secondary_start(struct percpu *self)
{
	/* The core that came is the one the device tree's release address woke; if the tree
	 * gave it another core's address, it is still this core: record what it is. */
	uint64_t mpidr = read_sysreg(mpidr_el1) & MPIDR_HWID_MASK;
	self->arch.mpidr = cpu_hwid[self->id] = mpidr;
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
