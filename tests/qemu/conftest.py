"""Fixtures for QEMU scenarios: boot Mica, talk to its serial console, always kill QEMU.

Every test gets `boot`, a factory: boot(board=..., cpu=..., ram=..., smp=..., el2=..., gic=...,
append=..., dtb=...) returns a Machine whose console can be expected and written. `board` is
"virt" (the default), "raspi3b" (its own kernel Image and the Raspberry Pi 3 B device tree,
or `dtb`) or "raspi3b-elf" (the same kernel as an ELF, one core); `smp` is virt's core count (scripts/qemu's default otherwise); board_args(board) gives the
scripts/qemu arguments for module fixtures that spawn their own. Each boot's console is logged
to build/qemu-logs/<test>-<n>.log. QEMU is killed when the test ends, whatever happened.
"""
import os
import pathlib
import re
import subprocess

import pexpect
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("MICA_BUILD_DIR", ROOT / "build"))
KERNEL = pathlib.Path(os.environ.get("MICA_KERNEL", BUILD / "kernel" / "mica.elf"))
KERNEL_RASPI3B = pathlib.Path(os.environ.get("MICA_KERNEL_RASPI3B",
                                             BUILD / "kernel" / "mica-raspi3b.img"))
# The same kernel as an ELF: QEMU starts every core at its entry at EL3 (no firmware, no
# spin table), so it runs on the boot core alone.
KERNEL_RASPI3B_ELF = pathlib.Path(os.environ.get("MICA_KERNEL_RASPI3B_ELF",
                                                 BUILD / "kernel" / "mica-raspi3b.elf"))
KERNELS = {"virt": KERNEL, "raspi3b": KERNEL_RASPI3B}
BOARDS = list(KERNELS)
QEMU = ROOT / "scripts" / "qemu"
DEFAULT_TIMEOUT = 30
DEBUG_BUILD = os.environ.get("MICA_KERNEL_BUILD", "debug") == "debug"

debug_only = pytest.mark.skipif(not DEBUG_BUILD, reason="needs a debug kernel build")


def board_args(board):
    """scripts/qemu arguments that boot `board` with its kernel image ("raspi3b-elf": the
    raspi3b board booted from the ELF, on one core)."""
    if board == "raspi3b-elf":
        return ["--board", "raspi3b", "--kernel", str(KERNEL_RASPI3B_ELF)]
    return ["--board", board, "--kernel", str(KERNELS[board])]


class Machine:
    """One running QEMU with Mica's console on a pty."""

    def __init__(self, child):
        self.child = child

    def expect(self, pattern, timeout=DEFAULT_TIMEOUT):
        """Waits for a regex on the console; returns the match object."""
        self.child.expect(pattern, timeout=timeout)
        return self.child.match

    def expect_exact(self, text, timeout=DEFAULT_TIMEOUT):
        self.child.expect_exact(text, timeout=timeout)

    def send(self, text):
        self.child.send(text)

    def wait_exit(self, timeout=DEFAULT_TIMEOUT):
        """Waits for QEMU to exit on its own; returns its exit status."""
        self.child.expect(pexpect.EOF, timeout=timeout)
        self.child.close()
        return self.child.exitstatus

    def output(self):
        """Everything read from the console so far."""
        return self.child.logfile_read_text()

    def kill(self):
        if self.child.isalive():
            self.child.terminate(force=True)


class _Log:
    """Keeps the console text (for assertions) and mirrors it to a log file."""

    def __init__(self, path):
        self.text = []
        self.file = open(path, "w", encoding="utf-8")

    def write(self, data):
        self.text.append(data)
        self.file.write(data)

    def flush(self):
        self.file.flush()


@pytest.fixture
def boot(request):
    machines = []
    logdir = BUILD / "qemu-logs"
    logdir.mkdir(parents=True, exist_ok=True)

    def _boot(board="virt", cpu=None, ram=None, el2=False, gic=None, append=None, icount=False,
              timeout=DEFAULT_TIMEOUT, smp=None, dtb=None):
        args = board_args(board)
        if dtb:
            args += ["--dtb", str(dtb)]
        if smp:
            args += ["--smp", str(smp)]
        if cpu:
            args += ["--cpu", cpu]
        if ram:
            args += ["--ram", ram]
        if el2:
            args += ["--el2"]
        if gic:
            args += ["--gic", str(gic)]
        if append:
            args += ["--append", append]
        if icount:
            args += ["--icount"]
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        log = _Log(logdir / f"{name}-{len(machines)}.log")
        child = pexpect.spawn(str(QEMU), args, encoding="utf-8", codec_errors="replace",
                              timeout=timeout, env=dict(os.environ, TERM="dumb"))
        child.logfile_read = log
        child.logfile_read_text = lambda: "".join(log.text)
        machine = Machine(child)
        machines.append(machine)
        return machine

    yield _boot
    for machine in machines:
        machine.kill()


def kernel_symbol(name):
    """The address of a kernel symbol, read from the ELF with llvm-nm."""
    out = subprocess.run(["llvm-nm", str(KERNEL)], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16)
    raise KeyError(name)
