"""memsrv under test by an adversary: fault injection, planted disagreements its audit must
catch, an unprivileged request fuzzer, and the leak check (debug builds: the injection and
plant requests exist only there).

One boot runs memtest's trust suite (memsrv.arg=1, servers/memtest/t_inject.c, t_audit.c,
t_leak.c) and every case below reads its console. Further boots arm the fault injection
from the boot option memsrv.failalloc and check that memsrv answers, leaks nothing and
powers off cleanly.
"""
import os
import re

import pexpect
import pytest

from conftest import BUILD, KERNEL, QEMU, _Log, debug_only

pytestmark = debug_only

# memsrv.core=0: memtest's trust suite runs beside memsrv (its tests order by priority).
TRUST_APPEND = ("init=memsrv memsrv.spawn=memtest memsrv.control=memtest memsrv.arg=1 "
                "memsrv.seed=1 memsrv.poweroff_when_idle memsrv.core=0")
TRUST_TIMEOUT = 600  # about 90 s on an idle machine; the CI machines are shared

TRUST_TESTS = [
    "injection_as_create",
    "injection_eager_map",
    "injection_lazy_fault",
    "injection_probe_attach",
    "injection_spawn_and_run",
    "injection_random_workload",
    "injection_new_asid_pool_keeps_the_vspace",
    "audit_catches_raised_rights",
    "audit_catches_page_unmapped_behind_memsrv",
    "audit_catches_wrong_physical_address",
    "destroy_undoes_a_plant",
    "plant_refuses_bad_requests",
    "fuzzer_refused_requests_change_nothing",
    "leak_check_cycles",
]

SWEEPS = ["as_create", "eager_map", "lazy_fault", "probe_attach", "spawn_and_run"]


class Run:
    def __init__(self, text, status):
        self.text = text.replace("\r", "")
        self.status = status


@pytest.fixture(scope="module")
def trust_run():
    logdir = BUILD / "qemu-logs"
    logdir.mkdir(parents=True, exist_ok=True)
    log = _Log(logdir / "test_memtrust-trust.log")
    child = pexpect.spawn(str(QEMU), ["--kernel", str(KERNEL), "--append", TRUST_APPEND],
                          encoding="utf-8", codec_errors="replace", timeout=TRUST_TIMEOUT,
                          env=dict(os.environ, TERM="dumb"))
    child.logfile_read = log
    try:
        child.expect(pexpect.EOF, timeout=TRUST_TIMEOUT)
        child.close()
        status = child.exitstatus
    finally:
        if child.isalive():
            child.terminate(force=True)
    return Run("".join(log.text), status)


@pytest.mark.parametrize("name", TRUST_TESTS)
def test_trust_case_passes(trust_run, name):
    failure = re.search(rf"^memtest: FAIL {name}: (.*)$", trust_run.text, re.M)
    assert not failure, failure.group(1)
    assert re.search(rf"^memtest: PASS {name}$", trust_run.text, re.M)


def test_trust_suite_runs_every_case(trust_run):
    assert f"memtest: {len(TRUST_TESTS)} tests" in trust_run.text
    assert f"memtest: done, {len(TRUST_TESTS)} passed, 0 failed" in trust_run.text


@pytest.mark.parametrize("name", SWEEPS)
def test_sweep_refuses_at_every_point_when_all_later_allocations_fail(trust_run, name):
    m = re.search(rf"^memtest: sweep {name} \(every 1\): (\d+) allocations, (\d+) refused, "
                  r"(\d+) absorbed$", trust_run.text, re.M)
    assert m, f"no sweep line for {name}"
    allocations, refused, absorbed = (int(g) for g in m.groups())
    assert allocations >= 1
    assert refused == allocations and absorbed == 0


@pytest.mark.parametrize("every", [0, 3])
@pytest.mark.parametrize("name", SWEEPS)
def test_sparser_failures_are_refused_or_absorbed(trust_run, name, every):
    m = re.search(rf"^memtest: sweep {name} \(every {every}\): (\d+) allocations, (\d+) "
                  r"refused, (\d+) absorbed$", trust_run.text, re.M)
    assert m, f"no sweep line for {name}"
    allocations, refused, absorbed = (int(g) for g in m.groups())
    assert refused + absorbed >= allocations


def test_injected_faults_end_only_the_faulting_process_with_the_quota_class(trust_run):
    kills = re.findall(r"memsrv: crasher \(process \d+\) killed: ([a-z ]+) fault at",
                       trust_run.text)
    assert kills and set(kills) == {"quota"}


def test_audit_reports_raised_rights(trust_run):
    assert re.search(r"^memsrv: audit of \d+: mapping 0x30000000: rights 0x3 exceed the "
                     r"VMA's 0x1$", trust_run.text, re.M)


def test_audit_reports_page_unmapped_behind_memsrv(trust_run):
    assert re.search(r"^memsrv: audit of \d+: 1 mappings installed, memsrv has 2 pages$",
                     trust_run.text, re.M)


def test_audit_reports_wrong_physical_address(trust_run):
    m = re.search(r"^memsrv: audit of \d+: mapping 0x30000000: physical (0x[0-9a-f]+), "
                  r"memsrv has (0x[0-9a-f]+)$", trust_run.text, re.M)
    assert m
    planted, believed = int(m.group(1), 16), int(m.group(2), 16)
    assert planted != believed
    assert planted % 4096 == 0 and believed % 4096 == 0
    assert 0x40000000 <= planted < 0x60000000 and 0x40000000 <= believed < 0x60000000


def test_audit_reports_nothing_else(trust_run):
    reports = re.findall(r"^memsrv: audit of .*$", trust_run.text, re.M)
    assert len(reports) == 3, reports


def test_fuzzer_is_reproducible_and_seeds_differ(trust_run):
    runs = re.findall(r"^memfuzz: seed (\d+), (\d+) requests, (\d+) refused, (\d+) with a "
                      r"capability, (\d+) touches, (\d+) object and (\d+) shared-region "
                      r"successes, (\d+) distinct \(label, result\), digest (0x[0-9a-f]+)$",
                      trust_run.text, re.M)
    assert [r[0] for r in runs] == ["1", "2", "3", "1"]
    assert runs[3] == runs[0]
    assert len({r[8] for r in runs[:3]}) == 3
    for seed, requests, refused, caps, touches, objects, shared, pairs, _ in runs:
        assert int(requests) == 3000
        assert 0 < int(refused) < int(requests)
        assert int(caps) > 0 and int(touches) > 0 and int(pairs) >= 100
        # The object, name and shared-region requests reach their success paths too.
        assert int(objects) > 0 and int(shared) > 0
    assert "memfuzz: FAIL" not in trust_run.text


def test_leak_check_returns_every_frame(trust_run):
    m = re.search(r"^memtest: leak check: (\d+) address spaces in \d+ ms, (\d+) processes in "
                  r"\d+ ms, free frames (\d+), (\d+), (\d+)$", trust_run.text, re.M)
    assert m
    assert int(m.group(1)) == 50000 and int(m.group(2)) == 20000
    assert m.group(3) == m.group(4) == m.group(5)


def test_trust_run_ends_without_a_leak(trust_run):
    m = re.search(r"memsrv: idle, free frames (\d+), at boot (\d+) \(no leak\)", trust_run.text)
    assert m and m.group(1) == m.group(2)
    assert "memsrv: powering off" in trust_run.text and trust_run.status == 0
    assert "panic" not in trust_run.text


def run_to_poweroff(boot, append, timeout=120):
    m = boot(append=append)
    status = m.wait_exit(timeout=timeout)
    return Run(m.output(), status)


FAILALLOC_BASE = ("init=memsrv memsrv.spawn=crasher memsrv.arg=9 memsrv.seed=5 "
                  "memsrv.poweroff_when_idle memsrv.failalloc=")


# With memsrv.seed=5 the boot spawn of crasher takes 16 allocations and its lazy faults 14
# more (measured: nth 16 is refused, 17..30 killed, 31 runs); the points keep off the edges.
@pytest.mark.parametrize("nth,outcome", [(1, "refused"), (8, "refused"), (21, "killed"),
                                         (26, "killed"), (60, "ran")])
def test_failalloc_boot_option_from_nth_on(boot, nth, outcome):
    """crasher (mode 9: 8 lazy pages, exit 0) with allocation nth and every one after it
    failing: its spawn is refused, or its lazy fault ends it, or it runs whole; every frame
    comes back and memsrv powers off cleanly."""
    run = run_to_poweroff(boot, FAILALLOC_BASE + f"{nth},1")
    assert f"memsrv: fault injection: allocation {nth} fails, then every 1-th" in run.text
    refused = "memsrv: cannot start 'crasher': E_NOMEM" in run.text
    killed = re.search(r"memsrv: crasher \(process 1\) killed: quota fault at", run.text)
    assert (refused, bool(killed)) == (outcome == "refused", outcome == "killed")
    m = re.search(r"memsrv: idle, free frames (\d+), at boot (\d+) \(no leak\)", run.text)
    assert m and m.group(1) == m.group(2)
    assert run.status == 0 and "panic" not in run.text


def test_failalloc_every_third_at_boot(boot):
    run = run_to_poweroff(boot, FAILALLOC_BASE + "5,3")
    assert "memsrv: fault injection: allocation 5 fails, then every 3-th" in run.text
    assert "memsrv: cannot start 'crasher': E_NOMEM" in run.text
    assert re.search(r"memsrv: idle, free frames (\d+), at boot \1 \(no leak\)", run.text)
    assert run.status == 0


def test_failalloc_single_failure_at_boot_is_refused(boot):
    """At boot nothing is pooled yet, so one refused retype has nothing to fall back on."""
    run = run_to_poweroff(boot, FAILALLOC_BASE + "3")
    assert "memsrv: fault injection: allocation 3 fails\n" in run.text
    assert "memsrv: cannot start 'crasher': E_NOMEM" in run.text
    assert re.search(r"memsrv: idle, free frames (\d+), at boot \1 \(no leak\)", run.text)
    assert run.status == 0
