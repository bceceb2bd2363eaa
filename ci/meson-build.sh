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
if [ -f "$b/build.ninja" ]; then
	meson configure "$b" "${opts[@]}" >/dev/null
else
	meson setup "$b" "$TOP_DIR" "${opts[@]}" >/dev/null
fi
ninja -C "$b" >&2
