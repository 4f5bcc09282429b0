"""The raspi3b board (QEMU -M raspi3b, Raspberry Pi 3 B): its own kernel image, the device
tree from Debian's arm64 kernel package, the BCM2836/BCM2835 interrupt controllers, the
generic timer through the local controller, the PL011 console and the BCM2835 power manager.

Like test_boot.py these boot `hello` (init=hello), whose kernel keys (t: ticks, q: power off)
reach the kernel through the UART's interrupt. The ktest suite (test_kernel_core.py) and the
shell scenarios (test_shell.py) run on this board too.
"""
import re
import time

from conftest import debug_only

IDLE = "hello: waiting on notification"


def booted(boot, append=None):
    m = boot(board="raspi3b", append="init=hello" + (" " + append if append else ""))
    m.expect_exact(IDLE)
    return m


def tick_count(m):
    m.send("t")
    return int(m.expect(r"ticks: (\d+)\r*\n").group(1))


def test_entered_at_el3_with_the_device_tree_at_the_base_of_ram(boot):
    out = booted(boot).output()
    assert "boot: entered at EL3, running at EL1" in out
    assert re.search(r"boot: device tree at 0, \d+ bytes", out)
    assert "cpu: Cortex-A53 " in out and 'dt "arm,cortex-a53"' in out
    assert 'platform: raspi3b image, machine "Raspberry Pi 3 Model B"' in out


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
