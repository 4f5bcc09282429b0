/*
 * kfuzz's fuzzer process: makes the calls gen.c describes, one after another, and records
 * the (label, result) pair each reached in the control page.
 *
 * It runs in its own address space, where only the root's text and rodata, the control
 * page, its IPC buffer and its stacks are mapped: this code must touch no global variable
 * (the root's data and bss are not mapped here). It may be stopped at any call (it blocked,
 * faulted or destroyed itself); the root then restarts it at fz_child_main, and the
 * progress fields of the control page say where to go on.
 */
#include <mica.h>
#include <stdbool.h>
#include <stdio.h>

#include "gen.h"
#include "kfuzz.h"

/* Writes a string on the kernel console (the trace), one SYS_DEBUG_PUTC per character. */
static void put_str(const char *s)
{
	while (*s)
		mica_debug_putc(*s++);
}

/* Prints call `index` of operation op/sub (bootarg fuzz_trace): enough to replay it. */
static void trace_call(const struct fz_ctl *ctl, const struct fz_call *c)
{
	char line[200];
	snprintf(line, sizeof(line),
		 "kfuzz: call %lu op %lu.%lu nr %#lx cptr %#lx info %#lx mr %#lx %#lx %#lx %#lx "
		 "%#lx %#lx\n",
		 (unsigned long)ctl->calls, (unsigned long)ctl->cur_op, (unsigned long)ctl->cur_sub,
		 (unsigned long)c->nr, (unsigned long)c->cptr, (unsigned long)fz_call_info(c),
		 (unsigned long)c->mr[0], (unsigned long)c->mr[1], (unsigned long)c->mr[2],
		 (unsigned long)c->mr[3], (unsigned long)c->mr[4], (unsigned long)c->mr[5]);
	put_str(line);
}

/* Fills the IPC buffer for *c: msg[6..length) (words past c->buf are derived from it),
 * the capability to send and the receive slot; and a helper's buffer if *c names one. */
static void fill_buffer(const struct fz_call *c)
{
	struct ipc_buffer *b = (struct ipc_buffer *)FZ_IPC_VA;
	unsigned n = c->length < MSG_MAX_LENGTH ? c->length : MSG_MAX_LENGTH;
	for (unsigned i = 6; i < n; i++)
		b->msg[i] = c->buf[(i - 6) % FZ_BUF_MAX] ^ (i >= 6 + FZ_BUF_MAX ? i : 0);
	b->caps[0] = c->cap0;
	b->receive_cnode = c->recv_cnode;
	b->receive_index = c->recv_index;
	if (c->helper_buf) {
		struct ipc_buffer *h = (struct ipc_buffer *)FZ_HELPER_IPC_VA(c->helper_buf);
		h->caps[0] = c->helper_cap0;
		h->receive_cnode = FZ_SLOT_CNODE;
		h->receive_index = c->helper_recv_index;
	}
}

/* Makes call *c (its IPC buffer already filled); returns the coverage result id of what
 * came back. */
static unsigned issue(const struct fz_call *c)
{
	struct mica_regs r = { c->cptr, fz_call_info(c), { 0 } };
	for (unsigned i = 0; i < MSG_REGISTERS; i++)
		r.mr[i] = c->mr[i];
	mica_syscall(c->nr, &r);
	if (c->nr == SYS_DEBUG_AUDIT)
		return r.x0 ? 23 : 0; /* the root's audits report violations */
	if (c->nr == SYS_DEBUG_NULL || c->nr == SYS_DEBUG_IRQ_RAISE)
		return r.info == fz_call_info(c) ? 0 : fz_result_id(r.info);
	if (c->nr >= SYS_COUNT_REAL)
		return -E_SYSCALL; /* delivered as a fault; the root resumed it */
	return fz_result_id(r.info);
}

/* Asks the root for a checkpoint (an audit and a canary check) with an unknown system
 * call, which the kernel turns into a fault message to the root. */
static void checkpoint(struct fz_ctl *ctl)
{
	ctl->next_checkpoint += ctl->checkpoint_every;
	mica_syscall1(FZ_SYS_CHECKPOINT, ctl->calls);
}

/* Makes the calls of operation `op` from sub-call ctl->next_sub on. Returns true if it
 * made them all (false: the campaign's call count was reached first). */
static bool run_op(struct fz_ctl *ctl, const struct fz_gen_env *env, uint64_t op)
{
	struct fz_op o;
	fz_gen_op(env, op, &o);
	for (uint64_t s = ctl->next_sub; s < o.n && ctl->calls < ctl->calls_target; s++) {
		const struct fz_call *c = &o.call[s];
		if (ctl->calls >= ctl->next_checkpoint)
			checkpoint(ctl);
		/* First, so that a fuzzer whose IPC buffer is gone faults before the call counts:
		 * the root then sees no progress and builds a new fuzzer. */
		fill_buffer(c);
		ctl->cur_op = op;
		ctl->cur_sub = s;
		ctl->cur_label_id = fz_label_id(c);
		if (ctl->calls >= ctl->trace_from)
			trace_call(ctl, c);
		ctl->calls++;
		unsigned result = issue(c);
		fz_pair_set(ctl, (unsigned)ctl->cur_label_id, result);
		ctl->next_sub = s + 1;
	}
	return ctl->next_sub >= o.n;
}

void fz_child_main(struct fz_ctl *ctl)
{
	struct fz_gen_env env = { ctl->seed, (uint64_t)(uintptr_t)fz_helper_echo,
				  (uint64_t)(uintptr_t)fz_helper_caller };
	while (ctl->calls < ctl->calls_target) {
		uint64_t op = ctl->next_op;
		if (run_op(ctl, &env, op)) {
			ctl->next_op = op + 1;
			ctl->next_sub = 0;
		}
	}
	ctl->done = 1;
	for (;;)
		mica_syscall1(FZ_SYS_DONE, ctl->calls);
}
