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

# Kernel series: 7.3 is the test kernel (Debian's linux-source-7.3 from
# trixie-backports, fetched by ci/fetch-kernel-source.sh); 6.12 is the LTS
# kept building (Debian 12's linux-source-6.12). DRM_SVM_KERNEL picks one.
KSERIES=${DRM_SVM_KERNEL:-7.3}
case $KSERIES in 7.3|6.12) ;; *) die "DRM_SVM_KERNEL must be 7.3 or 6.12";; esac
# The suite that carries each series' source package.
ksuite() { case $KSERIES in 6.12) echo bookworm;; *) echo trixie-backports;; esac; }
# Where a fetched (not installed) source package is unpacked.
kdeb_dir() { echo "$CACHE_DIR/deb/linux-source-$KSERIES"; }

src_version() {
	if [ "$KSERIES" = 6.12 ]; then
		dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null
	else
		cat "$(kdeb_dir)/version" 2>/dev/null
	fi
}
src_tarball() {
	if [ "$KSERIES" = 6.12 ]; then
		echo /usr/src/linux-source-6.12.tar.xz
	else
		echo "$(kdeb_dir)/usr/src/linux-source-$KSERIES.tar.xz"
	fi
}

# Bump when ci/build-kernel.sh changes what it produces.
KERNEL_BUILD_REV=2

# kernel_frags FLAVOUR -> the config fragments of a flavour, in merge order
kernel_frags() {
	echo "$CI_DIR/kernel.config $CI_DIR/kernel-$KSERIES.config"
	[ "$1" = debug ] && echo "$CI_DIR/kernel-debug.config"
	return 0
}

# kernel_selectors -> the Kconfig selector files appended to the tree
kernel_selectors() {
	echo "$CI_DIR/kconfig-selector"
	[ -f "$CI_DIR/kconfig-selector-$KSERIES" ] && echo "$CI_DIR/kconfig-selector-$KSERIES"
	return 0
}

# kernel_key FLAVOUR -> directory name of a cached kernel build
kernel_key() {
	local flavour=$1 frags
	frags=$(kernel_frags "$flavour")
	# shellcheck disable=SC2086
	echo "$(src_version)-$flavour-$({ cat $frags $(kernel_selectors)
		echo "$KERNEL_BUILD_REV"; } | sha256sum | cut -c1-12)"
}

kernel_dir() { echo "$CACHE_DIR/kernel/$(kernel_key "$1")"; }
src_tree() { echo "$CACHE_DIR/src/$(src_version)/linux-source-$KSERIES"; }
# Where the modules of a flavour are built: build/<flavour> for the test
# kernel, build/<series>-<flavour> for the others.
mod_build_dir() {
	if [ "$KSERIES" = 7.3 ]; then
		echo "$TOP_DIR/build/$1"
	else
		echo "$TOP_DIR/build/$KSERIES-$1"
	fi
}

# The userspace build directory: build/meson for the test kernel,
# build/meson-<series> for the others (their kernel headers differ).
meson_dir() {
	if [ "$KSERIES" = 7.3 ]; then
		echo "$TOP_DIR/build/meson"
	else
		echo "$TOP_DIR/build/meson-$KSERIES"
	fi
}

# check NAME COMMAND...: run a host-side check, record its result as a
# test in $R/ci/NAME.result (log in $R/ci/NAME.log); used by the test
# commands (ci/test.sh, ci/test-lts.sh).
check() {
	local name=$1; shift
	log "check: $name"
	if "$@" > "$R/ci/$name.log" 2>&1; then
		echo pass > "$R/ci/$name.result"
		return 0
	fi
	echo fail > "$R/ci/$name.result"
	tail -n 30 "$R/ci/$name.log"
	return 1
}

# build_flavour FLAVOUR: set up the machine and build kernel, modules and
# userspace for one kernel flavour (used by demo.sh and bench.sh).
build_flavour() {
	"$CI_DIR/setup.sh"
	"$CI_DIR/build-kernel.sh" "$1" >/dev/null
	"$CI_DIR/build-modules.sh" "$1" >/dev/null
	"$CI_DIR/meson-build.sh" "$1" 2>/dev/null
}
