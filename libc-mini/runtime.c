/*
 * The user-program runtime that crt0 relies on: the IPC buffer pointer (per thread, in
 * TPIDR_EL0), mica_exit and abort.
 */
#include <mica.h>
#include <memsrv_client.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * The IPC buffer pointer is per thread: it lives in TPIDR_EL0, which the kernel saves and
 * restores on every switch. A new thread starts with the value its creator set with
 * TCB_SET_TLS (0 if none), so it needs no code of its own to find its buffer.
 */
struct ipc_buffer *mica_ipc_buffer(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(v));
	return (struct ipc_buffer *)(uintptr_t)v;
}

void mica_set_ipc_buffer(struct ipc_buffer *buf)
{
	__asm__ volatile("msr tpidr_el0, %0" : : "r"((uint64_t)(uintptr_t)buf) : "memory");
}

/* Set by crt0 when the program was started by memsrv (MICA_START_FLAGS_VALID in x3): then
 * its memsrv capability is in slot MICA_MEMSRV_SLOT and ending means MEMSRV_EXIT. */
int mica_started_by_memsrv;

void mica_exit(int code)
{
	if (mica_started_by_memsrv) {
		mem_exit(MICA_MEMSRV_SLOT, code); /* memsrv reclaims everything; no return */
		for (;;)
			mica_yield();
	}
	printf("exit %d\n", code);
	mica_debug_poweroff(); /* a root task: nothing is left to run */
}

void abort(void)
{
	puts("abort");
	mica_exit(-1);
}
