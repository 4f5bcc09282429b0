/*
 * The boot-info page: what the kernel tells the root task about the capabilities it got.
 *
 * Mapped read-only in the root task at the address in x0 when it starts. The root task's
 * CSpace is one CNode of 2^root_cnode_bits slots, addressed directly by slot index
 * (cptr == index). Fixed slots hold the root task's own objects; ranges describe the rest.
 */
#pragma once

#include <stdint.h>

#define BOOTINFO_MAGIC       0x4f464e49414349ull /* "MICAINFO" (7 bytes) */
#define BOOTINFO_MAX_UNTYPED 192
#define BOOTINFO_CMDLINE_MAX 256

enum bootinfo_slot {
	SLOT_NULL = 0,
	SLOT_INIT_TCB = 1,
	SLOT_INIT_CNODE = 2,
	SLOT_INIT_VSPACE = 3,
	SLOT_IRQ_CONTROL = 4,
	SLOT_ASID_CONTROL = 5,
	SLOT_INIT_ASID_POOL = 6,
	SLOT_IPC_BUFFER = 7,  /* the frame of the root task's IPC buffer */
	SLOT_BOOTINFO = 8,    /* the frame of this page */
	SLOT_KERNEL_INFO = 9, /* kernel counters (KERNEL_INFO_STATS) */
	SLOT_FIRST_FREE_FIXED = 10,
};

struct slot_range {
	uint64_t start; /* first slot */
	uint64_t end;   /* one past the last */
};

struct untyped_desc {
	uint64_t paddr;
	uint8_t size_bits;
	uint8_t is_device;
	uint8_t pad[6];
};

struct bootinfo {
	uint64_t magic;
	uint64_t root_cnode_bits;
	struct slot_range empty;        /* free slots of the root CNode */
	struct slot_range untyped;      /* untyped capabilities, described by untyped_list */
	struct slot_range image_frames; /* frames of the root task's own image, stack, ... */
	struct slot_range page_tables;  /* the tables of the root task's VSpace */
	struct untyped_desc untyped_list[BOOTINFO_MAX_UNTYPED];
	uint64_t ipc_buffer; /* virtual address of the root task's IPC buffer */
	uint64_t archive;    /* virtual address of the boot archive (CPIO newc) */
	uint64_t archive_size;
	uint64_t timer_hz;     /* counter frequency (CNTFRQ_EL0) */
	uint64_t tick_hz;      /* scheduler tick */
	uint32_t max_priority; /* the root task's priority and max priority */
	uint32_t debug_build;
	uint64_t uart_paddr; /* the console UART (PL011), for a user-mode driver */
	uint32_t uart_irq;   /* its interrupt (INTID) */
	uint32_t pad;
	char cmdline[BOOTINFO_CMDLINE_MAX]; /* the kernel's boot arguments */
};
