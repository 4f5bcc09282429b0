/*
 * memtest: the in-guest tests of memsrv. memsrv spawns it (memsrv.spawn=memtest) with a
 * capability that should carry MEMSRV_R_CONTROL (memsrv.control=memtest). Each test is a
 * function returning 0 (pass) or -1 after recording why (fail); the runner prints
 * "memtest: PASS name" or "memtest: FAIL name: why", then "memtest: done, N passed, M failed",
 * and ends the process with MEMSRV_EXIT.
 */
#pragma once

#include <memsrv_client.h>
#include <mica.h>
#include <stdbool.h>
#include <stdint.h>

#include "../crasher/crasher.h"

#define PAGE         4096ull
#define MEMTEST_PRIO 100 /* memsrv's default priority for boot programs */
#define CRASHER_PRIO 110 /* above memtest: a crasher runs to its end before memtest goes on */
#define IDLE_PRIO    1   /* below memtest: never runs while memtest does */

/*
 * memtest runs beside memsrv on core 0 (memsrv.core=0, or the shell's MEMSRV_CORE(0)) and
 * starts what its tests order by priority there too: on one core, a child above memtest's
 * priority runs, and memsrv (255) answers its faults, before memtest runs again. Only
 * t_cores.c places processes and threads on other cores, and waits for them explicitly.
 */
#define BESIDE_MEMSRV MEMSRV_CORE(0)

/*
 * memtest's spawn argument (memsrv.arg=N at boot) picks what it runs:
 *   bits 0..7  the mode: MEMTEST_MODE_SUITE (0) the memsrv suite; MEMTEST_MODE_TRUST (1)
 *              the trust suite (fault injection, planted audits, fuzzer, leak check; needs
 *              a debug build); MEMTEST_MODE_LEAK (2) the leak check alone; MEMTEST_MODE_FUZZ
 *              (3) one fuzz campaign alone
 *   LEAK: bits 8..63 cycles of each kind (0: the trust suite's sizes)
 *   FUZZ: bits 8..31 the seed, bits 32..63 requests (0: MEMTEST_FUZZ_CI)
 */
enum memtest_mode {
	MEMTEST_MODE_SUITE = 0,
	MEMTEST_MODE_TRUST = 1,
	MEMTEST_MODE_LEAK = 2,
	MEMTEST_MODE_FUZZ = 3,
};
#define MEMTEST_LEAK_CI_SPACES    50000 /* address-space cycles in the trust suite */
#define MEMTEST_LEAK_CI_PROCESSES 20000 /* process cycles in the trust suite */
#define MEMTEST_FUZZ_CI           3000  /* requests per fuzz campaign in the trust suite */
#define MEMTEST_FUZZ_SEEDS        3

extern cptr_t ms; /* memtest's memsrv capability */

/* Records the reason of the running test's failure (printf format). Returns -1. */
__attribute__((format(printf, 1, 2))) int failf(const char *fmt, ...);

#define CHECK_OK(expr)                                                                       \
	do {                                                                                 \
		int e_ = (expr);                                                             \
		if (e_)                                                                      \
			return failf("line %d: %s: %s", __LINE__, #expr, mica_strerror(e_)); \
	} while (0)

#define CHECK_ERR(expr, want)                                                             \
	do {                                                                              \
		int e_ = (expr);                                                          \
		if (e_ != (want))                                                         \
			return failf("line %d: %s gave %s, expected %s", __LINE__, #expr, \
				     mica_strerror(e_), mica_strerror(want));             \
	} while (0)

#define CHECK_EQ(a, b)                                                                    \
	do {                                                                              \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                          \
		if (a_ != b_)                                                             \
			return failf("line %d: %s == %s: %#lx != %#lx", __LINE__, #a, #b, \
				     (unsigned long)a_, (unsigned long)b_);               \
	} while (0)

#define CHECK(cond)                                                   \
	do {                                                          \
		if (!(cond))                                          \
			return failf("line %d: %s", __LINE__, #cond); \
	} while (0)

/* memtest's own address space id (MEMSRV_STAT_AS_ID of as 0). */
unsigned self_id(void);

/* Spawns crasher with `arg` at `prio`; *pid gets its id. Quota 0: the default. */
int spawn_crasher(uint64_t arg, unsigned prio, uint64_t quota, unsigned *pid);

/* The MEMSRV_PS state word of process `pid`, or 0 if it is not listed. */
uint64_t ps_state(unsigned pid);

/* A deterministic xorshift64 for workloads (not memsrv's generator). */
uint64_t test_random(void);

/* The test groups: each returns through failf like a test. */
int test_lazy_allocation(void);
int test_eager_map_is_resident(void);
int test_map_errors_have_distinct_codes(void);
int test_wx_refused(void);
int test_unmap_and_protect_split_vmas(void);
int test_stats_report_asid_and_quota(void);
int test_guard_page_hit_kills_process(void);
int test_unmapped_access_kills_process(void);
int test_write_to_readonly_kills_process(void);
int test_exec_of_data_kills_process(void);
int test_undefined_instruction_kills_process(void);
int test_lazy_quota_exhaustion_kills_process(void);
int test_eager_quota_exhaustion_is_an_error(void);
int test_failed_eager_map_changes_no_statistic(void);
int test_process_exit_reclaims_everything(void);
int test_spawn_refuses_malformed_programs(void);
int test_isolation_without_capability(void);
int test_aslr_seeded_placement(void);
int test_aslr_seeded_stack(void);
int test_create_destroy_cycles_keep_baseline(void);
int test_address_spaces_beyond_one_asid_pool(void);
int test_audit_after_random_workload(void);
int test_vma_tree_holds_thousands(void);
int test_malformed_requests_change_nothing(void);
int test_out_of_memory_is_an_error(void);
int test_thousands_of_live_address_spaces(void);
int test_live_address_spaces_stop_at_the_limit(void);
int test_freed_frames_become_kernel_objects(void);
int test_ps_and_as_list(void);
int test_obj_create_gives_working_objects(void);
int test_obj_create_in_chosen_slot(void);
int test_obj_malformed_requests_change_nothing(void);
int test_obj_quota_exhaustion_is_an_error(void);
int test_name_lookup_gives_badged_endpoint(void);
int test_name_of_exited_publisher_is_gone(void);
int test_server_ending_while_client_waits(void);
int test_withdraw_keeps_copies_handed_out(void);
int test_name_malformed_requests_change_nothing(void);
int test_spawn_argv_gives_main_its_arguments(void);
int test_wait_after_the_child_ended(void);
int test_wait_reports_a_killed_child(void);
int test_wait_malformed_requests(void);
int test_held_child_runs_only_once_started(void);
int test_start_refuses_what_is_not_a_held_child(void);
int test_held_child_of_an_ended_parent_is_killed(void);
int test_spawn_argv_malformed_requests_change_nothing(void);
int test_shm_visible_on_both_sides_and_nowhere_else(void);
int test_shm_frames_go_with_the_last_mapping(void);
int test_shm_rights_and_wx(void);
int test_shm_malformed_requests_change_nothing(void);
int test_shm_quota_exhaustion_is_an_error(void);
int test_thread_runs_in_the_same_address_space(void);
int test_thread_has_its_own_stack_and_ipc_buffer(void);
int test_thread_quota_exhaustion_is_an_error(void);
int test_thread_malformed_requests_change_nothing(void);
int test_workers_on_every_core_fault_share_and_call(void);
int test_kill_and_destroy_of_processes_running_on_other_cores(void);
int test_threads_run_on_the_cores_they_ask_for(void);
int test_core_requests_out_of_range_change_nothing(void);

/* The trust suite (t_inject.c, t_audit.c, t_leak.c). */
int test_injection_as_create(void);
int test_injection_eager_map(void);
int test_injection_lazy_fault(void);
int test_injection_probe_attach(void);
int test_injection_spawn_and_run(void);
int test_injection_random_workload(void);
int test_injection_new_asid_pool_keeps_the_vspace(void);
int test_audit_catches_raised_rights(void);
int test_audit_catches_page_unmapped_behind_memsrv(void);
int test_audit_catches_wrong_physical_address(void);
int test_destroy_undoes_a_plant(void);
int test_plant_refuses_bad_requests(void);
int test_fuzzer_refused_requests_change_nothing(void);
int test_leak_check_cycles(void);

/*
 * Arms memsrv's fault injection (MEMSRV_DEBUG_FAIL): allocation nth from now fails, then every
 * `every`-th; *seen and *failed (may be NULL) get the counts since the previous call.
 */
int inject(uint64_t nth, uint64_t every, uint64_t *seen, uint64_t *failed);

/* Address-space, then process create/destroy cycles; the free frames must return exactly. */
int leak_check(uint64_t spaces, uint64_t processes);

/* One memfuzz campaign (unprivileged, memsrv reseeded first); *digest gets its exit code. */
int fuzz_campaign(uint64_t seed, uint64_t requests, int *digest);
