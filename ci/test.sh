#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The test command: set up the machine, build the debug test kernel (cached),
# the modules and the userspace, run the static checks, then all tests in
# one VM, and print `tests: N passed, N failed, N skipped`.
# Usage (as root on Debian 12): ci/test.sh
set -uo pipefail
. "$(dirname "$0")/lib.sh"

cd "$TOP_DIR" || exit 1
R="$TOP_DIR/build/results"
rm -rf "$R"
mkdir -p "$R/ci" "$R/meson"
start=$(date +%s)

"$CI_DIR/setup.sh" || die "setup failed"

ok=1
check kernel-build ci/build-kernel.sh debug || ok=0
if [ $ok = 1 ]; then
	check checkpatch ci/check-kernel.sh checkpatch
	check kernel-doc ci/check-kernel.sh kernel-doc
	check syzkaller-descriptions tools/syzkaller/check.sh
	check modules-build ci/build-modules.sh debug || ok=0
	check meson-build ci/meson-build.sh debug || ok=0
fi
# The 6.12 LTS keeps building (a prepared tree is enough to compile; the
# smoke run on a booted 6.12 is ci/test-lts.sh).
check modules-build-6.12 env DRM_SVM_KERNEL=6.12 ci/build-modules.sh prepared
if [ -f "$TOP_DIR/build/meson/build.ninja" ]; then
	log "meson tests (host)"
	meson test -C "$TOP_DIR/build/meson" --no-rebuild --print-errorlogs \
		> "$R/ci/meson-test.log" 2>&1
	cp "$TOP_DIR/build/meson/meson-logs/testlog.json" "$R/meson/" 2>/dev/null
fi

if [ $ok = 1 ]; then
	log "running the tests in the VM (debug kernel)"
	if ci/vm-run.sh --flavour debug --kmemleak --timeout 3000 --no-build \
			--out "$R" -- ci/guest-tests.sh; then
		echo pass > "$R/ci/vm-run.result"
	else
		echo fail > "$R/ci/vm-run.result"
	fi
fi

log "done in $(( $(date +%s) - start ))s; per-test results in $R/results.txt"
exec python3 "$CI_DIR/summarize.py" "$R"
