/*
 * Boot arguments: the /chosen/bootargs string of the device tree (QEMU's -append), as
 * space-separated `key=value` or bare `key` words.
 */
#pragma once

struct fdt;

/* Copies and splits /chosen/bootargs (at most BOOTARGS_MAX - 1 bytes; the rest is dropped). */
void bootargs_init(const struct fdt *fdt);

/* Splits `line` (copied) into words; used by bootargs_init and the unit tests. */
void bootargs_parse(const char *line);

/* The whole boot argument string as given. */
const char *bootargs_raw(void);

/* The value of `key` ("" for a bare word), or NULL if it was not given. Last one wins. */
const char *bootargs_get(const char *key);

#define BOOTARGS_MAX 256
