/*
 * The generic boot sequence: from the first C instruction to the idle loop.
 *
 * The device tree is the only source of truth about the machine: RAM, the UART, the
 * interrupt controller, the timer, the power controller and the cores all come from it. The kernel
 * image and the DTB are reserved, and the rest of RAM is reported as free.
 */
#include <config.h>
#include <stddef.h>

#include "arch.h"
#include "bootargs.h"
#include "bootmem.h"
#include "console.h"
#include "lib/fdt.h"
#include "lib/fdt_bus.h"
#include "object/roottask.h"
#include "object/untyped.h"
#include "sched.h"
#include "smp.h"
#include "stats.h"
#include <mica/bootinfo.h>

extern char __kernel_start[], __kernel_end[];

static struct bootmem boot_mem;
static volatile uint64_t ticks;
struct kernel_stats stats;

/* Records the CPU-side windows of every bus below the root (`ranges`) as device memory. */
static void add_device_windows(struct bootmem *bm, const struct fdt *fdt)
{
	int root = fdt_path_offset(fdt, "/");
	for (int bus = root >= 0 ? fdt_first_subnode(fdt, root) : -1; bus >= 0;
	     bus = fdt_next_subnode(fdt, bus)) {
		struct fdt_range w;
		for (uint32_t i = 0; fdt_read_bus_window(fdt, bus, i, &w) == 0; i++) {
			if (bootmem_add_device(bm, w.base, w.size) != 0)
				kprintf("mica: ignoring device window %#lx+%#lx\n", w.base, w.size);
		}
	}
}

/* Adds every /memory node's ranges to the map. Panics if there is no RAM at all. */
static void add_ram(struct bootmem *bm, const struct fdt *fdt)
{
	for (int node = fdt_find_device_type(fdt, -1, "memory"); node >= 0;
	     node = fdt_find_device_type(fdt, node, "memory")) {
		struct fdt_range r;
		for (uint32_t i = 0; fdt_read_reg(fdt, node, i, &r) == 0; i++) {
			if (bootmem_add_ram_outside_devices(bm, r.base, r.size) != 0)
				kprintf("mica: ignoring (part of) RAM range %#lx+%#lx\n", r.base,
					r.size);
		}
	}
	if (bootmem_ram_bytes(bm) == 0)
		panic("add_ram: the device tree describes no memory");
}

/* Reserves what is already in use: the kernel image, the DTB, firmware reservations. */
static void reserve_in_use(struct bootmem *bm, const struct fdt *fdt, uint64_t dtb_pa)
{
	uint64_t kbase = virt_to_phys(__kernel_start);
	bootmem_reserve(bm, kbase, (uint64_t)(__kernel_end - __kernel_start), "kernel image");
	bootmem_reserve(bm, dtb_pa, fdt_total_size(fdt), "device tree");
	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
		struct fdt_range r;
		if (fdt_get_mem_rsv(fdt, i, &r) == 0 && r.size)
			bootmem_reserve(bm, r.base, r.size, "firmware (memreserve)");
	}
}

/* Prints RAM, then every reserved and free range in address order, then the free total. */
static void print_memory_map(const struct bootmem *bm)
{
	struct bootmem_range all[BOOTMEM_MAX_RESERVED + BOOTMEM_MAX_FREE];
	int n = 0;
	for (int i = 0; i < bm->n_reserved; i++)
		all[n++] = bm->reserved[i];
	for (int i = 0; i < bm->n_free; i++)
		all[n++] = (struct bootmem_range){ bm->free[i].base, bm->free[i].size, NULL };
	/* Insertion sort by base; invariant: all[0..i) is sorted. */
	for (int i = 1; i < n; i++) {
		struct bootmem_range r = all[i];
		int j = i;
		for (; j > 0 && all[j - 1].base > r.base; j--)
			all[j] = all[j - 1];
		all[j] = r;
	}
	kprintf("memory: %lu MiB RAM\n", bootmem_ram_bytes(bm) >> 20);
	for (int i = 0; i < bm->n_ram; i++)
		kprintf("  ram      %#011lx-%#011lx\n", bm->ram[i].base,
			bm->ram[i].base + bm->ram[i].size);
	for (int i = 0; i < n; i++) {
		uint64_t end = all[i].base + all[i].size;
		if (all[i].what)
			kprintf("  reserved %#011lx-%#011lx %s\n", all[i].base, end, all[i].what);
		else
			kprintf("  free     %#011lx-%#011lx %lu KiB\n", all[i].base, end,
				all[i].size >> 10);
	}
	uint64_t free = bootmem_free_bytes(bm);
	kprintf("memory: %lu KiB free (%lu pages)\n", free >> 10, free / BOOTMEM_PAGE);
}

void kernel_tick(void)
{
	this_cpu()->ticks++;
	if (this_cpu()->id == 0)
		ticks++;
	sched_tick();
}

void kernel_console_rx(char c)
{
	switch (c) {
	case 't':
		kprintf("ticks: %lu\n", ticks);
		break;
	case 'q':
		kprintf("mica: power off\n");
		arch_poweroff();
	default:
		break;
	}
}

/* Debug builds only: `crash=KIND` takes the named kernel exception on purpose. */
static void debug_triggers(void)
{
	const char *crash = bootargs_get("crash");
	if (!crash)
		return;
	if (!CONFIG_DEBUG) {
		kprintf("mica: crash= needs a debug build; ignored\n");
		return;
	}
	kprintf("mica: crash=%s requested\n", crash);
	if (!arch_debug_crash(crash))
		kprintf("mica: unknown crash kind '%s' (dabort, write-text, exec-rodata, undef)\n",
			crash);
}

/*
 * Creates the root task (bootarg `init=NAME`, default CONFIG_ROOT_TASK) and hands every
 * remaining free page to it as untyped memory: from here on the kernel allocates nothing.
 */
static void start_root_task(void)
{
	static struct roottask rt;
	const char *name = bootargs_get("init");
	if (!name || !*name)
		name = CONFIG_ROOT_TASK;
	roottask_create(&boot_mem, name, bootargs_raw(), &rt);
	untyped_create_boot_caps(&boot_mem, rt.cnode_slots, 1ull << rt.cnode_bits,
				 &rt.next_free_slot, rt.bootinfo);
	rt.bootinfo->empty.start = rt.next_free_slot;
	arch_user_init();
	sched_make_runnable(rt.tcb);
}

/* Entered from boot.S with the MMU on (boot tables), on the boot stack, interrupts masked. */
void kernel_main(uint64_t dtb_arg, unsigned entry_el)
{
	smp_init_boot_cpu();
	kprintf("\nMica " MICA_VERSION " (%s build), AArch64 capability microkernel\n",
		CONFIG_DEBUG ? "debug" : "release");
	kprintf("boot: entered at EL%u, running at EL1\n", entry_el);

	uint64_t dtb_pa = 0;
	struct fdt fdt;
	if (!arch_find_dtb(dtb_arg, &dtb_pa) || fdt_init(&fdt, phys_to_virt(dtb_pa), 1u << 21) != 0)
		panic("kernel_main: no valid device tree (x0=%#lx)", dtb_arg);
	kprintf("boot: device tree at %#lx, %u bytes\n", dtb_pa, fdt_total_size(&fdt));
	bootargs_init(&fdt);

	bootmem_init(&boot_mem);
	add_device_windows(&boot_mem, &fdt);
	add_ram(&boot_mem, &fdt);
	reserve_in_use(&boot_mem, &fdt, dtb_pa);
	arch_init(&fdt, &boot_mem);
	print_memory_map(&boot_mem);

	debug_triggers();
	start_root_task();
	arch_timer_start(CONFIG_TICK_HZ);
	arch_smp_boot();
	kprintf("mica: starting the root task (kernel keys t = ticks, q = power off until a driver "
		"claims the UART)\n");
	schedule_and_return();
}
