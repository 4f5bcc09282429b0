#!/usr/bin/env python3
"""Keeps the kernel's architecture split true (meson test --suite style).

Generic kernel code (kernel/*.[ch], kernel/object/, kernel/lib/) reaches the architecture
only through kernel/arch.h. This check fails, naming file, line and rule, if generic code

  regs     touches a field of struct user_context (`.x[`, `ctx.pc`, `ctx.sp`, `ctx.spsr`,
           `ctx.tpidr`): it must use the accessors of <arch/registers.h> (arch_get_mr, ...);
  include  includes an architecture header: <arch/...>, "arch/...", or a header that exists
           only under kernel/arch/<arch>/ (e.g. "timer.h", "vspace.h").

The headers a generic file may include anyway are listed below, each with its reason; no
generic file is allowed to touch registers. Comments are ignored.

  check_arch_split.py ROOT         checks the tree at ROOT
  check_arch_split.py --self-test  plants each kind of violation in a scratch tree and
                                   fails unless every one is caught and a clean tree passes
"""
import pathlib
import re
import sys
import tempfile

ARCH_DIR = "kernel/arch/aarch64"

# The arch headers generic code may include, by file: the interface and its inline part.
ALLOWED_INCLUDES = {
    "kernel/arch.h": {"arch/registers.h", "arch/memlayout.h"},
    "kernel/smp.h": {"arch/percpu.h"},  # struct arch_percpu is a member of struct percpu
    # The inline half of arch.h's fastpath switch (arch_switch_check, arch_fast_switch):
    # it needs struct tcb, which arch.h must not, and only the fastpath uses it.
    "kernel/fastpath.c": {"arch/switch.h"},
}

REGS_RE = re.compile(r"(\.|->)x\s*\[|\bctx\s*(\.|->)\s*(x|pc|sp|spsr|tpidr|pad)\b")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
COMMENT_RE = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def strip_comments(text):
    """The text with comments blanked, keeping line numbers."""
    return COMMENT_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def generic_files(root):
    """The generic kernel sources under root, as paths relative to it."""
    kernel = root / "kernel"
    found = []
    for pattern in ("*.c", "*.h", "object/*.c", "object/*.h", "lib/*.c", "lib/*.h"):
        found += sorted(kernel.glob(pattern))
    return [p.relative_to(root).as_posix() for p in found]


def include_violation(root, rel, kind, name):
    """Why including `name` from generic file `rel` is not allowed, or None."""
    if name.startswith("arch/"):
        if name in ALLOWED_INCLUDES.get(rel, set()):
            return None
        return f"includes architecture header {name}: use kernel/arch.h"
    if kind == '"':
        here = (root / rel).parent
        generic = [here / name, root / "kernel" / name]
        private = [root / ARCH_DIR / name, root / ARCH_DIR / "include" / name]
        if not any(p.exists() for p in generic) and any(p.exists() for p in private):
            return f'includes architecture-private header "{name}": use kernel/arch.h'
    return None


def check(root):
    """Returns the violations in the tree at root, as (file, line, rule, message)."""
    root = pathlib.Path(root)
    problems = []
    for rel in generic_files(root):
        text = strip_comments((root / rel).read_text())
        for m in INCLUDE_RE.finditer(text):
            why = include_violation(root, rel, m.group(1), m.group(2))
            if why:
                line = text.count("\n", 0, m.start()) + 1
                problems.append((rel, line, "include", why))
        for no, line in enumerate(text.splitlines(), 1):
            m = REGS_RE.search(line)
            if m:
                problems.append((rel, no, "regs", f"touches saved register {m.group(0)!r}: "
                                 "use the accessors of <arch/registers.h>"))
    return problems


def report(problems):
    for rel, line, rule, why in problems:
        print(f"{rel}:{line}: [{rule}] {why}")


def self_test():
    """Plants one violation of each kind and checks each is found, and only those."""
    clean = {
        "kernel/arch.h": '#include <arch/registers.h>\n#include <arch/memlayout.h>\n',
        "kernel/smp.h": '#include <arch/percpu.h>\n',
        "kernel/stats.h": "int x;\n",
        ARCH_DIR + "/timer.h": "int timer;\n",
        ARCH_DIR + "/include/arch/memlayout.h": "int m;\n",
        "kernel/object/good.c": ('#include "arch.h"\n#include "stats.h"\n#include <mica/errors.h>\n'
                                 "/* ctx.x[1] in a comment is fine */\n"
                                 "void f(struct tcb *t) { arch_set_msginfo(&t->ctx, 0); }\n"),
        # The listed file may include its listed header.
        "kernel/fastpath.c": '#include "arch.h"\n#include <arch/switch.h>\n',
    }
    planted = {
        "kernel/object/bad_index.c": ("void f(struct tcb *t) { t->ctx.x[2 + 1] = 0; }\n", "regs"),
        "kernel/bad_field.c": ("void f(struct tcb *t) { t->ctx.spsr = 0; }\n", "regs"),
        "kernel/object/bad_ptr.c": ("void f(struct user_context *c) { c->x[8] = 0; }\n", "regs"),
        "kernel/bad_include.c": ("#include <arch/memlayout.h>\n", "include"),
        "kernel/object/bad_private.c": ('#include "timer.h"\n', "include"),
        "kernel/lib/bad_path.c": ('#include "arch/aarch64/timer.h"\n', "include"),
        "kernel/object/bad_allowed_elsewhere.h": ("#include <arch/percpu.h>\n", "include"),
        "kernel/sched.c": ("#include <arch/switch.h>\n", "include"),
    }
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        for rel, text in clean.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        found = check(root)
        if found:
            failures.append(f"clean tree reported: {found}")
        for rel, (text, rule) in planted.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
            got = [(f, r) for f, _, r, _ in check(root)]
            if got != [(rel, rule)]:
                failures.append(f"planted {rule} violation in {rel}: check reported {got}")
            (root / rel).unlink()
    for f in failures:
        print("self-test: " + f)
    if not failures:
        print(f"check_arch_split self-test: {len(planted)} planted violations caught, "
              "clean tree and listed includes pass")
    return 1 if failures else 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 2:
        print(__doc__)
        return 2
    root = pathlib.Path(argv[1])
    problems = check(root)
    report(problems)
    if problems:
        print(f"check_arch_split: {len(problems)} violations of the architecture split "
              "(docs/architecture.md, 'The architecture interface')")
        return 1
    print(f"check_arch_split: {len(generic_files(root))} generic kernel files keep the split")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
