/*
 * The kernel self-audit: runs every subsystem's invariant check (see audit.h).
 */
#include "audit.h"

#include <stdarg.h>

#include "arch.h"
#include "console.h"

void audit_fail(struct audit *a, const char *fmt, ...)
{
	va_list ap;

	a->violations++;
	kprintf("audit: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
}

unsigned kernel_audit(unsigned *checked)
{
	struct audit a = { 0, 0, false };

	sched_audit(&a);
	mdb_audit(&a);
	ipc_audit(&a);
	arch_audit(&a);
	if (checked)
		*checked = a.checked;
	return a.violations;
}
