/* The PL011 UART as the kernel console. */
#pragma once

#include <stdint.h>

/* Uses the PL011 at physical `pa` (mapped in the kernel window) from now on: enables it
 * with the receive interrupt unmasked. */
void pl011_init(uint64_t pa);

/* Writes one character, waiting while the transmit FIFO is full. */
void pl011_putc(char c);

/* Drains the receive FIFO into kernel_console_rx and clears the interrupt. */
void pl011_irq(void);
