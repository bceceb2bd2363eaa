#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that a shared library exports exactly the listed symbols, each in
the listed version node."""
import subprocess
import sys


def exported(lib):
    out = subprocess.run(['nm', '-D', '--defined-only', lib], check=True,
                         capture_output=True, text=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in 'TDBRVWi':
            name, _, version = parts[2].partition('@@')
            if not version:
                name, _, version = parts[2].partition('@')
            syms.add((name, version))
    return syms


def main():
    lib, listfile = sys.argv[1], sys.argv[2]
    with open(listfile) as f:
        wanted = {tuple(l.split()) for l in f
                  if l.strip() and not l.startswith('#')}
    # The version nodes themselves show up as absolute symbols.
    nodes = {v for _, v in wanted}
    have = {(n, v) for n, v in exported(lib) if n not in nodes}
    extra = sorted(have - wanted)
    missing = sorted(wanted - have)
    for n, v in extra:
        print(f'{lib}: unexpected exported symbol {n}@{v}')
    for n, v in missing:
        print(f'{lib}: missing symbol {n}@{v}')
    sys.exit(1 if extra or missing else 0)


if __name__ == '__main__':
    main()
