"""The scripts a newcomer runs first: scripts/run --help, scripts/qemu's options, and what the
shared set-up (scripts/setup.sh) says while it builds. None of these boot a kernel."""
import os
import subprocess

from conftest import ROOT

SCRIPTS = ROOT / "scripts"


def run(args, **env):
    return subprocess.run(args, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, **env))


def test_run_help_prints_usage_before_building(tmp_path):
    build = tmp_path / "never-built"
    r = run([str(SCRIPTS / "run"), "--help"], MICA_BUILD_DIR=str(build))
    assert r.returncode == 0
    assert "usage: scripts/qemu [--board virt|raspi3b] [--cpu MODEL] [--ram SIZE]" in r.stdout
    assert "--ram SIZE" in r.stdout and "Ctrl-] x quits QEMU" in r.stdout
    assert not build.exists()  # nothing was configured or built


def test_qemu_help_and_unknown_options(tmp_path):
    r = run([str(SCRIPTS / "qemu"), "-h"], MICA_BUILD_DIR=str(tmp_path))
    assert r.returncode == 0 and "--icount" in r.stdout
    r = run([str(SCRIPTS / "qemu"), "--frob"], MICA_BUILD_DIR=str(tmp_path))
    assert r.returncode == 2
    assert "scripts/qemu: unknown option '--frob' (scripts/qemu --help lists them)" in r.stderr
    r = run([str(SCRIPTS / "qemu"), "--smp", "9"], MICA_BUILD_DIR=str(tmp_path))
    assert r.returncode == 2
    assert "scripts/qemu: --smp takes 1 to 8 cores, not '9'" in r.stderr


def test_setup_says_it_builds_only_when_there_is_work(tmp_path):
    # A build directory whose one target is out of date: the first call builds and says so,
    # the second has nothing to do and is silent.
    (tmp_path / "build.ninja").write_text(
        "rule touch\n  command = touch $out\nbuild out: touch\ndefault out\n")
    script = f'. "{SCRIPTS / "setup.sh"}"; configure_and_build'
    first = run(["bash", "-c", script], MICA_BUILD_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert f"setup: building Mica (ninja -C {tmp_path})..." in first.stderr
    assert (tmp_path / "out").exists()
    second = run(["bash", "-c", script], MICA_BUILD_DIR=str(tmp_path))
    assert second.returncode == 0 and "building" not in second.stderr


def test_qemu_refuses_virt_options_and_unknown_boards_for_raspi3b(tmp_path):
    r = run([str(SCRIPTS / "qemu"), "--board", "raspi3b", "--el2", "--ram", "2G"],
            MICA_BUILD_DIR=str(tmp_path))
    assert r.returncode == 2
    assert "raspi3b is a fixed machine (Cortex-A53 x 4, 1 GiB): --el2 --ram is virt's only" \
        in r.stderr
    r = run([str(SCRIPTS / "qemu"), "--board", "pi5"], MICA_BUILD_DIR=str(tmp_path))
    assert r.returncode == 2 and "unknown board 'pi5' (virt or raspi3b)" in r.stderr


def test_docs_name_the_escape_key_scripts_qemu_sets():
    """scripts/qemu makes Ctrl-] QEMU's escape key (-echr 0x1d); a page that still tells a
    newcomer to quit with QEMU's default Ctrl-A X sends them into the shell's Home key."""
    assert "-echr 0x1d" in (SCRIPTS / "qemu").read_text()
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    stale = [p.name for p in pages if "ctrl-a x" in p.read_text().lower()]
    assert stale == [], f"pages that say Ctrl-A X quits QEMU: {stale}"
    assert "Ctrl-] x quits QEMU" in (ROOT / "README.md").read_text()
