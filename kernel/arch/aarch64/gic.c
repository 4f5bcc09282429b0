#include "gic.h"

#include "platform.h"

static const struct gic_ops *gic;

void gic_init(const struct platform *p)
{
	gic = p->gic_version == 3 ? &gicv3_ops : &gicv2_ops;
	gic->init(p);
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

const char *gic_name(void)
{
	return gic->name;
}
