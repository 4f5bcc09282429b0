/*
 * Device memory: 4 KiB frames carved out of the device untyped capabilities of the boot info,
 * for the MMIO pages memsrv hands to drivers (today the console UART, console.h).
 */
#pragma once

#include <stdint.h>

#include <mica/bootinfo.h>
#include <mica/syscall.h>

/* Remembers the device untyped capabilities `bi` describes (the page stays mapped). */
void device_init(const struct bootinfo *bi);

/*
 * A capability (in memsrv's CNode, unmapped at first) to the 4 KiB device frame at physical
 * address `paddr`, made on first use and kept for good. Returns 0 and *out, E_ALIGN (paddr
 * not page-aligned), E_INVAL (no device untyped covers it), E_BUSY (its untyped already gave
 * a frame for another address), E_NOMEM (no slots) or the kernel's error.
 */
int device_frame(uint64_t paddr, cptr_t *out);
