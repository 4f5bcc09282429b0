/*
 * The few facts about a board the kernel needs before it can read the device tree. One
 * kernel image is built per board (kernel/meson.build compiles the same sources once per
 * board with -DBOARD_<NAME>); everything else about the machine comes from the device tree
 * at run time. docs/boards.md says why there is one image per board.
 *
 *   BOARD_NAME            printed in the banner
 *   KERNEL_PHYS_BASE      where the image is linked and loaded (RAM base + 2 MiB: QEMU puts
 *                         the DTB at the base of RAM, below the lowest loadable segment)
 *   BOARD_DTB_FALLBACK_PA where QEMU put the DTB when the loader passed 0 in x0 (ELF boot)
 *   BOARD_EARLY_UART_PA   the PL011 used for the first lines, before the device tree
 *   BOOT_RAM_GIB          the 1 GiB slot of the physical address space holding the image and
 *                         the DTB, mapped Normal by the boot table (2 MiB blocks) ...
 *   BOOT_RAM_DEVICE_FROM  ... except its 2 MiB blocks from this index on (512: none), which
 *                         are peripherals inside that GiB and mapped Device
 *   BOOT_DEVICE_GIB       the 1 GiB slot mapped Device (early UART, interrupt controller)
 */
#pragma once

#if defined(BOARD_RASPI3B)
#define BOARD_NAME            "raspi3b"
#define KERNEL_PHYS_BASE      0x00200000
#define BOARD_DTB_FALLBACK_PA 0x00000000
#define BOARD_EARLY_UART_PA   0x3f201000
#define BOOT_RAM_GIB          0
#define BOOT_RAM_DEVICE_FROM  504 /* 0x3f00_0000: the BCM2837 peripherals */
#define BOOT_DEVICE_GIB       1
#elif defined(BOARD_VIRT)
#define BOARD_NAME            "virt"
#define KERNEL_PHYS_BASE      0x40200000
#define BOARD_DTB_FALLBACK_PA 0x40000000
#define BOARD_EARLY_UART_PA   0x09000000
#define BOOT_RAM_GIB          1
#define BOOT_RAM_DEVICE_FROM  512
#define BOOT_DEVICE_GIB       0
#else
#error "no board: build with -DBOARD_VIRT or -DBOARD_RASPI3B (kernel/meson.build does)"
#endif

#ifndef __ASSEMBLER__
/* The physical range the boot table maps Normal; the DTB must lie inside it. */
#define BOOT_RAM_START ((unsigned long)BOOT_RAM_GIB << 30)
#define BOOT_RAM_END   (BOOT_RAM_START + ((unsigned long)BOOT_RAM_DEVICE_FROM << 21))
#endif
