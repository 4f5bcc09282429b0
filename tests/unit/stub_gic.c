/* The GIC drivers irqc.c refers to, for host tests of the other drivers: never selected. */
#include <stdlib.h>

#include "irqc.h"

static void never_init(const struct platform *p)
{
	(void)p;
	abort();
}

const struct irqc_ops gicv2_ops = { .name = "GICv2 (host stub)", .init = never_init };
const struct irqc_ops gicv3_ops = { .name = "GICv3 (host stub)", .init = never_init };
