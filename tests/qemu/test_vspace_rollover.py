"""Hardware ASID rollover, forced by narrowing the usable ASID width.

Boots ktest with `ktest=rollover asid_bits=N`. The opt-in ktest
rollover_hundred_address_spaces_keep_their_values (servers/ktest/t_asid.c) runs one thread
in each of 100 address spaces, all yielding round robin, each writing and re-reading a value
of its own at the same virtual address 50 times; it checks that no read saw another space's
value and that the kernel counted exactly the rollovers its allocator implies.

The expected figures, derived as in t_asid.c: each of the 100 threads runs 51 times (up to
its first yield, once per later round, once more to its end) and every one of those runs
switches into a space whose hardware ASID belongs to an older generation; the settle waker
then brings the root's space back: K = 100 * 51 + 1 = 5101 allocations. With U = 2^N - 1
usable ASIDs and only the root's ASID 1 in use at the start, a new generation begins at every
U-th allocation: K // U rollovers, 340 for N = 4 (15 usable).

N = 1 (one usable ASID) is run too: every space then runs with ASID 1, so TTBR0's ASID never
changes and QEMU keeps its TLB across the switches; only there do the values read back
depend on the kernel's full invalidation at each rollover (5101 of them).

A plain `init=ktest` run skips the test (test_kernel_core.py fails on any unlisted name).
"""
import re

import pytest

from conftest import debug_only

pytestmark = debug_only  # bootarg asid_bits= is a debug-build option

SPACES, ROUNDS = 100, 50
SWITCHES = SPACES * (ROUNDS + 1) + 1

NOTE_RE = re.compile(r"ktest: note rollover hw_asid_bits (\d+) switches (\d+) rollovers (\d+)")


@pytest.mark.parametrize("asid_bits, rollovers", [(4, 340), (1, 5101)])
def test_hundred_spaces_keep_their_values_through_rollovers(boot, asid_bits, rollovers):
    usable = (1 << asid_bits) - 1
    assert rollovers == SWITCHES // usable
    m = boot(append=f"init=ktest ktest=rollover asid_bits={asid_bits}", timeout=120)
    m.expect(r"ktest: done, \d+ passed, \d+ failed", timeout=120)
    assert m.wait_exit() == 0
    out = m.output().replace("\r", "")
    assert f"asid: {asid_bits}-bit hardware ASIDs ({usable} usable)" in out
    assert "ktest: FAIL" not in out, re.findall(r"ktest: FAIL .*", out)[:10]
    assert "ktest: PASS rollover_hundred_address_spaces_keep_their_values" in out
    assert "ktest: done, 1 passed, 0 failed" in out
    note = NOTE_RE.search(out)
    assert note, "ktest did not report the rollover figures"
    assert tuple(int(g) for g in note.groups()) == (asid_bits, SWITCHES, rollovers)
    assert "panic" not in out


SMP_NOTE_RE = re.compile(r"ktest: note smp_generations cores (\d+) hw_asid_bits (\d+) "
                         r"rollovers (\d+) wrong (\d+)")


@pytest.mark.parametrize("asid_bits", [3, 2])
def test_hundred_spaces_on_four_cores_keep_their_values_through_rollovers(boot, asid_bits):
    """The same hundred spaces spread over 4 cores, switching and rolling over at once
    (servers/ktest/t_asid.c, smp_hundred_spaces_on_all_cores_through_asid_generations).
    With 3 bits (7 usable ASIDs) a rollover keeps the ASIDs the other three cores run; with
    2 bits (3 usable) those can be all there are, and the other cores are stopped out of
    them first. No read may see another space's value; every switch allocates, so 5,000
    runs over 4 cores need at least 5000 / usable / 4 rollovers."""
    usable = (1 << asid_bits) - 1
    m = boot(smp=4, append=f"init=ktest ktest=smp_hundred asid_bits={asid_bits}", timeout=200)
    m.expect(r"ktest: done, \d+ passed, \d+ failed", timeout=200)
    assert m.wait_exit() == 0
    out = m.output().replace("\r", "")
    assert "ktest: FAIL" not in out, re.findall(r"ktest: FAIL .*", out)[:10]
    assert "ktest: PASS smp_hundred_spaces_on_all_cores_through_asid_generations" in out
    assert "ktest: done, 1 passed, 0 failed" in out
    note = SMP_NOTE_RE.search(out)
    assert note, "ktest did not report the figures"
    cores, bits, rollovers, wrong = map(int, note.groups())
    assert (cores, bits, wrong) == (4, asid_bits, 0)
    assert rollovers >= SPACES * ROUNDS // usable // 4
    assert "panic" not in out
