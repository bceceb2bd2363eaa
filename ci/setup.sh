#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Install what drm-svm needs on a Debian 12 machine (as root). Idempotent:
# does nothing when everything is there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(linux-source-6.12 build-essential bc bison flex libelf-dev libssl-dev
      ccache cpio kmod rsync qemu-system-x86 qemu-system-data meson
      ninja-build pkg-config libdrm-dev python3 perl
      pocl-opencl-icd ocl-icd-opencl-dev opencl-headers)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
