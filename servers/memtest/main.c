/*
 * memtest's runner and helpers. The tests live in t_vma.c (maps, faults of memtest itself,
 * statistics), t_proc.c (processes: kills, exit, isolation, ASLR) and t_stress.c (cycles,
 * audits, many VMAs, malformed requests), t_scale.c (thousands of address spaces, freed frames
 * made into kernel objects) and t_names.c (objects and the name service). The trust
 * suite (memtest.h, MEMTEST_MODE_TRUST) lives in t_inject.c (fault injection), t_audit.c (planted
 * disagreements) and t_leak.c (the leak check and memfuzz campaigns).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "memtest.h"

#define STACK_TOUCH (56 * 1024) /* most of the 64 KiB stack */

cptr_t ms;
static uint64_t run_arg; /* the spawn argument */
static char why[256];
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

struct test {
	const char *name;
	int (*fn)(void);
};

static const struct test tests[] = {
	{ "lazy_allocation", test_lazy_allocation },
	{ "eager_map_is_resident", test_eager_map_is_resident },
	{ "map_errors_have_distinct_codes", test_map_errors_have_distinct_codes },
	{ "wx_refused", test_wx_refused },
	{ "unmap_and_protect_split_vmas", test_unmap_and_protect_split_vmas },
	{ "stats_report_asid_and_quota", test_stats_report_asid_and_quota },
	{ "guard_page_hit_kills_process", test_guard_page_hit_kills_process },
	{ "unmapped_access_kills_process", test_unmapped_access_kills_process },
	{ "write_to_readonly_kills_process", test_write_to_readonly_kills_process },
	{ "exec_of_data_kills_process", test_exec_of_data_kills_process },
	{ "undefined_instruction_kills_process", test_undefined_instruction_kills_process },
	{ "lazy_quota_exhaustion_kills_process", test_lazy_quota_exhaustion_kills_process },
	{ "eager_quota_exhaustion_is_an_error", test_eager_quota_exhaustion_is_an_error },
	{ "failed_eager_map_changes_no_statistic", test_failed_eager_map_changes_no_statistic },
	{ "process_exit_reclaims_everything", test_process_exit_reclaims_everything },
	{ "spawn_refuses_malformed_programs", test_spawn_refuses_malformed_programs },
	{ "isolation_without_capability", test_isolation_without_capability },
	{ "aslr_seeded_placement", test_aslr_seeded_placement },
	{ "aslr_seeded_stack", test_aslr_seeded_stack },
	{ "create_destroy_cycles_keep_baseline", test_create_destroy_cycles_keep_baseline },
	{ "address_spaces_beyond_one_asid_pool", test_address_spaces_beyond_one_asid_pool },
	{ "audit_after_random_workload", test_audit_after_random_workload },
	{ "vma_tree_holds_thousands", test_vma_tree_holds_thousands },
	{ "malformed_requests_change_nothing", test_malformed_requests_change_nothing },
	{ "ps_and_as_list", test_ps_and_as_list },
	{ "out_of_memory_is_an_error", test_out_of_memory_is_an_error },
	{ "thousands_of_live_address_spaces", test_thousands_of_live_address_spaces },
	{ "live_address_spaces_stop_at_the_limit", test_live_address_spaces_stop_at_the_limit },
	{ "freed_frames_become_kernel_objects", test_freed_frames_become_kernel_objects },
	{ "obj_create_gives_working_objects", test_obj_create_gives_working_objects },
	{ "obj_create_in_chosen_slot", test_obj_create_in_chosen_slot },
	{ "obj_malformed_requests_change_nothing", test_obj_malformed_requests_change_nothing },
	{ "obj_quota_exhaustion_is_an_error", test_obj_quota_exhaustion_is_an_error },
	{ "name_lookup_gives_badged_endpoint", test_name_lookup_gives_badged_endpoint },
	{ "name_of_exited_publisher_is_gone", test_name_of_exited_publisher_is_gone },
	{ "server_ending_while_client_waits", test_server_ending_while_client_waits },
	{ "withdraw_keeps_copies_handed_out", test_withdraw_keeps_copies_handed_out },
	{ "name_malformed_requests_change_nothing", test_name_malformed_requests_change_nothing },
	{ "spawn_argv_gives_main_its_arguments", test_spawn_argv_gives_main_its_arguments },
	{ "wait_after_the_child_ended", test_wait_after_the_child_ended },
	{ "wait_reports_a_killed_child", test_wait_reports_a_killed_child },
	{ "wait_malformed_requests", test_wait_malformed_requests },
	{ "held_child_runs_only_once_started", test_held_child_runs_only_once_started },
	{ "start_refuses_what_is_not_a_held_child", test_start_refuses_what_is_not_a_held_child },
	{ "held_child_of_an_ended_parent_is_killed", test_held_child_of_an_ended_parent_is_killed },
	{ "spawn_argv_malformed_requests_change_nothing",
	  test_spawn_argv_malformed_requests_change_nothing },
	{ "shm_visible_on_both_sides_and_nowhere_else",
	  test_shm_visible_on_both_sides_and_nowhere_else },
	{ "shm_frames_go_with_the_last_mapping", test_shm_frames_go_with_the_last_mapping },
	{ "shm_rights_and_wx", test_shm_rights_and_wx },
	{ "shm_malformed_requests_change_nothing", test_shm_malformed_requests_change_nothing },
	{ "shm_quota_exhaustion_is_an_error", test_shm_quota_exhaustion_is_an_error },
	{ "thread_runs_in_the_same_address_space", test_thread_runs_in_the_same_address_space },
	{ "thread_has_its_own_stack_and_ipc_buffer", test_thread_has_its_own_stack_and_ipc_buffer },
	{ "thread_quota_exhaustion_is_an_error", test_thread_quota_exhaustion_is_an_error },
	{ "thread_malformed_requests_change_nothing",
	  test_thread_malformed_requests_change_nothing },
	{ "workers_on_every_core_fault_share_and_call",
	  test_workers_on_every_core_fault_share_and_call },
	{ "kill_and_destroy_of_processes_running_on_other_cores",
	  test_kill_and_destroy_of_processes_running_on_other_cores },
	{ "threads_run_on_the_cores_they_ask_for", test_threads_run_on_the_cores_they_ask_for },
	{ "core_requests_out_of_range_change_nothing",
	  test_core_requests_out_of_range_change_nothing },
};

static const struct test trust_tests[] = {
	{ "injection_as_create", test_injection_as_create },
	{ "injection_eager_map", test_injection_eager_map },
	{ "injection_lazy_fault", test_injection_lazy_fault },
	{ "injection_probe_attach", test_injection_probe_attach },
	{ "injection_spawn_and_run", test_injection_spawn_and_run },
	{ "injection_random_workload", test_injection_random_workload },
	{ "injection_new_asid_pool_keeps_the_vspace",
	  test_injection_new_asid_pool_keeps_the_vspace },
	{ "audit_catches_raised_rights", test_audit_catches_raised_rights },
	{ "audit_catches_page_unmapped_behind_memsrv",
	  test_audit_catches_page_unmapped_behind_memsrv },
	{ "audit_catches_wrong_physical_address", test_audit_catches_wrong_physical_address },
	{ "destroy_undoes_a_plant", test_destroy_undoes_a_plant },
	{ "plant_refuses_bad_requests", test_plant_refuses_bad_requests },
	{ "fuzzer_refused_requests_change_nothing", test_fuzzer_refused_requests_change_nothing },
	{ "leak_check_cycles", test_leak_check_cycles },
};

static int leak_only(void)
{
	uint64_t n = run_arg >> 8;
	return n ? leak_check(n, n) : leak_check(MEMTEST_LEAK_CI_SPACES, MEMTEST_LEAK_CI_PROCESSES);
}

static int fuzz_only(void)
{
	uint64_t requests = run_arg >> 32 ? run_arg >> 32 : MEMTEST_FUZZ_CI;
	int digest;
	return fuzz_campaign((run_arg >> 8) & 0xffffff, requests, &digest);
}

static const struct test leak_tests[] = { { "leak_check", leak_only } };
static const struct test fuzz_tests[] = { { "fuzz_campaign", fuzz_only } };

#define SUITE(t)                            \
	{                                   \
		t, sizeof(t) / sizeof(t[0]) \
	}

/* The tests of each mode (memtest.h). */
static const struct {
	const struct test *tests;
	unsigned count;
} suites[] = {
	[MEMTEST_MODE_SUITE] = SUITE(tests),
	[MEMTEST_MODE_TRUST] = SUITE(trust_tests),
	[MEMTEST_MODE_LEAK] = SUITE(leak_tests),
	[MEMTEST_MODE_FUZZ] = SUITE(fuzz_tests),
};

int failf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return -1;
}

unsigned self_id(void)
{
	uint64_t s[MEMSRV_STAT_COUNT];
	return mem_stats(ms, 0, s) ? 0 : (unsigned)s[MEMSRV_STAT_AS_ID];
}

int spawn_crasher(uint64_t arg, unsigned prio, uint64_t quota, unsigned *pid)
{
	return mem_spawn(ms, "crasher", prio, arg, BESIDE_MEMSRV, quota, pid);
}

uint64_t ps_state(unsigned pid)
{
	struct mem_proc p[1];
	unsigned n;
	if (mem_ps(ms, pid, p, 1, &n) || n != 1 || p[0].id != pid)
		return 0;
	return p[0].state;
}

uint64_t test_random(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

/*
 * Touches most of the stack once, so that no test's counts include lazy faults of memtest's
 * own stack.
 */
static __attribute__((noinline)) void prefault_stack(void)
{
	volatile char area[STACK_TOUCH];
	for (unsigned i = 0; i < sizeof(area); i += PAGE)
		area[i] = 0;
}

/* Entry: x0 = the memsrv capability, x1 = the mode word (memtest.h). */
int main(void *cap, uint64_t arg)
{
	ms = (cptr_t)(uintptr_t)cap;
	run_arg = arg;
	unsigned passed = 0, failed = 0, mode = (unsigned)(arg & 0xff);
	if (mode >= sizeof(suites) / sizeof(suites[0])) {
		printf("memtest: unknown mode %u\n", mode);
		mem_exit(ms, 2);
		return 2;
	}
	const struct test *t = suites[mode].tests;
	prefault_stack();
	printf("memtest: %u tests, process %u\n", suites[mode].count, self_id());
	for (unsigned i = 0; i < suites[mode].count; i++) {
		why[0] = '\0';
		if (t[i].fn() == 0) {
			printf("memtest: PASS %s\n", t[i].name);
			passed++;
		} else {
			printf("memtest: FAIL %s: %s\n", t[i].name, why);
			failed++;
		}
	}
	printf("memtest: done, %u passed, %u failed\n", passed, failed);
	mem_exit(ms, failed ? 1 : 0);
	return 1;
}
