# SPDX-License-Identifier: GPL-2.0 OR MIT
# Shared settings for the ci/ scripts. Source it; do not run it.
# shellcheck shell=bash

CI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$CI_DIR/.." && pwd)
# Kernel builds are cached outside the checkout, keyed on the Debian source
# version and a hash of the config fragments and the selector.
CACHE_DIR=${DRM_SVM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/drm-svm}
JOBS=${JOBS:-$(( $(nproc) + 1 ))}
export CCACHE_DIR=${CCACHE_DIR:-$CACHE_DIR/ccache}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

src_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null
}

# Bump when ci/build-kernel.sh changes what it produces.
KERNEL_BUILD_REV=1

# kernel_key FLAVOUR -> directory name of a cached kernel build
kernel_key() {
	local flavour=$1 frags
	frags="$CI_DIR/kernel.config"
	[ "$flavour" = debug ] && frags="$frags $CI_DIR/kernel-debug.config"
	# shellcheck disable=SC2086
	echo "$(src_version)-$flavour-$({ cat $frags "$CI_DIR/kconfig-selector"
		echo "$KERNEL_BUILD_REV"; } | sha256sum | cut -c1-12)"
}

kernel_dir() { echo "$CACHE_DIR/kernel/$(kernel_key "$1")"; }
src_tree() { echo "$CACHE_DIR/src/$(src_version)/linux-source-6.12"; }

# build_flavour FLAVOUR: set up the machine and build kernel, modules and
# userspace for one kernel flavour (used by demo.sh and bench.sh).
build_flavour() {
	"$CI_DIR/setup.sh"
	"$CI_DIR/build-kernel.sh" "$1" >/dev/null
	"$CI_DIR/build-modules.sh" "$1" >/dev/null
	"$CI_DIR/meson-build.sh" "$1" 2>/dev/null
}
