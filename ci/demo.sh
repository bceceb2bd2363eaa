#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The main job: set up the machine, build the plain test kernel (cached), the
# modules and userspace, boot the VM and run the demo inside it.
# Usage (as root on Debian 12): ci/demo.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TOP_DIR"
build_flavour plain
exec "$CI_DIR/vm-run.sh" --flavour plain --no-build --timeout 600 -- ci/guest-demo.sh
