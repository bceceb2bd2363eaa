#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The 6.12 LTS smoke run: builds Debian's linux-source-6.12 (plain flavour,
# cached like the test kernel), the modules against it (W=1, -Werror, with
# the kernel's Module.symvers) and the userspace against its headers, boots
# it and runs ci/guest-smoke.sh: load/unload, KUnit, IGT vsvm_basic, a few
# GEM and SVM cases, the uAPI tests. Ends with `tests: N passed, N failed,
# N skipped` like ci/test.sh.
# Usage (as root on Debian 12): ci/test-lts.sh
set -uo pipefail
export DRM_SVM_KERNEL=6.12
. "$(dirname "$0")/lib.sh"

cd "$TOP_DIR" || exit 1
R="$TOP_DIR/build/results-$KSERIES"
rm -rf "$R"
mkdir -p "$R/ci"
start=$(date +%s)
"$CI_DIR/setup.sh" || die "setup failed"

ok=1
check kernel-build-6.12 ci/build-kernel.sh plain || ok=0
[ $ok = 1 ] && { check modules-build-6.12 ci/build-modules.sh plain || ok=0; }
[ $ok = 1 ] && { check meson-build-6.12 ci/meson-build.sh plain || ok=0; }
if [ $ok = 1 ]; then
	log "smoke run in the VM (6.12 plain kernel)"
	if ci/vm-run.sh --flavour plain --timeout 1200 --no-build --out "$R" \
			-- ci/guest-smoke.sh "build/meson-$KSERIES"; then
		echo pass > "$R/ci/vm-run-6.12.result"
	else
		echo fail > "$R/ci/vm-run-6.12.result"
	fi
fi
log "done in $(( $(date +%s) - start ))s; per-test results in $R/results.txt"
exec python3 "$CI_DIR/summarize.py" "$R"
