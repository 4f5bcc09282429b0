"""The kernel benchmarks under -icount: deterministic instruction counts, checked against
the figures Mica must beat (seL4's and Linux's, measured in the same QEMU). The numbers
themselves are printed by `meson test --benchmark` (scripts/bench); this test guards against
regressions. kbench is booted twice for the whole module; each limit is its own test."""
import os
import re

import pexpect
import pytest

from conftest import BUILD, KERNEL, QEMU, Machine, _Log, debug_only

pytestmark = debug_only  # kbench's null system call is a debug system call

LIMITS = {
    "ipc_call_reply_0": 522,
    "ipc_call_reply_4": 569,
    "ipc_call_reply_10": 1570,
    "ipc_call_reply_cross_as": 522,  # seL4's fastpath round trip
    "yield": 314,
    "fault_map_resume_cross_as": 3281,  # Linux's zero-fill page fault
}

RESULT_RE = re.compile(r"kbench: (\w+) (\d+)\s")


def run_kbench(n):
    """Boots init=kbench under -icount and returns {name: instructions}."""
    logdir = BUILD / "qemu-logs"
    logdir.mkdir(parents=True, exist_ok=True)
    log = _Log(logdir / f"test_benchmarks-{n}.log")
    child = pexpect.spawn(str(QEMU), ["--kernel", str(KERNEL), "--icount",
                                      "--append", "init=kbench"],
                          encoding="utf-8", codec_errors="replace", timeout=120,
                          env=dict(os.environ, TERM="dumb"))
    child.logfile_read = log
    child.logfile_read_text = lambda: "".join(log.text)
    machine = Machine(child)
    try:
        machine.expect_exact("kbench: done", timeout=120)
        assert machine.wait_exit() == 0
        return {k: int(v) for k, v in RESULT_RE.findall(machine.output())}
    finally:
        machine.kill()
        log.file.close()


@pytest.fixture(scope="module")
def runs():
    return [run_kbench(0), run_kbench(1)]


def test_counts_are_deterministic(runs):
    assert runs[0] == runs[1], "instruction counts differ between identical runs"


@pytest.mark.parametrize("name", LIMITS)
def test_count_beats_reference(runs, name):
    assert name in runs[0], f"kbench did not report {name}"
    assert runs[0][name] < LIMITS[name], (
        f"{name}: {runs[0][name]} instructions, limit {LIMITS[name]}")


def test_counter_overhead_and_null_syscall(runs):
    assert runs[0]["counter_overhead"] <= 4
    assert 0 < runs[0]["null_syscall"] < runs[0]["ipc_call_reply_0"]


def test_address_space_switch_costs_more_than_thread_switch(runs):
    """Between address spaces the round trip also writes TTBR0, both ways."""
    assert runs[0]["ipc_call_reply_0"] < runs[0]["ipc_call_reply_cross_as"]


def test_map_unmap_is_two_invocations(runs):
    assert 2 * runs[0]["null_syscall"] < runs[0]["frame_map_unmap_4k"]


def test_lazy_fault_through_memsrv_beats_linux(boot):
    """membench under memsrv: a lazy zero-fill fault through the user-mode pager, per page
    and including the zeroing, stays below Linux's zero-fill fault (3,281 instructions)."""
    m = boot(append="init=memsrv memsrv.spawn=membench memsrv.control=membench "
                    "memsrv.poweroff_when_idle", icount=True, timeout=120)
    m.expect_exact("membench: done", timeout=120)
    assert m.wait_exit() == 0
    results = {k: int(v) for k, v in re.findall(r"membench: (\w+) (\d+)\s", m.output())}
    assert 0 < results["lazy_fault_fill"] < 3281
