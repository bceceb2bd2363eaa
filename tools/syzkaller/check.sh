#!/bin/bash
# SPDX-License-Identifier: MIT
# Check the syzkaller descriptions against the uAPI header, on the host:
# the const file is what gen-const.sh makes now, every DRM_IOCTL_VSVM_*,
# struct drm_vsvm_* and input constant of the header is described, and every
# described struct and ioctl argument has the header's size, member offsets
# and sizes (the compiler checks the static assertions syzdesc.py writes).
# See README.md.
# Usage: tools/syzkaller/check.sh [INCLUDE_DIR]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

syz_setup "${1:-}"
fail=0

if ! python3 "$SYZ_DIR/syzdesc.py" coverage "$SYZ_DESC" "$SYZ_HEADER"; then
	echo "FAIL: $SYZ_DESC and $SYZ_HEADER disagree (above)" >&2
	fail=1
fi
if ! python3 "$SYZ_DIR/syzdesc.py" layout "$SYZ_DESC" > "$tmp/layout.c" ||
		! uapi_cc "$inc" - < "$tmp/layout.c"; then
	echo "FAIL: $SYZ_DESC does not match $SYZ_HEADER (layouts above)" >&2
	fail=1
fi
if ! "$SYZ_DIR/gen-const.sh" "$inc" > "$tmp/const"; then
	echo "FAIL: cannot generate the constants of $SYZ_DESC" >&2
	fail=1
elif ! diff -u "$SYZ_DESC.const" "$tmp/const" >&2; then
	echo "FAIL: $SYZ_DESC.const is stale: run" \
		"tools/syzkaller/gen-const.sh > $SYZ_DESC.const" >&2
	fail=1
fi
[ $fail = 0 ] && echo "syzkaller descriptions match $SYZ_HEADER"
exit $fail
