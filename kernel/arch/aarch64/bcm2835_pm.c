#include "bcm2835_pm.h"

#include <arch/memlayout.h>
#include <arch/mmio.h>

#include "platform.h"

#define PM_RSTC              0x1c
#define PM_RSTS              0x20
#define PM_WDOG              0x24
#define PM_PASSWORD          0x5a000000u /* every write carries it in bits 31:24 */
#define PM_RSTC_WRCFG_MASK   0x30u
#define PM_RSTC_FULL_RESET   0x20u
#define PM_RSTS_PARTITION_63 0x555u /* the partition bits (0, 2, 4, 6, 8, 10) all set: halt */
#define PM_WDOG_TICKS        10     /* watchdog ticks (~16 us each) until the reset */

bool bcm2835_pm_poweroff(void)
{
	if (platform.pm.size == 0)
		return false;
	uintptr_t pm = (uintptr_t)phys_to_virt(platform.pm.pa);
	mmio_write32(pm + PM_RSTS, PM_PASSWORD | PM_RSTS_PARTITION_63);
	mmio_write32(pm + PM_WDOG, PM_PASSWORD | PM_WDOG_TICKS);
	uint32_t rstc = mmio_read32(pm + PM_RSTC) & ~PM_RSTC_WRCFG_MASK;
	mmio_write32(pm + PM_RSTC, PM_PASSWORD | rstc | PM_RSTC_FULL_RESET);
	for (unsigned spin = 0; spin < 1000000; spin++)
		__asm__ volatile("nop");
	return true;
}
