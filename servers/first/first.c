/*
 * first: the first program of docs/first-program.md. It prints its arguments, asks memsrv
 * about its own address space, and exits with the number of arguments it got.
 */
#include <memsrv_client.h>
#include <mica.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	uint64_t s[MEMSRV_STAT_COUNT];

	for (int i = 0; i < argc; i++)
		printf("first: argv[%d] = %s\n", i, argv[i]);
	int err = mem_stats(MICA_MEMSRV_SLOT, 0, s);
	if (err) {
		printf("first: mem_stats: %s\n", mica_strerror(err));
		return 1;
	}
	printf("first: I am process %lu, %lu pages resident, quota %lu\n",
	       (unsigned long)s[MEMSRV_STAT_AS_ID], (unsigned long)s[MEMSRV_STAT_RESIDENT_PAGES],
	       (unsigned long)s[MEMSRV_STAT_QUOTA_PAGES]);
	return argc - 1;
}
