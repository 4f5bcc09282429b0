/* Architecture bring-up: the arch_* entry points of kernel/arch.h. */
#include <arch/board.h>
#include <arch/memlayout.h>
#include <arch/sysreg.h>
#include <config.h>
#include <string.h>

#include "arch.h"
#include "console.h"
#include "context.h"
#include "object/tcb.h"
#include "bcm2835_pm.h"
#include "cpu.h"
#include "irqc.h"
#include "lib/fdt.h"
#include "mmu.h"
#include "mp.h"
#include "pl011.h"
#include "platform.h"
#include "psci.h"
#include "timer.h"

#define DTB_PROBE_SIZE (1ul << 20) /* the largest blob looked for */

bool arch_find_dtb(uint64_t boot_arg, uint64_t *dtb_pa)
{
	/* QEMU's convention when booting an ELF: x0 is 0 and the DTB sits at the base of RAM
	 * (BOARD_DTB_FALLBACK_PA, arch/board.h). */
	uint64_t candidates[] = { boot_arg, BOARD_DTB_FALLBACK_PA };
	for (unsigned i = 0; i < 2; i++) {
		struct fdt fdt;
		uint64_t pa = candidates[i];
		/* Look only where the boot table maps RAM, DTB_PROBE_SIZE bytes of it at most. */
		if (pa >= BOOT_RAM_START && pa < BOOT_RAM_END - DTB_PROBE_SIZE && pa % 8 == 0 &&
		    fdt_init(&fdt, phys_to_virt(pa), DTB_PROBE_SIZE) == 0) {
			*dtb_pa = pa;
			return true;
		}
	}
	return false;
}

void arch_init(const struct fdt *fdt, struct bootmem *bm)
{
	const char *err = platform_parse(fdt, &platform);
	if (err)
		panic("arch_init: device tree: %s", err);
	cpu_print_info(platform.cpu_compatible);
	smp_parse_cpus(fdt);
	mmu_init(bm, &platform);
	pl011_init(platform.uart.pa);
	kprintf("mmu: PAN %s\n", cpu_enable_pan() ? "enabled" : "not implemented by this CPU");
	irqc_init(&platform);
	irqc_enable(platform.uart_intid, false);
	int64_t psci = psci_version();
	kprintf("platform: %s image, machine \"%s\"\n", BOARD_NAME, platform.model);
	kprintf("platform: uart %#lx irq %u, %s %s %#lx, timer irq %u at %lu Hz, psci %s",
		platform.uart.pa, platform.uart_intid, irqc_name(),
		platform.irqc_kind == IRQC_BCM2836 ? "local" : "dist", platform.irqc_regs[0].pa,
		platform.timer_intid, timer_frequency(),
		platform.psci == PSCI_HVC   ? "hvc"
		: platform.psci == PSCI_SMC ? "smc"
					    : "none");
	if (psci >= 0)
		kprintf(" v%ld.%ld", psci >> 16, psci & 0xffff);
	if (platform.pm.size)
		kprintf(", power manager %#lx", platform.pm.pa);
	kprintf("\n");
}

void arch_user_init(void)
{
	context_init();
}

bool arch_thread_can_run(const struct tcb *t)
{
	return context_can_run(t);
}

/* Debug builds: an SPI to make pending when the core that asked next idles, 0 for none
 * (the other cores idle all the time). */
static uint32_t raise_at_idle;
static unsigned raise_at_idle_cpu;

void arch_idle_forever(void)
{
	if (raise_at_idle && raise_at_idle_cpu == this_cpu()->id) {
		irqc_raise(raise_at_idle);
		raise_at_idle = 0;
	}
	idle_loop();
}

void arch_forget_thread(struct tcb *t)
{
	context_fpu_forget(t);
}

void arch_irq_enable(uint32_t intid, bool edge)
{
	irqc_enable(intid, edge);
}

void arch_irq_disable(uint32_t intid)
{
	irqc_disable(intid);
}

void arch_irq_raise(uint32_t intid)
{
	irqc_raise(intid);
}

void arch_irq_raise_at_idle(uint32_t intid)
{
	if (CONFIG_DEBUG) {
		raise_at_idle = intid;
		raise_at_idle_cpu = this_cpu()->id;
	}
}

void arch_irq_clear_pending(uint32_t intid)
{
	irqc_clear_pending(intid);
}

bool arch_irq_claimable(uint32_t intid)
{
	/* Shared interrupts only; the timer is per-CPU. The console UART may be claimed by a
	 * user driver. */
	return irqc_is_shared(intid);
}

unsigned arch_reserved_device_ranges(uint64_t (*ranges)[2], unsigned max)
{
	const struct mmio_region *kept[] = { &platform.irqc_regs[0], &platform.irqc_regs[1],
					     &platform.pm };
	unsigned n = 0;
	for (unsigned i = 0; i < sizeof(kept) / sizeof(kept[0]) && n < max; i++) {
		if (kept[i]->size == 0)
			continue;
		ranges[n][0] = kept[i]->pa;
		ranges[n][1] = kept[i]->pa + kept[i]->size;
		n++;
	}
	return n;
}

void arch_poweroff(void)
{
	psci_system_off();
	bcm2835_pm_poweroff();
	panic("arch_poweroff: neither PSCI SYSTEM_OFF nor the power manager stopped the machine");
}

void arch_halt(void)
{
	kprintf("mica: machine stopped\n");
	psci_system_off();
	bcm2835_pm_poweroff();
	for (;;) {
		__asm__ volatile("msr daifset, #0xf");
		wfi();
	}
}

/* Read-only data the exec-rodata crash jumps into; its first word is a valid instruction
 * (ret) so only the permission check can stop it. */
const uint32_t crash_rodata_target[2] = { 0xd65f03c0, 0 };

/* The debug crash triggers. Each reaches the exception vectors and never returns. */
bool arch_debug_crash(const char *what)
{
	if (!CONFIG_DEBUG)
		return false;
	if (strcmp(what, "dabort") == 0) {
		kprintf("crash: reading unmapped %#lx\n", CRASH_UNMAPPED_VA);
		(void)*(volatile uint64_t *)CRASH_UNMAPPED_VA;
	} else if (strcmp(what, "write-text") == 0) {
		kprintf("crash: writing kernel text at %p\n", (void *)arch_debug_crash);
		*(volatile uint32_t *)(uintptr_t)arch_debug_crash = 0;
	} else if (strcmp(what, "exec-rodata") == 0) {
		kprintf("crash: executing rodata at %p\n", (void *)crash_rodata_target);
		((void (*)(void))(uintptr_t)crash_rodata_target)();
	} else if (strcmp(what, "undef") == 0) {
		kprintf("crash: executing an undefined instruction\n");
		__asm__ volatile("udf #0");
	} else {
		return false;
	}
	panic("arch_debug_crash: %s did not fault", what);
}

/* DCZID_EL0: BS (bits 0..3) = log2 of the DC ZVA block in words; DZP (bit 4) = prohibited. */
#define DCZID_BS(v) FIELD(v, 0, 4)
#define DCZID_DZP   BIT(4)

void arch_zero_memory(void *va, size_t size)
{
	uint64_t dczid = read_sysreg(dczid_el0);
	size_t block = (size_t)4 << DCZID_BS(dczid);
	if ((dczid & DCZID_DZP) || size % block || (uintptr_t)va % block) {
		memset(va, 0, size);
		return;
	}
	char *p = va, *end = p + size;
	if (size % (4 * block) == 0) { /* four blocks per iteration */
		for (; p < end; p += 4 * block)
			__asm__ volatile(
			    "dc zva, %0\n\tdc zva, %1\n\tdc zva, %2\n\tdc zva, %3" ::"r"(p),
			    "r"(p + block), "r"(p + 2 * block), "r"(p + 3 * block)
			    : "memory");
		return;
	}
	for (; p < end; p += block)
		__asm__ volatile("dc zva, %0" ::"r"(p) : "memory");
}

void arch_console_device(uint64_t *paddr, uint32_t *irq)
{
	*paddr = platform.uart.pa;
	*irq = platform.uart_intid;
}
