#!/usr/bin/python3
"""Checks that the kernel's fastpath entry points need no stack.

vectors.S branches to them with SP just past the entering thread's saved context
(kernel/fastpath.h): a spill or a call there would write into those saved registers. So
their compiled code must not name SP and must not call (they end in branches to their
continuations). Run by the build on every kernel image (kernel/meson.build) and by
tests/qemu/test_kernel_core.py.

usage: check-fastpath-stack.py [--functions F,G] OBJDUMP KERNEL.elf [STAMP]
Prints the offending instructions and exits 1 if there are any; else writes STAMP.
--functions checks other functions instead (the test shows so that it finds a stack).
"""
import re
import subprocess
import sys

USAGE = "usage: check-fastpath-stack.py [--functions F,G] OBJDUMP KERNEL.elf [STAMP]"
FASTPATHS = ("fastpath_call", "fastpath_reply_recv", "fastpath_nbsend", "fastpath_yield")


def violations(objdump, elf, functions=FASTPATHS):
    """{function: [offending instruction, ...]} ("missing" if it is not in the image)."""
    dis = subprocess.run([objdump, "-d", "--no-show-raw-insn", elf],
                         capture_output=True, text=True, check=True).stdout
    bodies = dict(re.findall(r"\n[0-9a-f]+ <(\w+)>:\n(.*?)(?=\n\n|\Z)", dis, re.S))
    found = {}
    for name in functions:
        if name not in bodies:
            found[name] = ["missing"]
            continue
        for line in bodies[name].splitlines():
            insn = line.split(":", 1)[1].split("<")[0].strip()
            mnemonic, _, operands = insn.partition("\t")
            if mnemonic in ("bl", "blr") or re.search(r"\bw?sp\b", operands):
                found.setdefault(name, []).append(insn.replace("\t", " "))
    return found


def main():
    args = sys.argv[1:]
    functions = FASTPATHS
    if args[:1] == ["--functions"] and len(args) > 1:
        functions = tuple(args[1].split(","))
        args = args[2:]
    if len(args) not in (2, 3):
        sys.exit(USAGE)
    bad = violations(args[0], args[1], functions)
    for name, insns in bad.items():
        for insn in insns:
            print(f"{args[1]}: {name} needs a stack: {insn}", file=sys.stderr)
    if bad:
        sys.exit(1)
    if len(args) == 3:
        with open(args[2], "w") as f:
            f.write("fastpaths use no stack\n")


if __name__ == "__main__":
    main()
