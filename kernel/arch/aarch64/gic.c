#include "gic.h"

#include "platform.h"

static const struct gic_ops *gic;

void gic_init(const struct platform *p)
{
	gic = p->gic_version == 3 ? &gicv3_ops : &gicv2_ops;
	gic->init(p);
	gic_enable(GIC_SGI_RESCHEDULE, false);
}

void gic_enable(uint32_t intid, bool edge)
{
	gic->enable(intid, edge);
}

void gic_disable(uint32_t intid)
{
	gic->disable(intid);
}

uint32_t gic_ack(void)
{
	return gic->ack();
}

void gic_eoi(uint32_t intid)
{
	gic->eoi(intid);
}

void gic_raise(uint32_t intid)
{
	gic->raise(intid);
}

void gic_clear_pending(uint32_t intid)
{
	gic->clear(intid);
}

void gic_init_cpu(void)
{
	if (gic->init_cpu)
		gic->init_cpu();
	gic_enable(GIC_SGI_RESCHEDULE, false);
}

void gic_send_sgi(unsigned cpu, uint32_t intid)
{
	if (gic->send_sgi)
		gic->send_sgi(cpu, intid);
}

const char *gic_name(void)
{
	return gic->name;
}
