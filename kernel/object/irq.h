/* IRQ control and IRQ handler capabilities: interrupts delivered as notification bits. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct notification;

/* Called when the last IRQ handler capability for `intid` is deleted: masks the interrupt
 * and forgets its notification, so IRQ_CONTROL_GET can hand it out again. */
void irq_handler_finalise(uint32_t intid);

/* Delivers a user-owned interrupt: masks it and signals its notification. Returns false if
 * no handler capability claims `intid`. */
bool irq_deliver(uint32_t intid);

/* True if some IRQ handler capability claims `intid`. */
bool irq_is_claimed(uint32_t intid);

/* Unbinds every IRQ handler that signals `ntfn` (it is being destroyed). */
void irq_forget_notification(struct notification *ntfn);
