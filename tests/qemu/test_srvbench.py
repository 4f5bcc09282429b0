"""Benchmarks of the server building blocks (servers/srvbench) under -icount: a call through
a capability from the name service to a server in another address space, a thread's create
to exit, and a shared region created and mapped in two processes. With a fixed placement
seed the counts repeat exactly, boot after boot; the figures are recorded in docs/memsrv.md.
"""
import re

from conftest import debug_only

pytestmark = debug_only  # srvbench prints through the debug console

# memsrv.core=0: every process beside memsrv, so each figure is one core's path.
APPEND = ("init=memsrv memsrv.spawn=srvbench memsrv.control=srvbench memsrv.seed=1 "
          "memsrv.poweroff_when_idle memsrv.core=0")
NAMES = ["name_call", "thread_cycle", "shm_share"]


def run(boot):
    m = boot(append=APPEND, icount=True, timeout=120)
    m.expect_exact("srvbench: done", timeout=120)
    assert m.wait_exit() == 0
    assert "(no leak)" in m.output()
    return {k: int(v) for k, v in re.findall(r"srvbench: (\w+) (\d+)\s", m.output())}


def test_server_benchmarks_repeat_exactly(boot):
    first, second = run(boot), run(boot)
    assert sorted(first) == sorted(NAMES)
    assert first == second


def test_server_benchmarks_in_proportion(boot):
    r = run(boot)
    # A round trip between two address spaces is a few hundred instructions (two kernel
    # fastpath transfers, two address-space switches), far below any memsrv request.
    assert 0 < r["name_call"] < 2000
    assert r["name_call"] * 10 < r["shm_share"] < r["thread_cycle"]
