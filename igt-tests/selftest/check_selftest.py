#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the IGT compatibility layer by running the self-test programs
and comparing their stdout/stderr lines, kmsg markers and exit codes with
the IGT conventions.

usage: check_selftest.py --prog NAME=PATH [--prog ...] SCENARIO

Expected lines may contain placeholders:
  {T}   a duration such as 0.012s     {PID} a process id
  {L}   a line number                 {F}   a source file path
  {FN}  a function name               {*}   anything
"""

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import textwrap

PLACEHOLDERS = {
    'T': r'\d+\.\d{3}s',
    'PID': r'\d+',
    'L': r'\d+',
    'F': r'\S+\.c',
    'FN': r'\S+',
    '*': r'.*',
}
PLACEHOLDER_RE = re.compile(r'\{(T|PID|L|F|FN|\*)\}')

PROGS = {}
FAILURES = []


def pattern(line):
    out, pos = [], 0
    for m in PLACEHOLDER_RE.finditer(line):
        out.append(re.escape(line[pos:m.start()]))
        out.append(PLACEHOLDERS[m.group(1)])
        pos = m.end()
    out.append(re.escape(line[pos:]))
    return re.compile(''.join(out) + r'\Z')


class Result:
    def __init__(self, label, rc, out, err, kmsg):
        self.label, self.rc = label, rc
        self.out, self.err, self.kmsg = out, err, kmsg

    def dump(self):
        return ('--- stdout\n' + '\n'.join(self.out) +
                '\n--- stderr\n' + '\n'.join(self.err) +
                '\n--- kmsg\n' + '\n'.join(self.kmsg))


def no_core_dumps():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(prog, *args, env=None, timeout=60):
    label = ' '.join([prog] + list(args))
    with tempfile.NamedTemporaryFile(prefix='igt-kmsg-', delete=False) as k:
        kmsg_path = k.name
    full_env = {key: val for key, val in os.environ.items()
                if not key.startswith('IGT_') and key != 'ST_MODE'}
    full_env.update({'IGT_SRANDOM': '1', 'IGT_COMPAT_KMSG': kmsg_path})
    full_env.update(env or {})
    try:
        p = subprocess.run([PROGS[prog]] + list(args), env=full_env,
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout, preexec_fn=no_core_dumps)
        with open(kmsg_path, encoding='utf-8', errors='replace') as f:
            kmsg = f.read().splitlines()
    finally:
        os.unlink(kmsg_path)
    out = p.stdout.decode('utf-8', 'replace').splitlines()
    err = p.stderr.decode('utf-8', 'replace').splitlines()
    res = Result(label, p.returncode, out, err, kmsg)
    if any('\x1b' in line for line in out + err):
        fail(res, 'ANSI escape in output of a non-tty run')
    return res


def fail(res, msg):
    FAILURES.append(f'[{res.label}] {msg}\n{res.dump()}')


def expect_rc(res, rc):
    if res.rc != rc:
        fail(res, f'exit code {res.rc}, expected {rc}')


def expect_exact(res, stream, expected):
    actual = getattr(res, stream)
    for i, exp in enumerate(expected):
        if i >= len(actual):
            fail(res, f'{stream}: missing line {i + 1}: {exp!r}')
            return
        if not pattern(exp).match(actual[i]):
            fail(res, f'{stream}: line {i + 1} is {actual[i]!r}, '
                      f'expected {exp!r}')
            return
    if len(actual) > len(expected):
        fail(res, f'{stream}: unexpected extra line {len(expected) + 1}: '
                  f'{actual[len(expected)]!r}')


def expect_in_order(res, stream, expected):
    """Each expected line appears, in this order (other lines may be between)."""
    actual = getattr(res, stream)
    pos = 0
    for exp in expected:
        pat = pattern(exp)
        while pos < len(actual) and not pat.match(actual[pos]):
            pos += 1
        if pos == len(actual):
            fail(res, f'{stream}: no line matching {exp!r} (in order)')
            return
        pos += 1


def expect_absent(res, stream, regex):
    for line in getattr(res, stream):
        if re.search(regex, line):
            fail(res, f'{stream}: unexpected line {line!r}')
            return


def header():
    return ['IGT-Version: {*}', 'Using IGT_SRANDOM=1 for randomisation']


def started(name, *body, result='SUCCESS'):
    return [f'Starting subtest: {name}', *body,
            f'Subtest {name}: {result} ({{T}})']


def dyn(name, *body, result='SUCCESS'):
    return [f'Starting dynamic subtest: {name}', *body,
            f'Dynamic subtest {name}: {result} ({{T}})']


def assertion(prog, *lines, errno=None):
    p = f'({prog}:{{PID}})'
    out = [f'{p} CRITICAL: Test assertion failure function {{FN}}, '
           f'file {{F}}:{{L}}:']
    out += [f'{p} CRITICAL: {line}' for line in lines[:1]]
    if errno:
        out.append(f'{p} CRITICAL: Last errno: {errno}')
    out += [f'{p} CRITICAL: {line}' for line in lines[1:]]
    return out


def failure_dump(prog, who, buffered):
    return ([f'{who} failed.', '**** DEBUG ****'] +
            [f'({prog}:{{PID}}) {line}' for line in buffered] +
            ['****  END  ****'])


def requirement(check, *extra):
    return ['Test requirement not met in function {FN}, file {F}:{L}:',
            f'Test requirement: {check}', *extra]


# ---- st_basic ----------------------------------------------------------

BASIC_SUBTESTS = ['pass-a', 'pass-b', 'fail-assert', 'fail-eq', 'fail-errno',
                  'fail-u64', 'fail-explicit', 'skip-require', 'skip-f',
                  'skip-plain', 'success-early', 'fmt-1', 'fmt-2',
                  'asserts-pass', 'warn']

BASIC_STDOUT = {
    'pass-a': started('pass-a', 'rounds=1'),
    'pass-b': started('pass-b', 'device=(none)'),
    'fail-assert': started('fail-assert', 'info before failure',
                           'Stack trace: not implemented', result='FAIL'),
    'fail-eq': started('fail-eq', 'Stack trace: not implemented',
                       result='FAIL'),
    'fail-errno': started('fail-errno', 'Stack trace: not implemented',
                          result='FAIL'),
    'fail-u64': started('fail-u64', 'Stack trace: not implemented',
                        result='FAIL'),
    'fail-explicit': started('fail-explicit', result='FAIL'),
    'skip-require': started('skip-require', *requirement('rounds > 100'),
                            result='SKIP'),
    'skip-f': started('skip-f', *requirement('!(rounds < 100)', 'rounds is 1'),
                      result='SKIP'),
    'skip-plain': started('skip-plain', 'plain skip 7', result='SKIP'),
    'success-early': started('success-early'),
    'fmt-1': started('fmt-1'),
    'fmt-2': started('fmt-2'),
    'asserts-pass': started('asserts-pass'),
    'warn': started('warn'),
}


def basic_stdout(names, fixture=True):
    out = header() + (['fixture ran'] if fixture else [])
    for n in names:
        out += BASIC_STDOUT[n]
    return out


def basic_stderr(names):
    p = 'st_basic'
    st = 'Stack trace: not implemented'
    blocks = {
        'fail-assert': assertion(p, 'Failed assertion: x == 2') +
        failure_dump(p, 'Subtest fail-assert', [
            'INFO: info before failure',
            'DEBUG: debug before failure',
            'CRITICAL: Test assertion failure function {FN}, file {F}:{L}:',
            'CRITICAL: Failed assertion: x == 2',
            'INFO: ' + st]),
        'fail-eq': assertion(p, 'Failed assertion: 1 == 2', 'error: 1 != 2') +
        failure_dump(p, 'Subtest fail-eq', [
            'CRITICAL: Test assertion failure function {FN}, file {F}:{L}:',
            'CRITICAL: Failed assertion: 1 == 2',
            'CRITICAL: error: 1 != 2',
            'INFO: ' + st]),
        'fail-errno': assertion(p, 'Failed assertion: rounds < 0',
                                'custom message',
                                errno='2, No such file or directory') +
        failure_dump(p, 'Subtest fail-errno', [
            'CRITICAL: Test assertion failure function {FN}, file {F}:{L}:',
            'CRITICAL: Failed assertion: rounds < 0',
            'CRITICAL: Last errno: 2, No such file or directory',
            'CRITICAL: custom message',
            'INFO: ' + st]),
        'fail-u64': assertion(p, 'Failed assertion: 1ULL << 40 == 1',
                              'error: 0x10000000000 != 0x1') +
        failure_dump(p, 'Subtest fail-u64', [
            'CRITICAL: Test assertion failure function {FN}, file {F}:{L}:',
            'CRITICAL: Failed assertion: 1ULL << 40 == 1',
            'CRITICAL: error: 0x10000000000 != 0x1',
            'INFO: ' + st]),
        'fail-explicit': ['Subtest fail-explicit failed.', 'No log.'],
        'warn': [f'({p}:{{PID}}) WARNING: a warning',
                 f'({p}:{{PID}}) WARNING: Warning on condition rounds == 1 '
                 'in function {FN}, file {F}:{L}'],
    }
    err = []
    for n in names:
        err += blocks.get(n, [])
    return err


def scenario_basic():
    r = run('st_basic')
    expect_rc(r, 98)
    expect_exact(r, 'out', basic_stdout(BASIC_SUBTESTS))
    expect_exact(r, 'err', basic_stderr(BASIC_SUBTESTS))

    r = run('st_basic', '--run-subtest', 'skip-*')
    expect_rc(r, 77)
    skips = ['skip-require', 'skip-f', 'skip-plain']
    expect_exact(r, 'out', basic_stdout(skips))
    expect_exact(r, 'err', [])

    r = run('st_basic', '--run-subtest', 'pass-a,skip-require')
    expect_rc(r, 0)
    expect_exact(r, 'out', basic_stdout(['pass-a', 'skip-require']))

    r = run('st_basic', '--run-subtest', 'fail-explicit')
    expect_rc(r, 98)
    expect_exact(r, 'out', basic_stdout(['fail-explicit']))
    expect_exact(r, 'err', basic_stderr(['fail-explicit']))


def scenario_options():
    r = run('st_basic', '--run-subtest', 'pass-a')
    expect_rc(r, 0)
    expect_exact(r, 'out', basic_stdout(['pass-a']))
    expect_exact(r, 'err', [])

    r = run('st_basic', '--run-subtest', 'pass-*')
    expect_rc(r, 0)
    expect_exact(r, 'out', basic_stdout(['pass-a', 'pass-b']))

    r = run('st_basic', '--run-subtest', 'fail-e*')
    expect_rc(r, 98)
    names = ['fail-eq', 'fail-errno', 'fail-explicit']
    expect_exact(r, 'out', basic_stdout(names))
    expect_exact(r, 'err', basic_stderr(names))

    r = run('st_basic', '--run-subtest', '*,!fail-*,!skip-*,!warn')
    expect_rc(r, 0)
    expect_exact(r, 'out', basic_stdout(
        ['pass-a', 'pass-b', 'success-early', 'fmt-1', 'fmt-2',
         'asserts-pass']))

    r = run('st_basic', '--run-subtest', 'fmt-[2]')
    expect_rc(r, 0)
    expect_exact(r, 'out', basic_stdout(['fmt-2']))

    r = run('st_basic', '--rounds=3', '--run-subtest', 'pass-a')
    expect_rc(r, 0)
    expect_in_order(r, 'out', ['rounds=3'])
    r = run('st_basic', '-n', '4', '--run-subtest=pass-a')
    expect_rc(r, 0)
    expect_in_order(r, 'out', ['rounds=4'])

    r = run('st_basic', '--run-subtest', 'nope')
    expect_rc(r, 79)
    expect_exact(r, 'out', header() + ['fixture ran'])
    expect_exact(r, 'err', ['(st_basic:{PID}) CRITICAL: Unknown subtest: nope'])

    r = run('st_basic', '--run-subtest', 'pass-a', '--dynamic-subtest', 'x')
    expect_rc(r, 0)

    for bad in (['--bogus'], ['-x'], ['--rounds'], ['--run-subtest']):
        r = run('st_basic', *bad)
        expect_rc(r, 79)
        expect_exact(r, 'out', [])
        expect_in_order(r, 'err', ['Usage: st_basic [OPTIONS]'])

    for h in ('-h', '--help'):
        r = run('st_basic', h)
        expect_rc(r, 0)
        expect_in_order(r, 'out', ['Usage: st_basic [OPTIONS]',
                                   '  --list-subtests',
                                   '  --run-subtest <pattern>',
                                   '  --dynamic-subtest <pattern>',
                                   '  --describe',
                                   '  --device filters',
                                   '  --help|-h',
                                   '  -n, --rounds=N\tNumber of rounds'])
        expect_exact(r, 'err', [])

    r = run('st_basic', '--version')
    expect_rc(r, 0)
    expect_exact(r, 'out', ['IGT-Version: {*}'])

    r = run('st_basic', '--help-description')
    expect_rc(r, 0)
    expect_exact(r, 'out',
                 ['Self-test of the IGT compatibility layer: basic subtests.'])

    r = run('st_basic', '--debug', '--run-subtest', 'pass-a')
    expect_rc(r, 0)
    expect_in_order(r, 'out', ['Starting subtest: pass-a', 'rounds=1',
                               '(st_basic:{PID}) DEBUG: debug in pass-a',
                               'Subtest pass-a: SUCCESS ({T})'])

    r = run('st_basic', '--debug=other', '--run-subtest', 'pass-a')
    expect_rc(r, 0)
    expect_absent(r, 'out', 'DEBUG:')

    r = run('st_basic', '--device', 'drm:/dev/dri/renderD128',
            '--run-subtest', 'pass-b')
    expect_rc(r, 0)
    expect_in_order(r, 'out', ['device=drm:/dev/dri/renderD128'])

    r = run('st_basic', '--run-subtest', 'pass-b',
            env={'IGT_DEVICE': 'sys:/sys/devices/platform/vsvm'})
    expect_rc(r, 0)
    expect_in_order(r, 'out', ['device=sys:/sys/devices/platform/vsvm'])

    r = run('st_basic', '--run-subtest', 'pass-a',
            env={'IGT_LOG_LEVEL': 'debug'})
    expect_in_order(r, 'out', ['(st_basic:{PID}) DEBUG: debug in pass-a'])


def scenario_list():
    r = run('st_basic', '--list-subtests')
    expect_rc(r, 0)
    expect_exact(r, 'out', BASIC_SUBTESTS)
    expect_exact(r, 'err', [])

    r = run('st_basic', '--show-testlist')
    expect_rc(r, 0)
    expect_exact(r, 'out', [f'igt@st_basic@{n}' for n in BASIC_SUBTESTS])

    r = run('st_fixture', '--list-subtests')
    expect_rc(r, 0)
    expect_exact(r, 'out', ['first', 'a1', 'a2', 'b1', 'b2', 'last'])
    expect_exact(r, 'err', [])

    r = run('st_dynamic', '--list-subtests')
    expect_rc(r, 0)
    expect_exact(r, 'out', ['dyn-pass', 'dyn-fail', 'dyn-none',
                            'dyn-allskip', 'dyn-require', 'dyn-fmt'])

    r = run('st_crash', '--list-subtests')
    expect_rc(r, 0)
    expect_exact(r, 'out', ['segv', 'after-segv', 'abrt', 'dyn-segv',
                            'abort-test'])

    r = run('st_simple', '--list-subtests')
    expect_rc(r, 79)
    expect_exact(r, 'out', [])

    r = run('st_simple', '--show-testlist')
    expect_rc(r, 0)
    expect_exact(r, 'out', ['igt@st_simple'])


def wrapped(indent, text):
    """IGT's rule: wrap when the letters on the line plus the word exceed
    80 minus the indent."""
    width = 80 - len(indent)
    lines, cur, used = [], [], 0
    for i, word in enumerate(text.split(' ')):
        if i and used + len(word) > width:
            lines.append(indent + ' '.join(cur))
            cur, used = [], 0
        cur.append(word)
        used += len(word)
    lines.append(indent + ' '.join(cur))
    return lines


def scenario_describe():
    docs = {
        'pass-a': ['A subtest that passes.'],
        'fail-assert': ['Subtests that fail.', 'Checks a plain assertion.'],
        'fail-eq': ['Subtests that fail.'],
    }
    expected = ['Self-test of the IGT compatibility layer: basic subtests.', '']
    for n in BASIC_SUBTESTS:
        expected.append(f'SUB {n} {{F}}:{{L}}:')
        for d in docs.get(n, []):
            expected += wrapped('  ', d) + ['']
        if n not in docs:
            expected += ['  NO DOCUMENTATION!', '']

    r = run('st_basic', '--describe')
    expect_rc(r, 0)
    expect_exact(r, 'out', expected)
    expect_exact(r, 'err', [])

    r = run('st_basic', '--describe=fail-a*')
    expect_rc(r, 0)
    expect_exact(r, 'out', expected[:2] + [
        'SUB fail-assert {F}:{L}:', '  Subtests that fail.', '',
        '  Checks a plain assertion.', ''])

    r = run('st_basic', '--describe=nothing')
    expect_rc(r, 79)

    long_desc = ('All dynamic subtests pass. This description is long on '
                 'purpose, so that --describe has to wrap it over more than '
                 'one line of at most eighty columns, exactly like IGT does.')
    r = run('st_dynamic', '--describe=dyn-pass')
    expect_rc(r, 0)
    expect_exact(r, 'out', ['SUB dyn-pass {F}:{L}:'] +
                 wrapped('  ', long_desc) + [''])
    # IGT counts only the letters of the words, not the spaces between
    # them, so a wrapped line may be a little longer than 80 columns.
    if len(wrapped('  ', long_desc)) < 2:
        fail(r, 'long description was expected to wrap')


def scenario_fixture():
    r = run('st_fixture')
    expect_rc(r, 98)
    expect_exact(r, 'out', header() + ['top fixture'] + started('first') + [
        'group-a fixture',
        *requirement('value == 2'),
        'Subtest a1: SKIP (0.000s)',
        'Subtest a2: SKIP (0.000s)',
        'Stack trace: not implemented',
        'Subtest b1: FAIL (0.000s)',
        'Subtest b2: FAIL (0.000s)',
    ] + started('last', 'last ran') + ['final fixture'])
    p = 'st_fixture'
    expect_exact(r, 'err', assertion(p, 'Failed assertion: value == 3',
                                     'group b setup') +
                 failure_dump(p, 'Test st_fixture', [
                     'INFO: group-a fixture',
                     'CRITICAL: Test assertion failure function {FN}, '
                     'file {F}:{L}:',
                     'CRITICAL: Failed assertion: value == 3',
                     'CRITICAL: group b setup',
                     'INFO: Stack trace: not implemented']))

    # Fixtures run whatever is selected, as in IGT: group b still fails.
    r = run('st_fixture', '--run-subtest', 'a*')
    expect_rc(r, 98)
    expect_exact(r, 'out', header() + ['top fixture', 'group-a fixture',
                                       *requirement('value == 2'),
                                       'Subtest a1: SKIP (0.000s)',
                                       'Subtest a2: SKIP (0.000s)',
                                       'Stack trace: not implemented',
                                       'final fixture'])

    r = run('st_fixture', '--run-subtest', 'b2')
    expect_rc(r, 98)
    expect_in_order(r, 'out', ['Subtest b2: FAIL (0.000s)', 'final fixture'])
    expect_absent(r, 'out', 'Starting subtest')


def scenario_dynamic():
    p = 'st_dynamic'
    r = run(p)
    expect_rc(r, 98)
    expect_exact(r, 'out', header() +
                 ['Starting subtest: dyn-pass'] +
                 dyn('d1', 'in d1') + dyn('d2') +
                 ['Subtest dyn-pass: SUCCESS ({T})',
                  'Starting subtest: dyn-fail'] +
                 dyn('d1') +
                 dyn('d2', 'd2 log line', 'Stack trace: not implemented',
                     result='FAIL') +
                 dyn('d3') +
                 ['Subtest dyn-fail: FAIL ({T})'] +
                 started('dyn-none', 'no dynamic subtests here',
                         'No dynamic tests executed.', result='SKIP') +
                 ['Starting subtest: dyn-allskip'] +
                 dyn('s1', 'skipping s1', result='SKIP') +
                 ['No dynamic tests executed.',
                  'Subtest dyn-allskip: SKIP ({T})'] +
                 started('dyn-require', *requirement('0 > 1'), result='SKIP') +
                 ['Starting subtest: dyn-fmt'] +
                 dyn('n-0') + dyn('n-1') + dyn('n-2') +
                 ['Subtest dyn-fmt: SUCCESS ({T})'])
    expect_exact(r, 'err', assertion(p, 'Failed assertion: 1 == 0',
                                     'error: 1 != 0') +
                 failure_dump(p, 'Dynamic subtest d2', [
                     'INFO: d2 log line',
                     'CRITICAL: Test assertion failure function {FN}, '
                     'file {F}:{L}:',
                     'CRITICAL: Failed assertion: 1 == 0',
                     'CRITICAL: error: 1 != 0',
                     'INFO: Stack trace: not implemented']))

    r = run(p, '--run-subtest', 'dyn-pass')
    expect_rc(r, 0)

    r = run(p, '--run-subtest', 'dyn-pass', '--dynamic-subtest', 'd2')
    expect_rc(r, 0)
    expect_exact(r, 'out', header() + ['Starting subtest: dyn-pass'] +
                 dyn('d2') + ['Subtest dyn-pass: SUCCESS ({T})'])

    r = run(p, '--run-subtest', 'dyn-fail', '--dynamic-subtest', 'd1,d3')
    expect_rc(r, 0)
    expect_exact(r, 'out', header() + ['Starting subtest: dyn-fail'] +
                 dyn('d1') + dyn('d3') + ['Subtest dyn-fail: SUCCESS ({T})'])

    r = run(p, '--run-subtest', 'dyn-pass', '--dynamic-subtest', 'nope')
    expect_rc(r, 77)
    expect_exact(r, 'out', header() + started(
        'dyn-pass', 'No dynamic tests executed.', result='SKIP'))

    r = run(p, '--run-subtest', 'dyn-none,dyn-allskip')
    expect_rc(r, 77)


def scenario_fork():
    p = 'st_fork'
    r = run(p)
    expect_rc(r, 98)
    expect_exact(r, 'out', header() + started('fork-pass') +
                 started('fork-fail', 'Stack trace: not implemented',
                         'child 1 failed with exit status 98', result='FAIL') +
                 started('fork-crash',
                         'child 0 died with signal 11, Segmentation fault',
                         result='FAIL') +
                 started('fork-timeout', 'Timed out waiting for children',
                         'child 0 died with signal 9, Killed', result='FAIL') +
                 started('until-timeout', 'looped'))
    expect_in_order(r, 'err', assertion(p, 'Failed assertion: child == 0',
                                        'error: 1 != 0') +
                    ['Subtest fork-fail failed.', '**** DEBUG ****',
                     '****  END  ****',
                     'Subtest fork-fail failed.',
                     'Received signal SIGSEGV.',
                     'Subtest fork-crash failed.',
                     'Subtest fork-timeout failed.'])
    for line in r.out:
        m = re.match(r'Subtest (fork-timeout|until-timeout): \S+ '
                     r'\((\d+\.\d+)s\)', line)
        if m and not 0.9 <= float(m.group(2)) < 10:
            fail(r, f'unexpected duration in {line!r}')

    r = run(p, '--run-subtest', 'fork-pass')
    expect_rc(r, 0)
    expect_exact(r, 'out', header() + started('fork-pass'))
    expect_exact(r, 'err', [])


def scenario_crash():
    p = 'st_crash'
    r = run(p, '--run-subtest', 'segv,after-segv')
    expect_rc(r, 128 + 11)
    expect_exact(r, 'out', header() +
                 started('segv', 'about to crash', result='CRASH') +
                 started('after-segv', 'still running'))
    expect_exact(r, 'err', ['Received signal SIGSEGV.'])

    r = run(p, '--run-subtest', 'abrt')
    expect_rc(r, 128 + 6)
    expect_exact(r, 'out', header() + started('abrt', result='CRASH'))
    expect_exact(r, 'err', ['Received signal SIGABRT.'])

    r = run(p, '--run-subtest', 'dyn-segv')
    expect_rc(r, 128 + 7)
    expect_exact(r, 'out', header() + ['Starting subtest: dyn-segv'] +
                 dyn('ok') + dyn('boom', result='CRASH') +
                 ['Subtest dyn-segv: FAIL ({T})'])

    r = run(p, '--run-subtest', 'abort-test')
    expect_rc(r, 112)
    expect_exact(r, 'out', header() + ['Starting subtest: abort-test',
                                       'Stack trace: not implemented'])
    expect_in_order(r, 'err', [
        f'({p}:{{PID}}) CRITICAL: Test abort in function {{FN}}, '
        'file {F}:{L}:',
        f'({p}:{{PID}}) CRITICAL: abort condition: null_ptr == NULL',
        f'({p}:{{PID}}) CRITICAL: environment is broken',
        'Subtest abort-test failed.', '**** DEBUG ****', '****  END  ****'])


def scenario_simple():
    p = 'st_simple'
    r = run(p)
    expect_rc(r, 0)
    expect_exact(r, 'out', header() + ['mode pass', 'SUCCESS ({T})'])
    expect_exact(r, 'err', [])

    r = run(p, env={'ST_MODE': 'skip'})
    expect_rc(r, 77)
    expect_exact(r, 'out', header() + ['mode skip'] +
                 requirement('strcmp(mode, "skip") != 0', 'asked to skip') +
                 ['SKIP ({T})'])

    r = run(p, env={'ST_MODE': 'fail'})
    expect_rc(r, 98)
    expect_exact(r, 'out', header() + ['mode fail',
                                       'Stack trace: not implemented',
                                       'FAIL ({T})'])
    expect_in_order(r, 'err', assertion(p, 'Failed assertion: strlen(mode) == 0',
                                        'error: 4 != 0') +
                    ['Test st_simple failed.', '**** DEBUG ****',
                     '({*}) INFO: mode fail', '****  END  ****'])

    r = run(p, env={'ST_MODE': 'crash'})
    expect_rc(r, -11)
    expect_exact(r, 'out', header() + ['mode crash'])
    expect_exact(r, 'err', ['Received signal SIGSEGV.'])

    r = run(p, env={'ST_MODE': 'fork-fail'})
    expect_rc(r, 98)
    expect_in_order(r, 'out', ['child 1 failed with exit status 98',
                               'FAIL ({T})'])

    r = run(p, '--run-subtest', 'x')
    expect_rc(r, 79)
    expect_exact(r, 'out', [])
    expect_exact(r, 'err', ['(st_simple:{PID}) WARNING: Unknown subtest: x'])

    r = run(p, '--help-description')
    expect_rc(r, 0)
    expect_exact(r, 'out', ['Self-test of igt_simple_main().'])

    r = run(p, '--bogus')
    expect_rc(r, 79)


def scenario_sentinel():
    env = {'IGT_SENTINEL_ON_STDERR': '1'}
    r = run('st_basic', '--run-subtest', 'pass-a', env=env)
    expect_rc(r, 0)
    expect_exact(r, 'err', ['Starting subtest: pass-a',
                            'Subtest pass-a: SUCCESS ({T})'])
    expect_exact(r, 'out', basic_stdout(['pass-a']))

    r = run('st_fixture', '--run-subtest', 'a1', env=env)
    expect_in_order(r, 'err', ['Subtest a1: SKIP (0.000s)'])

    r = run('st_dynamic', '--run-subtest', 'dyn-pass', env=env)
    expect_rc(r, 0)
    expect_exact(r, 'err', ['Starting subtest: dyn-pass',
                            'Starting dynamic subtest: d1',
                            'Dynamic subtest d1: SUCCESS ({T})',
                            'Starting dynamic subtest: d2',
                            'Dynamic subtest d2: SUCCESS ({T})',
                            'Subtest dyn-pass: SUCCESS ({T})'])


def scenario_kmsg():
    r = run('st_basic', '--run-subtest', 'pass-a,fail-eq')
    expect_rc(r, 98)
    expect_exact(r, 'kmsg', ['<6>[IGT] st_basic: executing',
                             '<6>[IGT] st_basic: starting subtest pass-a',
                             '<6>[IGT] st_basic: finished subtest pass-a, '
                             'SUCCESS',
                             '<6>[IGT] st_basic: starting subtest fail-eq',
                             '<6>[IGT] st_basic: finished subtest fail-eq, '
                             'FAIL',
                             '<6>[IGT] st_basic: exiting, ret=98'])

    r = run('st_dynamic', '--run-subtest', 'dyn-pass',
            '--dynamic-subtest', 'd1')
    expect_exact(r, 'kmsg', [
        '<6>[IGT] st_dynamic: executing',
        '<6>[IGT] st_dynamic: starting subtest dyn-pass',
        '<6>[IGT] st_dynamic: starting dynamic subtest d1',
        '<6>[IGT] st_dynamic: finished dynamic subtest d1, SUCCESS',
        '<6>[IGT] st_dynamic: finished subtest dyn-pass, SUCCESS',
        '<6>[IGT] st_dynamic: exiting, ret=0'])

    r = run('st_basic', '--list-subtests')
    expect_exact(r, 'kmsg', [])

    r = run('st_crash', '--run-subtest', 'abort-test')
    expect_exact(r, 'kmsg', [
        '<6>[IGT] st_crash: executing',
        '<6>[IGT] st_crash: starting subtest abort-test',
        '<3>[IGT] st_crash[{PID}]: Abort in function {FN}, file {F}:{L}, '
        'null_ptr == NULL'])

    r = run('st_simple')
    expect_exact(r, 'kmsg', ['<6>[IGT] st_simple: executing',
                             '<6>[IGT] st_simple: exiting, ret=0'])


def scenario_drm():
    p = 'st_drm'
    r = run(p, '--run-subtest', 'by-name-missing,raw-open-nothing,'
            'close-bad-fd')
    expect_rc(r, 0)
    expect_exact(r, 'out', header() + started('by-name-missing') +
                 started('raw-open-nothing') + started('close-bad-fd'))

    # Forced to a node that does not exist: must skip with IGT's message.
    r = run(p, '--device', 'drm:/nonexistent/renderD999',
            '--run-subtest', 'open-vsvm')
    expect_rc(r, 77)
    expect_exact(r, 'out', header() + started(
        'open-vsvm', *requirement('!(fd < 0)',
                                  'No known gpu found for chipset flags '
                                  '0x1000000 (vsvm)',
                                  'Last errno: 2, No such file or directory'),
        result='SKIP'))

    # Whatever this machine has: a vsvm node passes, none skips.
    r = run(p, '--run-subtest', 'open-vsvm')
    if r.rc not in (0, 77):
        fail(r, 'open-vsvm must pass or skip')


SCENARIOS = {
    'basic': scenario_basic,
    'options': scenario_options,
    'list': scenario_list,
    'describe': scenario_describe,
    'fixture': scenario_fixture,
    'dynamic': scenario_dynamic,
    'fork': scenario_fork,
    'crash': scenario_crash,
    'simple': scenario_simple,
    'sentinel': scenario_sentinel,
    'kmsg': scenario_kmsg,
    'drm': scenario_drm,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--prog', action='append', default=[],
                    help='NAME=PATH of a self-test program')
    ap.add_argument('scenario', nargs='*', default=[],
                    help='scenarios to run (default: all)')
    args = ap.parse_args()

    for item in args.prog:
        name, _, path = item.partition('=')
        PROGS[name] = path
    scenarios = args.scenario or list(SCENARIOS)
    for s in scenarios:
        if s not in SCENARIOS:
            ap.error(f'unknown scenario {s}')
        SCENARIOS[s]()

    if FAILURES:
        for f in FAILURES:
            print('FAIL ' + textwrap.indent(f, '  ').lstrip(), file=sys.stderr)
        print(f'{len(FAILURES)} check(s) failed in: {" ".join(scenarios)}')
        return 1
    print(f'ok: {" ".join(scenarios)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
