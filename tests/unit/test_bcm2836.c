/*
 * Host tests for the BCM2836/BCM2835 interrupt-controller driver (kernel/arch/aarch64/
 * bcm2836.c), on register files in host memory: the driver's platform addresses are chosen
 * so that phys_to_virt lands on the arrays below. The arrays are plain memory, not the
 * hardware's set/clear semantics, so each test checks what the driver wrote where, and
 * plays the hardware by setting the pending and source registers itself.
 */
#include <arch/memlayout.h>
#include <string.h>

#include "check.h"
#include "irqc.h"
#include "platform.h"

CHECK_DEFINE_GLOBALS;

/* The register map, from the BCM2836 "ARM local peripherals" and BCM2835 documents. */
#define L_GPU_ROUTING   0x0c
#define L_TIMER_CTRL0   0x40
#define L_MBOX_CTRL0    0x50
#define L_IRQ_SOURCE0   0x60
#define L_MBOX3_SET0    0x8c
#define L_MBOX3_CLR0    0xcc
#define L_TIMER_CTRL(c) (0x40 + 4 * (c))
#define L_MBOX_CTRL(c)  (0x50 + 4 * (c))
#define L_IRQ_SOURCE(c) (0x60 + 4 * (c))
#define L_MBOX0_SET(c)  (0x80 + 16 * (c))
#define L_MBOX0_CLR(c)  (0xc0 + 16 * (c))
#define A_PEND_BASIC    0x00
#define A_PEND1         0x04
#define A_PEND2         0x08
#define A_ENABLE1       0x10
#define A_ENABLE2       0x14
#define A_ENABLE_B      0x18
#define A_DISABLE1      0x1c
#define A_DISABLE2      0x20
#define A_DISABLE_B     0x24
#define SRC_CNTV        (1u << 3)
#define SRC_MBOX0       (1u << 4)
#define SRC_MBOX3       (1u << 7)
#define SRC_GPU         (1u << 8)
#define UART0           89 /* GPU interrupt 57: bank 2, bit 25 */
#define POISON          0xdeadbeefu

static uint32_t local_regs[0x100 / 4], armctrl_regs[0x200 / 4];

/* The driver's host seam: the core that calls it (its MPIDR Aff0). */
extern unsigned bcm2836_host_core;

/* Kernel core n is hardware core 3 - n here, so the tests see the driver map one to the
 * other (arch.h). */
uint64_t arch_cpu_hwid(unsigned cpu)
{
	return 3 - cpu;
}

static uint32_t *lreg(unsigned off)
{
	return &local_regs[off / 4];
}

static uint32_t *areg(unsigned off)
{
	return &armctrl_regs[off / 4];
}

/* A fresh controller: register files poisoned, then the driver's init. */
static void fresh(void)
{
	for (unsigned i = 0; i < sizeof(local_regs) / 4; i++)
		local_regs[i] = POISON;
	for (unsigned i = 0; i < sizeof(armctrl_regs) / 4; i++)
		armctrl_regs[i] = POISON;
	bcm2836_host_core = 0;
	struct platform p;
	memset(&p, 0, sizeof(p));
	p.irqc_kind = IRQC_BCM2836;
	p.irqc_regs[0].pa = (uint64_t)(uintptr_t)local_regs - KERNEL_VA_OFFSET;
	p.irqc_regs[1].pa = (uint64_t)(uintptr_t)armctrl_regs - KERNEL_VA_OFFSET;
	irqc_init(&p);
	for (unsigned c = 0; c < 4; c++)
		*lreg(L_IRQ_SOURCE(c)) = 0;
	*areg(A_PEND_BASIC) = *areg(A_PEND1) = *areg(A_PEND2) = 0;
}

static void init_disables_everything_and_routes_the_gpu_to_core_0(void)
{
	fresh();
	CHECK_STR(irqc_name(), "BCM2836");
	CHECK_EQ(*areg(A_DISABLE1), 0xffffffffu);
	CHECK_EQ(*areg(A_DISABLE2), 0xffffffffu);
	CHECK_EQ(*areg(A_DISABLE_B), 0xffu);
	CHECK_EQ(*lreg(L_GPU_ROUTING), 0u);
	CHECK_EQ(*lreg(L_TIMER_CTRL0), 0u);
	/* mailbox 3: software raises; mailbox 0: the reschedule SGI */
	CHECK_EQ(*lreg(L_MBOX_CTRL0), (SRC_MBOX3 | SRC_MBOX0) >> 4);
	CHECK_EQ(*lreg(L_MBOX3_CLR0), 0xffffffffu);
	CHECK_EQ(*lreg(L_MBOX0_CLR(0)), 0xffffffffu);
	CHECK_EQ(*lreg(L_TIMER_CTRL(1)), POISON); /* the other cores reset their own */
	CHECK_EQ(irqc_ack(), IRQC_SPURIOUS);
}

static void enable_and_disable_write_the_bank_bit(void)
{
	fresh();
	irqc_enable(UART0, false);
	CHECK_EQ(*areg(A_ENABLE2), 1u << 25);
	irqc_enable(40, true); /* GPU 8, bank 1; edge is ignored (level only) */
	CHECK_EQ(*areg(A_ENABLE1), 1u << 8);
	irqc_enable(98, false); /* ARM basic 2 */
	CHECK_EQ(*areg(A_ENABLE_B), 1u << 2);
	irqc_disable(UART0);
	CHECK_EQ(*areg(A_DISABLE2), 1u << 25);
	irqc_disable(98);
	CHECK_EQ(*areg(A_DISABLE_B), 1u << 2);
}

static void the_timer_is_enabled_in_the_local_controller(void)
{
	fresh();
	*lreg(L_TIMER_CTRL0) = 1u << 1; /* another source's bit is kept */
	irqc_enable(3, false);
	CHECK_EQ(*lreg(L_TIMER_CTRL0), (1u << 1) | SRC_CNTV);
	irqc_disable(3);
	CHECK_EQ(*lreg(L_TIMER_CTRL0), 1u << 1);
}

static void ack_takes_local_then_basic_then_bank_1_then_bank_2(void)
{
	fresh();
	irqc_enable(3, false);
	irqc_enable(UART0, false);
	irqc_enable(40, false);
	irqc_enable(97, false);
	*lreg(L_IRQ_SOURCE0) = SRC_CNTV | SRC_GPU;
	*areg(A_PEND_BASIC) = 1u << 1;
	*areg(A_PEND1) = 1u << 8;
	*areg(A_PEND2) = 1u << 25;
	CHECK_EQ(irqc_ack(), 3u);
	*lreg(L_IRQ_SOURCE0) = SRC_GPU;
	CHECK_EQ(irqc_ack(), 97u);
	*areg(A_PEND_BASIC) = 0;
	CHECK_EQ(irqc_ack(), 40u);
	*areg(A_PEND1) = 0;
	CHECK_EQ(irqc_ack(), (uint32_t)UART0);
	*areg(A_PEND2) = 0;
	CHECK_EQ(irqc_ack(), IRQC_SPURIOUS);
}

static void a_pending_but_disabled_interrupt_is_not_acknowledged(void)
{
	fresh();
	irqc_enable(UART0, false);
	irqc_disable(UART0);
	*lreg(L_IRQ_SOURCE0) = SRC_GPU | SRC_CNTV; /* the timer was never enabled */
	*areg(A_PEND2) = 1u << 25;
	CHECK_EQ(irqc_ack(), IRQC_SPURIOUS);
}

static void raise_signals_mailbox_3_and_is_acknowledged_once(void)
{
	fresh();
	irqc_enable(40, false);
	*lreg(L_MBOX3_SET0) = 0;
	irqc_raise(40);
	CHECK_EQ(*lreg(L_MBOX3_SET0), 1u);
	*lreg(L_IRQ_SOURCE0) = SRC_MBOX3; /* the mailbox interrupts the core */
	*lreg(L_MBOX3_CLR0) = 0;
	CHECK_EQ(irqc_ack(), 40u);
	CHECK_EQ(*lreg(L_MBOX3_CLR0), 0xffffffffu); /* the mailbox is cleared */
	*lreg(L_IRQ_SOURCE0) = 0;
	CHECK_EQ(irqc_ack(), IRQC_SPURIOUS);
}

static void raised_while_disabled_is_delivered_when_enabled(void)
{
	fresh();
	*lreg(L_MBOX3_SET0) = 0;
	irqc_raise(41);
	CHECK_EQ(*lreg(L_MBOX3_SET0), 0u); /* disabled: no interrupt yet */
	CHECK_EQ(irqc_ack(), IRQC_SPURIOUS);
	irqc_enable(41, false);
	CHECK_EQ(*lreg(L_MBOX3_SET0), 1u);
	CHECK_EQ(irqc_ack(), 41u);
	CHECK_EQ(irqc_ack(), IRQC_SPURIOUS);
}

static void clear_pending_drops_a_raised_interrupt(void)
{
	fresh();
	irqc_raise(42);
	irqc_clear_pending(42);
	irqc_enable(42, false);
	CHECK_EQ(irqc_ack(), IRQC_SPURIOUS);
}

static void raised_interrupts_come_out_lowest_first(void)
{
	fresh();
	irqc_enable(100, false);
	irqc_enable(33, false);
	irqc_raise(100);
	irqc_raise(33);
	CHECK_EQ(irqc_ack(), 33u);
	CHECK_EQ(irqc_ack(), 100u);
	CHECK_EQ(irqc_ack(), IRQC_SPURIOUS);
}

static void only_shared_interrupts_are_claimable_or_raisable(void)
{
	fresh();
	CHECK(!irqc_is_shared(3));
	CHECK(!irqc_is_shared(31));
	CHECK(irqc_is_shared(32));
	CHECK(irqc_is_shared(UART0));
	CHECK(irqc_is_shared(103));
	CHECK(!irqc_is_shared(104));
	*lreg(L_MBOX3_SET0) = 0;
	irqc_enable(3, false);
	irqc_raise(3); /* per-CPU: not raisable */
	irqc_raise(104);
	CHECK_EQ(*lreg(L_MBOX3_SET0), 0u);
	irqc_disable(7); /* the raise mailbox stays enabled */
	CHECK_EQ(*lreg(L_MBOX_CTRL0), (SRC_MBOX3 | SRC_MBOX0) >> 4);
	*areg(A_ENABLE1) = 0;
	irqc_enable(20, false); /* no such source: nothing written */
	CHECK_EQ(*areg(A_ENABLE1), 0u);
}

/* A secondary core's irqc_init_cpu: its own timer and mailbox controls, mailboxes empty,
 * then the SGI (mailbox 0) enabled; core 0's registers untouched. */
static void init_cpu_resets_only_the_calling_core_and_enables_its_sgi(void)
{
	fresh();
	uint32_t core0_mbox = *lreg(L_MBOX_CTRL0);
	bcm2836_host_core = 2;
	irqc_init_cpu();
	CHECK_EQ(*lreg(L_TIMER_CTRL(2)), 0u);
	CHECK_EQ(*lreg(L_MBOX_CTRL(2)), SRC_MBOX0 >> 4);
	CHECK_EQ(*lreg(L_MBOX0_CLR(2)), 0xffffffffu);
	CHECK_EQ(*lreg(L_TIMER_CTRL(1)), POISON);
	CHECK_EQ(*lreg(L_MBOX_CTRL0), core0_mbox);
}

static void each_core_enables_its_own_timer(void)
{
	fresh();
	bcm2836_host_core = 3;
	irqc_init_cpu();
	irqc_enable(3, false);
	CHECK_EQ(*lreg(L_TIMER_CTRL(3)), SRC_CNTV);
	CHECK_EQ(*lreg(L_TIMER_CTRL0), 0u);
	bcm2836_host_core = 0;
	irqc_enable(3, false);
	CHECK_EQ(*lreg(L_TIMER_CTRL0), SRC_CNTV);
	bcm2836_host_core = 3;
	irqc_disable(3);
	CHECK_EQ(*lreg(L_TIMER_CTRL(3)), 0u);
	CHECK_EQ(*lreg(L_TIMER_CTRL0), SRC_CNTV);
}

static void send_sgi_sets_mailbox_0_of_the_target_hardware_core(void)
{
	fresh();
	*lreg(L_MBOX0_SET(2)) = 0;
	*lreg(L_MBOX0_SET(3)) = 0;
	irqc_send_sgi(1, IRQC_SGI_RESCHEDULE); /* kernel core 1 is hardware core 2 */
	CHECK_EQ(*lreg(L_MBOX0_SET(2)), 1u);
	CHECK_EQ(*lreg(L_MBOX0_SET(3)), 0u);
	irqc_send_sgi(0, 5); /* no such SGI: nothing written */
	CHECK_EQ(*lreg(L_MBOX0_SET(3)), 0u);
}

static void the_target_acks_the_sgi_and_clears_its_mailbox(void)
{
	fresh();
	bcm2836_host_core = 2;
	irqc_init_cpu();
	irqc_enable(3, false);
	*lreg(L_IRQ_SOURCE(2)) = SRC_MBOX0 | SRC_CNTV;
	*lreg(L_MBOX0_CLR(2)) = 1u; /* what the sender set */
	CHECK_EQ(irqc_ack(), (uint32_t)IRQC_SGI_RESCHEDULE);
	CHECK_EQ(*lreg(L_MBOX0_CLR(2)), 1u); /* written back: cleared */
	*lreg(L_IRQ_SOURCE(2)) = SRC_CNTV;
	CHECK_EQ(irqc_ack(), 3u);
	*lreg(L_IRQ_SOURCE(2)) = 0;
	CHECK_EQ(irqc_ack(), IRQC_SPURIOUS);
}

static void a_secondary_core_never_takes_shared_interrupts(void)
{
	fresh();
	irqc_enable(UART0, false);
	irqc_enable(40, false);
	irqc_raise(40);
	*areg(A_PEND2) = 1u << 25;
	bcm2836_host_core = 1;
	irqc_init_cpu();
	*lreg(L_IRQ_SOURCE(1)) = SRC_GPU | SRC_MBOX3;
	CHECK_EQ(irqc_ack(), IRQC_SPURIOUS);
	bcm2836_host_core = 0; /* the boot core still finds both */
	*lreg(L_IRQ_SOURCE0) = SRC_GPU | SRC_MBOX3;
	CHECK_EQ(irqc_ack(), 40u);
	CHECK_EQ(irqc_ack(), (uint32_t)UART0);
}

#define T(f)          \
	{             \
#f, f \
	}
static const struct check_test tests[] = {
	T(init_disables_everything_and_routes_the_gpu_to_core_0),
	T(enable_and_disable_write_the_bank_bit),
	T(the_timer_is_enabled_in_the_local_controller),
	T(ack_takes_local_then_basic_then_bank_1_then_bank_2),
	T(a_pending_but_disabled_interrupt_is_not_acknowledged),
	T(raise_signals_mailbox_3_and_is_acknowledged_once),
	T(raised_while_disabled_is_delivered_when_enabled),
	T(clear_pending_drops_a_raised_interrupt),
	T(raised_interrupts_come_out_lowest_first),
	T(only_shared_interrupts_are_claimable_or_raisable),
	T(init_cpu_resets_only_the_calling_core_and_enables_its_sgi),
	T(each_core_enables_its_own_timer),
	T(send_sgi_sets_mailbox_0_of_the_target_hardware_core),
	T(the_target_acks_the_sgi_and_clears_its_mailbox),
	T(a_secondary_core_never_takes_shared_interrupts),
	{ NULL, NULL },
};

int main(void)
{
	return check_main(tests);
}
