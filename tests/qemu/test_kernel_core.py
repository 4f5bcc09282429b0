"""The capability kernel core (issues 3 and 4), tested from user space by ktest.

servers/ktest is a root task that exercises CNodes, untyped memory, IPC, scheduling,
notifications and interrupts, faults, FP/SIMD switching, TCB invocations, every error
code, and address spaces (frames, page tables, VSpaces, ASIDs, TLB maintenance, demand
paging by a fault handler), printing one line per test:

    ktest: PASS name
    ktest: FAIL name: what (file:line)
    ktest: done, N passed, M failed

Each interrupt controller is booted once (init=ktest) for the whole module: virt with
GICv2 and GICv3 on 1 and 4 cores, and the raspi3b board (BCM2836 + BCM2835) on its 4 cores
(the Image, cores released from the spin table) and on 1 (the ELF, no firmware); every
test name below
is one pytest test, so a test missing from the run fails as surely as a failing one.
"""
import os
import re
import subprocess

import pexpect
import pytest

from conftest import BUILD, QEMU, ROOT, Machine, _Log, board_args, debug_only

pytestmark = debug_only

RUN_TIMEOUT = 120  # seconds for the whole run; it takes a few

CNODE = [
    "cnode_copy_without_write_cannot_send",
    "cnode_copy_cannot_add_rights",
    "cnode_mint_sets_badge",
    "cnode_mint_of_badged_cap_with_new_badge_is_inval",
    "cnode_badge_arrives_at_receiver",
    "cnode_move_empties_source",
    "cnode_mutate_moves_and_sets_badge",
    "cnode_delete_empties_slot",
    "cnode_revoke_removes_descendants_not_siblings",
    "cnode_revoke_removes_children_and_grandchildren",
    "cnode_delete_keeps_children_under_parent",
    "cnode_identify_reports_type_rights_badge_paddr",
    "cnode_identify_root_capabilities",
    "cspace_two_level_cptr_reaches_second_cnode",
    "cspace_two_level_cptr_invokes_cnode",
    "cspace_two_level_wrong_guard_is_lookup_error",
    "cspace_two_level_missing_cnode_is_lookup_error",
    "cnode_delete_last_cnode_cap_deletes_contents",
    "cnode_delete_deep_cnode_chain_finalises_all",
    "cnode_mint_cnode_guard_too_wide_is_inval",
]

UNTYPED = [
    "untyped_retype_tcb",
    "untyped_retype_endpoint",
    "untyped_retype_notification",
    "untyped_retype_cnode",
    "untyped_retype_untyped",
    "untyped_retype_frame",
    "untyped_retype_cnode_has_radix_slots",
    "untyped_retype_places_objects_aligned_at_watermark",
    "untyped_retype_count_fills_consecutive_slots",
    "untyped_retype_full_untyped_is_nomem",
    "untyped_retype_object_bigger_than_untyped_is_nomem",
    "untyped_revoke_destroys_objects",
    "untyped_revoke_removes_blocked_thread",
    "untyped_revoke_stops_running_thread",
    "untyped_revoke_then_retype_reuses_memory",
    "untyped_delete_one_object_does_not_reuse_memory",
]

IPC = [
    "ipc_send_then_recv_delivers_message",
    "ipc_recv_then_send_wakes_receiver",
    "ipc_call_gets_reply",
    "ipc_reply_recv_serves_calls",
    "ipc_nbsend_without_receiver_would_block",
    "ipc_nbrecv_without_sender_would_block",
    "ipc_nbsend_to_waiting_receiver_delivers",
    "ipc_ten_word_message_uses_ipc_buffers",
    "ipc_ten_word_call_and_reply",
    "ipc_grant_transfers_capability",
    "ipc_transferred_capability_is_child_of_sender_cap",
    "ipc_transfer_without_receive_slot_drops_cap",
    "ipc_transferred_frame_starts_unmapped",
    "ipc_untyped_cap_is_not_transferred",
    "ipc_transfer_into_occupied_slot_drops_cap",
    "ipc_send_cap_without_grant_is_rights_error",
    "ipc_send_own_endpoint_unwraps_badge",
    "ipc_caller_on_deleted_endpoint_gets_deleted",
    "ipc_receiver_on_deleted_endpoint_gets_deleted",
    "ipc_deleting_a_copy_keeps_waiters",
    "ipc_saved_reply_cap_replies_later",
    "ipc_deleted_reply_cap_wakes_caller_with_deleted",
    "ipc_recv_again_without_reply_drops_caller",
    "ipc_server_deleted_wakes_caller_with_deleted",
]

SCHED = [
    "sched_higher_priority_preempts_on_resume",
    "sched_lower_priority_waits_for_caller",
    "sched_wakeup_of_higher_priority_preempts",
    "sched_wakeup_of_equal_priority_does_not_preempt",
    "sched_woken_thread_goes_to_tail",
    "sched_lowering_own_priority_runs_higher_thread",
    "sched_yield_alternates_equal_priority_threads",
    "sched_round_robin_spinners_both_progress",
    "sched_set_priority_above_max_is_range_error",
]

FASTPATH = [
    "fastpath_nbsend_keeps_every_register",
    "fastpath_nbsend_general_path_keeps_every_register",
    "fastpath_nbsend_leaves_other_cases_to_the_general_path",
    "fastpath_yield_keeps_running_above_queued_threads",
    "fastpath_yield_rotates_a_queue_of_three",
    "fastpath_yield_switch_keeps_every_register",
]

NTFN_IRQ = [
    "ntfn_signal_then_wait_returns_badge",
    "ntfn_wait_blocks_until_signal",
    "ntfn_poll_returns_bits_or_zero",
    "ntfn_badges_or_together",
    "ntfn_signal_needs_write_wait_needs_read",
    "ntfn_bound_notification_wakes_endpoint_receiver",
    "ntfn_bound_pending_signal_returned_by_recv",
    "irq_spi_signals_notification",
    "irq_raise_before_ack_waits_for_ack",
    "irq_ack_then_raise_delivers_again",
    "irq_wakes_waiting_thread",
    "irq_deleted_notification_unbinds",
    "irq_handler_clear_stops_delivery",
    "irq_control_get_claimed_is_busy",
    "irq_control_get_non_spi_is_range",
    "irq_handler_delete_frees_intid",
    "irq_ack_without_notification_is_state",
]

FAULTS = [
    "fault_undefined_instruction_reported",
    "fault_unknown_syscall_reported",
    "fault_unknown_syscall_reply_resumes_after_svc",
    "fault_vm_read_reports_address_and_access",
    "fault_vm_write_reports_access_write",
    "fault_vm_exec_reports_access_exec",
    "fault_misaligned_pc_reported",
    "fault_brk_reported_as_other",
    "fault_resume_after_pc_advanced_continues",
    "fault_reply_nonzero_label_leaves_thread_suspended",
    "fault_without_endpoint_suspends_thread",
]

FPU = [
    "fpu_registers_survive_switches",
    "fpu_new_thread_starts_with_zero_registers",
]

TCB = [
    "tcb_write_registers_then_read_back",
    "tcb_set_tls_sets_thread_tpidr",
    "tcb_set_tls_on_self_is_inval",
    "tcb_suspend_stops_resume_continues",
    "tcb_suspend_of_caller_kills_reply_right",
    "tcb_suspended_receiver_receives_after_resume",
    "tcb_suspended_sender_sends_once_after_resume",
    "tcb_suspend_rewinds_the_call_but_not_a_written_pc",
    "tcb_delete_keeps_configured_ipc_frame_mapped",
]

ERRORS = [
    "err_inval_copy_rights_outside_all",
    "err_inval_retype_unknown_type",
    "err_inval_read_own_registers",
    "err_range_cnode_radix_too_big",
    "err_range_index_past_cnode",
    "err_align_ipc_buffer_not_1k_aligned",
    "err_lookup_guard_mismatch",
    "err_nocap_empty_slot",
    "err_type_call_on_notification",
    "err_type_configure_cspace_not_cnode",
    "err_type_copy_untyped",
    "err_rights_recv_without_read",
    "err_label_unknown_tcb_label",
    "err_delete_first_occupied_destination",
    "err_nomem_untyped_full",
    "err_msgsize_length_121",
    "err_msgsize_short_invocation",
    "err_wouldblock_nbrecv",
    "err_deleted_notification_waiter",
    "err_busy_bind_second_notification",
    "err_busy_bind_notification_bound_elsewhere",
    "err_state_unbind_unbound",
    "err_state_reply_without_caller",
    "err_state_save_caller_without_caller",
    "err_state_resume_without_vspace",
    "err_noasid_vspace_without_asid",
]

# Address spaces: accesses, faults, stale TLB entries, isolation, demand paging.
VSPACE = [
    "vspace_unmapped_page_read_faults_at_address",
    "vspace_unmapped_page_write_faults_at_address",
    "vspace_read_only_page_write_is_permission_fault",
    "vspace_fetch_from_non_executable_page_is_instruction_abort",
    "vspace_remap_adds_write",
    "vspace_remap_removes_write",
    "vspace_frame_delete_makes_next_access_fault",
    "vspace_page_table_delete_makes_range_fault",
    "vspace_frame_2m_maps_as_block",
    "vspace_device_frame_reads_pl011_id",
    "vspace_device_frame_exec_is_rights",
    "vspace_two_spaces_same_va_hold_different_data",
    "vspace_page_table_map_installs_first_empty_level",
    "vspace_frame_copy_maps_same_frame_again",
    "vspace_page_table_unmap_unmaps_frames_below",
    "vspace_deleted_vspace_unmaps_its_frames",
    "vspace_deleted_vspace_threads_cannot_run",
    "vspace_fault_handler_maps_1000_pages_on_demand",
    "vspace_frame_zero_clears_mapped_frame",
    "vspace_frame_zero_clears_unmapped_frame",
    "vspace_frame_zero_read_only_cap_is_rights",
    "vspace_frame_zero_device_frame_is_type",
    "vspace_frame_map_zero_maps_zeroed_frame",
    "vspace_frame_map_zero_refused_zeroes_nothing",
    "vspace_frame_map_zero_device_frame_is_type",
]

# What the kernel reports: FRAME_GET_ADDRESS, VSPACE_INFO, VSPACE_WALK, hardware ASIDs, counters.
VSPACE_INFO = [
    "vspace_frame_get_address_reports_mapping",
    "vspace_info_counts_tables_and_pages",
    "vspace_info_root_counts_boot_mappings",
    "vspace_walk_lists_exactly_the_mappings",
    "vspace_hw_asid_given_when_space_runs",
    "vspace_switch_to_other_space_writes_ttbr0_twice",
    "vspace_switch_within_space_writes_no_ttbr0",
    "vspace_fault_counter_counts_each_fault",
]

# Every error of FRAME_MAP, FRAME_REMAP, PAGE_TABLE_MAP and VSPACE_WALK.
VSPACE_ERRORS = [
    "vspace_err_range_frame_map_outside_user_half",
    "vspace_err_range_frame_map_2m_past_user_end",
    "vspace_err_align_frame_map_4k_misaligned",
    "vspace_err_align_frame_map_2m_misaligned",
    "vspace_err_notable_frame_map_without_l3_table",
    "vspace_err_delete_first_frame_map_occupied",
    "vspace_err_delete_first_frame_map_inside_block",
    "vspace_err_delete_first_frame_map_2m_over_table",
    "vspace_err_mapped_frame_map_mapped_cap",
    "vspace_err_type_frame_map_into_endpoint",
    "vspace_err_noasid_frame_map_into_space_without_asid",
    "vspace_err_rights_frame_map_beyond_cap",
    "vspace_err_wx_frame_map_write_exec",
    "vspace_err_inval_frame_map_bad_rights",
    "vspace_err_notmapped_frame_remap_unmapped",
    "vspace_err_frame_remap_checks_rights",
    "vspace_frame_unmap_unmapped_does_nothing",
    "vspace_err_range_page_table_map_kernel_half",
    "vspace_err_mapped_page_table_map_mapped_table",
    "vspace_err_type_page_table_copy_is_refused",
    "vspace_err_delete_first_page_table_map_complete_walk",
    "vspace_err_delete_first_page_table_map_over_block",
    "vspace_err_noasid_page_table_map_into_space_without_asid",
    "vspace_err_type_page_table_map_into_page_table",
    "vspace_err_range_walk_arguments",
    "vspace_err_msgsize_long_results_without_ipc_buffer",
]

# ASID pools and what losing an ASID does (the rollover test is opt-in:
# test_vspace_rollover.py).
ASID = [
    "asid_pool_full_is_nomem_new_pool_continues",
    "asid_deleted_vspace_returns_asid_to_pool",
    "asid_make_pool_when_all_exist_is_nomem",
    "asid_pool_assign_twice_is_busy",
    "asid_pool_assign_non_vspace_is_type",
    "asid_vspace_copy_carries_asid",
    "asid_make_pool_from_non_ram_is_type",
    "asid_make_pool_not_4k_is_inval",
    "asid_make_pool_from_parent_untyped_is_revoke_first",
    "asid_make_pool_into_occupied_slot_is_delete_first",
    "asid_deleted_pool_stops_threads_of_its_spaces",
]

# The kernel self-audit (t_audit.c); every test is also followed by an audit (ktest.c).
AUDIT = [
    "audit_checks_queued_threads",
    "audit_checks_cnodes_copies_and_untyped_children",
    "audit_checks_address_spaces",
    "audit_checks_blocked_threads",
    "audit_catches_a_vspace_with_two_asids",
    "audit_catches_counters_of_an_unmapped_subtree",
    "audit_cost_on_the_booted_system",
]

# Trust (t_trust.c): invocations that would destroy their own sources, one object with two
# identities, registers rewritten after a check, counters that lose a subtree.
TRUST = [
    "trust_configure_survives_deleting_its_sources",
    "trust_copy_of_unassigned_vspace_is_noasid",
    "trust_transfer_of_unassigned_vspace_drops_cap",
    "trust_rewritten_length_is_clamped_at_delivery",
    "trust_unmap_of_non_leaf_table_updates_counters",
    "trust_failed_invocations_change_nothing",
]

# Trust, the Arm side (t_trust_arch.c): PMU writes, TPIDR_EL0 through idle, the running
# thread's VSpace replaced or destroyed.
TRUST_ARCH = [
    "trust_pmu_pmcr_write_is_undefined_fault",
    "trust_pmu_cntenset_write_is_undefined_fault",
    "trust_pmu_evtyper0_write_is_undefined_fault",
    "trust_pmu_event_counter_read_allowed",
    "trust_tpidr_survives_block_into_idle",
    "trust_vspace_configure_self_runs_in_new_space",
    "trust_vspace_destroyed_under_running_thread_suspends_it",
]

# SError and FIQ from EL0 (t_trust_arch.c, opt-in): the kernel's debug trigger injects a
# virtual SError or FIQ through its EL2 stub, so these run in a boot entered at EL2.
TRUST_ASYNC = [
    "trust_async_serror_from_el0_is_fault",
    "trust_async_fiq_from_el0_is_fault",
    "trust_async_unknown_source_is_inval",
]

# Defects the kernel fuzzer found (t_fuzz_found.c, docs/fuzzing.md).
FUZZ_FOUND = [
    "asid_pool_deleted_vspace_links_no_freed_table",
]

SMP = [
    "smp_kernel_stats_report_the_cores_online",
    "smp_debug_puts_writes_a_piece_at_once",
    "smp_affinity_beyond_online_cores_is_range",
    "smp_thread_runs_on_the_core_it_is_given",
    "smp_cpu_stats_of_each_online_core",
    "smp_tlb_invalidations_count_on_the_issuing_core",
]

# Run only with at least two cores (ktest leaves them out on one).
SMP_MULTI = [
    "smp_running_thread_moved_continues_on_new_core",
    "smp_thread_moves_itself",
    "smp_call_reply_across_cores",
    "smp_wakeup_on_other_core_sends_sgi",
    "smp_thread_deleted_while_running_on_other_core_stops",
    "smp_thread_suspended_while_running_on_other_core_stops",
    "smp_unmap_then_read_on_other_core_faults",
    "smp_vspace_deleted_while_running_on_other_core_stops_it",
    "smp_cpu_stats_follow_a_core",
    "smp_registers_survive_entries_that_wait_for_the_lock",
    "smp_calls_caught_by_a_detach_are_made_on_resume",
]

# Every test of a run on one core; the SMP ones follow.
SINGLE = (CNODE + UNTYPED + IPC + SCHED + FASTPATH + NTFN_IRQ + FAULTS + FPU + TCB + ERRORS + VSPACE
          + VSPACE_INFO + VSPACE_ERRORS + ASID + AUDIT + TRUST + TRUST_ARCH + FUZZ_FOUND)
EXPECTED = SINGLE + SMP + SMP_MULTI


def expected(smp):
    """The tests a run with `smp` cores reports."""
    return SINGLE + SMP + (SMP_MULTI if smp > 1 else [])

PASS_RE = re.compile(r"^ktest: PASS (\S+)\s*$", re.M)
FAIL_RE = re.compile(r"^ktest: FAIL (\S+): (.*)$", re.M)
DONE_RE = re.compile(r"^ktest: done, (\d+) passed, (\d+) failed", re.M)


class KtestRun:
    """The console of one ktest boot, parsed."""

    def __init__(self, output, exit_status):
        self.output = output.replace("\r", "")
        self.exit_status = exit_status
        self.passed = PASS_RE.findall(self.output)
        self.failures = {}
        for name, what in FAIL_RE.findall(self.output):
            self.failures.setdefault(name, []).append(what)
        done = DONE_RE.search(self.output)
        self.summary = (int(done.group(1)), int(done.group(2))) if done else None


def run_ktest(machine, smp):
    """Boots init=ktest on `machine` ("gicv2", "gicv3": virt with `smp` cores; "raspi3b": the
    Pi's Image, its 4 cores started from the spin table; "raspi3b-elf": its ELF, on the boot
    core alone), waits for the summary and the power-off."""
    logdir = BUILD / "qemu-logs"
    logdir.mkdir(parents=True, exist_ok=True)
    log = _Log(logdir / f"test_kernel_core-{machine}-smp{smp}.log")
    board = machine if machine.startswith("raspi3b") else "virt"
    extra = [] if board != "virt" else ["--gic", machine[-1], "--smp", str(smp)]
    child = pexpect.spawn(str(QEMU), board_args(board) + extra + ["--append", "init=ktest"],
                          encoding="utf-8", codec_errors="replace", timeout=RUN_TIMEOUT,
                          env=dict(os.environ, TERM="dumb"))
    child.logfile_read = log
    child.logfile_read_text = lambda: "".join(log.text)
    machine = Machine(child)
    try:
        machine.expect(DONE_RE.pattern.replace("^", ""), timeout=RUN_TIMEOUT)
        status = machine.wait_exit()
    except pexpect.TIMEOUT:
        status = None
    finally:
        machine.kill()
        log.file.close()
    return KtestRun(machine.output(), status)


@pytest.fixture(scope="module",
                params=[("gicv2", 1), ("gicv3", 1), ("gicv2", 4), ("gicv3", 4), ("raspi3b", 4),
                        ("raspi3b-elf", 1)],
                ids=["gicv2-smp1", "gicv3-smp1", "gicv2-smp4", "gicv3-smp4", "raspi3b-smp4",
                     "raspi3b-elf-smp1"])
def ktest(request):
    gic, smp = request.param
    run = run_ktest(gic, smp)
    run.smp = smp
    return run


def test_ktest_runs_to_the_end_and_powers_off(ktest):
    assert ktest.summary is not None, "no 'ktest: done' line:\n" + ktest.output[-3000:]
    assert ktest.exit_status == 0


@pytest.mark.parametrize("name", EXPECTED)
def test_ktest(ktest, name):
    if name not in expected(ktest.smp):
        pytest.skip("needs several cores")
    failures = ktest.failures.get(name, [])
    assert not failures, f"ktest: FAIL {name}: " + "; ".join(failures)
    assert name in ktest.passed, f"ktest did not report {name}"


def test_summary_counts_every_test_and_no_failure(ktest):
    assert ktest.summary == (len(expected(ktest.smp)), 0), ktest.failures


def test_ktest_runs_no_unlisted_test(ktest):
    reported = set(ktest.passed) | set(ktest.failures)
    assert reported - set(expected(ktest.smp)) == set()


def test_each_test_reported_once(ktest):
    assert len(ktest.passed) == len(set(ktest.passed))


def test_kernel_never_panics(ktest):
    assert "panic" not in ktest.output


def test_every_core_comes_online(ktest):
    """One boot line per core, then the count: the secondaries were started (PSCI CPU_ON on
    virt, the spin table on raspi3b) and reached their idle loop with their own stack,
    interrupt-controller interface and tick."""
    for core in range(1, ktest.smp):
        assert f"smp: core {core} online (MPIDR {core:#x})" in ktest.output
    assert "smp: core 0 online (MPIDR 0), boot core" in ktest.output
    suffix = "s" if ktest.smp > 1 else ""
    assert f"smp: {ktest.smp} core{suffix} online" in ktest.output


def test_kernel_logs_the_fault_of_a_thread_without_fault_endpoint(ktest):
    """fault_without_endpoint_suspends_thread: the kernel's log line names the faulting pc
    (the one ktest read back from the suspended thread) and the unmapped address; it is
    the only thread of the run without a fault endpoint that faults."""
    logged = re.findall(r"fault: thread \d+ kind 1 pc (0x[0-9a-f]+) addr 0x1234000, "
                        r"no fault endpoint: suspended", ktest.output)
    note = re.search(r"ktest: note fault_without_endpoint pc (0x[0-9a-f]+)", ktest.output)
    assert note, "ktest did not report the faulting pc"
    assert logged == [note.group(1)]
    assert ktest.output.count("no fault endpoint") == 1


@pytest.mark.parametrize("gic", [2, 3])
def test_async_exceptions_from_el0_are_faults_of_the_thread(boot, gic):
    """An SError or FIQ taken while a user thread runs is that thread's FAULT_ASYNC; the
    kernel goes on (before, it stopped the machine). Entered at EL2 so the debug trigger
    can inject them."""
    m = boot(el2=True, gic=gic, append="init=ktest ktest=trust_async", timeout=RUN_TIMEOUT)
    m.expect(DONE_RE.pattern.replace("^", ""), timeout=RUN_TIMEOUT)
    assert m.wait_exit() == 0
    run = KtestRun(m.output(), 0)
    assert run.failures == {}
    assert sorted(run.passed) == sorted(TRUST_ASYNC)
    assert run.summary == (len(TRUST_ASYNC), 0)
    assert "boot: entered at EL2" in run.output
    assert "panic" not in run.output



def test_debug_puts_pieces_reach_the_console_whole(ktest):
    """smp_debug_puts_writes_a_piece_at_once: each accepted piece is one whole line on the
    console, and the refused one (a control byte) wrote nothing."""
    assert "\nktest: one piece, SYS_DEBUG_PUTS\n" in ktest.output
    assert "\nktest: 56 bytes " + "-" * 38 + ".\n" in ktest.output
    assert "ktest: bell" not in ktest.output


CHECK_STACK = ROOT / "scripts" / "check-fastpath-stack.py"


def test_fastpath_needs_no_stack():
    """The fastpaths run with SP just past the entering thread's context (kernel/fastpath.h):
    the build checks that their code names no SP and makes no call. The same check finds the
    stack frame of a function that has one."""
    elf = str(BUILD / "kernel" / "mica.elf")
    ok = subprocess.run([str(CHECK_STACK), "llvm-objdump", elf], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    framed = subprocess.run([str(CHECK_STACK), "--functions", "arch_switch_installing",
                             "llvm-objdump", elf], capture_output=True, text=True)
    assert framed.returncode == 1
    assert "arch_switch_installing needs a stack: stp x29, x30, [sp" in framed.stderr
