/*
 * A user-mode PL011 driver: the shell's serial line.
 *
 * The UART's registers are a device page mapped in the shell's address space; its interrupt
 * arrives as bits on a notification through an IRQ handler capability. Receive is
 * interrupt-driven: the reader sleeps on the notification while the line is idle, drains the
 * receive FIFO when woken, then acknowledges the interrupt. Transmit polls the FIFO-full flag
 * (the FIFO is 32 bytes; output is short).
 *
 * The notification may carry other bits besides the interrupt's (memsrv signals process ends
 * on it): serial_read hands those back as events instead of losing them.
 */
#pragma once

#include <mica/syscall.h>
#include <stddef.h>
#include <stdint.h>

struct serial {
	volatile uint32_t *regs; /* the mapped PL011 */
	cptr_t irq_handler;
	cptr_t ntfn;
	uint64_t irq_bits;   /* the bits the interrupt sets on ntfn (the badge it was given) */
	uint64_t events;     /* other bits received and not yet handed out */
	uint64_t interrupts; /* receive interrupts taken */
};

/*
 * Takes over the UART at `regs`: receive interrupts on, signalled to `ntfn` (whose badge,
 * `irq_bits`, becomes the interrupt's bits) through `irq_handler`. Returns 0 or the error of
 * the IRQ handler invocation.
 */
int serial_init(struct serial *s, volatile void *regs, cptr_t irq_handler, cptr_t ntfn,
		uint64_t irq_bits);

/* Writes `n` bytes, turning "\n" into "\r\n". */
void serial_write(struct serial *s, const char *buf, size_t n);

/*
 * Waits until at least one byte arrives or another bit is signalled on the notification.
 * Returns up to `max` received bytes (0 if only events came) and ORs the other bits into
 * *events.
 */
size_t serial_read(struct serial *s, uint8_t *buf, size_t max, uint64_t *events);
