"""The kernel benchmarks under -icount: deterministic instruction counts, checked against
the figures Mica must beat (seL4's, measured in the same QEMU). The numbers themselves are
printed by `meson test --benchmark` (scripts/bench); this test guards against regressions."""
import re

import pytest

from conftest import debug_only

pytestmark = debug_only  # kbench's null system call is a debug system call

LIMITS = {
    "ipc_call_reply_0": 522,
    "ipc_call_reply_4": 569,
    "ipc_call_reply_10": 1570,
    "yield": 314,
}


def run_kbench(boot):
    m = boot(append="init=kbench", icount=True, timeout=120)
    m.expect_exact("kbench: done")
    assert m.wait_exit() == 0
    return {k: int(v) for k, v in re.findall(r"kbench: (\w+) (\d+)\s", m.output())}




def test_counts_are_deterministic_and_beat_sel4(boot):
    first = run_kbench(boot)
    second = run_kbench(boot)
    assert first == second, "instruction counts differ between identical runs"
    for name, limit in LIMITS.items():
        assert first[name] < limit, f"{name}: {first[name]} instructions, limit {limit}"
    assert first["counter_overhead"] <= 4
    assert 0 < first["null_syscall"] < first["ipc_call_reply_0"]
