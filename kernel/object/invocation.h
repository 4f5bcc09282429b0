/*
 * The invocation being decoded: who called, through which capability, with what label and
 * arguments. Every decode_*_invocation() checks all arguments first and returns an error
 * without changing anything; only then does it call the invoke step, which cannot fail.
 * Results are written with inv_set_result and returned to the caller as MR0...
 */
#pragma once

#include <stdint.h>

#include "object/cap.h"
#include "object/tcb.h"

struct invocation {
	struct tcb *caller;
	struct cte *slot; /* the invoked capability's slot */
	struct cap cap;   /* and the capability itself */
	uint64_t label;
	unsigned nargs;    /* message length in words */
	unsigned nresults; /* set by inv_set_result */
};

/* Argument i (MR i) of the invocation; 0 past the message length. */
static inline uint64_t inv_arg(const struct invocation *inv, unsigned i)
{
	return i < inv->nargs ? tcb_get_mr(inv->caller, i) : 0;
}

/* Sets result word i of the reply. */
static inline void inv_set_result(struct invocation *inv, unsigned i, uint64_t v)
{
	tcb_set_mr(inv->caller, i, v);
	if (i + 1 > inv->nresults)
		inv->nresults = i + 1;
}

/* Dispatches on the capability type to the decode function of that object type. */
int decode_invocation(struct invocation *inv);

int decode_untyped_invocation(struct invocation *inv);
int decode_cnode_invocation(struct invocation *inv);
int decode_irq_control_invocation(struct invocation *inv);
int decode_irq_handler_invocation(struct invocation *inv);
