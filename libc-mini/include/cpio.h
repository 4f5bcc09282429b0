/*
 * Reading CPIO "newc" archives (the boot archive of user programs). Read-only, bounds-checked,
 * no allocation; shared by the kernel (finding the root task) and memsrv (spawning).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct cpio_file {
	const char *name; /* NUL-terminated, inside the archive */
	const void *data;
	size_t size;
	uint32_t mode;
};

/*
 * Finds the file called `name` in the archive [archive, archive+len). Returns 0 and fills
 * *out, or -1 if absent or the archive is malformed before it is found.
 */
int cpio_find(const void *archive, size_t len, const char *name, struct cpio_file *out);

/*
 * Iterates: fills *out with entry `index` (0-based, the "TRAILER!!!" entry excluded).
 * Returns 0, or -1 past the end or on a malformed archive.
 */
int cpio_entry(const void *archive, size_t len, unsigned index, struct cpio_file *out);
