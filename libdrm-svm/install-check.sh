#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the build into a scratch root and build a program against the
# installed header and library through pkg-config, as a user would.
# Usage: install-check.sh BUILD_DIR
set -eu
build=$1
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
meson install -C "$build" --destdir "$root" --no-rebuild --quiet
pc=$(find "$root" -name libdrm_svm.pc)
[ -n "$pc" ] || { echo "libdrm_svm.pc not installed"; exit 1; }
# The default search path of pkg-config must cover the install location.
pcdir=${pc%/libdrm_svm.pc}
default=$(pkg-config --variable pc_path pkg-config)
case ":$default:" in
*":${pcdir#"$root"}:"*) ;;
*) echo "${pcdir#"$root"} is not on pkg-config's default path ($default)"; exit 1 ;;
esac
export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$root
cat > "$root/app.c" <<'EOC'
#include <libdrm_svm.h>
#include <stdio.h>
int main(void)
{
	printf("%s\n", svm_strerror(-19));	/* -ENODEV */
	return 0;
}
EOC
# shellcheck disable=SC2046
cc -o "$root/app" "$root/app.c" $(pkg-config --cflags --libs libdrm_svm)
out=$(LD_LIBRARY_PATH=$(dirname "$(find "$root" -name 'libdrm_svm.so.1' | head -n1)") "$root/app")
[ "$out" = "No drm-svm device" ] || { echo "unexpected output: $out"; exit 1; }
echo "installed, found by pkg-config $(pkg-config --modversion libdrm_svm), linked and ran"
