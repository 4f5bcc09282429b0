/*
 * Kernel object types, their sizes, and capability rights.
 *
 * Every object is created by retyping untyped memory (UNTYPED_RETYPE) and occupies a
 * naturally aligned power-of-two block of it: 2^obj_size_bits bytes. For untyped and CNode
 * objects the caller chooses the size (for a CNode: the number of slots, 2^size_bits).
 */
#pragma once

enum mica_object_type {
	OBJ_UNTYPED = 1,
	OBJ_TCB = 2,
	OBJ_ENDPOINT = 3,
	OBJ_NOTIFICATION = 4,
	OBJ_CNODE = 5,
	OBJ_FRAME_4K = 6, /* frames and tables: docs/kernel-api-vspace.md */
	OBJ_FRAME_2M = 7,
	OBJ_PAGE_TABLE = 8,
	OBJ_VSPACE = 9,
	OBJ_TYPE_COUNT,
};

#define TCB_SIZE_BITS          11
#define ENDPOINT_SIZE_BITS     5
#define NOTIFICATION_SIZE_BITS 6
#define CNODE_SLOT_BITS        6 /* one slot is 64 bytes */
#define CNODE_MIN_RADIX        1
#define CNODE_MAX_RADIX        16
#define UNTYPED_MIN_BITS       4
#define UNTYPED_MAX_BITS       47
#define FRAME_4K_BITS          12
#define FRAME_2M_BITS          21
#define PAGE_TABLE_BITS        12
#define VSPACE_BITS            12
#define ASID_POOL_BITS         12 /* an ASID pool is a 4 KiB page of 128 entries */
#define ASID_POOL_ENTRIES      128
#define ASID_COUNT             65536 /* software ASIDs; 0 is never assigned */

/* Capability rights (CNODE_COPY/CNODE_MINT mask them; they can only shrink). */
#define RIGHT_READ  (1u << 0) /* endpoint: receive; frame: read */
#define RIGHT_WRITE (1u << 1) /* endpoint: send; frame: write */
#define RIGHT_GRANT (1u << 2) /* endpoint: may transfer a capability with a message */
#define RIGHT_EXEC  (1u << 3) /* frame: execute */
#define RIGHTS_ALL  (RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT | RIGHT_EXEC)

/* Priorities: 0 (lowest, only idle below) .. 255. */
#define PRIO_MAX 255

/* Capability types, as CNODE_IDENTIFY reports them. */
enum mica_cap_type {
	CAP_NULL = 0,
	CAP_UNTYPED = 1,
	CAP_TCB = 2,
	CAP_ENDPOINT = 3,
	CAP_NOTIFICATION = 4,
	CAP_CNODE = 5,
	CAP_FRAME = 6,
	CAP_PAGE_TABLE = 7,
	CAP_VSPACE = 8,
	CAP_REPLY = 9,
	CAP_IRQ_CONTROL = 10,
	CAP_IRQ_HANDLER = 11,
	CAP_ASID_CONTROL = 12,
	CAP_ASID_POOL = 13,
	CAP_KERNEL_INFO = 14,
	CAP_TYPE_COUNT,
};
