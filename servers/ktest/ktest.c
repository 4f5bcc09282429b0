/*
 * The ktest framework: check reporting, per-test resources (slots, untyped, threads) and
 * their cleanup, the settle waker, the order log.
 */
#include "ktest.h"
#include "kt_as.h"

#include <stdio.h>
#include <string.h>

const struct bootinfo *kt_bootinfo;

/* Per-run state: what the framework owns for the whole run. */
static struct {
	cptr_t pool;        /* RAM untyped the per-test untypeds are retyped from */
	cptr_t fw_untyped;  /* RAM untyped the framework's own objects come from */
	cptr_t test_ut;     /* slot of the running test's untyped */
	cptr_t waker;       /* TCB of the settle waker */
	cptr_t settle_ntfn; /* the waker signals it */
	cptr_t first_slot;  /* first slot tests may use */
	unsigned passed, failed;
} fw;

/* Per-test state, reset by kt_begin. */
static struct {
	const char *name;
	bool failed;
	cptr_t next_slot;
	uint64_t ut_paddr;
	unsigned threads;
	unsigned ipc_buffers;
	cptr_t ipc_frame; /* the helpers' IPC-buffer frame capability, once made */
	cptr_t big[KT_BIG_UNTYPEDS];
	unsigned bigs;
} cur;

static uint64_t kt_stacks[KT_MAX_THREADS][KT_STACK_BYTES / 8] __attribute__((aligned(16)));
static uint64_t kt_waker_stack[512] __attribute__((aligned(16)));

static volatile char order_log[64];
static volatile unsigned order_len;

static const char *base_name(const char *path)
{
	const char *b = path;
	for (const char *p = path; *p; p++) {
		if (*p == '/')
			b = p + 1;
	}
	return b;
}

/* Prints one failure line of the running test and marks it failed. */
static void fail_line(const char *what, const char *detail, const char *file, int line)
{
	cur.failed = true;
	printf("ktest: FAIL %s: %s%s (%s:%d)\n", cur.name ? cur.name : "(setup)", what, detail,
	       base_name(file), line);
}

bool kt_check(bool ok, const char *what, const char *file, int line)
{
	if (!ok)
		fail_line(what, " is false", file, line);
	return ok;
}

bool kt_check_eq(uint64_t got, uint64_t want, const char *expr, const char *file, int line)
{
	char detail[80];
	if (got == want)
		return true;
	snprintf(detail, sizeof(detail), ": got %#lx, want %#lx", (unsigned long)got,
		 (unsigned long)want);
	fail_line(expr, detail, file, line);
	return false;
}

bool kt_check_err(int got, int want, const char *expr, const char *file, int line)
{
	char detail[80];
	if (got == want)
		return true;
	snprintf(detail, sizeof(detail), ": got %s (%d), want %s (%d)", mica_strerror(got), got,
		 mica_strerror(want), want);
	fail_line(expr, detail, file, line);
	return false;
}

bool kt_check_str(const char *got, const char *want, const char *expr, const char *file, int line)
{
	char detail[120];
	if (strcmp(got, want) == 0)
		return true;
	snprintf(detail, sizeof(detail), ": got \"%s\", want \"%s\"", got, want);
	fail_line(expr, detail, file, line);
	return false;
}

cptr_t kt_slot(void)
{
	if (cur.next_slot >= kt_bootinfo->empty.end) {
		fail_line("kt_slot", ": out of root CNode slots", __FILE__, __LINE__);
		return 0;
	}
	return cur.next_slot++;
}

cptr_t kt_new(unsigned type, unsigned size_bits)
{
	return kt_new_in(fw.test_ut, type, size_bits);
}

cptr_t kt_new_in(cptr_t untyped, unsigned type, unsigned size_bits)
{
	cptr_t slot = kt_slot();
	int err = mica_untyped_retype(untyped, type, size_bits, SLOT_INIT_CNODE, slot, 1);
	if (err) {
		char detail[64];
		snprintf(detail, sizeof(detail), ": type %u size %u: %s", type, size_bits,
			 mica_strerror(err));
		fail_line("kt_new", detail, __FILE__, __LINE__);
		return 0;
	}
	return slot;
}

cptr_t kt_test_untyped(void)
{
	return fw.test_ut;
}

uint64_t kt_test_untyped_paddr(void)
{
	return cur.ut_paddr;
}

cptr_t kt_big_untyped(unsigned bits)
{
	if (cur.bigs == KT_BIG_UNTYPEDS) {
		fail_line("kt_big_untyped", ": too many", __FILE__, __LINE__);
		return 0;
	}
	cptr_t slot = kt_new_in(fw.pool, OBJ_UNTYPED, bits);
	if (slot)
		cur.big[cur.bigs++] = slot;
	return slot;
}

struct mica_cap_info kt_identify(cptr_t slot)
{
	struct mica_cap_info info = { ~0ull, 0, 0, 0 };
	int err = mica_cnode_identify(SLOT_INIT_CNODE, slot, &info);
	if (err) {
		info.type = ~0ull;
		kt_check_err(err, E_OK, "kt_identify", __FILE__, __LINE__);
	}
	return info;
}

cptr_t kt_mint(cptr_t src, unsigned rights, uint64_t badge)
{
	cptr_t slot = kt_slot();
	int err = mica_cnode_mint(SLOT_INIT_CNODE, slot, SLOT_INIT_CNODE, src, rights, badge);
	if (!kt_check_err(err, E_OK, "kt_mint", __FILE__, __LINE__))
		return 0;
	return slot;
}

cptr_t kt_copy(cptr_t src, unsigned rights)
{
	cptr_t slot = kt_slot();
	int err = mica_cnode_copy(SLOT_INIT_CNODE, slot, SLOT_INIT_CNODE, src, rights);
	if (!kt_check_err(err, E_OK, "kt_copy", __FILE__, __LINE__))
		return 0;
	return slot;
}

int kt_signal(cptr_t ntfn)
{
	struct mica_msg m = { 0 };
	return mica_send(ntfn, &m);
}

uint64_t kt_wait(cptr_t ntfn, int *err)
{
	struct mica_msg m;
	uint64_t bits = 0;
	*err = mica_msg_error(mica_recv(ntfn, &m, &bits));
	return bits;
}

uint64_t kt_poll(cptr_t ntfn, int *err)
{
	struct mica_msg m;
	uint64_t bits = 0;
	*err = mica_msg_error(mica_nbrecv(ntfn, &m, &bits));
	return bits;
}

struct mica_msg kt_msg(uint64_t label, unsigned length, const uint64_t *mrs)
{
	struct mica_msg m = { .label = label, .length = length };
	for (unsigned i = 0; mrs && i < length && i < MSG_REGISTERS; i++)
		m.mr[i] = mrs[i];
	return m;
}

/* Records a failed framework step of the running test. Returns err. */
static int step(int err, const char *what)
{
	if (err)
		kt_check_err(err, E_OK, what, __FILE__, __LINE__);
	return err;
}

int kt_thread_new(struct kt_thread *t, const struct kt_thread_opts *o)
{
	memset(t, 0, sizeof(*t));
	if ((!o->as && cur.threads >= KT_MAX_THREADS) ||
	    (o->ipc && !o->as && cur.ipc_buffers >= KT_IPC_BUFFERS)) {
		fail_line("kt_thread_new", ": too many threads or IPC buffers", __FILE__, __LINE__);
		return E_NOMEM;
	}
	if (o->untyped) {
		t->tcb = kt_slot();
		if (step(mica_untyped_retype(o->untyped, OBJ_TCB, 0, SLOT_INIT_CNODE, t->tcb, 1),
			 "kt_thread_new: retype"))
			return E_NOMEM;
	} else {
		t->tcb = kt_new(OBJ_TCB, 0);
	}
	if (!t->tcb)
		return E_NOMEM;
	uint64_t ipc = 0;
	if (o->ipc && !o->as) {
		ipc = kt_bootinfo->ipc_buffer + KT_IPC_STRIDE * ++cur.ipc_buffers;
		/*
		 * An unmapped copy of the IPC-buffer frame: the kernel finds the buffer by the
		 * frame's physical address, and a TCB holding (a copy of) the root's mapped
		 * capability would, when deleted, remove the root's mapping (see the test
		 * tcb_delete_keeps_configured_ipc_frame_mapped).
		 */
		if (!cur.ipc_frame)
			cur.ipc_frame = kt_copy(SLOT_IPC_BUFFER, RIGHTS_ALL);
	}
	cptr_t vspace = SLOT_INIT_VSPACE, ipc_frame = cur.ipc_frame;
	if (o->as) {
		vspace = o->as->vspace;
		ipc = o->ipc ? KT_AS_IPC : 0;
		ipc_frame = o->as->page;
		t->stack_top = KT_AS_STACK_TOP;
	} else {
		t->stack_top = (uint64_t)&kt_stacks[cur.threads++][KT_STACK_BYTES / 8];
	}
	t->ipc = (struct ipc_buffer *)ipc;
	t->self = o->self ? o->self : t->tcb;
	int err =
	    step(mica_tcb_configure(t->tcb, o->fault_ep, o->cspace ? o->cspace : SLOT_INIT_CNODE,
				    vspace, ipc, ipc ? ipc_frame : 0),
		 "mica_tcb_configure");
	if (!err)
		err = step(mica_tcb_set_priority(t->tcb, o->prio, o->max_prio),
			   "mica_tcb_set_priority");
	if (!err)
		err = step(mica_tcb_set_tls(t->tcb, ipc), "mica_tcb_set_tls");
	return err;
}

/*
 * Where every helper starts: runs fn(arg), then suspends itself for good. Should the
 * suspend fail (a broken `self`), an undefined instruction stops it instead of a spin
 * that would starve every lower priority.
 */
static __attribute__((noreturn)) void thread_entry(kt_fn fn, uint64_t arg, cptr_t self)
{
	fn(arg);
	for (;;) {
		mica_tcb_suspend(self);
		kt_fault_udf();
	}
}

int kt_thread_start(struct kt_thread *t, kt_fn fn, uint64_t arg)
{
	const uint64_t x[8] = { (uint64_t)fn, arg, t->self };
	return step(mica_tcb_write_registers(t->tcb, 1, (uint64_t)thread_entry, t->stack_top, x),
		    "mica_tcb_write_registers");
}

int kt_spawn(struct kt_thread *t, unsigned prio, bool ipc, kt_fn fn, uint64_t arg)
{
	struct kt_thread_opts o = { .prio = prio, .ipc = ipc };
	int err = kt_thread_new(t, &o);
	return err ? err : kt_thread_start(t, fn, arg);
}

/* The settle waker: runs only when nothing above priority 1 can run. */
static __attribute__((noreturn)) void waker_main(void)
{
	kt_signal(fw.settle_ntfn);
	for (;;)
		mica_tcb_suspend(fw.waker);
}

void kt_settle(void)
{
	int err;
	/* Restarting it also covers a waker that signalled but has not suspended yet. */
	if (step(mica_tcb_write_registers(fw.waker, 1, (uint64_t)waker_main,
					  (uint64_t)&kt_waker_stack[512], NULL),
		 "kt_settle: waker"))
		return;
	kt_wait(fw.settle_ntfn, &err);
	step(err, "kt_settle: wait");
}

bool kt_root_maps(uint64_t vaddr)
{
	struct mica_mapping map;
	unsigned count = 0;
	uint64_t next;
	if (mica_vspace_walk(SLOT_INIT_VSPACE, vaddr, &map, 1, &count, &next))
		return false;
	return count == 1 && map.vaddr == vaddr;
}

void kt_log_reset(void)
{
	order_len = 0;
	order_log[0] = 0;
}

void kt_log(char c)
{
	if (order_len < sizeof(order_log) - 1) {
		order_log[order_len++] = c;
		order_log[order_len] = 0;
	}
}

const char *kt_log_text(void)
{
	return (const char *)order_log;
}

/* The largest RAM untyped not yet taken, or 0. */
static cptr_t largest_ram_untyped(cptr_t except)
{
	const struct bootinfo *bi = kt_bootinfo;
	cptr_t best = 0;
	unsigned best_bits = 0;
	for (uint64_t i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
		const struct untyped_desc *u = &bi->untyped_list[i];
		cptr_t slot = bi->untyped.start + i;
		if (!u->is_device && slot != except && u->size_bits > best_bits) {
			best = slot;
			best_bits = u->size_bits;
		}
	}
	return best;
}

/*
 * Finds the untypeds, makes the settle waker and its notification. Returns false (and
 * says why) if the boot-info page does not give ktest what it needs.
 */
bool kt_framework_init(const struct bootinfo *bi)
{
	kt_bootinfo = bi;
	fw.pool = largest_ram_untyped(0);
	fw.fw_untyped = largest_ram_untyped(fw.pool);
	if (!fw.pool || !fw.fw_untyped) {
		printf("ktest: FAIL setup: no RAM untypeds\n");
		return false;
	}
	cptr_t next = bi->empty.start;
	fw.test_ut = next++;
	fw.waker = next++;
	fw.settle_ntfn = next++;
	fw.first_slot = next;
	int err = mica_untyped_retype(fw.fw_untyped, OBJ_TCB, 0, SLOT_INIT_CNODE, fw.waker, 1);
	if (!err)
		err = mica_untyped_retype(fw.fw_untyped, OBJ_NOTIFICATION, 0, SLOT_INIT_CNODE,
					  fw.settle_ntfn, 1);
	if (!err)
		err = mica_tcb_configure(fw.waker, 0, SLOT_INIT_CNODE, SLOT_INIT_VSPACE, 0, 0);
	if (!err)
		err = mica_tcb_set_priority(fw.waker, 1, 0);
	if (err) {
		printf("ktest: FAIL setup: waker: %s\n", mica_strerror(err));
		return false;
	}
	return true;
}

/* Gives the test a fresh untyped and resets the per-test state. Returns false on failure. */
static bool kt_begin(const char *name)
{
	memset(&cur, 0, sizeof(cur));
	cur.name = name;
	cur.next_slot = fw.first_slot;
	for (unsigned i = 0; i <= KT_IPC_BUFFERS; i++) {
		struct ipc_buffer *b =
		    (struct ipc_buffer *)(kt_bootinfo->ipc_buffer + (uint64_t)i * KT_IPC_STRIDE);
		memset(b, 0, sizeof(*b));
	}
	kt_log_reset();
	int err = mica_untyped_retype(fw.pool, OBJ_UNTYPED, KT_TEST_UNTYPED_BITS, SLOT_INIT_CNODE,
				      fw.test_ut, 1);
	if (!step(err, "kt_begin: test untyped"))
		cur.ut_paddr = kt_identify(fw.test_ut).paddr;
	return err == E_OK;
}

/* Destroys everything the test made and restores the root's own state. */
static void kt_end(void)
{
	step(mica_cnode_revoke(SLOT_INIT_CNODE, fw.test_ut), "kt_end: revoke");
	for (unsigned i = 0; i < cur.bigs; i++)
		step(mica_cnode_revoke(SLOT_INIT_CNODE, cur.big[i]), "kt_end: revoke big");
	for (cptr_t s = fw.first_slot; s < cur.next_slot; s++)
		step(mica_cnode_delete(SLOT_INIT_CNODE, s), "kt_end: delete");
	step(mica_cnode_delete(SLOT_INIT_CNODE, fw.test_ut), "kt_end: delete untyped");
	step(mica_tcb_set_priority(SLOT_INIT_TCB, PRIO_MAX, PRIO_MAX), "kt_end: priority");
	mica_tcb_unbind_notification(SLOT_INIT_TCB); /* E_STATE unless a test bound one */
}

/* Every test ends with the kernel's self-audit: whatever the test did, and however its
 * objects were torn down, the kernel's invariants must still hold. */
static void audit_after_test(void)
{
	unsigned violations = mica_debug_audit(NULL);
	if (violations) {
		char detail[48];
		snprintf(detail, sizeof(detail), ": %u violations (see audit: lines)", violations);
		fail_line("kernel self-audit after the test", detail, __FILE__, __LINE__);
	}
}

void kt_run(const struct ktest *t)
{
	if (kt_begin(t->name))
		t->fn();
	kt_end();
	audit_after_test();
	if (cur.failed) {
		fw.failed++;
	} else {
		fw.passed++;
		printf("ktest: PASS %s\n", t->name);
	}
}

void kt_summary(void)
{
	printf("ktest: done, %u passed, %u failed\n", fw.passed, fw.failed);
}
