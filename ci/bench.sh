#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Benchmarks on the plain kernel, with the peers in the same VM run.
# Usage (as root): ci/bench.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TOP_DIR"
build_flavour plain
exec "$CI_DIR/vm-run.sh" --flavour plain --no-build --vga --mem 3G \
	--timeout 1800 -- ci/guest-bench.sh
