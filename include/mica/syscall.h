/*
 * System calls and the message format.
 *
 * A system call is `svc #0` with the number in x8. Registers:
 *   x0      in: capability address (cptr) of the endpoint/notification/object;
 *           out: the badge of the capability the message came through
 *   x1      message info (struct below, packed into one word), in and out
 *   x2..x7  message registers MR0..MR5; further words live in the IPC buffer (msg[6..])
 * Every other register is preserved. Object operations are "invocations": a SYS_CALL on a
 * capability to a kernel object, with an invocation label (mica/invocation.h); the reply's
 * label is an error code (mica/errors.h), 0 on success, and its MRs carry the results.
 */
#pragma once

#include <stdint.h>

typedef uint64_t cptr_t;

enum mica_syscall {
	SYS_CALL = 0,       /* send, then wait for the reply (one-shot reply right) */
	SYS_REPLY_RECV = 1, /* reply to the current caller, then receive on x0 */
	SYS_SEND = 2,       /* blocking send; on a notification: signal */
	SYS_NBSEND = 3,     /* send only if a receiver waits (E_WOULDBLOCK otherwise) */
	SYS_RECV = 4,       /* blocking receive; on a notification: wait */
	SYS_NBRECV = 5,     /* receive only if a sender waits; on a notification: poll */
	SYS_REPLY = 6,      /* reply to the current caller */
	SYS_YIELD = 7,      /* give up the rest of the time slice */
	SYS_COUNT_REAL = 8,
	/* Debug builds only. */
	SYS_DEBUG_PUTC = 64,      /* x0 = character, to the kernel console */
	SYS_DEBUG_POWEROFF = 65,  /* power the machine off (tests) */
	SYS_DEBUG_NULL = 66,      /* does nothing: the null system call of the benchmarks */
	SYS_DEBUG_IRQ_RAISE = 67, /* x0 = INTID: makes an SPI pending (tests of IRQ delivery) */
	SYS_DEBUG_AUDIT = 68, /* kernel self-audit: x0 = violations (each printed), x1 = checked */
	SYS_DEBUG_ASYNC = 69, /* x0 = FAULT_ASYNC_*: the next return to user mode takes a
				 virtual SError or FIQ (kernel entered at EL2; else E_STATE) */
	SYS_DEBUG_CPU = 70,   /* -> x0 = the core the caller runs on, x1 = cores online,
				 x2 = reschedule SGIs sent to that core so far, x3 = its ticks */
	SYS_DEBUG_PUTS = 71,  /* x7 = n (<= DEBUG_PUTS_MAX) bytes packed in x0..x6, low byte
				 first, to the kernel console at once: another core's output
				 cannot land inside them. -> x1 = 0, or E_RANGE (n too large),
				 E_INVAL (a byte other than printable ASCII, \t, \n, \r, ESC:
				 nothing written) */
};

#define DEBUG_PUTS_MAX 56 /* bytes of one SYS_DEBUG_PUTS: x0..x6 */

/* SYS_DEBUG_IRQ_RAISE: OR into x0 to make the SPI pending only when the CPU next idles
 * (nothing runnable), so tests can wake a thread out of the idle loop. */
#define DEBUG_IRQ_RAISE_AT_IDLE (1ull << 32)

/*
 * Labels are 52 bits. Kernel errors come back as a label holding a negative error code
 * (mica/errors.h) in 52-bit two's complement; user labels must stay below MSG_LABEL_ERROR_MIN.
 * A notification received through a bound endpoint receive has label MSG_LABEL_NOTIFY and
 * the signalled bits in x0.
 */
#define MSG_LABEL_BITS      52
#define MSG_LABEL_MASK      ((1ull << MSG_LABEL_BITS) - 1)
#define MSG_LABEL_ERROR_MIN (1ull << (MSG_LABEL_BITS - 1))
#define MSG_LABEL_NOTIFY    (MSG_LABEL_ERROR_MIN - 1)

/* Message info word: label(52) | caps_unwrapped(3) | extra_caps(2) | length(7). */
#define MSG_LENGTH_BITS    7
#define MSG_EXTRA_BITS     2
#define MSG_UNWRAPPED_BITS 3
#define MSG_MAX_LENGTH     120 /* words */
#define MSG_MAX_EXTRA_CAPS 1
#define MSG_REGISTERS      6 /* MR0..MR5 travel in x2..x7 */

struct msginfo {
	uint64_t label;
	unsigned length;
	unsigned extra_caps;
	unsigned caps_unwrapped;
};

static inline uint64_t msginfo_pack(uint64_t label, unsigned length, unsigned extra_caps)
{
	return ((label & MSG_LABEL_MASK) << 12) | ((uint64_t)(extra_caps & 3) << 7) |
	       (length & 0x7f);
}

/* The message info word of a kernel error reply. */
static inline uint64_t msginfo_error(int err)
{
	return msginfo_pack((uint64_t)(int64_t)err, 0, 0);
}

static inline struct msginfo msginfo_unpack(uint64_t w)
{
	struct msginfo m = { w >> 12, (unsigned)(w & 0x7f), (unsigned)((w >> 7) & 3),
			     (unsigned)((w >> 9) & 7) };
	return m;
}

/*
 * The IPC buffer: one per thread, in a frame the thread configured (TCB_CONFIGURE).
 * msg[0..5] are unused (those words travel in registers); the kernel copies msg[6..length)
 * between buffers. To send a capability, put its cptr in caps[0] and set extra_caps = 1;
 * the receiver names the slot it accepts one into with receive_cnode/receive_index (a CNode
 * capability in its own CSpace and an index in it; receive_cnode = 0 accepts none). A
 * received capability arrives there; if it is the receiver's own endpoint, only its badge
 * arrives, in caps[0], with caps_unwrapped bit 0 set.
 */
struct ipc_buffer {
	uint64_t tag;
	uint64_t msg[MSG_MAX_LENGTH];
	uint64_t user_data;
	uint64_t caps[MSG_MAX_EXTRA_CAPS];
	uint64_t receive_cnode;
	uint64_t receive_index;
};
