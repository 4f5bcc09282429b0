/*
 * argtest: started with string arguments (MEMSRV_SPAWN_ARGV), prints each and exits with a
 * digest of what it got, so memtest can check argc, every byte and the terminating NULL:
 * bits 0..7 argc, bits 8..15 the total length, bits 16..23 a sum of the bytes, bit 24 set if
 * argv[argc] is not NULL.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	unsigned length = 0, sum = 0;
	for (int i = 0; i < argc; i++) {
		printf("argtest: argv[%d] = \"%s\"\n", i, argv[i]);
		for (const char *s = argv[i]; *s; s++) {
			length++;
			sum += (unsigned char)*s;
		}
	}
	unsigned bad_end = argv[argc] != NULL;
	return (int)((argc & 0xff) | (length & 0xff) << 8 | (sum & 0xff) << 16 | bad_end << 24);
}
