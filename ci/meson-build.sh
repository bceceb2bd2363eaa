#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Configure and build the userspace (libdrm-svm, IGT-API tests, kselftest
# tests) in build/meson with -Werror, against the test kernel's headers.
# Usage: ci/meson-build.sh [plain|debug]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-debug}
kdir=$(kernel_dir "$flavour")
[ -f "$kdir/.done" ] || kdir=$("$CI_DIR/build-kernel.sh" "$flavour")
b=$(meson_dir)
opts=(-Dkernel_src="$(src_tree)" -Dkernel_headers="$kdir/usr" -Dwerror=true)
# meson reports errors on stdout: keep it, show its end on failure.
if [ -f "$b/build.ninja" ]; then
	out=$(meson configure "$b" "${opts[@]}" 2>&1) || { tail -n 20 <<< "$out" >&2; exit 1; }
else
	out=$(meson setup "$b" "$TOP_DIR" "${opts[@]}" 2>&1) || { tail -n 20 <<< "$out" >&2; exit 1; }
fi
ninja -C "$b" >&2
