"""Boot scenarios: what the kernel reports about the machine, memory, timer and power-off.

These boot `hello` as the root task (init=hello): it leaves the UART's interrupt to the
kernel, whose debug keys (t: tick count, q: power off) the tests use. The default root task,
memsrv with the shell on the console, is covered by test_shell.py.
"""
import re
import time

import pytest

IDLE = "hello: waiting on notification"


def booted(boot, append=None, **kw):
    m = boot(append="init=hello" + (" " + append if append else ""), **kw)
    m.expect_exact(IDLE)
    return m


def free_kib(m):
    return int(re.search(r"memory: (\d+) KiB free \((\d+) pages\)", m.output()).group(1))


def tick_count(m):
    m.send("t")
    return int(m.expect(r"ticks: (\d+)\r*\n").group(1))


def test_banner_cpu_el_and_ram_are_reported(boot):
    m = booted(boot, cpu="cortex-a72", ram="512M")
    out = m.output()
    assert re.search(r"Mica \d+\.\d+\.\d+ \((debug|release) build\)", out)
    assert "boot: entered at EL1, running at EL1" in out
    assert re.search(r"cpu: Cortex-A72 r\d+p\d+ \(MIDR 0x410fd08\d", out)
    assert 'dt "arm,cortex-a72"' in out
    assert "memory: 512 MiB RAM" in out
    assert "ram      0x040000000-0x060000000" in out


@pytest.mark.parametrize("cpu,name", [("cortex-a53", "Cortex-A53"), ("cortex-a72", "Cortex-A72"),
                                      ("max", None)])
def test_boots_on_each_cpu_model(boot, cpu, name):
    m = booted(boot, cpu=cpu)
    out = m.output()
    if name:
        assert f"cpu: {name} " in out
    else:
        assert re.search(r"cpu: .* \(MIDR 0x[0-9a-f]+", out)
    m.send("q")
    assert m.wait_exit() == 0


def test_pan_enabled_where_the_cpu_has_it(boot):
    assert "mmu: PAN enabled" in booted(boot, cpu="max").output()
    assert "mmu: PAN not implemented by this CPU" in booted(boot, cpu="cortex-a72").output()


def test_entered_at_el2_reaches_the_same_state(boot):
    m = booted(boot, el2=True, ram="512M")
    out = m.output()
    assert "boot: entered at EL2, running at EL1" in out
    assert "psci smc" in out
    assert "memory: 512 MiB RAM" in out
    first = tick_count(m)
    time.sleep(0.3)
    assert tick_count(m) > first
    m.send("q")
    assert m.wait_exit() == 0


def test_el1_entry_uses_the_hvc_conduit(boot):
    assert "psci hvc" in booted(boot).output()


def test_free_memory_follows_ram_size(boot):
    small = free_kib(booted(boot, ram="256M"))
    large = free_kib(booted(boot, ram="1G"))
    # Same image, same DTB reservation, same number of table pages: exactly 768 MiB apart.
    assert large - small == 768 * 1024


def test_memory_map_accounts_for_every_page(boot):
    out = booted(boot, ram="256M").output()
    ranges = {kind: [(int(a, 16), int(b, 16)) for a, b in
                     re.findall(rf"^  {kind} +0x([0-9a-f]+)-0x([0-9a-f]+)", out, re.M)]
              for kind in ("ram", "reserved", "free")}
    total = sum(b - a for a, b in ranges["ram"])
    assert total == 256 << 20
    used = ranges["reserved"] + ranges["free"]
    assert sum(b - a for a, b in used) == total
    spans = sorted(used)
    for (a0, b0), (a1, _) in zip(spans, spans[1:]):
        assert b0 <= a1, "reserved and free ranges overlap"
    assert any("kernel image" in line for line in out.splitlines() if "reserved" in line)
    assert any("device tree" in line for line in out.splitlines() if "reserved" in line)


def test_timer_tick_advances(boot):
    m = booted(boot)
    first = tick_count(m)
    time.sleep(0.5)
    second = tick_count(m)
    assert second > first


def test_poweroff_exits_qemu_cleanly(boot):
    m = booted(boot)
    m.send("q")
    m.expect_exact("mica: power off")
    assert m.wait_exit() == 0


@pytest.mark.parametrize("cpu,el2", [("cortex-a72", False), ("max", True)])
def test_gicv3_delivers_timer_and_uart_interrupts(boot, cpu, el2):
    m = booted(boot, cpu=cpu, el2=el2, gic=3)
    assert re.search(r"platform: .* GICv3 dist 0x8000000", m.output())
    first = tick_count(m)  # the UART RX interrupt (an SPI) delivers the key
    time.sleep(0.3)
    assert tick_count(m) > first  # the virtual timer (a PPI) ticks
    m.send("q")
    assert m.wait_exit() == 0


def test_root_task_runs_at_el0_with_its_boot_info(boot):
    out = booted(boot).output()
    assert re.search(r"roottask: 'hello' entry 0x[0-9a-f]+, \d+ pages image", out)
    m = re.search(r"untyped: (\d+) caps, (\d+) MiB RAM, (\d+) device caps", out)
    assert m
    total, device = int(m.group(1)), int(m.group(3))
    listed = re.findall(r"hello:   slot (\d+): untyped at (0x[0-9a-f]+|0), 2\^(\d+) bytes(, device)?", out)
    assert len(listed) == total
    assert sum(1 for s in listed if s[3]) == device
    ram = sum(1 << int(s[2]) for s in listed if not s[3])
    assert ram >> 20 == int(m.group(2))
    assert "hello: root task up, bootinfo at 0x7ffd0000" in out
    assert "hello: null system call done" in out
