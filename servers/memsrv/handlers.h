/*
 * The request layer: one handle_* function per MEMSRV_* label (include/mica/memsrv.h). The
 * dispatcher checks what every request has in common (the label, the message length, the
 * rights the badge carries, the address space named) from a table, then the handler unpacks
 * and checks its own arguments and calls the aspace/process layers. A request that fails a
 * check gets an error and changes nothing.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <mica/syscall.h>

#include "options.h"

/* A message as memsrv received it: MR0.. copied out of the registers and the IPC buffer. */
struct request {
	uint64_t badge;
	uint64_t label;
	unsigned length;
	uint64_t w[MSG_MAX_LENGTH]; /* w[length..] read as 0 */
};

/* What to answer. */
struct reply {
	int err;         /* the reply's label: 0 or a negative error */
	unsigned length; /* words of w to send */
	bool none;       /* the caller is gone (exit, kill of itself, fault kill): no reply */
	uint64_t w[MSG_MAX_LENGTH];
};

/* One request in flight. */
struct call {
	const struct request *rq;
	struct reply *rp;
	struct aspace *as; /* the address space named by w[0], for labels that name one */
};

/* Appends a result word to the reply of `c`. */
static inline void call_put(struct call *c, uint64_t v)
{
	c->rp->w[c->rp->length++] = v;
}

/* Sets the boot options the handlers consult (spawn defaults). */
void handlers_init(const struct memsrv_options *opts);

/* The quota of a new address space when a request asks for the default (memsrv.quota). */
uint64_t handlers_default_quota(void);

/* Handles one message (a request or, through a fault badge, a fault) and fills *rp. */
void handle_message(const struct request *rq, struct reply *rp);
