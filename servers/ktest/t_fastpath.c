/*
 * The NBSend and yield fastpaths (kernel/fastpath.c, taken straight from the exception
 * vector) against the general path: the same results for every case the fastpath looks
 * at, every register preserved (the NBSend fastpath returns without reloading the
 * exception registers), and the same run-queue order after a yield. The IPC call and
 * reply fastpaths are covered by every call test of t_ipc.c and by the benchmarks.
 */
#include "ktest.h"

/* Checks what kt_syscall_registers recorded: x0, x1 and x8 as expected, every other
 * register, SP and TPIDR_EL0 unchanged. */
static void check_registers(const uint64_t *out, uint64_t x0, uint64_t x1, uint64_t nr)
{
	CHECK_EQ(out[0], x0);
	CHECK_EQ(out[1], x1);
	CHECK_EQ(out[8], nr);
	for (unsigned n = 2; n <= 30; n++) {
		if (n != 8)
			CHECK_EQ(out[n], KT_REG_PATTERN + n);
	}
	CHECK_EQ(out[31], out[33]);
	CHECK_EQ(out[32], KT_REG_PATTERN + 32);
}

/* The NBSend fastpath (empty message, endpoint without receiver): E_WOULDBLOCK in x1,
 * every other register as it was. */
static void nbsend_fastpath_keeps_every_register(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	uint64_t out[35] = { 0 };
	kt_syscall_registers(SYS_NBSEND, ep, msginfo_pack(7, 0, 0), out);
	check_registers(out, ep, msginfo_error(E_WOULDBLOCK), SYS_NBSEND);
}

/* The general path (a capability transfer without the grant right, which the fastpath
 * leaves to it) returns its error with every other register as it was too. */
static void nbsend_general_path_keeps_every_register(void)
{
	cptr_t ep = kt_copy(kt_new(OBJ_ENDPOINT, 0), RIGHT_WRITE);
	uint64_t out[35] = { 0 };
	kt_syscall_registers(SYS_NBSEND, ep, msginfo_pack(7, 0, 1), out);
	check_registers(out, ep, msginfo_error(E_RIGHTS), SYS_NBSEND);
}

/* NBSend of `info` on `cap`: the error the kernel answers (0 for success). */
static int nbsend_error(cptr_t cap, uint64_t info)
{
	uint64_t out[35] = { 0 };
	kt_syscall_registers(SYS_NBSEND, cap, info, out);
	return mica_msg_error(out[1]);
}

/* Every case next to the fastpath's gets the general path's answer. */
static void nbsend_fastpath_leaves_other_cases_to_the_general_path(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t ntfn = kt_new(OBJ_NOTIFICATION, 0);
	CHECK_ERR(nbsend_error(ep, msginfo_pack(0, 0, 0)), E_WOULDBLOCK);
	CHECK_ERR(nbsend_error(ep, msginfo_pack(0, MSG_MAX_LENGTH, 0)), E_WOULDBLOCK);
	CHECK_ERR(nbsend_error(ep, msginfo_pack(0, MSG_MAX_LENGTH + 1, 0)), E_MSGSIZE);
	CHECK_ERR(nbsend_error(kt_copy(ep, RIGHT_READ), msginfo_pack(0, 0, 0)), E_RIGHTS);
	CHECK_ERR(nbsend_error(kt_copy(ep, RIGHT_WRITE), msginfo_pack(0, 0, 1)), E_RIGHTS);
	/* A notification is signalled, not refused. */
	CHECK_OK(nbsend_error(kt_mint(ntfn, RIGHT_WRITE | RIGHT_READ, 0x4), msginfo_pack(0, 0, 0)));
	struct mica_msg m;
	uint64_t badge = 0;
	CHECK_OK(mica_msg_error(mica_nbrecv(ntfn, &m, &badge)));
	CHECK_EQ(badge, 0x4);
}

static void log_once(uint64_t c)
{
	kt_log((char)c);
}

/* A yield with only lower priorities queued keeps the processor (no fastpath switch). */
static void yield_keeps_running_above_queued_threads(void)
{
	struct kt_thread low;
	REQUIRE_OK(kt_spawn(&low, 100, false, log_once, 'L'));
	kt_log('R');
	mica_yield();
	kt_log('r');
	kt_settle();
	CHECK_STR(kt_log_text(), "RrL");
}

static void yield_twice(uint64_t c)
{
	for (int i = 0; i < 2; i++) {
		kt_log((char)c);
		mica_yield();
	}
}

/* With three threads of one priority each yield goes to the first in line and sends the
 * yielder to the tail: the queue rotates in order (the audit after the test checks its
 * links). */
static void yield_rotates_a_queue_of_three(void)
{
	struct kt_thread a, b, c;
	REQUIRE_OK(kt_spawn(&a, 100, false, yield_twice, 'A'));
	REQUIRE_OK(kt_spawn(&b, 100, false, yield_twice, 'B'));
	REQUIRE_OK(kt_spawn(&c, 100, false, yield_twice, 'C'));
	kt_settle();
	CHECK_STR(kt_log_text(), "ABCABC");
}

/* A yield that switches to a thread of the same priority and back preserves every
 * register of the yielder, x0 and x1 included. */
static void yield_switch_keeps_every_register(void)
{
	struct kt_thread h;
	uint64_t out[35] = { 0 };
	REQUIRE_OK(kt_spawn(&h, 100, false, log_once, 'H'));
	REQUIRE_OK(mica_tcb_set_priority(SLOT_INIT_TCB, 100, PRIO_MAX));
	kt_syscall_registers(SYS_YIELD, 0x1234, 0x5678, out);
	CHECK_STR(kt_log_text(), "H");
	check_registers(out, 0x1234, 0x5678, SYS_YIELD);
}

static const struct ktest tests[] = {
	{ "fastpath_nbsend_keeps_every_register", nbsend_fastpath_keeps_every_register },
	{ "fastpath_nbsend_general_path_keeps_every_register",
	  nbsend_general_path_keeps_every_register },
	{ "fastpath_nbsend_leaves_other_cases_to_the_general_path",
	  nbsend_fastpath_leaves_other_cases_to_the_general_path },
	{ "fastpath_yield_keeps_running_above_queued_threads",
	  yield_keeps_running_above_queued_threads },
	{ "fastpath_yield_rotates_a_queue_of_three", yield_rotates_a_queue_of_three },
	{ "fastpath_yield_switch_keeps_every_register", yield_switch_keeps_every_register },
};

const struct ktest_suite kt_suite_fastpath = KT_SUITE(tests);
