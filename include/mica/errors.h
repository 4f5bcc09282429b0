/*
 * Error codes shared by the kernel, libc-mini and every server.
 *
 * E_OK is 0; every error is negative. An invocation that fails returns its code as the
 * label of the reply message and changes nothing. mica_strerror gives each a name.
 */
#pragma once

enum mica_error {
	E_OK = 0,
	E_INVAL = -1,        /* an argument's value is not acceptable */
	E_RANGE = -2,        /* a number is out of its range (size bits, priority, index) */
	E_ALIGN = -3,        /* an address or size is misaligned */
	E_LOOKUP = -4,       /* a capability address does not resolve (guard, depth, not a CNode) */
	E_NOCAP = -5,        /* the addressed slot is empty */
	E_TYPE = -6,         /* the capability is of the wrong type for this operation */
	E_RIGHTS = -7,       /* the capability lacks a right the operation needs */
	E_LABEL = -8,        /* the invocation label is not valid for this capability type */
	E_DELETE_FIRST = -9, /* the destination slot is occupied */
	E_REVOKE_FIRST = -10, /* the object still has derived capabilities or children */
	E_NOMEM = -11,        /* not enough room in the untyped memory */
	E_MSGSIZE = -12,      /* message length or capability count out of range */
	E_WOULDBLOCK = -13,   /* a non-blocking operation found no partner */
	E_DELETED = -14,      /* the object was deleted while the thread waited on it */
	E_BUSY = -15,         /* the resource is already claimed (IRQ has a handler, ...) */
	E_STATE = -16,        /* the object is in the wrong state (no caller to reply to, ...) */
	E_SYSCALL = -17,      /* unknown system call (only seen in fault messages) */
	E_MAPPED = -18,       /* the frame or table is already mapped */
	E_NOTABLE = -19,      /* an intermediate translation table is missing */
	E_NOASID = -20,       /* the address space has no ASID */
	E_NOTMAPPED = -21,    /* nothing is mapped there */
	E_WX = -22,           /* writable and executable together (W^X) */
	E_ERRORS_END = -23,
};

/* The name of an error code ("E_NOCAP"), or "E_UNKNOWN". */
static inline const char *mica_strerror(int err)
{
	static const char *const names[] = {
		"E_OK",           "E_INVAL",     "E_RANGE",   "E_ALIGN",      "E_LOOKUP",
		"E_NOCAP",        "E_TYPE",      "E_RIGHTS",  "E_LABEL",      "E_DELETE_FIRST",
		"E_REVOKE_FIRST", "E_NOMEM",     "E_MSGSIZE", "E_WOULDBLOCK", "E_DELETED",
		"E_BUSY",         "E_STATE",     "E_SYSCALL", "E_MAPPED",     "E_NOTABLE",
		"E_NOASID",       "E_NOTMAPPED", "E_WX",
	};
	if (err > 0 || err <= E_ERRORS_END)
		return "E_UNKNOWN";
	return names[-err];
}
