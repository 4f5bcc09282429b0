/*
 * The console: the UART memsrv hands to one process (memsrv.uart=NAME; by default the shell),
 * so that a user-mode driver owns the serial line. docs/memsrv.md, "Console".
 *
 * The process gets the UART's registers as a one-page VMA of kind VMA_DEVICE (read-write,
 * never executable) right above its IPC buffer, so that both share the L3 table the IPC
 * buffer's mapping installed; the UART's IRQ handler (claimed with IRQ_CONTROL_GET) in
 * MEMSRV_SLOT_UART_IRQ; a notification badged MEMSRV_NTFN_UART in MEMSRV_SLOT_UART_NTFN; and
 * the UART's address in x2 at entry. memsrv keeps the notification and signals
 * MEMSRV_NTFN_PROCESS on it whenever another process ends.
 *
 * The device page is not RAM: it is not counted in RESIDENT_PAGES (the kernel's MAPPED_PAGES
 * does count it), memsrv's page records do not hold it, and it is unmapped by
 * console_release before the address space goes.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "aspace.h"

/* Remembers the UART's physical address and interrupt (from the boot info). */
void console_init(uint64_t uart_paddr, uint32_t uart_irq);

/*
 * Gives the console to the process of `as` (its CNode made, its thread not started), with the
 * UART page at `va` (page-aligned, free, in the L3 table of a resident page). Returns 0 and
 * *regs (the UART's address, for x2), or E_BUSY (another process has it), E_INVAL (no UART),
 * E_NOMEM or the kernel's error; on error, console_release(as) undoes what was done.
 */
int console_grant(struct aspace *as, uint64_t va, uint64_t *regs);

/* Takes the console back from `as` if it has it: the device page is unmapped. */
void console_release(struct aspace *as);

/* Whether `va` of `as` is the console's device page. */
bool console_page(const struct aspace *as, uint64_t va);

/* Device pages mapped in `as` (1 for the console process, else 0). */
unsigned console_device_pages(const struct aspace *as);

/* The physical address of the console's device page (the UART's page). */
uint64_t console_page_paddr(void);

/* Tells the console process (if there is one, and it is not `as`) that `as`'s process ended. */
void console_process_ended(const struct aspace *as);
