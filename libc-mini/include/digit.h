/* Digit values for number parsing (kernel and user space alike; header only). */
#pragma once

/* The value of a decimal or hexadecimal digit (either case), or 16 for anything else, so
 * `digit_value(c) < base` tests a digit for any base up to 16. */
static inline unsigned digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned)(c - 'A' + 10);
	return 16;
}
