/*
 * The kernel self-audit (debug builds): checks the kernel's own invariants on request
 * (SYS_DEBUG_AUDIT) and reports every violation with what and where.
 *
 * Each subsystem that keeps an invariant offers an `*_audit(struct audit *)` function that
 * checks it and calls audit_fail() once per violation; kernel_audit() runs them all.
 */
#pragma once

struct audit {
	unsigned checked;    /* objects or entries looked at, for the summary */
	unsigned violations; /* audit_fail calls */
};

/* Records one violation and prints "audit: " and the message on the kernel console. */
void audit_fail(struct audit *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs every audit. Returns the number of violations found (0: all invariants hold);
 * `checked` (if not NULL) receives the number of entries looked at. Changes nothing. */
unsigned kernel_audit(unsigned *checked);

/* The audits of the subsystems, in the order kernel_audit runs them. */
void sched_audit(struct audit *a);
