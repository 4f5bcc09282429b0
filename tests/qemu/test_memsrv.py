"""memsrv, the memory server and root task: memtest's in-guest tests, boot-time spawning,
seeded placement, and a clean power-off with every frame back when the last process ends.

memtest (servers/memtest) runs as a process memsrv spawns with the control right; it prints
one "memtest: PASS name" or "memtest: FAIL name: why" per test. One boot serves every
parametrized case below (a module-scoped fixture), so the suite costs one QEMU run.
"""
import os
import re

import pexpect
import pytest

from conftest import BUILD, KERNEL, QEMU, _Log, debug_only

pytestmark = debug_only  # memsrv's console output and the power-off are debug-build calls

# memsrv.core=0: memtest and what it starts without naming a core run beside memsrv, as
# its single-core tests expect (t_proc.c: a child above memtest's priority ends before
# memtest runs again); t_cores.c places its workers on every core with MEMSRV_CORE.
MEMTEST_APPEND = ("init=memsrv memsrv.spawn=memtest memsrv.control=memtest memsrv.seed=1 "
                  "memsrv.poweroff_when_idle memsrv.core=0")
MEMTEST_TIMEOUT = 300

MEMTEST_TESTS = [
    "lazy_allocation",
    "eager_map_is_resident",
    "map_errors_have_distinct_codes",
    "wx_refused",
    "unmap_and_protect_split_vmas",
    "stats_report_asid_and_quota",
    "guard_page_hit_kills_process",
    "unmapped_access_kills_process",
    "write_to_readonly_kills_process",
    "exec_of_data_kills_process",
    "undefined_instruction_kills_process",
    "lazy_quota_exhaustion_kills_process",
    "eager_quota_exhaustion_is_an_error",
    "failed_eager_map_changes_no_statistic",
    "process_exit_reclaims_everything",
    "spawn_refuses_malformed_programs",
    "isolation_without_capability",
    "aslr_seeded_placement",
    "aslr_seeded_stack",
    "create_destroy_cycles_keep_baseline",
    "address_spaces_beyond_one_asid_pool",
    "audit_after_random_workload",
    "vma_tree_holds_thousands",
    "malformed_requests_change_nothing",
    "ps_and_as_list",
    "out_of_memory_is_an_error",
    "thousands_of_live_address_spaces",
    "live_address_spaces_stop_at_the_limit",
    "freed_frames_become_kernel_objects",
    "obj_create_gives_working_objects",
    "obj_create_in_chosen_slot",
    "obj_malformed_requests_change_nothing",
    "obj_quota_exhaustion_is_an_error",
    "name_lookup_gives_badged_endpoint",
    "name_of_exited_publisher_is_gone",
    "server_ending_while_client_waits",
    "withdraw_keeps_copies_handed_out",
    "name_malformed_requests_change_nothing",
    "spawn_argv_gives_main_its_arguments",
    "wait_after_the_child_ended",
    "wait_reports_a_killed_child",
    "wait_malformed_requests",
    "held_child_runs_only_once_started",
    "start_refuses_what_is_not_a_held_child",
    "held_child_of_an_ended_parent_is_killed",
    "spawn_argv_malformed_requests_change_nothing",
    "shm_visible_on_both_sides_and_nowhere_else",
    "shm_frames_go_with_the_last_mapping",
    "shm_rights_and_wx",
    "shm_malformed_requests_change_nothing",
    "shm_quota_exhaustion_is_an_error",
    "thread_runs_in_the_same_address_space",
    "thread_has_its_own_stack_and_ipc_buffer",
    "thread_quota_exhaustion_is_an_error",
    "thread_malformed_requests_change_nothing",
    "workers_on_every_core_fault_share_and_call",
    "kill_and_destroy_of_processes_running_on_other_cores",
    "threads_run_on_the_cores_they_ask_for",
    "core_requests_out_of_range_change_nothing",
]


class Run:
    """The console output and exit status of one boot that ran to its power-off."""

    def __init__(self, text, status):
        self.text = text.replace("\r", "")
        self.status = status


# The whole suite runs twice: on 4 cores with GICv2 (the default machine, where t_cores.c's
# workers spread over every core) and on 1 core with GICv3 (everything on core 0, the other
# interrupt controller). The other two combinations add nothing memsrv sees: the GIC only
# changes how the kernel sends SGIs, which test_kernel_core.py covers on both.
MACHINES = [("gicv2", 4), ("gicv3", 1)]


@pytest.fixture(scope="module", params=MACHINES, ids=[f"{g}-smp{n}" for g, n in MACHINES])
def memtest_run(request):
    gic, smp = request.param
    logdir = BUILD / "qemu-logs"
    logdir.mkdir(parents=True, exist_ok=True)
    log = _Log(logdir / f"test_memsrv-memtest-{gic}-smp{smp}.log")
    child = pexpect.spawn(str(QEMU), ["--kernel", str(KERNEL), "--gic", gic[-1],
                                      "--smp", str(smp), "--append", MEMTEST_APPEND],
                          encoding="utf-8", codec_errors="replace", timeout=MEMTEST_TIMEOUT,
                          env=dict(os.environ, TERM="dumb"))
    child.logfile_read = log
    try:
        child.expect(pexpect.EOF, timeout=MEMTEST_TIMEOUT)
        child.close()
        status = child.exitstatus
    finally:
        if child.isalive():
            child.terminate(force=True)
    return Run("".join(log.text), status)


def run_to_poweroff(boot, append, timeout=60):
    m = boot(append=append)
    status = m.wait_exit(timeout=timeout)
    return Run(m.output(), status)


@pytest.mark.parametrize("name", MEMTEST_TESTS)
def test_memtest_case_passes(memtest_run, name):
    failure = re.search(rf"^memtest: FAIL {name}: (.*)$", memtest_run.text, re.M)
    assert not failure, failure.group(1)
    assert re.search(rf"^memtest: PASS {name}$", memtest_run.text, re.M)


def test_memtest_runs_every_test_and_none_fails(memtest_run):
    assert f"memtest: {len(MEMTEST_TESTS)} tests" in memtest_run.text
    assert f"memtest: done, {len(MEMTEST_TESTS)} passed, 0 failed" in memtest_run.text
    assert "memtest: FAIL" not in memtest_run.text


def test_memsrv_learns_the_cores_and_places_memtest_on_core_0(memtest_run):
    cores = int(re.search(r"^smp: (\d+) cores? online$", memtest_run.text, re.M).group(1))
    assert (f"ASLR 28 bits, {cores} core{'s' if cores > 1 else ''} "
            "(processes on core 0: memsrv.core)") in memtest_run.text
    assert re.search(r"memsrv: started 'memtest' as process 1 \(control\), .*, core 0$",
                     memtest_run.text, re.M)


def test_memtest_gets_the_control_right(memtest_run):
    assert re.search(r"memsrv: started 'memtest' as process 1 \(control\)", memtest_run.text)


def test_each_crash_is_killed_with_its_class(memtest_run):
    kills = re.findall(r"memsrv: crasher \(process \d+\) killed: ([a-z ]+) fault at",
                       memtest_run.text)
    # The first six are the crash tests; the last is the killed child memtest waits for.
    assert kills == ["guard page", "unmapped", "permission", "permission", "other", "quota",
                     "unmapped"]


def test_every_frame_is_back_when_the_last_process_ends(memtest_run):
    m = re.search(r"memsrv: idle, free frames (\d+), at boot (\d+) \(no leak\)", memtest_run.text)
    assert m, "memsrv did not report an idle machine without leaks"
    assert m.group(1) == m.group(2)


def test_qemu_exits_cleanly_after_memtest(memtest_run):
    assert "memsrv: powering off" in memtest_run.text
    assert memtest_run.status == 0
    assert "panic" not in memtest_run.text


def stack_of_first_process(run):
    return int(re.search(r"memsrv: started 'crasher' as process 1, stack (0x[0-9a-f]+)",
                         run.text).group(1), 16)


def test_stack_placement_is_reproducible_per_seed(boot):
    base = "init=memsrv memsrv.spawn=crasher memsrv.poweroff_when_idle memsrv.seed="
    a = run_to_poweroff(boot, base + "7")
    b = run_to_poweroff(boot, base + "7")
    c = run_to_poweroff(boot, base + "8")
    assert stack_of_first_process(a) == stack_of_first_process(b)
    assert stack_of_first_process(a) != stack_of_first_process(c)
    for run in (a, b, c):
        assert 0x7E0000000000 <= stack_of_first_process(run) < 0x7F0000000000
        assert "memsrv: idle" in run.text and run.status == 0


def boot_cores(run):
    """The core each boot program was started on, in order."""
    return [int(c) for c in re.findall(r"memsrv: started 'crasher' as process \d+, .*, core (\d)$",
                                       run.text, re.M)]


@pytest.mark.parametrize("smp,cores", [(4, [1, 2, 3, 0, 1]), (1, [0, 0, 0, 0, 0])])
def test_boot_programs_spread_over_the_cores(boot, smp, cores):
    """Without memsrv.core each new process goes to the least loaded core (memsrv counts on
    core 0), ties broken round the cores; they all exit and every frame comes back."""
    m = boot(append="init=memsrv memsrv.spawn=crasher,crasher,crasher,crasher,crasher "
                    "memsrv.poweroff_when_idle memsrv.seed=3", smp=smp)
    status = m.wait_exit(timeout=60)
    run = Run(m.output(), status)
    assert boot_cores(run) == cores
    assert run.status == 0
    assert re.search(r"memsrv: idle, free frames (\d+), at boot \1 \(no leak\)", run.text)


def test_memsrv_core_places_every_boot_program_there(boot):
    run = run_to_poweroff(boot, "init=memsrv memsrv.spawn=crasher,crasher memsrv.core=2 "
                                "memsrv.poweroff_when_idle memsrv.seed=3")
    assert "(processes on core 2: memsrv.core)" in run.text
    assert boot_cores(run) == [2, 2]
    assert run.status == 0


def test_unknown_boot_program_is_reported_and_skipped(boot):
    run = run_to_poweroff(boot, "init=memsrv memsrv.spawn=nothere,crasher "
                                "memsrv.poweroff_when_idle memsrv.seed=3")
    assert "memsrv: cannot start 'nothere': E_INVAL" in run.text
    assert "memsrv: started 'crasher' as process" in run.text
    assert "(control)" not in run.text


def test_malformed_boot_arguments_are_ignored_with_a_warning(boot):
    run = run_to_poweroff(boot, "init=memsrv memsrv.seed=12x memsrv.bogus=1 "
                                "memsrv.spawn=crasher memsrv.poweroff_when_idle")
    assert "memsrv: ignored 2 malformed memsrv.* boot argument(s)" in run.text
    assert "seed counter" in run.text
