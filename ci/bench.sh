#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Benchmarks on the plain kernel, with the peers in the same VM run.
# Usage (as root): ci/bench.sh   (DRM_SVM_KERNEL=6.12 ci/bench.sh for the LTS)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TOP_DIR"
build_flavour plain
exec "$CI_DIR/vm-run.sh" --flavour plain --no-build --vga --mem 3G \
	--timeout 1800 -- ci/guest-bench.sh "$(realpath --relative-to="$TOP_DIR" "$(meson_dir)")"
