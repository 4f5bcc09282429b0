#include "pl011.h"

#include <arch/board.h>
#include <arch/memlayout.h>
#include <arch/mmio.h>
#include <arch/sysreg.h>

#include "arch.h"

#define UART_DR    0x00
#define UART_FR    0x18
#define UART_LCR_H 0x2c
#define UART_CR    0x30
#define UART_IMSC  0x38
#define UART_ICR   0x44

#define FR_RXFE    BIT(4)
#define FR_TXFF    BIT(5)
#define LCR_FEN    BIT(4)
#define LCR_WLEN8  (3u << 5)
#define CR_UARTEN  BIT(0)
#define CR_TXE     BIT(8)
#define CR_RXE     BIT(9)
#define INT_RX     BIT(4)
#define INT_RT     BIT(6) /* receive timeout: characters waiting below the FIFO level */

/* Only for the first lines of output, before the device tree is read: the board's UART
 * (BOARD_EARLY_UART_PA, arch/board.h), reachable through the boot translation table. */
static uintptr_t base = KERNEL_VA_OFFSET + BOARD_EARLY_UART_PA;

void pl011_init(uint64_t pa)
{
	base = (uintptr_t)phys_to_virt(pa);
	mmio_write32(base + UART_CR, 0);
	mmio_write32(base + UART_LCR_H, LCR_FEN | LCR_WLEN8);
	mmio_write32(base + UART_ICR, 0x7ff);
	mmio_write32(base + UART_IMSC, INT_RX | INT_RT);
	mmio_write32(base + UART_CR, CR_UARTEN | CR_TXE | CR_RXE);
}

void pl011_putc(char c)
{
	while (mmio_read32(base + UART_FR) & FR_TXFF)
		;
	mmio_write32(base + UART_DR, (uint8_t)c);
}

void pl011_irq(void)
{
	while (!(mmio_read32(base + UART_FR) & FR_RXFE))
		kernel_console_rx((char)(mmio_read32(base + UART_DR) & 0xff));
	mmio_write32(base + UART_ICR, INT_RX | INT_RT);
}

void arch_console_putc(char c)
{
	pl011_putc(c);
}
