#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Build (or reuse from the cache) the test kernel.
# Usage: ci/build-kernel.sh plain|debug|prepared
# The series is 7.3 (the test kernel) unless DRM_SVM_KERNEL=6.12.
# `prepared` is the plain configuration with only `modules_prepare` run:
# enough to compile out-of-tree modules (no vmlinux, no Module.symvers).
# Prints the cache directory holding bzImage, build/, modroot/ and usr/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-plain}
case $flavour in plain|debug|prepared) ;;
*) die "flavour must be plain, debug or prepared";; esac

if [ "$KSERIES" = 6.12 ]; then
	[ -n "$(src_version)" ] || die "linux-source-6.12 is not installed (run ci/setup.sh)"
else
	"$CI_DIR/fetch-kernel-source.sh" >/dev/null
fi
kdir=$(kernel_dir "$flavour")
if [ -f "$kdir/.done" ]; then
	echo "$kdir"
	exit 0
fi

# Unpack the pristine tree once per source version and selector.
src=$(src_tree)
# shellcheck disable=SC2046
sel=$(cat $(kernel_selectors) | sha256sum | cut -c1-12)
if [ "$(cat "$src/.drm-svm-unpacked" 2>/dev/null)" != "$sel" ]; then
	log "unpacking linux-source $(src_version)"
	rm -rf "$(dirname "$src")"
	mkdir -p "$(dirname "$src")"
	tar -C "$(dirname "$src")" -xf "$(src_tarball)"
	# shellcheck disable=SC2046
	cat $(kernel_selectors) >> "$src/drivers/gpu/drm/Kconfig"
	echo "$sel" > "$src/.drm-svm-unpacked"
fi

log "building $flavour kernel in $kdir"
rm -rf "$kdir"
mkdir -p "$kdir/build" "$CCACHE_DIR"
frags=$(kernel_frags "$flavour")
mk() { make -s -C "$src" O="$kdir/build" ARCH=x86_64 CC="ccache gcc" "$@"; }
mk allnoconfig
# shellcheck disable=SC2086
(cd "$kdir/build" && "$src/scripts/kconfig/merge_config.sh" -m -O "$kdir/build" \
	"$kdir/build/.config" $frags >/dev/null)
mk olddefconfig
# Every requested option must have survived olddefconfig; for a symbol set
# in both fragments the later (debug) one counts.
# shellcheck disable=SC2086
grep -h -E '^CONFIG_|^# CONFIG_.* is not set' $frags |
	sed -E 's/^# (CONFIG_[A-Za-z0-9_]+) is not set/\1=n/' |
	awk -F= '{ want[$1] = $0 } END { for (k in want) print want[k] }' |
	while IFS= read -r line; do
		sym=${line%%=*}
		if [ "${line#*=}" = n ]; then
			grep -q "^$sym=" "$kdir/build/.config" &&
				die "config not applied: $line"
		else
			grep -qxF "$line" "$kdir/build/.config" ||
				die "config not applied: $line"
		fi
	done
if [ "$flavour" = prepared ]; then
	mk -j"$JOBS" modules_prepare
	mk INSTALL_HDR_PATH="$kdir/usr" headers_install
	make -s -C "$kdir/build" kernelrelease > "$kdir/release"
	touch "$kdir/.done"
	log "kernel tree prepared: $(cat "$kdir/release")"
	echo "$kdir"
	exit 0
fi
mk -j"$JOBS" bzImage modules
mk INSTALL_MOD_PATH="$kdir/modroot" INSTALL_MOD_STRIP=1 modules_install
mk INSTALL_HDR_PATH="$kdir/usr" headers_install
cp "$kdir/build/arch/x86/boot/bzImage" "$kdir/bzImage"
make -s -C "$kdir/build" kernelrelease > "$kdir/release"
touch "$kdir/.done"
log "kernel $flavour ready: $(cat "$kdir/release")"
echo "$kdir"
