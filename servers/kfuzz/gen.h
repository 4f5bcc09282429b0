/*
 * kfuzz's call generator: a pure function from (seed, operation index) to the system calls
 * of that operation. It reads no kernel result, so the same seed always gives the same call
 * sequence, whatever the kernel answers, and a campaign can resume at any call after the
 * fuzzer was restarted. Host-tested (tests/unit/test_kfuzz_gen.c).
 *
 * An operation is one to FZ_OP_MAX calls: one invocation, a retype that replenishes the
 * pool, an IPC call, a raw system call, a short sequence that builds something (start a
 * helper thread, map tables and a frame, catch a caller's reply right), a delete/revoke
 * storm, or, rarely, a self-destructive call on the fuzzer's own capabilities. About one
 * call in five is then made hostile (fz_mutate): a wrong label, length, capability count,
 * cptr or argument.
 */
#pragma once

#include <stdint.h>

#define FZ_OP_MAX  16 /* calls per operation, at most */
#define FZ_BUF_MAX 8  /* IPC-buffer words (msg[6..]) a call sets; later words are filler */

/* What a call is meant as: an invocation, IPC, or a raw system call (for the label ids). */
enum fz_kind {
	FZ_K_INVOKE,
	FZ_K_IPC,
	FZ_K_RAW,
};

/* One system call, fully described. */
struct fz_call {
	uint64_t nr;   /* system-call number (x8) */
	uint64_t cptr; /* x0 */
	uint64_t label;
	unsigned length;     /* 0..127 words */
	unsigned extra_caps; /* 0..3 */
	unsigned unwrapped;  /* 0..7: the info word's caps_unwrapped bits, sent as given */
	unsigned kind;       /* enum fz_kind */
	uint64_t raw_info;   /* FZ_K_RAW: the info word as is */
	uint64_t mr[6];
	uint64_t buf[FZ_BUF_MAX]; /* msg[6..6+FZ_BUF_MAX) of the IPC buffer */
	uint64_t cap0;            /* the IPC buffer's caps[0] */
	uint64_t recv_cnode, recv_index;
	/* A helper's IPC buffer (FZ_HELPER_IPC_VA(helper_buf), 0: none) to prepare as well:
	 * the capability it sends back (caps[0]) and where it accepts one. */
	unsigned helper_buf;
	uint64_t helper_cap0, helper_recv_index;
};

struct fz_op {
	unsigned n;
	struct fz_call call[FZ_OP_MAX];
};

/* Where helper threads may be started (addresses in the fuzzer's space). */
struct fz_gen_env {
	uint64_t seed;
	uint64_t helper_echo, helper_caller;
};

/* Fills *out with the calls of operation `op` of the campaign env->seed. */
void fz_gen_op(const struct fz_gen_env *env, uint64_t op, struct fz_op *out);

/* Every invocation label of mica/invocation.h: the labels calls are drawn from (a label
 * valid for some object type, but maybe not the one invoked). */
extern const uint64_t fz_labels[];
extern const unsigned fz_label_count;

/* The info word (x1) of call *c. */
uint64_t fz_call_info(const struct fz_call *c);

/*
 * The coverage label id of call *c, 0..FZ_LABEL_IDS-1: an invocation's label (one of
 * mica/invocation.h, or FZ_ID_BAD_LABEL for any other label), 128 + nr for the system calls 0..7
 * used as IPC, 136 + (nr - 64) for the debug calls, FZ_ID_BAD_SYSCALL for unknown numbers.
 */
unsigned fz_label_id(const struct fz_call *c);
#define FZ_ID_BAD_LABEL   127
#define FZ_ID_IPC         128
#define FZ_ID_DEBUG       136
#define FZ_ID_BAD_SYSCALL 145

/* The coverage result id of a returned info word: 0 success, 1..22 the error code's
 * magnitude, 24 a message's (non-error) label, 23 an unknown error. */
unsigned fz_result_id(uint64_t info);

/* The band (enum fz_band) a slot belongs to, or FZ_BANDS for the fixed slots. */
unsigned fz_slot_band(uint64_t slot);
