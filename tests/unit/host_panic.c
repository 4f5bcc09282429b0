/* The kernel's panic() for host unit tests that link kernel files: print and abort, so
 * the test fails under the sanitizers' runner with the kernel's message. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "console.h"

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "panic: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}
