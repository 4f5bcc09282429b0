/*
 * The smallest root task: proves that user space runs. Prints what the boot-info page says,
 * makes the null system call, then retypes a notification from the first RAM untyped and
 * waits on it for good, leaving the machine to the kernel's debug keys (t, q).
 * With bootarg `hello=poweroff` it powers the machine off instead of waiting.
 */
#include <mica.h>
#include <mica/bootinfo.h>
#include <mica/objects.h>
#include <mica_invoke.h>
#include <stdio.h>
#include <string.h>

static void print_untypeds(const struct bootinfo *bi)
{
	uint64_t n = bi->untyped.end - bi->untyped.start;
	for (uint64_t i = 0; i < n && i < BOOTINFO_MAX_UNTYPED; i++) {
		const struct untyped_desc *u = &bi->untyped_list[i];
		printf("hello:   slot %lu: untyped at %#lx, 2^%u bytes%s\n",
		       (unsigned long)(bi->untyped.start + i), (unsigned long)u->paddr,
		       u->size_bits, u->is_device ? ", device" : "");
	}
}

/* Retypes a notification into the first free slot and waits on it: nothing ever signals. */
static __attribute__((noreturn)) void wait_forever(const struct bootinfo *bi)
{
	cptr_t ntfn = bi->empty.start;
	for (uint64_t i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
		if (bi->untyped_list[i].is_device)
			continue;
		int err = mica_untyped_retype(bi->untyped.start + i, OBJ_NOTIFICATION, 0,
					      SLOT_INIT_CNODE, ntfn, 1);
		if (err) {
			printf("hello: retype failed: %d\n", err);
			break;
		}
		printf(
		    "hello: waiting on notification %lu (kernel keys: t = ticks, q = power off)\n",
		    (unsigned long)ntfn);
		struct mica_msg msg;
		uint64_t bits;
		for (;;)
			mica_recv(ntfn, &msg, &bits);
	}
	for (;;)
		mica_yield();
}

/* Entry from crt0: `arg` is the boot-info page. Powers off; returns only on a bad page. */
int main(void *arg)
{
	const struct bootinfo *bi = arg;
	if (!bi || bi->magic != BOOTINFO_MAGIC) {
		printf("hello: no boot-info page at %p\n", arg);
		return 1;
	}
	mica_set_ipc_buffer((struct ipc_buffer *)bi->ipc_buffer);
	printf("hello: root task up, bootinfo at %p, %u untypeds, cnode 2^%u slots\n", arg,
	       (unsigned)(bi->untyped.end - bi->untyped.start), (unsigned)bi->root_cnode_bits);
	print_untypeds(bi);
	mica_debug_null();
	printf("hello: null system call done\n");
	if (strstr(bi->cmdline, "hello=poweroff")) {
		printf("hello: powering off\n");
		mica_debug_poweroff();
	}
	wait_forever(bi);
}
