# SPDX-License-Identifier: MIT
# Shared by gen-const.sh and check.sh. Source it; do not run it.
# shellcheck shell=bash

SYZ_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SYZ_TOP=$(cd "$SYZ_DIR/../.." && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this file
SYZ_DESC=tools/syzkaller/dev_vsvm.txt
# shellcheck disable=SC2034
SYZ_HEADER=include/uapi/drm/vsvm_drm.h

# uapi_include [DIR]: the installed kernel uAPI headers (<drm/drm.h>,
# <asm/unistd.h>) to compile against: DIR, else those of the cached 7.3
# test kernel build (any flavour; ci/build-kernel.sh makes them). The
# values come from one kernel so that the const file is reproducible:
# struct drm_syncobj_wait, for one, is larger in 7.3 than in older headers.
uapi_include() {
	local flavour dir
	if [ -n "${1:-}" ]; then
		[ -f "$1/drm/drm.h" ] || { echo "$1/drm/drm.h: not found" >&2; return 1; }
		echo "$1"
		return
	fi
	for flavour in debug plain prepared; do
		dir=$(DRM_SVM_KERNEL=7.3 bash -c '. "$1/ci/lib.sh" && kernel_dir "$2"' \
			_ "$SYZ_TOP" "$flavour")/usr/include
		if [ -f "$dir/drm/drm.h" ]; then
			echo "$dir"
			return
		fi
	done
	echo "no installed 7.3 kernel headers: run ci/build-kernel.sh prepared," \
		"or pass the include directory of a headers_install" >&2
	return 1
}

# uapi_cc INCLUDE_DIR OUT: compile C from stdin against the vsvm uAPI header
# and INCLUDE_DIR into OUT (OUT "-": check only).
uapi_cc() {
	local out=(-o "$2")
	[ "$2" = - ] && out=(-fsyntax-only)
	gcc -std=gnu11 -Wall -Werror -I "$SYZ_TOP/include/uapi/drm" \
		-I "$1/drm" -I "$1" "${out[@]}" -x c -
}

# syz_setup [INCLUDE_DIR]: set inc (uapi_include) and tmp, a temporary
# directory removed on exit, and change to the top of the checkout.
syz_setup() {
	# shellcheck disable=SC2034 # used by the caller
	inc=$(uapi_include "${1:-}")
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # tmp is expanded now, on purpose
	trap "rm -rf '$tmp'" EXIT
	cd "$SYZ_TOP" || return
}
