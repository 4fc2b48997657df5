#!/usr/bin/env python3
"""Writes the kernel's symbol table into the .ksyms section of the raw image.

Usage: ksyms.py KERNEL_ELF KERNEL_BIN

The kernel reads the table to put names in backtraces (kernel/src/symbols.rs has the
layout). Only code symbols are kept; Rust hashes are dropped from names.
"""
import os
import re
import struct
import subprocess
import sys

NM = os.environ.get("NM", "aarch64-linux-gnu-nm")


def nm(elf, *flags):
    out = subprocess.run([NM, "-n", "--defined-only", *flags, elf],
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3:
            yield int(parts[0], 16), parts[1], parts[2]


def main():
    elf, image = sys.argv[1], sys.argv[2]
    raw = {name: addr for addr, _, name in nm(elf)}
    base, start, end = raw["__kernel_start"], raw["__ksyms_start"], raw["__ksyms_end"]

    syms = []
    for addr, kind, name in nm(elf, "-C"):
        if kind in "tTwW" and not name.startswith("$"):
            syms.append((addr, re.sub(r"::h[0-9a-f]{16}$", "", name)))
    names = bytearray()
    entries = bytearray()
    for addr, name in syms:
        encoded = name.encode()
        entries += struct.pack("<QII", addr, len(names), len(encoded))
        names += encoded
    table = b"KSYM" + struct.pack("<I", len(syms)) + entries + names
    room = end - start
    if len(table) > room:
        sys.exit(f"ksyms: symbol table is {len(table)} bytes, .ksyms holds {room}; "
                 "raise KSYMS_SPACE in kernel/src/arch/aarch64/backtrace.rs")
    with open(image, "r+b") as f:
        f.seek(start - base)
        if f.read(len(table)) != bytes(len(table)):
            sys.exit("ksyms: .ksyms in the image is not empty; wrong file?")
        f.seek(start - base)
        f.write(table)
    print(f"ksyms: {len(syms)} symbols, {len(table)} of {room} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
