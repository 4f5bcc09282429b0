"""Debug-build crash triggers: the kernel's exception report and its section permissions."""
import re

import pytest

from conftest import debug_only, kernel_symbol

pytestmark = debug_only


def crash(boot, kind):
    m = boot(append=f"crash={kind}")
    assert m.wait_exit() == 0, "the kernel powers the machine off after the report"
    out = m.output()
    assert "mica: machine stopped" in out
    return out


def report_field(out, name):
    return int(re.search(rf"{name} 0x([0-9a-f]+)", out).group(1), 16)


def test_data_abort_report_names_class_and_address(boot):
    out = crash(boot, "dabort")
    assert "Data Abort from the current EL (EC 0x25)" in out
    assert report_field(out, "FAR") == 0xFFFF8000DEAD0000
    assert "translation fault, level 0, on read at 0xffff8000dead0000" in out


def test_report_shows_every_register(boot):
    out = crash(boot, "dabort")
    for n in range(31):
        assert re.search(rf"x{n} +0x[0-9a-f]{{16}}", out), f"x{n} missing"
    assert re.search(r"sp +0x[0-9a-f]{16}", out)
    assert re.search(r"ELR 0x[0-9a-f]{16}  SPSR 0x[0-9a-f]{8}", out)


def test_writing_kernel_text_is_a_permission_fault(boot):
    out = crash(boot, "write-text")
    target = kernel_symbol("arch_debug_crash")
    assert "Data Abort from the current EL (EC 0x25)" in out
    assert report_field(out, "FAR") == target
    assert f"permission fault, level 3, on write at {target:#x}" in out


def test_executing_rodata_is_an_instruction_abort(boot):
    out = crash(boot, "exec-rodata")
    target = kernel_symbol("crash_rodata_target")
    assert "Instruction Abort from the current EL (EC 0x21)" in out
    assert report_field(out, "FAR") == target
    assert report_field(out, "ELR") == target
    assert f"permission fault, level 3, on instruction fetch at {target:#x}" in out


def test_undefined_instruction_is_reported(boot):
    out = crash(boot, "undef")
    assert "Unknown reason (undefined instruction) (EC 0x00)" in out
    elr = report_field(out, "ELR")
    assert kernel_symbol("__text_start") <= elr < kernel_symbol("__text_end")


def test_unknown_crash_kind_is_refused_and_boot_continues(boot):
    m = boot(append="crash=bogus init=hello")
    m.expect_exact("unknown crash kind 'bogus'")
    m.expect_exact("hello: waiting on notification")
