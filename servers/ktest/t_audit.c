/*
 * The kernel self-audit (SYS_DEBUG_AUDIT, debug builds): it looks at real state and finds
 * it consistent. Every other test is followed by an audit too (ktest.c, kt_run).
 */
#include "ktest.h"

static void idle_fn(uint64_t arg)
{
	(void)arg;
}

/* With threads queued at several priorities below the root's, the audit walks them (its
 * count grows) and finds nothing wrong. */
static void audit_checks_queued_threads(void)
{
	struct kt_thread t[3];
	unsigned before, after;
	CHECK_EQ(mica_debug_audit(&before), 0);
	for (unsigned i = 0; i < 3; i++) {
		struct kt_thread_opts o = { .prio = 10 + i };
		REQUIRE_OK(kt_thread_new(&t[i], &o));
		REQUIRE_OK(kt_thread_start(&t[i], idle_fn, 0));
	}
	CHECK_EQ(mica_debug_audit(&after), 0);
	CHECK(after >= before + 3);
}

static const struct ktest tests[] = {
	{ "audit_checks_queued_threads", audit_checks_queued_threads },
};

const struct ktest_suite kt_suite_audit = KT_SUITE(tests);
