"""Servers beyond memsrv, from the shell: the key-value example pair (servers/kv), found by
name, telling clients apart by badge, serving with two threads and moving bulk values through
shared buffers; a second client; the server killed while clients wait; its name gone with it;
string arguments through `spawn PROG WORD...`; the tutorial's programs.

One machine serves the module's tests in order (they build on each other's state, as a
person at the console would).
"""
import re

import pytest

from conftest import debug_only
from test_shell import Shell, number, start_machine

pytestmark = debug_only  # the programs' output goes through the debug console


@pytest.fixture(scope="module")
def sh():
    machine = start_machine("servers")
    try:
        yield Shell(machine)
    finally:
        machine.kill()


def spawn(sh, line, expect):
    """Runs `spawn ...` and waits for the program's line matching `expect`; returns
    (pid, all output up to and including that line)."""
    out = sh.run(line)
    pid = number(r"started \S+ as process (\d+)", out)
    whole = expect + r"[^\r\n]*\r*\n"  # the line and its end: output arrives in pieces
    if not re.search(whole, out, re.M):
        out += sh.expect(whole, exact=False) + sh.child.after
    return pid, out.replace("\r", "")


@pytest.fixture(scope="module")
def server(sh):
    pid, _ = spawn(sh, "spawn kvsrv", r'kvsrv: serving "kv" on slot \d+ with 2 threads')
    return pid


def test_client_puts_and_gets_through_the_name(sh, server):
    _, out = spawn(sh, "spawn kvcli put colour blue get colour", r"kvcli: get colour = .*")
    assert "kvcli: put colour: ok" in out
    assert "kvcli: get colour = blue" in out


def test_second_client_sees_the_data_and_its_own_badge(sh, server):
    pid, out = spawn(sh, "spawn kvcli get colour stat", r"kvcli: stat: .*")
    assert "kvcli: get colour = blue" in out
    # The server saw this client's process id as its badge: memsrv minted it, not the client.
    assert re.search(rf"kvcli: stat: 1 keys, I am client {pid}, 2 calls", out)


def test_only_the_owner_changes_a_key(sh, server):
    _, out = spawn(sh, "spawn kvcli del colour put colour red", r"kvcli: put colour: .*")
    assert "kvcli: del colour: E_RIGHTS" in out  # another process put it
    assert "kvcli: put colour: E_RIGHTS" in out
    _, out = spawn(sh, 'spawn kvcli put mine "two words" get mine del mine get mine',
                   r"kvcli: get mine: .*")
    assert "kvcli: get mine = two words" in out
    assert "kvcli: del mine: ok" in out
    assert "kvcli: get mine: E_NOTMAPPED" in out


def test_overlong_key_is_refused(sh, server):
    key = "k" * 16  # one byte longer than a key may be (kvcli refuses it before calling)
    _, out = spawn(sh, f"spawn kvcli put {key} v", r"kvcli: put k+: .*")
    assert f"kvcli: put {key}: E_INVAL" in out


def test_bulk_values_through_shared_buffers(sh, server):
    _, out = spawn(sh, "spawn kvcli putbig blob 3000", r"kvcli: putbig blob: .*")
    m = re.search(r"kvcli: putbig blob: 3000 bytes, sum (\d+)", out)
    assert m, out
    # Another client gets the value through its own buffer (shared with it alone).
    _, out = spawn(sh, "spawn kvcli getbig blob", r"kvcli: getbig blob: .*")
    assert f"kvcli: getbig blob: 3000 bytes, sum {m.group(1)}, starts abcdefgh" in out
    _, out = spawn(sh, "spawn kvcli get blob", r"kvcli: get blob: .*")
    assert "kvcli: get blob: E_MSGSIZE" in out  # too long for a message: bulk only
    _, out = spawn(sh, "spawn kvcli putbig huge 4097", r"kvcli: putbig huge: .*")
    assert "kvcli: putbig huge: E_INVAL" in out


def test_server_killed_while_clients_wait(sh, server):
    # Both of the server's threads take a pause call and hang; a third call queues.
    _, out = spawn(sh, "spawn kvcli pause", r"kvsrv: pausing a thread")
    assert "kvcli: pause: waiting for the server" in out
    _, out = spawn(sh, "spawn kvcli get colour", r"kvcli: get colour.*")
    assert "kvcli: get colour = blue" in out  # the other thread still serves
    spawn(sh, "spawn kvcli pause", r"kvsrv: pausing a thread")
    out = sh.run("spawn kvcli get colour")
    number(r"started kvcli as process (\d+)", out)
    sh.settle()
    out = sh.run(f"kill {server}")
    text = out + sh.settle()
    for _ in range(10):
        if text.count("kvcli: pause: E_DELETED") == 2 and "get colour: E_DELETED" in text:
            break
        text += sh.settle()
    assert text.count("kvcli: pause: E_DELETED") == 2  # the calls its threads had taken
    assert "kvcli: get colour: E_DELETED" in text  # the call queued on its endpoint
    out = sh.run("ps")
    assert not re.search(r"^\s*\d+\s+running.*kvcli", out, re.M), out  # nothing hangs
    assert re.search(r"^\s*\d+\s+running.*shell", out, re.M), out


def test_names_of_a_dead_server_are_gone(sh, server):
    _, out = spawn(sh, "spawn kvcli get colour", r"kvcli: lookup kv: .*")
    assert "kvcli: lookup kv: E_NOTMAPPED" in out


def test_a_new_server_takes_the_name_again(sh):
    spawn(sh, "spawn kvsrv", r'kvsrv: serving "kv"')
    _, out = spawn(sh, "spawn kvcli get colour stat", r"kvcli: stat: .*")
    assert "kvcli: get colour: E_NOTMAPPED" in out  # a fresh store
    assert "kvcli: stat: 0 keys" in out


def test_spawn_passes_string_arguments(sh):
    _, out = spawn(sh, 'spawn argtest -- one "two three" 4', r'argtest: argv\[3\] = .*')
    assert 'argtest: argv[0] = "argtest"' in out
    assert 'argtest: argv[1] = "one"' in out
    assert 'argtest: argv[2] = "two three"' in out
    assert 'argtest: argv[3] = "4"' in out  # after --, numbers are words too


def test_first_program_of_the_tutorial(sh):
    pid, out = spawn(sh, 'spawn first one "two words"', r"process \d+ \(first\) exited with code")
    assert "first: argv[0] = first" in out
    assert "first: argv[1] = one" in out
    assert "first: argv[2] = two words" in out
    assert re.search(rf"first: I am process {pid}, \d+ pages resident, quota 4096", out)
    assert f"process {pid} (first) exited with code 2" in out  # its argc - 1


def test_first_server_of_the_tutorial(sh):
    server, _ = spawn(sh, "spawn greeter", r"greeter: ready")
    client, out = spawn(sh, "spawn greet", r"greet: .*")
    assert f"greet: process {server} says hello to process {client} (call 1)" in out
    client, out = spawn(sh, "spawn greet", r"greet: .*")
    assert f"greet: process {server} says hello to process {client} (call 2)" in out
