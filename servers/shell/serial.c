/*
 * The PL011 driver. Receive: drain the FIFO first, and sleep on the notification only when it
 * is empty. A byte that arrives after the drain raises the (level) interrupt, which wakes the
 * sleeper at once; on a wake the interrupt is cleared in the UART and acknowledged in the
 * kernel, then the FIFO is drained again, so no byte is left waiting for a second interrupt.
 */
#include "serial.h"

#include <mica.h>
#include <mica_invoke.h>

/* PL011 registers (32-bit word indexes) and bits. */
#define UART_DR   (0x00 / 4)
#define UART_FR   (0x18 / 4)
#define UART_IMSC (0x38 / 4)
#define UART_ICR  (0x44 / 4)
#define FR_RXFE   (1u << 4)
#define FR_TXFF   (1u << 5)
#define INT_RX    (1u << 4)
#define INT_RT    (1u << 6) /* receive timeout: bytes waiting below the FIFO trigger level */

int serial_init(struct serial *s, volatile void *regs, cptr_t irq_handler, cptr_t ntfn,
		uint64_t irq_bits)
{
	s->regs = regs;
	s->irq_handler = irq_handler;
	s->ntfn = ntfn;
	s->irq_bits = irq_bits;
	s->events = 0;
	s->interrupts = 0;
	s->regs[UART_ICR] = INT_RX | INT_RT;
	s->regs[UART_IMSC] = INT_RX | INT_RT;
	int err = mica_irq_handler_set_notification(irq_handler, ntfn);
	if (err)
		return err;
	return mica_irq_handler_ack(irq_handler);
}

static void put(struct serial *s, char c)
{
	while (s->regs[UART_FR] & FR_TXFF)
		;
	s->regs[UART_DR] = (uint8_t)c;
}

void serial_write(struct serial *s, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n')
			put(s, '\r');
		put(s, buf[i]);
	}
}

/* Copies what the receive FIFO holds into buf (at most max bytes). */
static size_t drain(struct serial *s, uint8_t *buf, size_t max)
{
	size_t n = 0;
	while (n < max && !(s->regs[UART_FR] & FR_RXFE))
		buf[n++] = (uint8_t)s->regs[UART_DR];
	return n;
}

size_t serial_read(struct serial *s, uint8_t *buf, size_t max, uint64_t *events)
{
	for (;;) {
		size_t n = drain(s, buf, max);
		if (n || s->events) {
			*events |= s->events;
			s->events = 0;
			return n;
		}
		struct mica_msg msg;
		uint64_t bits = 0;
		if (mica_msg_error(mica_recv(s->ntfn, &msg, &bits))) /* sleep until signalled */
			return 0; /* the notification is gone: nothing will ever arrive */
		s->events |= bits & ~s->irq_bits;
		if (bits & s->irq_bits) {
			s->interrupts++;
			s->regs[UART_ICR] = INT_RX | INT_RT;
			mica_irq_handler_ack(s->irq_handler);
		}
	}
}
