/*
 * The user-program runtime that crt0 relies on: the IPC buffer pointer, mica_exit and abort.
 */
#include <mica.h>
#include <stdio.h>
#include <stdlib.h>

static struct ipc_buffer *ipc_buffer;

struct ipc_buffer *mica_ipc_buffer(void)
{
	return ipc_buffer;
}

void mica_set_ipc_buffer(struct ipc_buffer *buf)
{
	ipc_buffer = buf;
}

void mica_exit(int code)
{
	printf("exit %d\n", code);
	mica_debug_poweroff();
}

void abort(void)
{
	puts("abort");
	for (;;)
		mica_yield();
}
