"""The raspi3b board (QEMU -M raspi3b, Raspberry Pi 3 B): its own kernel image, the device
tree from Debian's arm64 kernel package, the BCM2836/BCM2835 interrupt controllers, the
generic timer through the local controller, the PL011 console, the BCM2835 power manager and
the four cores, started through the spin table the device tree names.

Booted as a raw arm64 Image (mica-raspi3b.img) QEMU plays the firmware: the kernel enters at
EL2 with x0 = the DTB and the other cores wait in QEMU's spin-table loop. Booted as an ELF,
every core enters the kernel at EL3 and the secondaries stay parked (one core).

Like test_boot.py these boot `hello` (init=hello), whose kernel keys (t: ticks, q: power off)
reach the kernel through the UART's interrupt. The ktest suite (test_kernel_core.py, on 4
cores and on 1) and the shell scenarios (test_shell.py) run on this board too.
"""
import re
import shutil
import subprocess
import time

import pytest

from conftest import BUILD, debug_only

DTB = BUILD / "dtb" / "bcm2837-rpi-3-b.dtb"

IDLE = "hello: waiting on notification"


def booted(boot, append=None, board="raspi3b", dtb=None):
    m = boot(board=board, append="init=hello" + (" " + append if append else ""), dtb=dtb)
    m.expect_exact(IDLE)
    return m


def tick_count(m):
    m.send("t")
    return int(m.expect(r"ticks: (\d+)\r*\n").group(1))


def test_the_image_is_entered_at_el2_with_the_device_tree_in_x0(boot):
    out = booted(boot).output()
    # QEMU's Linux boot protocol: EL2, the DTB at 128 MiB (above the image), x0 = its address
    assert "boot: entered at EL2, running at EL1" in out
    assert re.search(r"boot: device tree at 0x8000000, \d+ bytes", out)
    assert "cpu: Cortex-A53 " in out and 'dt "arm,cortex-a53"' in out
    assert 'platform: raspi3b image, machine "Raspberry Pi 3 Model B"' in out


def test_all_four_cores_come_online_from_the_spin_table(boot):
    out = booted(boot).output()
    assert "smp: core 0 online (MPIDR 0), boot core" in out
    for core in (1, 2, 3):
        assert f"smp: core {core} online (MPIDR {core:#x})" in out
    assert "smp: 4 cores online" in out
    assert "stays off" not in out


def test_the_elf_enters_at_el3_and_runs_on_one_core(boot):
    """No firmware ran: QEMU started every core at the ELF's entry (they park) and put the
    DTB at 0, over the spin table; the kernel sees the overlap and writes nothing there."""
    out = booted(boot, board="raspi3b-elf").output()
    assert "boot: entered at EL3, running at EL1" in out
    assert re.search(r"boot: device tree at 0, \d+ bytes", out)
    for core, addr in ((1, 0xe0), (2, 0xe8), (3, 0xf0)):
        assert (f"smp: core MPIDR {core:#x}: release address {addr:#x} inside the device tree "
                "(loaded over the spin table: no firmware ran); stays off") in out
    assert "smp: 1 core online" in out


@pytest.fixture
def edited_dtb(tmp_path):
    """A copy of the board's device tree and a function that changes one cpu property."""
    if not shutil.which("fdtput"):
        pytest.fail("fdtput (Debian's device-tree-compiler) is needed: scripts/setup.sh")
    dtb = tmp_path / "edited.dtb"
    shutil.copy(DTB, dtb)

    def put(cpu, prop, *words, string=False):
        kind = ["-t", "s" if string else "x"]
        subprocess.run(["fdtput", *kind, str(dtb), f"/cpus/cpu@{cpu}", prop, *map(str, words)],
                       check=True)
        return dtb
    return put


def test_release_addresses_and_methods_come_from_the_device_tree(boot, edited_dtb):
    """cpu@1: another enable-method (no PSCI here) stays off; cpu@2: an address outside the
    firmware's reservation is refused; cpu@3: an address QEMU's loop does not watch is
    written (the kernel follows the tree), so that core never comes up."""
    edited_dtb(1, "enable-method", "psci", string=True)
    edited_dtb(2, "cpu-release-addr", "0", "100000")
    dtb = edited_dtb(3, "cpu-release-addr", "0", "1d8")
    out = booted(boot, dtb=dtb).output()
    assert "smp: core MPIDR 0x1: enable-method psci and no PSCI in the device tree; stays off" \
        in out
    assert ("smp: core MPIDR 0x2: release address 0x100000 not in memory the device tree "
            "reserves (/memreserve/); stays off") in out
    assert "smp: core MPIDR 0x3 did not come up; no further cores started" in out
    assert "smp: 1 core online" in out


def test_a_core_woken_by_another_cores_address_is_recorded_as_itself(boot, edited_dtb):
    """cpu@1 and cpu@2 given each other's release word: the core that wakes is the one QEMU's
    loop watches that word for, and the kernel records its real MPIDR (the boot lines), so
    SGIs for kernel core 1 go to the core running it; ktest's cross-core call and stall
    tests pass on the swapped cores. (Recording the tree's MPIDR instead, they still pass,
    late, by the target's next tick: the boot lines are what shows the difference.)"""
    edited_dtb(1, "cpu-release-addr", "0", "e8")
    dtb = edited_dtb(2, "cpu-release-addr", "0", "e0")
    tests = "smp_call_reply,smp_thread_deleted,smp_thread_suspended"  # 63 bytes at most
    m = boot(board="raspi3b", append="init=ktest ktest=" + tests, dtb=dtb, timeout=60)
    m.expect_exact("ktest: done, 3 passed, 0 failed", timeout=60)
    out = m.output()
    assert "smp: core 1 online (MPIDR 0x2)" in out
    assert "smp: core 2 online (MPIDR 0x1)" in out
    assert "smp: 4 cores online" in out


def test_a_release_address_outside_ram_is_refused(boot, edited_dtb):
    dtb = edited_dtb(3, "cpu-release-addr", "0x10", "0")
    out = booted(boot, dtb=dtb).output()
    assert "smp: core MPIDR 0x3: release address 0x1000000000 not in RAM (/memory); stays off" \
        in out
    assert "smp: 3 cores online" in out


def test_an_unknown_enable_method_is_named_and_the_rest_start(boot, edited_dtb):
    dtb = edited_dtb(2, "enable-method", "brcm,bcm2836-smp", string=True)
    out = booted(boot, dtb=dtb).output()
    assert 'smp: core MPIDR 0x2: enable-method "brcm,bcm2836-smp" not supported; stays off' \
        in out
    assert "smp: core 1 online (MPIDR 0x1)" in out
    assert "smp: core 2 online (MPIDR 0x3)" in out  # numbered in order of coming up
    assert "smp: 3 cores online" in out


def test_devices_come_from_the_device_tree_through_the_soc_ranges(boot):
    out = booted(boot).output()
    # uart0 is <0x7e201000> on the bus, interrupt <2 25> of ARMCTRL (GPU 57 -> INTID 89);
    # the virtual timer is local source 3; the watchdog is <0x7e100000>.
    assert ("platform: uart 0x3f201000 irq 89, BCM2836 local 0x40000000, timer irq 3 at "
            "62500000 Hz, psci none, power manager 0x3f100000") in out


def test_ram_from_the_memory_node_and_the_soc_window_as_device_memory(boot):
    out = booted(boot).output()
    # QEMU rewrites /memory to 0..0x3c000000 (1 GiB less the GPU's 64 MiB); the peripheral
    # window of the /soc ranges (0x3f000000, 16 MiB) becomes device untyped memory though it
    # lies above RAM (RAM overlapping a window is left out: tests/unit/test_bootmem.c).
    assert "memory: 960 MiB RAM" in out
    assert "  ram      00000000000-0x03c000000" in out
    assert re.search(r"untyped at 0x3f200000, 2\^21 bytes, device", out)  # holds the UART
    assert "untyped at 0x3f00b000" not in out  # the interrupt controller is the kernel's
    assert "  reserved 00000000000-0x000001000 firmware (memreserve)" in out


def test_timer_ticks_and_the_uart_interrupt_delivers_keys(boot):
    m = booted(boot)
    first = tick_count(m)  # the key arrives through ARMCTRL's GPU interrupt 57
    time.sleep(0.5)
    second = tick_count(m)  # the virtual timer through the local controller
    assert second - first >= 20  # 100 Hz: at least 0.2 s of ticks in 0.5 s


def test_poweroff_through_the_power_manager_exits_qemu_cleanly(boot):
    m = booted(boot)
    m.send("q")
    m.expect_exact("mica: power off")
    assert m.wait_exit() == 0



@debug_only
def test_a_kernel_crash_stops_the_machine_through_the_power_manager(boot):
    m = boot(board="raspi3b", append="init=hello crash=undef")
    m.expect_exact("Unknown reason (undefined instruction) (EC 0x00)")
    m.expect_exact("mica: machine stopped")
    assert m.wait_exit() == 0
