"""The shell server on the real serial console: every command and every menu entry, with a good
and a bad argument each, crash reports, the default boot, and a seeded console fuzz.

Most tests share one boot (the module fixture `sh`, memsrv with a fixed seed) and only create
what they use, so they run in any order; the ones that need a clean machine boot their own.
Commands are typed the way a person types them: the line, then Enter; the test waits for the
echo and then for the next prompt, and looks at what was printed in between.
"""
import json
import os
import random
import re

import pexpect
import pytest

from conftest import BOARDS, BUILD, DEBUG_BUILD, DEFAULT_TIMEOUT, QEMU, Machine, _Log, board_args, debug_only
from test_memsrv import MEMTEST_TESTS  # memtest's suite, as menu 6 runs it

pytestmark = debug_only  # memsrv's and memtest's lines go through the debug console

PROMPT = "mica> "
APPEND = "init=memsrv memsrv.seed=5"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x07")
COMMANDS = ["help", "as", "peek", "poke", "vma", "maps", "map", "stats", "kstat", "ps", "spawn",
            "kill", "audit", "bench", "test", "status", "reset", "seed", "menu", "ls"]
MENU = ["User space status", "Create address space", "Destroy address space",
        "Switch the probe to an address space", "VMA management", "User space test",
        "Initialise user space manager"]


def clean(text):
    """Console text without escape sequences, bells and carriage returns."""
    return ANSI.sub("", text).replace("\r", "")


class Shell:
    """Types into the shell on a booted machine and returns what each line printed."""

    def __init__(self, machine):
        self.m = machine
        self.child = machine.child
        self.banner = clean(self.expect(PROMPT, timeout=DEFAULT_TIMEOUT))

    def expect(self, pattern, timeout=DEFAULT_TIMEOUT, exact=True):
        """Waits for text on the console; returns everything before it."""
        if exact:
            self.child.expect_exact(pattern, timeout=timeout)
        else:
            self.child.expect(pattern, timeout=timeout)
        return self.child.before

    def run(self, line, prompt=PROMPT, timeout=DEFAULT_TIMEOUT):
        """Types `line` and Enter; returns the output up to the next `prompt`."""
        self.child.send(line + "\r")
        self.expect(re.escape(line) + r"\r*\n", timeout=timeout, exact=False)
        return clean(self.expect(prompt, timeout=timeout))

    def settle(self):
        """Reads whatever is still arriving (asynchronous reports) for a moment."""
        self.child.expect(pexpect.TIMEOUT, timeout=0.5)
        return clean(self.child.before)


def number(pattern, text):
    """The integer (decimal or 0x hex) the first group of `pattern` matches in `text`."""
    m = re.search(pattern, text, re.M)
    assert m, f"{pattern!r} not in:\n{text}"
    return int(m.group(1), 0)


def stat(sh, as_id, name):
    return number(rf"^  {name} +(\d+)$", sh.run(f"stats {as_id}"))


def gstat(sh, name):
    return number(rf"^  {name} +(\d+)$", sh.run("stats"))


def create(sh):
    return number(r"created address space (\d+)", sh.run("as create"))


def maps_line(out, start):
    """The maps line of the VMA starting at `start`: (perms, kind, resident, pages, rest)."""
    m = re.search(rf"^0*{start:x}-[0-9a-f]+ (\S+) +(\w+) +(\d+)/(\d+) +(.*)$", out, re.M)
    assert m, f"no VMA at {start:#x} in:\n{out}"
    return m.group(1), m.group(2), int(m.group(3)), int(m.group(4)), m.group(5)


def start_machine(name, append=APPEND, icount=False, board="virt"):
    """A QEMU of our own (module fixtures cannot use the function-scoped `boot`)."""
    logdir = BUILD / "qemu-logs"
    logdir.mkdir(parents=True, exist_ok=True)
    log = _Log(logdir / f"test_shell-{name}.log")
    args = board_args(board) + ["--append", append] + (["--icount"] if icount else [])
    child = pexpect.spawn(str(QEMU), args, encoding="utf-8", codec_errors="replace",
                          timeout=DEFAULT_TIMEOUT, env=dict(os.environ, TERM="dumb"))
    child.logfile_read = log
    child.logfile_read_text = lambda: "".join(log.text)
    return Machine(child)


@pytest.fixture(scope="module", params=BOARDS)
def sh(request):
    """The shared shell, once per board: every test using it runs on virt and on raspi3b."""
    machine = start_machine(f"shared-{request.param}", board=request.param)
    try:
        shell = Shell(machine)
        shell.board = request.param
        yield shell
    finally:
        machine.kill()


@pytest.fixture
def fresh(boot):
    """A shell of its own, for tests that need a clean machine."""
    return Shell(boot(append=APPEND))


# --- boot and the console ------------------------------------------------------------------

def test_boot_lands_in_the_shell_with_the_console(sh):
    assert "memsrv: started 'shell' as process 1 (control) (console)" in sh.banner
    assert "Mica shell: process 1, serial interrupts on" in sh.banner


def test_default_boot_without_arguments_is_the_shell(boot):
    opts = json.loads((BUILD / "meson-info" / "intro-buildoptions.json").read_text())
    root = next(o["value"] for o in opts if o["name"] == "root_task")
    if root != "memsrv":
        pytest.skip(f"this build has root_task={root} (meson configure -Droot_task=memsrv)")
    shell = Shell(boot())
    assert "roottask: 'memsrv'" in shell.banner
    assert "memsrv: started 'shell' as process 1 (control) (console)" in shell.banner


def test_the_shell_owns_the_uart_interrupt(sh):
    # The kernel's debug key t no longer reaches the kernel: the shell gets it.
    out = sh.run("t")
    assert "error: unknown command 't'" in out
    assert "ticks:" not in out
    assert number(r"uart interrupts \(shell\) +(\d+)", sh.run("kstat")) > 0


def test_help_lists_every_command_and_help_cmd_gives_usage(sh):
    out = sh.run("help")
    for name in COMMANDS:
        assert re.search(rf"^  {name} +\S", out, re.M), f"{name} missing from help"
    out = sh.run("help vma")
    assert "usage: vma map|unmap|protect|list ID ..." in out
    assert "vma map ID ADDR|auto LEN PROT [anon|stack] [eager|lazy]" in out
    assert "error: no command 'nosuch'" in sh.run("help nosuch")
    assert "error: help takes at most one command name" in sh.run("help a b")


def test_unknown_commands_and_bad_lines_are_errors(sh):
    assert "error: unknown command 'frobnicate' (type help for the list)" in sh.run("frobnicate")
    assert "error: missing closing quote" in sh.run('as "create')
    assert "error: too many arguments" in sh.run("ps " + " ".join(["x"] * 20))
    assert sh.run("") == ""


def test_line_editing_history_and_ctrl_c(sh):
    sh.run("seed 11")
    sh.child.send("\x1b[A\r")  # Up redraws the last line (prompt included); Enter runs it
    sh.expect("placement generator reseeded with 11")
    sh.expect(PROMPT)
    sh.child.send("as destroy 1\x03")  # Ctrl-C drops the line: nothing runs
    out = clean(sh.expect(PROMPT))
    assert "^C" in out and "destroyed" not in out and "error" not in out
    sh.child.send("x" * 400 + "\r")  # too long: the editor refuses past 255 bytes
    out = clean(sh.expect(PROMPT))
    assert "unknown command 'xxxxxxxx" in out


def test_ctrl_a_is_the_shells_home_key_not_qemus_escape(sh):
    # "elp", Home, "h": the line is "help". Were Ctrl-A QEMU's escape, QEMU would print its
    # own help for Ctrl-A h and the shell would get "elp".
    sh.child.send("elp\x01h\r")
    out = clean(sh.expect(PROMPT))
    assert "list the commands, or show how to use one" in out
    assert "unknown command" not in out and "C-a h" not in out


# --- address spaces and the probe ----------------------------------------------------------

def test_as_create_list_and_destroy(sh):
    as_id = create(sh)
    assert re.search(rf"^ +{as_id} +0 +0 +0 +4096  created by the shell", sh.run("as list"),
                     re.M)
    out = sh.run(f"as destroy {as_id}")
    assert f"destroyed address space {as_id}: 1 frames returned" in out
    assert not re.search(rf"^ +{as_id} ", sh.run("as list"), re.M)
    assert f"error: as destroy: no such address space {as_id}" in sh.run(f"as destroy {as_id}")
    assert "error: bad ID '0': address-space ids are 1..1023" in sh.run("as destroy 0")
    assert "error: as destroy 1: that is the shell's own address space" in sh.run("as destroy 1")
    assert "created address space" in sh.run("as create 64")


def test_as_errors_name_the_subcommand_and_the_limit(sh):
    out = sh.run("as craete")
    assert "error: unknown subcommand 'craete' (expected create, destroy, list or switch)" in out
    assert "usage: as create [QUOTA]" in out
    assert "error: as needs a subcommand: create, destroy, list or switch" in sh.run("as")
    assert "error: as list takes no arguments" in sh.run("as list 2")
    assert "error: expected one address-space ID (or self)" in sh.run("as destroy")
    assert "error: bad QUOTA '0x1000001': at most 2^24 pages (16777216)" in sh.run(
        "as create 0x1000001")
    assert "created address space" in sh.run("as create 0x1000000")  # 2^24 itself is fine


def test_as_destroy_returns_every_frame_it_held(sh):
    as_id = create(sh)
    sh.run(f"as switch {as_id}")
    sh.run(f"vma map {as_id} 0x20000000 64K rw eager")
    held = stat(sh, as_id, "resident pages") + stat(sh, as_id, "table pages") + 1
    free_before = gstat(sh, "free frames")
    out = sh.run(f"as destroy {as_id}")
    assert f"destroyed address space {as_id}: {held} frames returned" in out
    assert gstat(sh, "free frames") == free_before + held


def test_vma_map_then_poke_makes_one_page_resident(sh):
    as_id = create(sh)
    assert f"probe now runs in address space {as_id}" in sh.run(f"as switch {as_id}")
    assert "mapped 0x10000000-0x10004000 rw- anon lazy" in sh.run(
        f"vma map {as_id} 0x10000000 16K rw")
    assert maps_line(sh.run(f"maps {as_id}"), 0x10000000)[:4] == ("rw-", "anon", 0, 4)
    before = stat(sh, as_id, "resident pages")
    lazy = stat(sh, as_id, "faults lazy")
    assert f"[{as_id}] 0x000010000008 <- 0x1234abcd" in sh.run("poke 0x10000008 0x1234abcd")
    assert maps_line(sh.run(f"maps {as_id}"), 0x10000000)[2] == 1
    assert stat(sh, as_id, "resident pages") == before + 1
    assert stat(sh, as_id, "faults lazy") == lazy + 1
    assert f"[{as_id}] 0x000010000008: 0x000000001234abcd" in sh.run("peek 0x10000008")
    assert stat(sh, as_id, "resident pages") == before + 1  # the same page: no new fault


def test_peek_of_an_unmapped_address_reports_unmapped_and_kills_nothing(sh):
    as_id = create(sh)
    sh.run(f"as switch {as_id}")
    out = sh.run("peek 0x1000")
    assert f"error: peek 0x1000 faulted in address space {as_id}: unmapped (no VMA there)" in out
    assert stat(sh, as_id, "faults unmapped") == 1
    out = sh.run("peek 0xffff000040200000")  # the kernel half: unmapped too
    assert "faulted in address space" in out and ": unmapped" in out
    sh.run(f"vma map {as_id} 0x10000000 4K rw")
    assert f"[{as_id}] 0x000010000000: 0x0000000000000000" in sh.run("peek 0x10000000")


def test_poke_of_read_only_memory_reports_permission(sh):
    as_id = create(sh)
    sh.run(f"as switch {as_id}")
    sh.run(f"vma map {as_id} 0x30000000 8K r eager")
    out = sh.run("poke 0x30000000 1")
    assert f"poke 0x30000000 faulted in address space {as_id}: permission" in out
    assert stat(sh, as_id, "faults permission") == 1
    assert f"[{as_id}] 0x000030000000: 0x0000000000000000" in sh.run("peek 0x30000000")


def test_peek_of_a_stack_guard_page_reports_guard(sh):
    as_id = create(sh)
    sh.run(f"as switch {as_id}")
    start = number(r"mapped (0x[0-9a-f]+)-", sh.run(f"vma map {as_id} auto 16K rw stack"))
    assert 0x7E0000000000 <= start < 0x7F0000000000
    out = sh.run(f"peek {start:#x}")
    assert f"faulted in address space {as_id}: guard (a stack's guard page)" in out
    assert "[" in sh.run(f"peek {start + 0x1000:#x}")  # the first usable page is fine


def test_peek_and_poke_argument_errors(sh):
    assert "error: expected one address" in sh.run("peek")
    assert "error: bad ADDR 'zz': not a number" in sh.run("peek zz")
    assert "error: expected an address and a value" in sh.run("poke 0x1000")
    assert "error: bad VALUE '1q'" in sh.run("poke 0x1000 1q")
    sh.run(f"as switch {create(sh)}")
    assert "ADDR must be 8-byte aligned" in sh.run("peek 0x10000004")


def test_peek_without_an_address_space_is_an_error(fresh):
    assert "error: peek: no address space selected: use 'as switch ID' first" in fresh.run(
        "peek 0x1000")
    as_id = create(fresh)
    fresh.run(f"as switch {as_id}")
    fresh.run(f"as destroy {as_id}")
    assert "no address space selected" in fresh.run("peek 0x1000")


def test_as_switch_errors(sh):
    assert "error: as switch: no such address space 999 (as list shows the live ones)" in sh.run(
        "as switch 999")
    assert "error: bad ID 'abc'" in sh.run("as switch abc")
    tiny = number(r"created address space (\d+)", sh.run("as create 2"))
    assert "error: as switch: E_NOMEM" in sh.run(f"as switch {tiny}")


def test_probe_in_a_process_reads_its_image_and_its_faults_kill_nothing(sh):
    pid = number(r"started crasher as process (\d+)", sh.run("spawn crasher 6"))
    sh.run(f"as switch {pid}")
    assert re.search(rf"\[{pid}\] 0x000000400000: 0x[0-9a-f]{{16}}", sh.run("peek 0x400000"))
    assert ": unmapped" in sh.run("peek 0x8")
    assert re.search(rf"^ +{pid}  running ", sh.run("ps"), re.M)
    assert "error: poke: refusing to write into the shell's own address space" in sh.run(
        "as switch self") + sh.run("poke 0x400000 0")
    sh.run(f"kill {pid}")


# --- VMAs --------------------------------------------------------------------------------

def test_vma_map_errors_are_memsrvs(sh):
    as_id = create(sh)
    sh.run(f"vma map {as_id} 0x10000000 8K rw")
    assert "error: vma map: E_WX (writable and executable together (W^X))" in sh.run(
        f"vma map {as_id} 0x20000000 4K rwx")
    assert "error: vma map: E_ALIGN" in sh.run(f"vma map {as_id} 0x20000100 4K rw")
    assert "error: vma map: E_MAPPED" in sh.run(f"vma map {as_id} 0x10001000 4K rw")
    assert "error: vma map: E_RANGE" in sh.run(f"vma map {as_id} 0x7f0000000000 4K rw")
    assert "error: bad PROT 'rz'" in sh.run(f"vma map {as_id} 0x20000000 4K rz")
    assert "error: bad option 'huge'" in sh.run(f"vma map {as_id} 0x20000000 4K rw huge")
    assert "error: vma map: no such address space 1000" in sh.run("vma map 1000 0x20000000 4K rw")
    assert "error: vma unmap: no such address space 1000" in sh.run("vma unmap 1000 0x2000 4K")
    assert "error: vma needs an operation" in sh.run("vma")
    assert "error: unknown subcommand 'mpa' (expected map, unmap, protect or list)" in sh.run(
        "vma mpa 2 auto 4K rw")


def test_vma_protect_and_unmap(sh):
    as_id = create(sh)
    sh.run(f"vma map {as_id} 0x10000000 16K rw")
    assert "protected 0x10000000-0x10001000 r-- in address space" in sh.run(
        f"vma protect {as_id} 0x10000000 4K r")
    out = sh.run(f"vma list {as_id}")
    assert maps_line(out, 0x10000000)[:4] == ("r--", "anon", 0, 1)
    assert maps_line(out, 0x10001000)[:4] == ("rw-", "anon", 0, 3)
    assert "unmapped 0x10000000-0x10002000" in sh.run(f"vma unmap {as_id} 0x10000000 8K")
    out = sh.run(f"maps {as_id}")
    assert "000010000000-" not in out and maps_line(out, 0x10002000)[3] == 2
    assert "error: vma protect: E_NOTMAPPED" in sh.run(f"vma protect {as_id} 0x10000000 16K r")
    assert "error: expected ID ADDR LEN PROT, got 3 words" in sh.run(
        f"vma protect {as_id} 0x10000000 4K")
    assert "refusing to change the shell's own address space" in sh.run(
        "vma unmap 1 0x400000 4K")


def test_maps_of_the_shell_shows_its_image_ipc_buffer_uart_and_stack(sh):
    out = sh.run("maps 1")
    assert maps_line(out, 0x400000)[:2] == ("r-x", "elf")
    assert re.search(r"^[0-9a-f]+-[0-9a-f]+ rw- shared +1/1 +eager pinned \[ipc buffer\]$", out,
                     re.M)
    assert re.search(r"^[0-9a-f]+-[0-9a-f]+ rw- device +0/1 +eager pinned \[uart\]$", out, re.M)
    assert re.search(r"^7e[0-9a-f]+-[0-9a-f]+ rw- stack +\d+/16 +lazy guard$", out, re.M)
    assert "error: bad ID '5000'" in sh.run("maps 5000")
    assert "error: maps: no such address space 1000" in sh.run("maps 1000")
    assert "error: map: no such address space 1000" in sh.run("map 1000")


def test_maps_map_and_audit_default_to_the_probe_else_the_shell(fresh):
    assert fresh.run("maps").startswith("address space 1: ")
    assert "address space 1, log scale" in fresh.run("map")
    assert "audit of address space 1: " in fresh.run("audit")
    as_id = create(fresh)
    fresh.run(f"as switch {as_id}")
    assert fresh.run("maps").startswith(f"address space {as_id}: ")
    assert f"audit of address space {as_id}: " in fresh.run("audit")
    assert fresh.run("maps self").startswith("address space 1: ")


def test_map_draws_the_layout(sh):
    out = sh.run("map 1")
    bar = re.search(r"^\|([.aesdip*]{72})\|$", out, re.M)
    assert bar, out
    assert bar.group(1)[20] == "e"  # the image at 4 MiB = 2^22: column 2 * (22 - 12)
    assert len(bar.group(1).replace(".", "")) >= 3  # image, IPC buffer + UART, stack
    assert "e elf  a anon  s stack" in out
    assert "error: map takes at most one ID" in sh.run("map 1 2")


# --- statistics and audit -------------------------------------------------------------------

def test_stats_global_and_per_address_space(sh):
    out = sh.run("stats")
    total, free = number(r"total frames +(\d+)", out), number(r"free frames +(\d+)", out)
    assert 0 < free < total
    assert number(r"aslr bits +(\d+)", out) == 28
    out = sh.run("stats 1")
    assert number(r"^  id +(\d+)$", out) == 1
    assert number(r"^  resident pages +(\d+)$", out) == number(r"^  mapped pages +(\d+)$",
                                                               out) - 1  # + the UART page
    assert "error: stats: no such address space 1000" in sh.run("stats 1000")
    assert number(r"^  id +(\d+)$", sh.run("stats self")) == 1
    assert "error: stats takes at most one ID" in sh.run("stats 1 2")


BIG_TIMEOUT = 300  # a few seconds of QEMU each, but the machine may be shared


def test_a_4_gib_guest_maps_and_touches_memory_beyond_512_mib(boot):
    # memsrv sizes its page hash and per-slot tables from the RAM, and the kernel sizes the
    # root CNode from it (docs/memsrv.md "Memory"): a 4 GiB guest counts all its frames and
    # an eager 600 MiB map (153,600 pages: more than a 512 MiB guest has) succeeds; the last
    # page reads back what was written; the audit agrees with the kernel on every physical
    # address; destroying the space gives every frame back.
    big = Shell(boot(ram="4G", append=APPEND))
    assert gstat(big, "total frames") > 1_000_000
    # The probe's kernel objects are made on its first attach and kept for good (probe.c):
    # attach it once before counting, so that the count below sees only the new space.
    big.run("as switch 1")
    free = gstat(big, "free frames")
    as_id = number(r"created address space (\d+)", big.run("as create 0x1000000"))
    out = big.run(f"vma map {as_id} auto 600M rw eager", timeout=BIG_TIMEOUT)
    end = number(r"mapped 0x[0-9a-f]+-(0x[0-9a-f]+) rw- anon eager", out)
    assert f"address space {as_id}: 1 VMAs, 153600 resident pages" in big.run(f"maps {as_id}")
    assert gstat(big, "free frames") < free - 153600
    big.run(f"as switch {as_id}")
    big.run(f"poke {end - 8:#x} 0x5ca1ab1e")
    assert re.search(r": 0x0*5ca1ab1e$", big.run(f"peek {end - 8:#x}"), re.M)
    assert "0 violations" in big.run(f"audit {as_id}", timeout=BIG_TIMEOUT)
    big.run("as switch 1")
    big.run(f"as destroy {as_id}", timeout=BIG_TIMEOUT)
    assert gstat(big, "free frames") == free


def test_kstat_shows_the_kernel_counters(sh):
    out = sh.run("kstat")
    # Release kernels do not keep the IPC fastpath's counters, and kstat says so.
    hot = ["system calls", "ipc messages", "context switches", "address-space switches"]
    for name in ["faults", "interrupts", "tlbi by va", "asid rollovers"] + hot:
        if name in hot and not DEBUG_BUILD:
            assert re.search(rf"^  {name} +not counted \(release kernel\)$", out, re.M), name
        else:
            assert re.search(rf"^  {name} +\d+$", out, re.M), name
    if DEBUG_BUILD:
        assert number(r"^  context switches +(\d+)$", out) > 0
    assert number(r"^  hardware asid bits +(\d+)$", out) in (8, 16)
    assert "error: kstat takes no arguments" in sh.run("kstat now")


def ps_cores(out):
    """{pid: core} of the running processes `ps` lists."""
    return {int(p): int(c) for p, c in re.findall(r"^ +(\d+)  running +(\d+) ", out, re.M)}


def kstat_cores(out):
    """kstat's per-core rows: {core: (ticks, switches, sgis, stalls, tlbi, waits, running,
    queued, placed)}; switches is None where a release kernel shows '-' (not counted)."""
    rows = re.findall(r"^  +(\d+) +(\d+) +(\d+|-)" + r" +(\d+)" * 7 + "$", out, re.M)
    return {int(r[0]): tuple(None if x == "-" else int(x) for x in r[1:]) for r in rows}


def test_ps_and_kstat_show_the_cores_and_spawn_core_places_a_process(sh):
    out = sh.run("kstat")
    cores = number(r"^  cores online +(\d+)$", out)
    assert cores == 4  # virt's four, and the Pi 3's four (started from its spin table)
    assert "  CORE    TICKS SWITCHES SGIS-IN STALLS    TLBI   WAITS RUNNING QUEUED PLACED" in out
    rows = kstat_cores(out)
    assert sorted(rows) == list(range(cores))
    # Each core counts the invalidations it issued; the machine's counters were read first,
    # so the cores' sum (read after) is at least theirs. memsrv's unmaps run on core 0.
    machine = sum(number(rf"^  tlbi {kind} +(\d+)$", out) for kind in ("by va", "by asid", "all"))
    assert sum(r[4] for r in rows.values()) >= machine > 0 and rows[0][4] > 0
    last = cores - 1
    pinned = number(r"started crasher as process (\d+)", sh.run(f"spawn --core {last} crasher 6"))
    spread = [number(r"started crasher as process (\d+)", sh.run("spawn crasher 6"))
              for _ in range(cores)]
    placed = ps_cores(sh.run("ps"))
    assert placed[1] == 0 and placed[pinned] == last
    # Least loaded first: core 0 has memsrv and the shell, so these cover every other core.
    assert set(range(1, cores)) <= {placed[p] for p in spread} <= set(range(cores))
    rows = kstat_cores(sh.run("kstat"))
    assert all(rows[c][8] >= 1 for c in range(cores))  # memsrv placed a thread on each
    assert rows[last][8] >= 2 if cores > 1 else rows[0][8] >= 3
    assert rows[last][1] is None or rows[last][1] > 0  # the core switched to a thread
    for pid in [pinned] + spread:
        assert f"killed process {pid}" in sh.run(f"kill {pid}")
    assert all(p not in ps_cores(sh.run("ps")) for p in [pinned] + spread)


def test_spawn_core_errors_change_nothing(sh):
    cores = number(r"^  cores online +(\d+)$", sh.run("kstat"))
    before = gstat(sh, "created")
    assert (f"error: spawn --core {cores}: no such core online (cores 0..{cores - 1})"
            in sh.run(f"spawn --core {cores} crasher 0"))
    assert "error: spawn --core 300: no such core (at most 8 cores)" in sh.run(
        "spawn --core 300 crasher")
    assert "bad N 'x'" in sh.run("spawn --core x crasher")
    assert "error: expected --core N PROG [ARGS]" in sh.run("spawn --core 0")
    assert gstat(sh, "created") == before  # nothing was made, not even an id
    out = sh.run("spawn --core 0 argtest hello") + sh.settle()
    assert re.search(r"started argtest as process \d+", out)
    assert 'argtest: argv[1] = "hello"' in out


def test_audit_agrees_and_refuses_bad_ids(sh):
    assert re.search(r"audit of address space 1: \d+ mappings checked, 0 violations "
                     r"\(the tables agree\)", sh.run("audit 1"))
    as_id = create(sh)
    sh.run(f"vma map {as_id} 0x10000000 32K rw eager")
    sh.run(f"vma protect {as_id} 0x10002000 8K r")
    assert f"audit of address space {as_id}: 8 mappings checked, 0 violations" in sh.run(
        f"audit {as_id}")
    assert "error: audit: no such address space 1000" in sh.run("audit 1000")
    assert "error: audit takes at most one address-space ID" in sh.run("audit 1 2")


def test_seed(sh):
    assert "placement generator reseeded with 42" in sh.run("seed 42")
    assert "error: bad N 'x'" in sh.run("seed x")


# --- processes ------------------------------------------------------------------------------

def test_ps_lists_the_shell_and_its_thread(sh):
    out = sh.run("ps")
    assert re.search(r"^ PID  STATE    CORE FAULTS  RESIDENT  NAME$", out, re.M)
    assert re.search(r"^ +1  running +0 +\d+ +\d+  shell \(this shell\)$", out, re.M)
    assert "threads: a first thread per running process" in out
    assert "memsrv and its probe run on core 0" in out
    assert "error: the only argument ps takes is 'all'" in sh.run("ps -ef")


def test_spawn_and_kill(sh):
    pid = number(r"started crasher as process (\d+)", sh.run("spawn crasher 6"))
    assert re.search(rf"^ +{pid}  running +\d+ +\d+ +\d+  crasher$", sh.run("ps"), re.M)
    assert f"killed process {pid}" in sh.run(f"kill {pid}")
    assert not re.search(rf"^ +{pid}  running", sh.run("ps"), re.M)
    assert re.search(rf"^ +{pid}  killed +- ", sh.run("ps all"), re.M)  # no core any more
    assert f"error: kill {pid}: no such running process" in sh.run(f"kill {pid}")
    assert "error: kill 1: that is the shell itself" in sh.run("kill 1")
    assert "error: spawn nothere: no such program in the boot archive" in sh.run("spawn nothere")
    assert "error: spawn memsrv: runs only as the root task" in sh.run("spawn memsrv")
    assert "error: spawn: E_TYPE (not a valid program)" in sh.run("spawn notelf")
    assert "error: expected PROG [ARG] [control], or PROG -- WORDS" in sh.run(
        "spawn crasher 1 2 control")


def archive_rows(out):
    """The rows of `ls`: {name: (bytes, note)}."""
    rows = re.findall(r"^  (\S+) +(\d+)  ?(.*)$", out, re.M)
    return {name: (int(size), note) for name, size, note in rows if name != "NAME"}


def test_ls_and_spawn_without_a_name_list_the_boot_archive(sh):
    out = sh.run("ls")
    rows = archive_rows(out)
    assert number(r"^(\d+) files; spawn NAME starts a program without a note$", out) == len(rows)
    assert rows["crasher"][0] > 1000 and rows["crasher"][1] == ""
    assert rows["memtest"][1] == ""
    assert rows["notelf"][1] == "not a program"
    assert rows["memsrv"][1].startswith("runs only as the root task")
    assert rows["shell"][1].startswith("is the console's")
    assert archive_rows(sh.run("spawn")) == rows
    assert "error: ls takes no arguments" in sh.run("ls -l")


def test_every_command_takes_help_and_h(sh):
    for name in COMMANDS:
        for flag in ("--help", "-h"):
            out = sh.run(f"{name} {flag}")
            assert out.startswith(f"usage: {name}"), (name, flag, out)
            assert "error" not in out, (name, flag, out)
    out = sh.run("vma map 2 --help")  # anywhere on the line
    assert out.startswith("usage: vma ") and "mapped" not in out


def test_spawn_help_documents_every_crasher_mode(sh):
    out = sh.run("help spawn")
    for mode in range(11):
        assert re.search(rf"^ +{mode} \w", out, re.M) or re.search(rf"  {mode} \w", out), mode


def test_crasher_isolation_needs_another_address_space(sh):
    out = sh.run("spawn crasher 5")
    pid = number(r"started crasher as process (\d+)", out)
    out += clean(sh.expect(PROMPT))
    assert "crasher: mode 5 needs another address space's id in ARG bits 8-23" in out
    assert f"process {pid} (crasher) exited with code 2" in out
    # Aimed at the shell (space 1) without the control right: every request is refused.
    pid = number(r"started crasher as process (\d+)", sh.run("spawn crasher 0x105"))
    out = clean(sh.expect(PROMPT))
    assert f"process {pid} (crasher) exited with code 0" in out
    assert "isolation step" not in out


@pytest.mark.parametrize("mode,how", [
    (1, r"guard page hit at 0x7e[0-9a-f]+"),
    (2, r"unmapped access at 0x10,"),
    (3, r"permission fault at 0x[0-9a-f]+"),
    (8, r"fault \(undefined instruction"),
])
def test_a_crash_is_reported_and_reclaimed_and_the_prompt_returns(sh, mode, how):
    free = gstat(sh, "free frames")
    out = sh.run(f"spawn crasher {mode}")
    pid = number(r"started crasher as process (\d+)", out)
    out += clean(sh.expect(PROMPT))  # the report redraws the prompt
    assert re.search(rf"process {pid} \(crasher\) killed: {how}", out), out
    assert f"memsrv: crasher (process {pid}) killed" in out
    assert gstat(sh, "free frames") == free  # everything came back
    assert "list the commands" in sh.run("help")


def test_a_held_child_whose_parent_ends_without_starting_it_is_killed(sh):
    # crasher 10 spawns a waiting crasher held and exits with its id without starting it:
    # nobody else may start it, so memsrv kills it as its parent ends; every frame is back.
    free, killed = gstat(sh, "free frames"), gstat(sh, "killed")
    pid = number(r"started crasher as process (\d+)", sh.run("spawn crasher 10 control"))
    out = clean(sh.expect(PROMPT)) + sh.settle()
    orphan = number(rf"process {pid} \(crasher\) exited with code (\d+)", out)
    assert (f"memsrv: crasher (process {orphan}) killed: its parent (process {pid}) ended "
            "before starting it") in out
    assert gstat(sh, "killed") == killed + 1 and gstat(sh, "free frames") == free
    assert orphan not in ps_cores(sh.run("ps"))
    # Without the control right it cannot spawn, says so and exits with 0.
    pid = number(r"started crasher as process (\d+)", sh.run("spawn crasher 10"))
    out = clean(sh.expect(PROMPT))
    assert "crasher: spawn held: E_RIGHTS" in out
    assert f"process {pid} (crasher) exited with code 0" in out


def test_a_normal_exit_is_reported(sh):
    pid = number(r"started crasher as process (\d+)", sh.run("spawn crasher 0"))
    out = clean(sh.expect(PROMPT))
    assert f"process {pid} (crasher) exited with code 0" in out


# --- test and bench -----------------------------------------------------------------------

def test_bench_runs_membench_and_explains_icount(sh):
    out = sh.run("bench", timeout=60)
    assert "membench: lazy_fault_fill" in out and "membench: done" in out
    assert "not running under -icount" in out
    assert "error: bench takes no arguments" in sh.run("bench fast")


def test_bench_under_icount_counts_instructions():
    machine = start_machine("icount", icount=True)
    try:
        shell = Shell(machine)
        out = shell.run("bench", timeout=120)
        assert number(r"membench: lazy_fault_fill (\d+)", out) > 1000
        assert "exact only under -icount shift=0" in out
    finally:
        machine.kill()


# --- the menu -------------------------------------------------------------------------------

def open_menu(sh):
    sh.child.send("|")
    out = clean(sh.expect("menu> "))
    for i, entry in enumerate(MENU, 1):
        assert f"  {i}  {entry}" in out
    return out


def test_menu_opens_with_bar_and_leaves_with_q(sh):
    open_menu(sh)
    assert "error: no menu entry '8'" in sh.run("8", prompt="menu> ")
    assert "1  User space status" in sh.run("?", prompt="menu> ")
    sh.run("q")
    assert "list the commands" in sh.run("help")


def test_menu_1_shows_status(sh):
    open_menu(sh)
    out = sh.run("1", prompt="menu> ")
    assert "-- User space status" in out
    assert re.search(r"frames: \d+ total, \d+ free, \d+ used", out)
    assert re.search(r"^ +1 +\d+ +\d+ +\d+ +4096  process 1 \(shell\), this shell", out, re.M)
    sh.run("q")


def test_menu_2_3_create_and_destroy(sh):
    open_menu(sh)
    as_id = number(r"created address space (\d+)", sh.run("2", prompt="menu> "))
    sh.run("3", prompt="destroy address space: ")
    assert f"destroyed address space {as_id}" in sh.run(str(as_id), prompt="menu> ")
    sh.run("3", prompt="destroy address space: ")
    assert "error: bad ID 'x'" in sh.run("x", prompt="menu> ")
    sh.run("q")


def test_menu_4_switches_the_probe(sh):
    as_id = create(sh)
    open_menu(sh)
    sh.run("4", prompt="switch the probe to address space: ")
    assert f"probe now runs in address space {as_id}" in sh.run(str(as_id), prompt="menu> ")
    sh.run("4", prompt="switch the probe to address space: ")
    assert "error: as switch: no such address space 999" in sh.run("999", prompt="menu> ")
    sh.run("q")
    # A refused switch changes nothing: the probe is still where entry 4 put it.
    assert f"faulted in address space {as_id}: unmapped" in sh.run("peek 0x1000")


def test_menu_5_vma_management(sh):
    as_id = create(sh)
    open_menu(sh)
    sh.run("5", prompt="VMA management in address space: ")
    p = f"vma {as_id}> "
    assert "mapped 0x10000000-0x10004000 rw- anon lazy" in sh.run(str(as_id), prompt=p) + sh.run(
        "map 0x10000000 16K rw", prompt=p)
    assert maps_line(sh.run("list", prompt=p), 0x10000000)[:4] == ("rw-", "anon", 0, 4)
    assert "protected" in sh.run("protect 0x10000000 4K r", prompt=p)
    assert "unmapped" in sh.run("unmap 0x10003000 4K", prompt=p)
    assert "error: vma map: E_WX" in sh.run("map 0x20000000 4K rwx", prompt=p)
    assert "error: unknown subcommand 'frob' (expected map, unmap, protect or list)" in sh.run(
        "frob", prompt=p)
    sh.run("back", prompt="menu> ")
    sh.run("q")
    out = sh.run(f"maps {as_id}")
    assert maps_line(out, 0x10000000)[0] == "r--" and maps_line(out, 0x10001000)[3] == 2


def test_menu_5_refuses_an_address_space_that_does_not_exist(sh):
    open_menu(sh)
    sh.run("5", prompt="VMA management in address space: ")
    out = sh.run("999", prompt="menu> ")  # straight back to the menu: no vma 999> prompt
    assert "error: VMA management: no such address space 999" in out
    assert "vma 999>" not in out and "commands: map" not in out
    sh.run("q")


def test_menu_6_runs_the_self_test_suite(sh):
    open_menu(sh)
    out = sh.run("6", prompt="menu> ", timeout=180)
    assert "running memtest as process" in out
    assert len(re.findall(r"^memtest: PASS \w+$", out, re.M)) == len(MEMTEST_TESTS)
    assert f"memtest: done, {len(MEMTEST_TESTS)} passed, 0 failed" in out
    assert "user space test: every memtest test passed" in out
    sh.run("q")


def test_menu_7_initialises_the_user_space_manager(fresh):
    a, b = create(fresh), create(fresh)
    fresh.run(f"as switch {a}")
    pid = number(r"started crasher as process (\d+)", fresh.run("spawn crasher 6"))
    fresh.run("frobnicate")
    free_at_boot = number(r"free frames +(\d+)", fresh.run("stats")) + 0
    open_menu(fresh)
    out = fresh.run("7", prompt="menu> ")
    assert "user space manager initialised: 3 address space(s) destroyed, probe detached, " \
           "shell counters reset" in out
    assert "shell counters: 0 commands, 0 errors" in out
    assert re.search(r"^1 address space$", out, re.M)
    fresh.run("q")
    assert not re.search(rf"^ +({a}|{b}|{pid}) ", fresh.run("as list"), re.M)
    assert number(r"free frames +(\d+)", fresh.run("stats")) > free_at_boot
    assert "no address space selected" in fresh.run("peek 0x1000")
    assert "error: reset takes no arguments" in fresh.run("reset now")


# --- nothing typed can break it -------------------------------------------------------------

def test_random_console_input_leaves_the_shell_answering(fresh):
    rng = random.Random(20240601)
    for _ in range(400):
        r = rng.random()
        if r < 0.1:
            data = "".join(rng.choice("abcdefghij 0123456789|") for _ in range(rng.randint(200, 600)))
            data += "\r"
        elif r < 0.5:
            data = "".join(chr(rng.randint(0, 127)) for _ in range(rng.randint(1, 40)))
        elif r < 0.6:
            data = rng.choice(["\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b[3~", "\x1b[1;5C",
                               "\x1bO", "\x1b[", "\x1b[99999999999999999999~", "\x1b\x1b[["])
        else:
            data = "".join(chr(rng.randint(32, 126)) for _ in range(rng.randint(1, 30)))
            data += rng.choice(["\r", "\n", "\r\n", "", "\x03"])
        # QEMU's console multiplexer takes Ctrl-] as its escape (scripts/qemu's -echr):
        # Ctrl-] Ctrl-] sends one.
        fresh.child.send(data.replace("\x1d", "\x1d\x1d"))
        fresh.child.expect(pexpect.TIMEOUT, timeout=rng.choice([0, 0.01, 0.03]))
    for _ in range(4):  # leave any menu, sub-prompt or running test
        fresh.child.send("\x03")
        fresh.child.expect(pexpect.TIMEOUT, timeout=0.3)
    assert "list the commands, or show how to use one" in fresh.run("help")
    assert re.search(r"^ +1  running .* shell \(this shell\)$", fresh.run("ps"), re.M)
    assert "0 violations" in fresh.run("audit 1")
