#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Build (or reuse from the cache) the test kernel.
# Usage: ci/build-kernel.sh plain|debug
# Prints the cache directory holding bzImage, build/, modroot/ and usr/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-plain}
case $flavour in plain|debug) ;; *) die "flavour must be plain or debug";; esac

[ -n "$(src_version)" ] || die "linux-source-6.12 is not installed (run ci/setup.sh)"
kdir=$(kernel_dir "$flavour")
if [ -f "$kdir/.done" ]; then
	echo "$kdir"
	exit 0
fi

# Unpack the pristine tree once per source version and add the selector.
src=$(src_tree)
if [ ! -f "$src/.drm-svm-unpacked" ]; then
	log "unpacking linux-source $(src_version)"
	rm -rf "$(dirname "$src")"
	mkdir -p "$(dirname "$src")"
	tar -C "$(dirname "$src")" -xf /usr/src/linux-source-6.12.tar.xz
	cat "$CI_DIR/kconfig-selector" >> "$src/drivers/gpu/drm/Kconfig"
	touch "$src/.drm-svm-unpacked"
fi

log "building $flavour kernel in $kdir"
rm -rf "$kdir"
mkdir -p "$kdir/build" "$CCACHE_DIR"
frags="$CI_DIR/kernel.config"
[ "$flavour" = debug ] && frags="$frags $CI_DIR/kernel-debug.config"
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
mk -j"$JOBS" bzImage modules
mk INSTALL_MOD_PATH="$kdir/modroot" INSTALL_MOD_STRIP=1 modules_install
mk INSTALL_HDR_PATH="$kdir/usr" headers_install
cp "$kdir/build/arch/x86/boot/bzImage" "$kdir/bzImage"
make -s -C "$kdir/build" kernelrelease > "$kdir/release"
touch "$kdir/.done"
log "kernel $flavour ready: $(cat "$kdir/release")"
echo "$kdir"
