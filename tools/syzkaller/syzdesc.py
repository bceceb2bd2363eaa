#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Copyright © 2026 The drm-svm authors
"""Read the part of syzkaller's description language dev_vsvm.txt uses.

    syzdesc.py consts DESC         C program printing every constant DESC uses
    syzdesc.py layout DESC         C static assertions: layouts, ioctl sizes
    syzdesc.py coverage DESC HDR   every ioctl, struct and input constant of
                                   HDR is described

Layouts are computed the way syzkaller does for amd64: each field at the
next multiple of its alignment (the size of its integers), a struct padded
to its alignment, a union as large as its largest option. A struct named
drm_<name> or drm_<name>$<variant> is checked against C struct drm_<name>:
same size, and each field at the offset and of the size of the C member of
that name.

Whatever falls outside that part of the language, or breaks one of
syzkaller's rules checked here (unknown types, unused definitions, len
targets, resources nothing produces), is an error: a partial syntax check.
"""
import re
import sys

INTS = {'int8': 1, 'int16': 2, 'int32': 4, 'int64': 8, 'intptr': 8}
LENS = {'len', 'bytesize', 'bytesize2', 'bytesize4', 'bytesize8', 'bitsize'}
POINTERS = {'ptr', 'ptr64', 'vma', 'vma64'}
DIRS = {'in', 'out', 'inout'}
# Defined by syzkaller's other files: resources with their base, flags.
EXTERNAL = {'fd': 'int32', 'fd_dri': 'fd', 'drm_gem_handle': 'int32',
            'drm_syncobj': 'int32', 'fd_dma_buf': 'fd'}
EXTERNAL_FLAGS = {'open_flags', 'mmap_prot', 'mmap_flags'}
# Constants of the header that are not inputs: version, counts, limits,
# output values (capability bits, snapshot bytes), and the ioctl numbers.
NOT_INPUTS = re.compile(r'DRM_VSVM_(UAPI_\w+|\w+_COUNT|\w*MAX\w*|CAP_\w+|'
                        r'SVM_PROT_\w+)')
IOC_DIR = {'in': '_IOC_WRITE', 'out': '_IOC_READ',
           'inout': '(_IOC_READ | _IOC_WRITE)'}

FIELD = re.compile(r'\t(\w+)\t+(.+?)(?:\t+\((in|out|inout)\))?')
TOKEN = re.compile(r'\s*(?:("[^"]*")|(-?(?:0x[0-9a-fA-F]+|\d+))\b|'
                   r'([A-Za-z_][\w$]*)|([\[\],:]))')


class DescError(Exception):
    pass


class Type:
    """name[args]; an argument is a Type, an int, a str or a (lo, hi) range."""

    def __init__(self, name, args):
        self.name, self.args = name, args

    def ident(self):
        return self.name if not self.args else None


def tokenize(text, where):
    toks, pos = [], 0
    while pos < len(text.rstrip()):
        m = TOKEN.match(text, pos)
        if not m:
            raise DescError(f'{where}: cannot parse "{text[pos:].strip()}"')
        s, n, i, p = m.groups()
        toks.append(('str', s[1:-1]) if s else ('int', int(n, 0)) if n else
                    ('id', i) if i else ('p', p))
        pos = m.end()
    return toks


def parse_type(text, where):
    toks = tokenize(text, where)

    def atom(i):
        kind, val = toks[i]
        if kind != 'id':
            return val, i + 1
        if i + 1 < len(toks) and toks[i + 1] == ('p', '['):
            args, i = [], i + 2
            while True:
                a, i = atom(i)
                if toks[i] == ('p', ':'):
                    b, i = atom(i + 1)
                    a = (a, b)
                args.append(a)
                if toks[i] == ('p', ']'):
                    return Type(val, args), i + 1
                if toks[i] != ('p', ','):
                    raise DescError(f'{where}: "," or "]" expected')
                i += 1
        return Type(val, []), i + 1

    try:
        t, i = atom(0)
    except IndexError:
        raise DescError(f'{where}: unterminated type "{text}"') from None
    if i != len(toks) or not isinstance(t, Type):
        raise DescError(f'{where}: bad type "{text}"')
    return t


def split_args(text):
    parts, depth, cur = [], 0, ''
    for c in text:
        depth += (c == '[') - (c == ']')
        if c == ',' and depth == 0:
            parts.append(cur)
            cur = ''
        else:
            cur += c
    return parts + [cur] if cur.strip() else parts


def strip_comment(line):
    out, quoted = '', False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == '#' and not quoted:
            break
        out += c
    return out.rstrip()


class Desc:
    def __init__(self, path):
        self.path = path
        self.resources, self.flags, self.defines = {}, {}, {}
        self.types = {}         # struct/union name -> (kind, fields, line)
        self.syscalls = []      # (name, [(arg, Type)], ret Type, line)
        self.used = set()
        self.produced = set()
        with open(path, encoding='utf-8') as f:
            self.parse(f.read().splitlines())
        self.validate()

    def err(self, line, msg):
        raise DescError(f'{self.path}:{line}: {msg}')

    def declare(self, table, name, val, line):
        if name in self.resources or name in self.flags or name in self.types:
            self.err(line, f'{name} redeclared')
        table[name] = val

    def parse(self, lines):
        body = None
        for no, raw in enumerate(lines, 1):
            line = strip_comment(raw)
            where = f'{self.path}:{no}'
            if body is not None:
                if line.strip() in ('}', ']'):
                    if line.strip() != ('}' if body[0] == 'struct' else ']'):
                        self.err(no, 'mismatched end of struct or union')
                    body = None
                elif line.strip():
                    m = re.fullmatch(FIELD, line)
                    if not m:
                        self.err(no, 'field: <tab>name<tab>type[<tab>(dir)]')
                    if any(f[0] == m[1] for f in body[1]):
                        self.err(no, f'duplicate field {m[1]}')
                    body[1].append((m[1], parse_type(m[2], where), m[3], no))
                continue
            if not line or re.fullmatch(r'include <[\w/.-]+>', line):
                continue
            m = re.fullmatch(r'(\S+) ([{\[])', line)
            if m:
                body = ('struct' if m[2] == '{' else 'union', [], no)
                self.declare(self.types, m[1], body, no)
                continue
            m = re.fullmatch(r'resource (\w+)\[(\w+)\](?:: (.+))?', line)
            if m:
                vals = [parse_type(v, where) for v in split_args(m[3] or '')]
                self.declare(self.resources, m[1], (m[2], vals, no), no)
                continue
            m = re.fullmatch(r'define (\w+)\s+(.+)', line)
            if m:
                self.defines[m[1]] = m[2].strip()
                continue
            m = re.fullmatch(r'(\w+) = (.+)', line)
            if m:
                vals = [parse_type(v, where) if not re.fullmatch(
                    r'\s*(0x[0-9a-fA-F]+|\d+)\s*', v) else int(v, 0)
                    for v in split_args(m[2])]
                self.declare(self.flags, m[1], (vals, no), no)
                continue
            m = re.fullmatch(r'([a-z]\w*(?:\$\w+)?)\((.*)\)(?: (\S+))?', line)
            if not m:
                self.err(no, f'cannot parse "{line}"')
            args = []
            for a in split_args(m[2]):
                am = re.fullmatch(r'\s*(\w+) (.+)', a)
                if not am:
                    self.err(no, f'bad argument "{a}"')
                args.append((am[1], parse_type(am[2], where)))
            ret = parse_type(m[3], where) if m[3] else None
            if any(s[0] == m[1] for s in self.syscalls):
                self.err(no, f'syscall {m[1]} redeclared')
            self.syscalls.append((m[1], args, ret, no))
        if body is not None:
            self.err(len(lines), 'unterminated struct or union')

    # Checks -------------------------------------------------------------

    def base(self, t, line, ctx):
        """Check the base int type argument of const, flags and len."""
        has = isinstance(t.args[-1], Type) and t.args[-1].name in INTS
        if ctx != 'arg' and not has:
            self.err(line, f'{t.name} needs a base int type here')
        if ctx == 'arg' and has and len(t.args) == 2:
            self.err(line, f'{t.name} syscall argument with a base type')

    def check_type(self, t, line, siblings, ctx, direction):
        """Validate t in ctx ('arg', 'field' or 'pointee'); note what it
        uses and which resources it produces (direction out or inout)."""
        n, a = t.name, t.args
        if n in INTS:
            if a and (not isinstance(a[0], tuple) or len(a) > 2 or
                      (len(a) == 2 and not isinstance(a[1], int))):
                self.err(line, f'{n}[lo:hi] or {n}[lo:hi, align] expected')
        elif n in ('const', 'flags') or n in LENS:
            if not a or not isinstance(a[0], (Type, int)):
                self.err(line, f'{n}: an argument expected')
            self.base(t, line, ctx)
            name = a[0].ident() if isinstance(a[0], Type) else None
            if n == 'flags':
                if name not in self.flags and name not in EXTERNAL_FLAGS:
                    self.err(line, f'unknown flags {name}')
                self.used.add(name)
            elif n in LENS and name not in siblings:
                self.err(line, f'len target {name} is not a sibling')
        elif n in ('ptr', 'ptr64'):
            if len(a) != 2 or not isinstance(a[0], Type) or \
                    a[0].name not in DIRS or not isinstance(a[1], Type):
                self.err(line, f'{n}[in|out|inout, type] expected')
            self.check_type(a[1], line, set(), 'pointee', a[0].name)
        elif n == 'string':
            if ctx != 'pointee' or len(a) != 1 or not isinstance(a[0], str):
                self.err(line, 'ptr[in, string["literal"]] expected')
        elif n == 'array':
            if len(a) not in (1, 2) or not isinstance(a[0], Type):
                self.err(line, 'array[type] or array[type, size] expected')
            if ctx == 'field' and (len(a) != 2 or not isinstance(a[1], int)):
                self.err(line, 'a fixed-size array expected in a struct')
            self.check_type(a[0], line, set(), 'field', direction)
        elif n in ('vma', 'vma64'):
            pass
        elif n in self.types:
            self.used.add(n)
            if (n, direction) not in self.visited:
                self.visited.add((n, direction))
                fields = self.types[n][1]
                names = {f[0] for f in fields}
                for fname, ft, attr, fline in fields:
                    self.check_type(ft, fline, names - {fname}, 'field',
                                    attr or direction)
        elif n in self.resources or n in EXTERNAL:
            self.used.add(n)
            if direction in ('out', 'inout'):
                self.produced.add(n)
        else:
            self.err(line, f'unknown type {n}')

    def validate(self):
        self.visited = set()
        for name, args, ret, line in self.syscalls:
            names = {a[0] for a in args}
            for aname, t in args:
                self.check_type(t, line, names - {aname}, 'arg', 'in')
            if ret:
                self.check_type(ret, line, set(), 'arg', 'out')
        for name, (base, _, line) in self.resources.items():
            if base not in self.resources and base not in EXTERNAL \
                    and base not in INTS:
                self.err(line, f'resource {name}: unknown base {base}')
            if name not in self.used or name not in self.produced:
                self.err(line, f'resource {name} is unused or never produced')
        for table in (self.flags, self.types):
            for name, val in table.items():
                if name not in self.used:
                    self.err(val[-1], f'{name} is defined but not used')

    # Layout -------------------------------------------------------------

    def layout(self, t):
        """(size, alignment) of a type inside a struct."""
        n = t.name
        if n in INTS:
            return INTS[n], INTS[n]
        if n in ('const', 'flags') or n in LENS:
            return self.layout(t.args[-1])
        if n in POINTERS:
            return 8, 8
        if n == 'array':
            size, align = self.layout(t.args[0])
            return size * t.args[1], align
        if n in self.resources or n in EXTERNAL:
            base = self.resources[n][0] if n in self.resources else EXTERNAL[n]
            return self.layout(Type(base, []))
        kind, fields, _ = self.types[n]
        if kind == 'union':
            sizes = [self.layout(f[1]) for f in fields]
            size, align = max(s for s, _ in sizes), max(a for _, a in sizes)
        else:
            last = self.fields(n)[-1]
            size = last[3] + last[2]
            align = max(self.layout(f[1])[1] for f in fields)
        return -(-size // align) * align, align

    def fields(self, name):
        """[(field, Type, size, offset)] of a struct."""
        out, off = [], 0
        for fname, ft, _, _ in self.types[name][1]:
            size, align = self.layout(ft)
            off = -(-off // align) * align
            out.append((fname, ft, size, off))
            off += size
        return out

    # Outputs ------------------------------------------------------------

    def consts(self):
        names = set(self.defines)
        for name, args, ret, _ in self.syscalls:
            if not name.startswith('syz_'):
                names.add('__NR_' + name.split('$')[0])
        types = [t for s in self.syscalls for _, t in s[1]]
        types += [f[1] for _, fields, _ in self.types.values() for f in fields]
        types += [v for _, vals, _ in self.resources.values() for v in vals]
        types += [v for vals, _ in self.flags.values() for v in vals]
        while types:
            t = types.pop()
            if isinstance(t, tuple):
                types += list(t)
            elif isinstance(t, Type):
                if re.fullmatch(r'_*[A-Z][A-Z0-9_]*', t.name) and not t.args:
                    names.add(t.name)
                if t.name not in LENS and t.name != 'flags':
                    types += t.args
        return sorted(names)

    def ioctls(self):
        """[(syscall, cmd const, argument Type, line)] of the ioctl calls."""
        out = []
        for name, args, _, line in self.syscalls:
            if name.split('$')[0] != 'ioctl':
                continue
            cmd = args[1][1] if len(args) > 1 else Type('', [])
            if cmd.name != 'const' or not isinstance(cmd.args[0], Type):
                self.err(line, 'ioctl(fd, cmd const[NAME], arg) expected')
            out.append((name, cmd.args[0].name,
                        args[2][1] if len(args) > 2 else None, line))
        return out


def c_consts(desc):
    print('/* Generated by tools/syzkaller/syzdesc.py consts. */')
    print('#include <stdio.h>\n#include <asm/unistd.h>')
    print('#include <linux/fcntl.h>\n#include "vsvm_drm.h"\n')
    for name, expr in sorted(desc.defines.items()):
        print(f'#define {name} {expr}')
    print('\nint main(void)\n{')
    for name in desc.consts():
        print(f'\tprintf("{name} = %llu\\n", (unsigned long long)({name}));')
    print('\treturn 0;\n}')


def c_layout(desc):
    def check(line, cond, msg):
        # Errors point at the line of the description.
        print(f'#line {line} "{desc.path}"')
        print(f'_Static_assert({cond}, "{msg} in the description");')

    print('/* Generated by tools/syzkaller/syzdesc.py layout. */')
    print('#include <stddef.h>\n#include "vsvm_drm.h"\n')
    print('#define MEMBER_SIZE(s, m) sizeof(((struct s *)0)->m)\n')
    for name, (kind, fields, line) in desc.types.items():
        cname = name.split('$')[0]
        if kind != 'struct' or not cname.startswith('drm_'):
            continue
        size = desc.layout(Type(name, []))[0]
        check(line, f'sizeof(struct {cname}) == {size}',
              f'{name}: {size} bytes')
        for (fname, _, fsize, off), f in zip(desc.fields(name), fields):
            check(f[3], f'offsetof(struct {cname}, {fname}) == {off}',
                  f'{name}.{fname}: offset {off}')
            check(f[3], f'MEMBER_SIZE({cname}, {fname}) == {fsize}',
                  f'{name}.{fname}: {fsize} bytes')
    for name, cmd, arg, line in desc.ioctls():
        size = desc.layout(arg.args[1])[0] if arg else 0
        check(line, f'_IOC_SIZE({cmd}) == {size}',
              f'{name}: an argument of {size} bytes')
        if arg:
            d = arg.args[0].name
            check(line, f'_IOC_DIR({cmd}) == {IOC_DIR[d]}',
                  f'{name}: direction {d}')


def coverage(desc, header):
    with open(header, encoding='utf-8') as f:
        text = f.read()
    ioctls = set(re.findall(r'^#define\s+(DRM_IOCTL_VSVM_\w+)', text, re.M))
    structs = set(re.findall(r'^struct\s+(drm_vsvm_\w+)\s*\{', text, re.M))
    inputs = set(re.findall(r'^(?:#define|\s)\s*(DRM_VSVM_\w+)', text, re.M))
    inputs = {n for n in inputs if not NOT_INPUTS.fullmatch(n) and
              n.replace('DRM_', 'DRM_IOCTL_', 1) not in ioctls}
    used = set(desc.consts())
    for expr in desc.defines.values():
        used.update(re.findall(r'\w+', expr))
    described = {cmd for _, cmd, _, _ in desc.ioctls()}
    described_structs = {n.split('$')[0] for n in desc.types}
    errors = [f'{header}: {n} is not described in {desc.path}'
              for n in sorted(ioctls - described)]
    errors += [f'{header}: struct {n} is not described in {desc.path}'
               for n in sorted(structs - described_structs)]
    errors += [f'{header}: {n} is not used in {desc.path} (an output or a '
               'limit? see NOT_INPUTS in syzdesc.py)'
               for n in sorted(inputs - used)]
    errors += [f'{desc.path}: {n} is not in {header}' for n in sorted(
        {n for n in described if n.startswith('DRM_IOCTL_VSVM_')} - ioctls)]
    errors += [f'{desc.path}: struct {n} is not in {header}' for n in sorted(
        {n for n in described_structs if n.startswith('drm_vsvm_')} - structs)]
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


def main(argv):
    if len(argv) < 3 or (argv[1], len(argv)) not in (
            ('consts', 3), ('layout', 3), ('coverage', 4)):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        desc = Desc(argv[2])
        if argv[1] == 'consts':
            c_consts(desc)
        elif argv[1] == 'layout':
            c_layout(desc)
        else:
            return coverage(desc, argv[3])
    except DescError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
