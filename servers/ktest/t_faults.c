/*
 * Faults: each kind becomes a message on the thread's fault endpoint with the words of
 * mica/fault.h; the handler's reply resumes the thread or leaves it suspended; a thread
 * without a fault endpoint is suspended and everything else goes on.
 */
#include <stdio.h>

#include "ktest.h"

#define FAULT_BADGE   0xfa17

#define ESR_EC(esr)   ((esr) >> 26)
#define ESR_IL        (1ull << 25)
#define ESR_WNR       (1ull << 6)
#define EC_UNKNOWN    0x00
#define EC_IABT_LOWER 0x20
#define EC_PC_ALIGN   0x22
#define EC_DABT_LOWER 0x24
#define ESR_BRK0      0xf2000000ull /* EC 0x3c (BRK), IL, immediate 0 */
#define RESUMED_X0    0x5555

static volatile struct {
	int done;        /* the thread got past its faulting call */
	uint64_t result; /* what that call returned */
} after;

static void run_udf(uint64_t arg)
{
	(void)arg;
	kt_fault_udf();
	after.done = 1;
}

static void run_svc999(uint64_t arg)
{
	(void)arg;
	kt_fault_svc999();
	after.done = 1;
}

static void run_load(uint64_t addr)
{
	after.result = kt_fault_load(addr);
	after.done = 1;
}

static void run_store(uint64_t addr)
{
	kt_fault_store(addr, 7);
	after.done = 1;
}

static void run_jump(uint64_t addr)
{
	kt_fault_jump(addr);
	after.done = 1;
}

static void run_brk(uint64_t arg)
{
	(void)arg;
	kt_fault_brk();
	after.done = 1;
}

/*
 * Runs fn(arg) in a thread whose fault endpoint is a capability badged FAULT_BADGE, lets it
 * fault, and receives the fault message into *m. Returns the info word (0 on setup failure
 * with a failure recorded); *badge gets the badge and *t the thread.
 */
static uint64_t take_fault(kt_fn fn, uint64_t arg, struct mica_msg *m, uint64_t *badge,
			   struct kt_thread *t)
{
	cptr_t fe = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread_opts o = { .prio = 100, .fault_ep = kt_mint(fe, RIGHTS_ALL, FAULT_BADGE) };
	after.done = 0;
	after.result = 0;
	if (kt_thread_new(t, &o) || kt_thread_start(t, fn, arg))
		return 0;
	kt_settle();
	return mica_nbrecv(fe, m, badge);
}

/* An undefined instruction: FAULT_UNDEFINED with its pc and the ESR. */
static void undefined_instruction_reported(void)
{
	struct kt_thread t;
	struct mica_msg m;
	uint64_t badge = 0;
	CHECK_OK(mica_msg_error(take_fault(run_udf, 0, &m, &badge, &t)));
	CHECK_EQ(m.label, FAULT_LABEL(FAULT_UNDEFINED));
	CHECK_EQ(badge, FAULT_BADGE);
	CHECK_EQ(m.length, 2);
	CHECK_EQ(m.mr[0], (uint64_t)kt_fault_udf_insn);
	CHECK_EQ(m.mr[1], ESR_IL | ((uint64_t)EC_UNKNOWN << 26));
	CHECK_EQ(after.done, 0);
}

/* An unknown system call: FAULT_UNKNOWN_SYSCALL with the number and the pc after the svc. */
static void unknown_syscall_reported(void)
{
	struct kt_thread t;
	struct mica_msg m;
	uint64_t badge = 0;
	CHECK_OK(mica_msg_error(take_fault(run_svc999, 0, &m, &badge, &t)));
	CHECK_EQ(m.label, FAULT_LABEL(FAULT_UNKNOWN_SYSCALL));
	CHECK_EQ(badge, FAULT_BADGE);
	CHECK_EQ(m.length, 2);
	CHECK_EQ(m.mr[0], 999);
	CHECK_EQ(m.mr[1], (uint64_t)kt_fault_svc999_next);
}

/* Replying 0 to an unknown-syscall fault resumes the thread after its svc. */
static void unknown_syscall_reply_resumes_after_svc(void)
{
	struct kt_thread t;
	struct mica_msg m;
	uint64_t badge = 0;
	CHECK_OK(mica_msg_error(take_fault(run_svc999, 0, &m, &badge, &t)));
	struct mica_msg r = kt_msg(0, 0, NULL);
	CHECK_OK(mica_reply(&r));
	kt_settle();
	CHECK_EQ(after.done, 1);
}

/* A read of unmapped memory: FAULT_VM with address, pc, READ and a data-abort ESR. */
static void vm_read_reports_address_and_access(void)
{
	struct kt_thread t;
	struct mica_msg m;
	uint64_t badge = 0;
	CHECK_OK(mica_msg_error(take_fault(run_load, KT_UNMAPPED_ADDR, &m, &badge, &t)));
	CHECK_EQ(m.label, FAULT_LABEL(FAULT_VM));
	CHECK_EQ(badge, FAULT_BADGE);
	CHECK_EQ(m.length, 4);
	CHECK_EQ(m.mr[0], KT_UNMAPPED_ADDR);
	CHECK_EQ(m.mr[1], (uint64_t)kt_fault_load_insn);
	CHECK_EQ(m.mr[2], FAULT_ACCESS_READ);
	CHECK_EQ(ESR_EC(m.mr[3]), EC_DABT_LOWER);
	CHECK_EQ(m.mr[3] & ESR_WNR, 0);
}

/* A write of unmapped memory: FAULT_VM with access WRITE. */
static void vm_write_reports_access_write(void)
{
	struct kt_thread t;
	struct mica_msg m;
	uint64_t badge = 0;
	CHECK_OK(mica_msg_error(take_fault(run_store, KT_UNMAPPED_ADDR + 8, &m, &badge, &t)));
	CHECK_EQ(m.label, FAULT_LABEL(FAULT_VM));
	CHECK_EQ(m.mr[0], KT_UNMAPPED_ADDR + 8);
	CHECK_EQ(m.mr[1], (uint64_t)kt_fault_store_insn);
	CHECK_EQ(m.mr[2], FAULT_ACCESS_WRITE);
	CHECK_EQ(ESR_EC(m.mr[3]), EC_DABT_LOWER);
	CHECK_EQ(m.mr[3] & ESR_WNR, ESR_WNR);
}

/* Executing unmapped memory: FAULT_VM with access EXEC, address = pc. */
static void vm_exec_reports_access_exec(void)
{
	struct kt_thread t;
	struct mica_msg m;
	uint64_t badge = 0;
	CHECK_OK(mica_msg_error(take_fault(run_jump, KT_UNMAPPED_ADDR, &m, &badge, &t)));
	CHECK_EQ(m.label, FAULT_LABEL(FAULT_VM));
	CHECK_EQ(m.mr[0], KT_UNMAPPED_ADDR);
	CHECK_EQ(m.mr[1], KT_UNMAPPED_ADDR);
	CHECK_EQ(m.mr[2], FAULT_ACCESS_EXEC);
	CHECK_EQ(ESR_EC(m.mr[3]), EC_IABT_LOWER);
}

/* A branch to a misaligned pc: FAULT_ALIGNMENT with that pc. */
static void misaligned_pc_reported(void)
{
	struct kt_thread t;
	struct mica_msg m;
	uint64_t badge = 0;
	uint64_t target = (uint64_t)kt_fault_brk_insn + 2;
	CHECK_OK(mica_msg_error(take_fault(run_jump, target, &m, &badge, &t)));
	CHECK_EQ(m.label, FAULT_LABEL(FAULT_ALIGNMENT));
	CHECK_EQ(m.length, 3);
	CHECK_EQ(m.mr[0], target);
	CHECK_EQ(m.mr[1], target);
	CHECK_EQ(ESR_EC(m.mr[2]), EC_PC_ALIGN);
}

/* Any other exception (a BRK instruction): FAULT_OTHER with pc and ESR. */
static void brk_reported_as_other(void)
{
	struct kt_thread t;
	struct mica_msg m;
	uint64_t badge = 0;
	CHECK_OK(mica_msg_error(take_fault(run_brk, 0, &m, &badge, &t)));
	CHECK_EQ(m.label, FAULT_LABEL(FAULT_OTHER));
	CHECK_EQ(m.length, 2);
	CHECK_EQ(m.mr[0], (uint64_t)kt_fault_brk_insn);
	CHECK_EQ(m.mr[1], ESR_BRK0);
}

/*
 * A handler that moves the faulter's pc past the load and sets x0 (TCB_WRITE_REGISTERS
 * without resume), then replies 0: the thread continues there, with that x0 as the result.
 */
static void resume_after_pc_advanced_continues(void)
{
	struct kt_thread t;
	struct mica_msg m;
	uint64_t badge = 0;
	CHECK_OK(mica_msg_error(take_fault(run_load, KT_UNMAPPED_ADDR, &m, &badge, &t)));
	REQUIRE(m.label == FAULT_LABEL(FAULT_VM));
	struct mica_tcb_regs regs;
	REQUIRE_OK(mica_tcb_read_registers(t.tcb, &regs));
	CHECK_EQ(regs.pc, (uint64_t)kt_fault_load_insn);
	CHECK_EQ(regs.x[0], KT_UNMAPPED_ADDR);
	uint64_t x[8] = { RESUMED_X0 };
	for (int i = 1; i < 8; i++)
		x[i] = regs.x[i];
	REQUIRE_OK(mica_tcb_write_registers(t.tcb, 0, regs.pc + 4, regs.sp, x));
	struct mica_msg r = kt_msg(0, 0, NULL);
	CHECK_OK(mica_reply(&r));
	kt_settle();
	CHECK_EQ(after.done, 1);
	CHECK_EQ(after.result, RESUMED_X0);
}

/* A reply with a nonzero label leaves the faulter suspended at the faulting instruction. */
static void reply_nonzero_label_leaves_thread_suspended(void)
{
	struct kt_thread t;
	struct mica_msg m;
	uint64_t badge = 0;
	CHECK_OK(mica_msg_error(take_fault(run_load, KT_UNMAPPED_ADDR, &m, &badge, &t)));
	struct mica_msg r = kt_msg(1, 0, NULL);
	CHECK_OK(mica_reply(&r));
	kt_settle();
	CHECK_EQ(after.done, 0);
	struct mica_tcb_regs regs;
	CHECK_OK(mica_tcb_read_registers(t.tcb, &regs));
	CHECK_EQ(regs.pc, (uint64_t)kt_fault_load_insn);
}

/*
 * A thread without a fault endpoint that faults is suspended (the kernel logs
 * "fault: thread N ... no fault endpoint: suspended") and the rest goes on.
 */
static void fault_without_endpoint_suspends_thread(void)
{
	struct kt_thread t;
	after.done = 0;
	REQUIRE_OK(kt_spawn(&t, 100, false, run_load, KT_UNMAPPED_ADDR));
	kt_settle();
	CHECK_EQ(after.done, 0);
	struct mica_tcb_regs regs;
	CHECK_OK(mica_tcb_read_registers(t.tcb, &regs));
	CHECK_EQ(regs.pc, (uint64_t)kt_fault_load_insn);
	printf("ktest: note fault_without_endpoint pc %#lx\n", (unsigned long)regs.pc);
}

static const struct ktest tests[] = {
	{ "fault_undefined_instruction_reported", undefined_instruction_reported },
	{ "fault_unknown_syscall_reported", unknown_syscall_reported },
	{ "fault_unknown_syscall_reply_resumes_after_svc",
	  unknown_syscall_reply_resumes_after_svc },
	{ "fault_vm_read_reports_address_and_access", vm_read_reports_address_and_access },
	{ "fault_vm_write_reports_access_write", vm_write_reports_access_write },
	{ "fault_vm_exec_reports_access_exec", vm_exec_reports_access_exec },
	{ "fault_misaligned_pc_reported", misaligned_pc_reported },
	{ "fault_brk_reported_as_other", brk_reported_as_other },
	{ "fault_resume_after_pc_advanced_continues", resume_after_pc_advanced_continues },
	{ "fault_reply_nonzero_label_leaves_thread_suspended",
	  reply_nonzero_label_leaves_thread_suspended },
	{ "fault_without_endpoint_suspends_thread", fault_without_endpoint_suspends_thread },
};

const struct ktest_suite kt_suite_faults = KT_SUITE(tests);
