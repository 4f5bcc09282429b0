/*
 * memsrv: the memory server and root task. It owns every RAM untyped capability, every
 * address space (VSpace, ASID, VMA tree, pages and tables), and is the pager of every thread
 * it starts. docs/memsrv.md describes its IPC API; include/mica/memsrv.h is the protocol.
 *
 * Boot: take the untyped memory, make the endpoint, start the programs named by
 * memsrv.spawn=... (without it: the shell, with the control right and the console UART),
 * then serve requests and faults for good: one receive loop over a handler table
 * (handlers.c).
 */
#include <mica.h>
#include <mica/bootinfo.h>
#include <mica/memsrv.h>
#include <mica/objects.h>
#include <mica_invoke.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "aspace.h"
#include "console.h"
#include "cores.h"
#include "device.h"
#include "handlers.h"
#include "layout.h"
#include "names.h"
#include "objects.h"
#include "options.h"
#include "process.h"

static struct memsrv_options options;
static struct request request;
static struct reply reply;
static cptr_t endpoint;
static uint64_t boot_free_frames;
static bool spawned_any;
static bool debug_build; /* SYS_DEBUG_POWEROFF exists */

/* Free frames as MEMSRV_GSTAT_FREE_FRAMES counts them. */
static uint64_t free_frames(void)
{
	struct aspace_totals t = aspace_totals();
	return alloc_stats().total_frames - (t.resident + t.table_pages + t.live);
}

static uint64_t counter(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

/* Starts the programs of memsrv.spawn in order; a failure is reported and skipped. */
static void spawn_boot_programs(void)
{
	for (unsigned i = 0; i < options.spawn.count; i++) {
		const char *name = options.spawn.names[i];
		struct spawn_args a = {
			.name = name,
			.priority = PROCESS_DEFAULT_PRIO,
			.arg = options.arg,
			.quota = options.quota,
			.control = options_has(&options.control, name),
			.console = options_has(&options.uart, name),
		};
		struct aspace *as;
		int err = process_spawn(&a, &as);
		if (err) {
			printf("memsrv: cannot start '%s': %s\n", name, mica_strerror(err));
			continue;
		}
		spawned_any = true;
		printf("memsrv: started '%s' as process %u%s%s, stack %#lx, IPC buffer %#lx, "
		       "core %u\n",
		       name, as->id, a.control ? " (control)" : "", a.console ? " (console)" : "",
		       (unsigned long)as->proc.stack, (unsigned long)as->proc.ipc_buffer,
		       process_core(as));
	}
}

/* memsrv.failalloc: armed after memsrv's own set-up, so it counts from the boot programs. */
static void arm_fault_injection(void)
{
	if (!options.fail_nth)
		return;
#if MEMSRV_DEBUG
	alloc_inject_arm(options.fail_nth, options.fail_every);
	printf("memsrv: fault injection: allocation %lu fails", (unsigned long)options.fail_nth);
	if (options.fail_every)
		printf(", then every %lu-th", (unsigned long)options.fail_every);
	printf("\n");
#else
	printf("memsrv: memsrv.failalloc ignored: a release build has no fault injection\n");
#endif
}

/* Learns the cores online from the kernel and starts placing threads on them (cores.h). */
static int init_cores(void)
{
	uint64_t k[KSTAT_COUNT];
	int err = mica_kernel_stats(SLOT_KERNEL_INFO, k);
	if (err)
		return err;
	int64_t fixed = options.have_core ? (int64_t)options.core : -1;
	if (options.have_core && options.core >= k[KSTAT_CPUS_ONLINE])
		printf("memsrv: memsrv.core=%lu is not online (%lu cores): core 0 instead\n",
		       (unsigned long)options.core, (unsigned long)k[KSTAT_CPUS_ONLINE]);
	cores_init(&cores, k[KSTAT_CPUS_ONLINE], fixed);
	return E_OK;
}

/* Everything before the first request. Returns 0 or the error that stops memsrv. */
static int boot(const struct bootinfo *bi)
{
	int bad = options_parse(bi->cmdline, &options);
	options_apply_defaults(&options);
	debug_build = bi->debug_build != 0;
	if (bad)
		printf("memsrv: ignored %d malformed memsrv.* boot argument(s)\n", bad);
	layout_seed(options.have_seed ? options.seed : counter());
	handlers_init(&options);
	objects_init();
	names_init();
	device_init(bi);
	console_init(bi->uart_paddr, bi->uart_irq);
	int err = init_cores();
	if (!err)
		err = alloc_init(bi);
	if (!err)
		err = aspace_init(alloc_stats().total_frames);
	aspace_set_live_max(options.as_max);
	if (!err)
		err = alloc_retype(OBJ_ENDPOINT, 0, &endpoint);
	if (err)
		return err;
	process_init(endpoint, (const void *)(uintptr_t)bi->archive, bi->archive_size);
	boot_free_frames = free_frames();
	printf("memsrv: up, %lu frames of RAM, seed %s, ASLR %u bits, %u core%s",
	       (unsigned long)alloc_stats().total_frames, options.have_seed ? "fixed" : "counter",
	       LAYOUT_ASLR_BITS, cores.online, cores.online == 1 ? "" : "s");
	if (cores.fixed >= 0)
		printf(" (processes on core %d: memsrv.core)\n", cores.fixed);
	else
		printf(" (processes spread over them)\n");
	arm_fault_injection();
	spawn_boot_programs();
	return E_OK;
}

/* Copies a received message (registers and IPC buffer) into `request`. */
static void take_request(const struct mica_msg *msg, uint64_t badge)
{
	const struct ipc_buffer *buf = mica_ipc_buffer();
	request.badge = badge;
	request.label = msg->label;
	request.length = msg->length;
	for (unsigned i = 0; i < msg->length && i < MSG_REGISTERS; i++)
		request.w[i] = msg->mr[i];
	for (unsigned i = MSG_REGISTERS; i < msg->length; i++)
		request.w[i] = buf->msg[i];
	/* Missing optional words read as 0; only the first 16 are ever optional. */
	for (unsigned i = msg->length; i < 16; i++)
		request.w[i] = 0;
}

/* Builds the reply message from `reply`, words past MR5 into the IPC buffer. */
static void give_reply(struct mica_msg *msg)
{
	struct ipc_buffer *buf = mica_ipc_buffer();
	msg->label = (uint64_t)(int64_t)reply.err;
	msg->length = reply.length;
	msg->extra_caps = 0;
	for (unsigned i = 0; i < MSG_REGISTERS; i++)
		msg->mr[i] = i < reply.length ? reply.w[i] : 0;
	for (unsigned i = MSG_REGISTERS; i < reply.length; i++)
		buf->msg[i] = reply.w[i];
}

/*
 * memsrv.poweroff_when_idle: once no process is left (the last one ended, or none of the boot
 * programs could start), report and power off (debug builds; a release kernel has no
 * power-off call, so memsrv goes on serving).
 */
static void check_idle(void)
{
	if (!options.poweroff_when_idle || process_live() != 0)
		return;
	uint64_t now = free_frames();
	printf("memsrv: idle, free frames %lu, at boot %lu (%s)\n", (unsigned long)now,
	       (unsigned long)boot_free_frames, now == boot_free_frames ? "no leak" : "LEAK");
	if (!debug_build)
		return;
	printf("memsrv: powering off\n");
	mica_debug_poweroff();
}

/* The receive loop: every message gets a reply unless its sender is gone. */
static __attribute__((noreturn)) void serve(void)
{
	struct mica_msg msg;
	uint64_t badge;
	mica_recv(endpoint, &msg, &badge);
	for (;;) {
		take_request(&msg, badge);
		handle_message(&request, &reply);
		spawned_any |= process_live() != 0;
		if (reply.none) {
			if (spawned_any)
				check_idle();
			mica_recv(endpoint, &msg, &badge);
			continue;
		}
		give_reply(&msg);
		mica_reply_recv(endpoint, &msg, &badge);
	}
}

/* Entry from crt0: `arg` is the boot-info page. */
int main(void *arg)
{
	const struct bootinfo *bi = arg;
	if (!bi || bi->magic != BOOTINFO_MAGIC) {
		printf("memsrv: no boot-info page at %p\n", arg);
		return 1;
	}
	mica_set_ipc_buffer((struct ipc_buffer *)(uintptr_t)bi->ipc_buffer);
	mica_debug_console = bi->debug_build != 0; /* release kernels have no debug console */
	int err = boot(bi);
	if (err) {
		printf("memsrv: boot failed: %s\n", mica_strerror(err));
		return 1;
	}
	if (!spawned_any)
		check_idle(); /* nothing started: nothing will ever end */
	serve();
}
