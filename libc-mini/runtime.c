/*
 * The user-program runtime that crt0 relies on: the IPC buffer pointer (per thread, in
 * TPIDR_EL0), mica_exit and abort.
 */
#include <mica.h>
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
