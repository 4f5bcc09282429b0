/*
 * System-call stubs for user programs (AArch64 only).
 *
 * Each stub is `svc #0` with the number in x8, the capability address in x0, the message
 * info word in x1 and MR0..MR5 in x2..x7 (mica/syscall.h). A message is a struct mica_msg:
 * its label, length (in words), extra capability count and the six register words; words
 * from MR6 on and the capability to transfer live in the thread's IPC buffer, which the
 * caller fills (or reads) directly through mica_ipc_buffer().
 *
 * Receiving stubs overwrite the message with what arrived and return the raw info word;
 * mica_msg_error() turns a kernel error reply into its negative code.
 */
#pragma once

#include <stdint.h>

#include <mica/errors.h>
#include <mica/syscall.h>

struct mica_msg {
	uint64_t label;          /* user labels stay below MSG_LABEL_ERROR_MIN */
	unsigned length;         /* words: MR0..MR(length-1); MR6.. in the IPC buffer */
	unsigned extra_caps;     /* 0, or 1 to send the capability in ipc_buffer->caps[0] */
	unsigned caps_unwrapped; /* received only: bit 0 set if caps[0] holds a badge */
	uint64_t mr[MSG_REGISTERS];
};

/* The registers a system call reads and writes. */
struct mica_regs {
	uint64_t x0;
	uint64_t info;
	uint64_t mr[MSG_REGISTERS];
};

/*
 * Performs system call `nr` with every argument register from *r and writes every result
 * register back into *r. The kernel may read and write the IPC buffer, hence "memory".
 */
static inline void mica_syscall(uint64_t nr, struct mica_regs *r)
{
	register uint64_t x0 __asm__("x0") = r->x0;
	register uint64_t x1 __asm__("x1") = r->info;
	register uint64_t x2 __asm__("x2") = r->mr[0];
	register uint64_t x3 __asm__("x3") = r->mr[1];
	register uint64_t x4 __asm__("x4") = r->mr[2];
	register uint64_t x5 __asm__("x5") = r->mr[3];
	register uint64_t x6 __asm__("x6") = r->mr[4];
	register uint64_t x7 __asm__("x7") = r->mr[5];
	register uint64_t x8 __asm__("x8") = nr;
	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6),
			   "+r"(x7)
			 : "r"(x8)
			 : "memory");
	r->x0 = x0;
	r->info = x1;
	r->mr[0] = x2;
	r->mr[1] = x3;
	r->mr[2] = x4;
	r->mr[3] = x5;
	r->mr[4] = x6;
	r->mr[5] = x7;
}

/*
 * A system call with one argument (x0) and no message: returns x0 afterwards. x1..x7 are
 * treated as clobbered, so the stub stays correct whatever the kernel leaves in them.
 */
static inline uint64_t mica_syscall1(uint64_t nr, uint64_t arg)
{
	register uint64_t x0 __asm__("x0") = arg;
	register uint64_t x8 __asm__("x8") = nr;
	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8)
			 : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "memory");
	return x0;
}

/*
 * The negative error code a kernel error reply carries in its label (the 52-bit label
 * sign-extended), or 0 if the label is not negative (success, or an ordinary message).
 */
static inline int mica_msg_error(uint64_t info)
{
	int64_t label = (int64_t)info >> (64 - MSG_LABEL_BITS); /* the label is bits 63..12 */
	if (label >= 0)
		return 0;
	return label < INT32_MIN ? INT32_MIN : (int)label;
}

/* The message's info word and registers, ready for mica_syscall. */
static inline struct mica_regs mica_msg_regs(cptr_t cap, const struct mica_msg *msg)
{
	struct mica_regs r = { cap, msginfo_pack(msg->label, msg->length, msg->extra_caps), { 0 } };
	for (int i = 0; i < MSG_REGISTERS; i++)
		r.mr[i] = msg->mr[i];
	return r;
}

/* Unpacks what arrived in *r into *msg; returns the info word. */
static inline uint64_t mica_regs_msg(const struct mica_regs *r, struct mica_msg *msg)
{
	struct msginfo mi = msginfo_unpack(r->info);
	msg->label = mi.label;
	msg->length = mi.length;
	msg->extra_caps = mi.extra_caps;
	msg->caps_unwrapped = mi.caps_unwrapped;
	for (int i = 0; i < MSG_REGISTERS; i++)
		msg->mr[i] = r->mr[i];
	return r->info;
}

/*
 * Sends *msg on `ep` and waits for the reply, which replaces *msg. Returns the reply's info
 * word (a kernel error is mica_msg_error(info) < 0). Invocations on kernel objects use this.
 */
static inline uint64_t mica_call(cptr_t ep, struct mica_msg *msg)
{
	struct mica_regs r = mica_msg_regs(ep, msg);
	mica_syscall(SYS_CALL, &r);
	return mica_regs_msg(&r, msg);
}

/* Sends *msg on `ep` (blocking); on a notification, signals it. Returns 0 or an error. */
static inline int mica_send(cptr_t ep, const struct mica_msg *msg)
{
	struct mica_regs r = mica_msg_regs(ep, msg);
	mica_syscall(SYS_SEND, &r);
	return mica_msg_error(r.info);
}

/* Sends *msg only if a receiver waits on `ep`; returns 0, E_WOULDBLOCK or another error. */
static inline int mica_nbsend(cptr_t ep, const struct mica_msg *msg)
{
	struct mica_regs r = mica_msg_regs(ep, msg);
	mica_syscall(SYS_NBSEND, &r);
	return mica_msg_error(r.info);
}

/*
 * Waits for a message on `ep` (on a notification: for a signal, whose bits arrive as the
 * badge). Fills *msg and *badge (if not NULL); returns the info word.
 */
static inline uint64_t mica_recv(cptr_t ep, struct mica_msg *msg, uint64_t *badge)
{
	struct mica_regs r = { ep, 0, { 0 } };
	mica_syscall(SYS_RECV, &r);
	if (badge)
		*badge = r.x0;
	return mica_regs_msg(&r, msg);
}

/* Like mica_recv, but returns at once (info with E_WOULDBLOCK) if no sender waits. */
static inline uint64_t mica_nbrecv(cptr_t ep, struct mica_msg *msg, uint64_t *badge)
{
	struct mica_regs r = { ep, 0, { 0 } };
	mica_syscall(SYS_NBRECV, &r);
	if (badge)
		*badge = r.x0;
	return mica_regs_msg(&r, msg);
}

/* Replies *msg to the thread whose call this thread received last. Returns 0 or an error. */
static inline int mica_reply(const struct mica_msg *msg)
{
	struct mica_regs r = mica_msg_regs(0, msg);
	mica_syscall(SYS_REPLY, &r);
	return mica_msg_error(r.info);
}

/*
 * Replies *msg to the current caller, then waits on `ep`: the server loop's one system
 * call. The next message replaces *msg; its badge goes to *badge (if not NULL). Returns
 * the received info word.
 */
static inline uint64_t mica_reply_recv(cptr_t ep, struct mica_msg *msg, uint64_t *badge)
{
	struct mica_regs r = mica_msg_regs(ep, msg);
	mica_syscall(SYS_REPLY_RECV, &r);
	if (badge)
		*badge = r.x0;
	return mica_regs_msg(&r, msg);
}

/* Gives the rest of this time slice to other threads of the same priority. */
static inline void mica_yield(void)
{
	mica_syscall1(SYS_YIELD, 0);
}

/* Debug builds: writes one character to the kernel console ("\n" is sent as is). */
static inline void mica_debug_putc(char c)
{
	mica_syscall1(SYS_DEBUG_PUTC, (unsigned char)c);
}

/*
 * Debug builds: writes s[0..n) (n <= DEBUG_PUTS_MAX) to the kernel console in one system
 * call, so output from another core cannot land inside it. Returns 0, E_RANGE, or E_INVAL
 * (a byte SYS_DEBUG_PUTS refuses: nothing was written).
 */
static inline int mica_debug_puts(const char *s, unsigned n)
{
	struct mica_regs r = { 0, 0, { 0 } };
	uint64_t w[7] = { 0 };
	for (unsigned i = 0; i < n && i < DEBUG_PUTS_MAX; i++)
		w[i / 8] |= (uint64_t)(unsigned char)s[i] << (8 * (i % 8));
	r.x0 = w[0];
	r.info = w[1];
	for (unsigned i = 0; i < 5; i++)
		r.mr[i] = w[2 + i];
	r.mr[5] = n;
	mica_syscall(SYS_DEBUG_PUTS, &r);
	return mica_msg_error(r.info);
}

/* Debug builds: does nothing in the kernel (the null system call of the benchmarks). */
static inline void mica_debug_null(void)
{
	mica_syscall1(SYS_DEBUG_NULL, 0);
}

/* Debug builds: makes SPI `intid` pending, to test interrupt delivery. */
static inline void mica_debug_irq_raise(unsigned intid)
{
	mica_syscall1(SYS_DEBUG_IRQ_RAISE, intid);
}

/* Debug builds: makes SPI `intid` pending when the CPU next idles (nothing runnable). */
static inline void mica_debug_irq_raise_at_idle(unsigned intid)
{
	mica_syscall1(SYS_DEBUG_IRQ_RAISE, intid | DEBUG_IRQ_RAISE_AT_IDLE);
}

/*
 * Debug builds: makes the next return to user mode take a virtual SError or FIQ (`source`,
 * FAULT_ASYNC_* of mica/fault.h), delivered as a FAULT_ASYNC fault. Returns 0, E_STATE if
 * the kernel was not entered at EL2 (it needs EL2 to inject one), or E_INVAL.
 */
static inline int mica_debug_async(unsigned source)
{
	register uint64_t x0 __asm__("x0") = source;
	register uint64_t x1 __asm__("x1") = 0;
	register uint64_t x8 __asm__("x8") = SYS_DEBUG_ASYNC;
	__asm__ volatile("svc #0" : "+r"(x0), "+r"(x1) : "r"(x8) : "memory");
	return mica_msg_error(x1);
}

/*
 * Debug builds: runs the kernel's self-audit of its invariants (derivation tree, objects,
 * ASIDs, mappings, queues). Returns the number of violations, each printed on the kernel
 * console as "audit: ..."; `checked` (if not NULL) receives how many entries were checked.
 */
static inline unsigned mica_debug_audit(unsigned *checked)
{
	register uint64_t x0 __asm__("x0") = 0;
	register uint64_t x1 __asm__("x1") = 0;
	register uint64_t x8 __asm__("x8") = SYS_DEBUG_AUDIT;
	__asm__ volatile("svc #0" : "+r"(x0), "+r"(x1) : "r"(x8) : "memory");
	if (checked)
		*checked = (unsigned)x1;
	return (unsigned)x0;
}

/* What SYS_DEBUG_CPU reports about the caller's core. */
struct mica_cpu_info {
	unsigned core;  /* the core the calling thread runs on */
	unsigned ncpus; /* cores online */
	uint64_t ipis;  /* reschedule SGIs sent to that core so far */
	uint64_t ticks; /* timer ticks that core has taken */
};

/* Debug builds: the core the calling thread runs on, and (if `info` is not NULL) the rest
 * of struct mica_cpu_info. */
static inline unsigned mica_debug_cpu(struct mica_cpu_info *info)
{
	register uint64_t x0 __asm__("x0") = 0;
	register uint64_t x1 __asm__("x1") = 0;
	register uint64_t x2 __asm__("x2") = 0;
	register uint64_t x3 __asm__("x3") = 0;
	register uint64_t x8 __asm__("x8") = SYS_DEBUG_CPU;
	__asm__ volatile("svc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : "r"(x8) : "memory");
	if (info) {
		info->core = (unsigned)x0;
		info->ncpus = (unsigned)x1;
		info->ipis = x2;
		info->ticks = x3;
	}
	return (unsigned)x0;
}

/*
 * Debug builds: powers the machine off. Does not return; should the kernel refuse (a
 * release build), the thread yields forever.
 */
static inline __attribute__((noreturn)) void mica_debug_poweroff(void)
{
	mica_syscall1(SYS_DEBUG_POWEROFF, 0);
	for (;;)
		mica_yield();
}

/*
 * This thread's IPC buffer, or NULL if none was set. The pointer is per thread: it is kept
 * in TPIDR_EL0, which the kernel switches with the thread. A thread's creator sets it with
 * mica_tcb_set_tls(tcb, buffer address) before resuming the thread.
 */
struct ipc_buffer *mica_ipc_buffer(void);

/*
 * Records where the calling thread's IPC buffer is mapped (the root task:
 * bootinfo->ipc_buffer) by writing TPIDR_EL0. Only affects the calling thread.
 */
void mica_set_ipc_buffer(struct ipc_buffer *buf);

/*
 * Ends the program. A process memsrv started asks memsrv to end it (MEMSRV_EXIT: memsrv
 * reclaims everything, the call does not return); a root task prints "exit N" on the debug
 * console and powers the machine off (debug builds), as nothing is left to run.
 */
__attribute__((noreturn)) void mica_exit(int code);
