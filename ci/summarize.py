#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Count every leaf test result of a drm-svm test run.

Reads the raw results left by ci/test.sh and ci/guest-tests.sh:

  ci/<check>.result            host checks (checkpatch, kernel-doc, builds)
  meson/testlog.json           host meson tests (symbols, IGT layer self-test)
  vm/<step>.result             steps in the VM (module load/unload, boot)
  kunit/<suite>.ktap           KUnit (KTAP from debugfs)
  igt/<bin>/{list,<sub>.out}   IGT-API tests, one run per subtest
  kselftest/<bin>.{tap,list}   kselftest-harness tests

Planned cases without a result (KTAP/TAP plans, IGT --list-subtests,
kselftest -l, ci/kunit-suites.txt) count as failed. Prints one line per
failure, writes all leaves to results.txt and ends with
`tests: N passed, N failed, N skipped`. Exit status 1 if anything failed or
nothing passed.
"""
import json
import os
import re
import sys

results = []  # (framework/name, 'pass'|'fail'|'skip', note)


# name -> last lines of what a failed test printed (shown under FAIL)
details = {}


def tail(path, n=15):
    text = read(path)
    return '\n'.join(text.rstrip().splitlines()[-n:]) if text else ''


def add(name, res, note=''):
    results.append((name, res, note))


def read(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return None


def simple_results(d, prefix):
    if not os.path.isdir(d):
        return
    for f in sorted(os.listdir(d)):
        if f.endswith('.result'):
            r = (read(os.path.join(d, f)) or 'fail').strip()
            add(f'{prefix}/{f[:-7]}', r if r in ('pass', 'fail', 'skip') else 'fail')


RESULT_RE = re.compile(r'^(\s*)(not ok|ok)\s+(\d+)\s*(?:-\s*)?([^#]*?)\s*(#\s*(\S+).*)?$')
PLAN_RE = re.compile(r'^(\s*)1\.\.(\d+)')


def parse_tap(text, prefix):
    """KTAP/TAP: a result line is a leaf unless the result line just before
    it is indented deeper (its children come first). A plan "1..N" counts
    the results at its indentation until a shallower result closes it.

    Returns the number of leaves found."""
    count = 0
    prev_indent = None
    plans = []  # stack of [indent, planned, seen]
    for line in text.splitlines():
        m = PLAN_RE.match(line)
        if m:
            plans.append([len(m.group(1).expandtabs(8)), int(m.group(2)), 0])
            continue
        m = RESULT_RE.match(line)
        if not m:
            continue
        indent = len(m.group(1).expandtabs(8))
        status, name = m.group(2), m.group(4).strip()
        directive = (m.group(6) or '').upper()
        while plans and plans[-1][0] > indent:
            pi, planned, seen = plans.pop()
            for i in range(seen, planned):
                add(f'{prefix}/{name}/missing-{i + 1}', 'fail', 'planned, no result')
        if plans and plans[-1][0] == indent:
            plans[-1][2] += 1
        parent = prev_indent is not None and prev_indent > indent
        prev_indent = indent
        if parent:
            continue
        if directive == 'SKIP':
            res = 'skip'
        elif directive in ('TODO', 'XFAIL'):
            res = 'pass' if status == 'not ok' else 'fail'
        else:
            res = 'pass' if status == 'ok' else 'fail'
        add(f'{prefix}/{name}', res)
        count += 1
    for pi, planned, seen in plans:
        for i in range(seen, planned):
            add(f'{prefix}/missing-{i + 1}', 'fail', 'planned, no result')
    return count


def kunit(root, suites_file):
    d = os.path.join(root, 'kunit')
    expected = []
    text = read(suites_file) or ''
    for line in text.splitlines():
        parts = line.split()
        if parts and not parts[0].startswith('#') and len(parts) == 2:
            expected.append(parts[1])
    for suite in expected:
        t = read(os.path.join(d, f'{suite}.ktap'))
        if t is None or parse_tap(t, f'kunit/{suite}') == 0:
            add(f'kunit/{suite}', 'fail', 'no KTAP results')


SUB_RE = re.compile(r'^Subtest (\S+): (\S+)')
DYN_RE = re.compile(r'^Dynamic subtest (\S+): (\S+)')
IGT_MAP = {'SUCCESS': 'pass', 'SKIP': 'skip'}


def igt(root):
    d = os.path.join(root, 'igt')
    if not os.path.isdir(d):
        return
    for binary in sorted(os.listdir(d)):
        bd = os.path.join(d, binary)
        listing = read(os.path.join(bd, 'list'))
        rc = (read(os.path.join(bd, 'list.rc')) or '').strip()
        if listing is None or rc != '0':
            add(f'igt/{binary}', 'fail', '--list-subtests failed')
            continue
        for sub in [s for s in listing.splitlines() if s.strip()]:
            out = read(os.path.join(bd, f'{sub}.out'))
            if out is None:
                add(f'igt/{binary}/{sub}', 'fail', 'not run')
                continue
            dyn = []
            res = None
            for line in out.splitlines():
                m = DYN_RE.match(line)
                if m:
                    dyn.append((m.group(1), m.group(2)))
                m = SUB_RE.match(line)
                if m and m.group(1) == sub:
                    res = m.group(2)
            if dyn:
                for name, r in dyn:
                    add(f'igt/{binary}/{sub}/{name}', IGT_MAP.get(r, 'fail'), r)
                if res not in ('SUCCESS', 'FAIL', 'SKIP'):
                    add(f'igt/{binary}/{sub}', 'fail', f'container {res}')
            elif res is None:
                add(f'igt/{binary}/{sub}', 'fail', 'no result line (crash or timeout)')
            else:
                add(f'igt/{binary}/{sub}', IGT_MAP.get(res, 'fail'), res)
            if res not in ('SUCCESS', 'SKIP') or any(
                    r not in ('SUCCESS', 'SKIP') for _, r in dyn):
                details[f'igt/{binary}/{sub}'] = tail(
                    os.path.join(bd, f'{sub}.err'))


def kselftest(root):
    d = os.path.join(root, 'kselftest')
    if not os.path.isdir(d):
        return
    for f in sorted(os.listdir(d)):
        if not f.endswith('.tap'):
            continue
        binary = f[:-4]
        tap = read(os.path.join(d, f)) or ''
        n = parse_tap(tap, f'kselftest/{binary}')
        listing = read(os.path.join(d, f'{binary}.list')) or ''
        planned = len([l for l in listing.splitlines() if l.strip()])
        if n == 0:
            add(f'kselftest/{binary}', 'fail', 'no results')
        elif planned and n < planned and not PLAN_RE.search(tap):
            for i in range(n, planned):
                add(f'kselftest/{binary}/missing-{i + 1}', 'fail', 'planned, no result')


def meson(root):
    t = read(os.path.join(root, 'meson', 'testlog.json'))
    if t is None:
        return
    for line in t.splitlines():
        if not line.strip():
            continue
        j = json.loads(line)
        r = j.get('result', 'ERROR')
        add(f"meson/{j.get('name')}",
            'pass' if r in ('OK', 'EXPECTEDFAIL') else 'skip' if r == 'SKIP' else 'fail', r)


def main():
    root = sys.argv[1]
    suites = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'kunit-suites.txt')
    simple_results(os.path.join(root, 'ci'), 'ci')
    meson(root)
    simple_results(os.path.join(root, 'vm'), 'vm')
    kunit(root, suites)
    igt(root)
    kselftest(root)

    with open(os.path.join(root, 'results.txt'), 'w') as f:
        for name, res, note in results:
            f.write(f'{res.upper():4} {name}{"  (" + note + ")" if note else ""}\n')
    for name, res, note in results:
        if res == 'fail':
            print(f'FAIL {name}{"  (" + note + ")" if note else ""}')
            for line in details.get(name, '').splitlines():
                print(f'  | {line}')
    p = sum(1 for r in results if r[1] == 'pass')
    fl = sum(1 for r in results if r[1] == 'fail')
    s = sum(1 for r in results if r[1] == 'skip')
    print(f'tests: {p} passed, {fl} failed, {s} skipped')
    sys.exit(1 if fl or not p else 0)


if __name__ == '__main__':
    main()
