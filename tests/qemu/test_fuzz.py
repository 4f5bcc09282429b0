"""The kernel fuzzer (servers/kfuzz, docs/fuzzing.md): CI-sized campaigns.

Each campaign boots `init=kfuzz` with a seed and a call count. The fuzzer process makes
random system calls and invocations over a pool of real capabilities of every type, hostile
and self-destructive ones included; every 1000 calls the root runs the kernel self-audit
and checks the canary process. A campaign passes if it makes all its calls with no kernel
panic, no audit violation and the canary intact, and reaches enough distinct
(label, result) pairs. Together the campaigns below make 1.5 million calls. A planted
canary damage shows the check is not vacuous.
"""
import re

import pytest

from conftest import debug_only

pytestmark = debug_only

SEEDS = [101, 202, 303, 404]
CALLS = 300000
TIMEOUT = 240  # seconds per campaign; one takes a few on an idle machine
MIN_PAIRS = 300  # distinct (label, result) pairs per campaign (about 330..380 measured)
MIN_OK_LABELS = 33  # label ids that succeeded at least once (about 36..41 measured)
MIN_UNION_PAIRS = 360  # over all the seeds

SUMMARY_RE = re.compile(r"kfuzz: summary (.*)")
COVERAGE_RE = re.compile(r"^kfuzz: coverage label (\d+) results (0x[0-9a-f]+)", re.M)


def campaign(boot, seed, calls, extra="", **machine):
    """Boots one campaign and returns (console text, summary fields)."""
    m = boot(append=f"init=kfuzz fuzz_seed={seed} fuzz_calls={calls} {extra}".strip(),
             timeout=TIMEOUT, **machine)
    m.expect("kfuzz: done", timeout=TIMEOUT)
    m.wait_exit(timeout=30)
    text = m.output().replace("\r", "")
    summary = SUMMARY_RE.search(text)
    fields = dict(kv.split("=", 1) for kv in summary.group(1).split()) if summary else {}
    return text, fields


def pairs_of(text):
    pairs = set()
    for label, mask in COVERAGE_RE.findall(text):
        pairs |= {(int(label), r) for r in range(32) if int(mask, 16) >> r & 1}
    return pairs


@pytest.fixture(scope="module")
def union():
    return set()


def check_campaign(text, s, union):
    """Asserts that a campaign passed and covered enough."""
    assert "panic" not in text, text[-3000:]
    assert not re.search(r"^audit: ", text, re.M), text[-3000:]
    assert "kfuzz: FAIL" not in text, text[-3000:]
    assert "kfuzz: PASS" in text
    assert int(s["calls"]) == CALLS
    assert s["violations"] == "0"
    assert s["canary"] == "intact"
    assert int(s["audits"]) >= CALLS // 1000
    assert int(s["canary_checks"]) == int(s["audits"])
    assert int(s["lives"]) > 1, "the fuzzer never destroyed itself"
    assert int(s["restarts"]) > 0, "the fuzzer never got stuck"
    assert int(s["pairs"]) >= MIN_PAIRS
    assert int(s["ok_labels"]) >= MIN_OK_LABELS
    pairs = pairs_of(text)
    assert len(pairs) == int(s["pairs"])
    union |= pairs


@pytest.mark.parametrize("seed", SEEDS)
def test_campaign_survives_and_covers(boot, seed, union):
    check_campaign(*campaign(boot, seed, CALLS), union)


def test_campaign_on_cortex_a53_with_gicv3(boot, union):
    check_campaign(*campaign(boot, 505, CALLS, cpu="cortex-a53", gic=3), union)


def test_planted_canary_damage_fails_the_campaign(boot):
    text, s = campaign(boot, 5, 100000, "fuzz_plant_canary=20000")
    assert "kfuzz: planted canary damage at call 20000" in text
    # Both the root's comparison and the canary's own check see the flipped word.
    assert "kfuzz: FAIL seed 5 calls 19000..20000 op " in text
    assert "canary damaged (2)" in text
    assert "kfuzz: replay with fuzz_seed=5 fuzz_calls=20000 fuzz_trace=19000" in text
    assert s["canary"] == "damaged"
    assert int(s["calls"]) == 20000
    assert "kfuzz: PASS" not in text


def test_seeds_together_reach_more_pairs(union):
    if len(union) == 0:
        pytest.skip("the campaigns did not run")
    assert len(union) >= MIN_UNION_PAIRS


def trace(boot, seed):
    text, s = campaign(boot, seed, 300, "fuzz_trace=0")
    assert s.get("calls") == "300", text[-2000:]
    return re.findall(r"^kfuzz: call (\d+) (.*)$", text, re.M)


def test_same_seed_replays_the_same_calls(boot):
    first, second = trace(boot, 7), trace(boot, 7)
    assert len(first) == 300
    assert [int(i) for i, _ in first] == list(range(300))
    assert first == second


def test_other_seed_makes_other_calls(boot):
    a, b = trace(boot, 7), trace(boot, 8)
    assert sum(x != y for x, y in zip(a, b)) > 250
