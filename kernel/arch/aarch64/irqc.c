/* The interrupt controller interface: dispatch to the driver the device tree selected. */
#include "irqc.h"

#include "platform.h"

static const struct irqc_ops *irqc;

void irqc_init(const struct platform *p)
{
	switch (p->irqc_kind) {
	case IRQC_GICV3:
		irqc = &gicv3_ops;
		break;
	case IRQC_BCM2836:
		irqc = &bcm2836_ops;
		break;
	default:
		irqc = &gicv2_ops;
		break;
	}
	irqc->init(p);
	if (irqc->send_sgi)
		irqc_enable(IRQC_SGI_RESCHEDULE, false);
}

void irqc_enable(uint32_t intid, bool edge)
{
	irqc->enable(intid, edge);
}

void irqc_disable(uint32_t intid)
{
	irqc->disable(intid);
}

uint32_t irqc_ack(void)
{
	return irqc->ack();
}

void irqc_eoi(uint32_t intid)
{
	irqc->eoi(intid);
}

void irqc_raise(uint32_t intid)
{
	irqc->raise(intid);
}

void irqc_clear_pending(uint32_t intid)
{
	irqc->clear(intid);
}

bool irqc_is_shared(uint32_t intid)
{
	return intid >= IRQC_SHARED && intid < irqc->limit();
}

void irqc_init_cpu(void)
{
	if (irqc->init_cpu)
		irqc->init_cpu();
	if (irqc->send_sgi)
		irqc_enable(IRQC_SGI_RESCHEDULE, false);
}

void irqc_send_sgi(unsigned cpu, uint32_t intid)
{
	if (irqc->send_sgi)
		irqc->send_sgi(cpu, intid);
}

const char *irqc_name(void)
{
	return irqc->name;
}
