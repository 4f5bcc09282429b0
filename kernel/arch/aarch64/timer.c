/*
 * The periodic tick from the EL1 virtual timer (CNTV). The compare value advances by a
 * fixed interval each tick, so the tick does not drift with interrupt latency; if ticks
 * were missed (the host stalled QEMU), it re-arms from now instead of firing a burst.
 */
#include "timer.h"

#include <arch/sysreg.h>

#include "arch.h"
#include "irqc.h"
#include "platform.h"
#include "smp.h"

static uint64_t interval;
/* Per core: the next compare value. */
#define next_deadline (this_cpu()->arch.next_deadline)

uint64_t timer_frequency(void)
{
	return read_sysreg(cntfrq_el0);
}

uint64_t arch_timer_frequency(void)
{
	return timer_frequency();
}

void arch_timer_start(unsigned hz)
{
	interval = timer_frequency() / hz;
	timer_start_cpu();
}

void timer_start_cpu(void)
{
	next_deadline = read_sysreg(cntvct_el0) + interval;
	write_sysreg(cntv_cval_el0, next_deadline);
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
	irqc_enable(platform.timer_intid, false);
}

void timer_irq(void)
{
	uint64_t now = read_sysreg(cntvct_el0);
	next_deadline += interval;
	if (next_deadline <= now)
		next_deadline = now + interval;
	write_sysreg(cntv_cval_el0, next_deadline);
	isb();
	kernel_tick();
}
