/*
 * ktest: the root task that tests the capability kernel from user space.
 * Boot with `init=ktest`; `ktest=WORD,WORD...` runs only the tests whose names contain
 * one of the words. Runs
 * every suite, prints one PASS or FAIL line per test and a
 * summary, then powers the machine off. tests/qemu/test_kernel_core.py reads the lines.
 */
#include <stdio.h>
#include <string.h>

#include "ktest.h"

/* True if `name` contains one of the comma-separated words of `filter` ("" selects all). */
static bool selected(const char *name, const char *filter)
{
	char word[64];
	if (!*filter)
		return true;
	while (*filter) {
		size_t n = 0;
		while (*filter && *filter != ',' && n + 1 < sizeof(word))
			word[n++] = *filter++;
		word[n] = 0;
		if (*filter == ',')
			filter++;
		if (n && strstr(name, word))
			return true;
	}
	return false;
}

/* The value of bootarg `ktest=` (up to the next space) into buf; "" if absent. */
static void filter_arg(const char *cmdline, char *buf, size_t size)
{
	const char *p = strstr(cmdline, "ktest=");
	size_t n = 0;
	if (p) {
		for (p += 6; *p && *p != ' ' && n + 1 < size; p++)
			buf[n++] = *p;
	}
	buf[n] = 0;
}

static const struct ktest_suite *const suites[] = {
	&kt_suite_cspace,        &kt_suite_untyped,      &kt_suite_ipc,
	&kt_suite_sched,         &kt_suite_fastpath,     &kt_suite_ntfn_irq,
	&kt_suite_faults,        &kt_suite_fpu,          &kt_suite_tcb,
	&kt_suite_errors,        &kt_suite_vspace,       &kt_suite_vspace_info,
	&kt_suite_vspace_errors, &kt_suite_asid,         &kt_suite_asid_rollover,
	&kt_suite_audit,         &kt_suite_trust_arch,   &kt_suite_trust_async,
	&kt_suite_trust,         &kt_suite_fuzz_found,   &kt_suite_smp,
	&kt_suite_smp_multi,     &kt_suite_smp_rollover,
};

/* Entry from crt0: `arg` is the boot-info page. Powers off when done. */
int main(void *arg)
{
	const struct bootinfo *bi = arg;
	if (!bi || bi->magic != BOOTINFO_MAGIC) {
		printf("ktest: FAIL setup: no boot-info page at %p\n", arg);
		mica_debug_poweroff();
	}
	mica_set_ipc_buffer((struct ipc_buffer *)bi->ipc_buffer);
	printf("ktest: start\n");
	char filter[64];
	filter_arg(bi->cmdline, filter, sizeof(filter));
	struct mica_cpu_info ci = { 0 };
	mica_debug_cpu(&ci);
	unsigned cores = ci.ncpus;
	printf("ktest: note cores %u\n", cores);
	if (kt_framework_init(bi)) {
		for (unsigned s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
			if ((suites[s]->opt_in && !*filter) || cores < suites[s]->min_cores)
				continue;
			for (unsigned i = 0; i < suites[s]->count; i++) {
				if (selected(suites[s]->tests[i].name, filter))
					kt_run(&suites[s]->tests[i]);
			}
		}
	}
	kt_summary();
	mica_debug_poweroff();
}
