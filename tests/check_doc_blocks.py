#!/usr/bin/env python3
"""Checks that every C and Meson code block of a tutorial is real, compiled code.

Usage: check_doc_blocks.py ROOT DOC...

Each ```c or ```meson block must follow a line `<!-- file: PATH -->` (PATH from ROOT): a C
block must be that file exactly, a Meson block must appear in that file verbatim. The build
compiles those files (they are programs of the boot archive), so every block is compiled.
Blocks of other languages (console sessions, shell commands) are not code and not checked.
Exits 1 and names each block that does not match.
"""
import re
import sys
from pathlib import Path

FENCE = re.compile(r"^```(\w*)\s*$")
MARK = re.compile(r"^<!-- file: (\S+) -->\s*$")


def blocks(lines):
    """Yields (line number, language, marked path or None, text) per fenced block."""
    i, mark = 0, None
    while i < len(lines):
        m = MARK.match(lines[i])
        if m:
            mark = m.group(1)
        f = FENCE.match(lines[i])
        if f:
            start, lang = i + 1, f.group(1)
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                i += 1
            yield start, lang, mark, "".join(lines[start:i])
            mark = None
        elif lines[i].strip() and not m:
            mark = None
        i += 1


def check(root, doc):
    errors, seen = [], 0
    lines = doc.read_text().splitlines(keepends=True)
    for line, lang, path, text in blocks(lines):
        if lang not in ("c", "meson"):
            continue
        seen += 1
        where = f"{doc}:{line}"
        if not path:
            errors.append(f"{where}: {lang} block without <!-- file: PATH --> before it")
            continue
        source = (root / path).read_text() if (root / path).is_file() else None
        if source is None:
            errors.append(f"{where}: {path} does not exist")
        elif lang == "c" and text != source:
            errors.append(f"{where}: block differs from {path}")
        elif lang == "meson" and text not in source:
            errors.append(f"{where}: block is not in {path}")
    if seen == 0:
        errors.append(f"{doc}: no C or Meson blocks found")
    return errors


def main():
    root = Path(sys.argv[1])
    errors = [e for doc in sys.argv[2:] for e in check(root, Path(doc))]
    for e in errors:
        print(e)
    print(f"doc blocks: {'FAIL' if errors else 'ok'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
