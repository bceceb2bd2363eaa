#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Build drm_svm, vsvm and the KUnit test module out of tree against the test
# kernel of a flavour. Sources are copied to build/<flavour>/ so that the two
# flavours never share objects. W=1; any compiler warning fails the build.
# Usage: ci/build-modules.sh plain|debug|prepared
# (DRM_SVM_KERNEL=6.12 builds against the LTS kernel; `prepared` is a tree
# with modules_prepare only, where modpost cannot resolve the kernel's
# symbols: it warns about them instead of failing.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-plain}
kdir=$(kernel_dir "$flavour")
[ -f "$kdir/.done" ] || kdir=$("$CI_DIR/build-kernel.sh" "$flavour")

dst=$(mod_build_dir "$flavour")
mkdir -p "$dst"
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '*.cmd' \
	--exclude '*.mod*' --exclude 'modules.order' --exclude 'Module.symvers' \
	"$TOP_DIR/drm/" "$dst/drm/"
rsync -a --delete "$TOP_DIR/include/" "$dst/include/"
log "building modules ($flavour)"
modpost=()
[ "$flavour" = prepared ] && modpost=(KBUILD_MODPOST_WARN=1)
make -s -C "$kdir/build" M="$dst/drm" W=1 KCFLAGS=-Werror "${modpost[@]}" \
	CC="ccache gcc" -j"$JOBS" modules
find "$dst/drm" -name '*.ko' | sort
