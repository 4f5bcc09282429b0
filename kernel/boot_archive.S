/*
 * The boot archive (a CPIO newc of the user programs, built by servers/meson.build with
 * scripts/mkcpio.py), linked into the kernel's read-only data between boot_archive_start
 * and boot_archive_end. It starts on a page and is padded to a whole page, so its pages can
 * be handed to user space without exposing any other kernel data.
 *
 * bootarchive.h is generated with the archive (it defines BOOT_ARCHIVE_PATH); including it
 * makes the compiler's dependency file rebuild this object whenever the archive is rebuilt,
 * which .incbin alone would not. The "R" flag (SHF_GNU_RETAIN) keeps the section under
 * --gc-sections even before any C code refers to it.
 */
#include "bootarchive.h"

	.section .rodata.archive, "aR"
	.balign 4096
	.global boot_archive_start
	.type boot_archive_start, %object
boot_archive_start:
	.incbin BOOT_ARCHIVE_PATH
	.global boot_archive_end
	.type boot_archive_end, %object
boot_archive_end:
	.size boot_archive_start, boot_archive_end - boot_archive_start
	.balign 4096
