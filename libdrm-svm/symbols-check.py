#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that a shared library exports exactly the listed symbols."""
import subprocess
import sys


def exported(lib):
    out = subprocess.run(['nm', '-D', '--defined-only', lib], check=True,
                         capture_output=True, text=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in 'TDBRVWi':
            syms.add(parts[2].split('@')[0])
    return syms


def main():
    lib, listfile = sys.argv[1], sys.argv[2]
    with open(listfile) as f:
        wanted = {l.strip() for l in f if l.strip() and not l.startswith('#')}
    have = exported(lib)
    extra = sorted(have - wanted)
    missing = sorted(wanted - have)
    for s in extra:
        print(f'{lib}: unexpected exported symbol {s}')
    for s in missing:
        print(f'{lib}: missing symbol {s}')
    sys.exit(1 if extra or missing else 0)


if __name__ == '__main__':
    main()
