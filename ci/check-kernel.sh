#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Static checks of the kernel code with the tools of the unpacked source:
# checkpatch (no errors, no warnings) and kernel-doc -Wall (no warnings) on
# drm/ and the uAPI header.
# Usage: ci/check-kernel.sh checkpatch|kernel-doc
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(src_tree)
[ -f "$src/.drm-svm-unpacked" ] || "$CI_DIR/build-kernel.sh" plain >/dev/null
cd "$TOP_DIR"
mapfile -t files < <(git ls-files -co --exclude-standard 'drm/*.[ch]' 'include/uapi/drm/*.h' 2>/dev/null ||
	find drm include/uapi/drm -name '*.[ch]' | sort)
[ ${#files[@]} -gt 0 ] || die "no kernel sources found"

case ${1:-} in
checkpatch)
	# Out of tree: no MAINTAINERS entries, no in-tree Kconfig.
	# checkpatch's own exit status is not used: judge by what it reports.
	# Version tests are allowed in the compatibility header only.
	compat=drm/include/drm/drm_svm_compat.h
	out=$("$src/scripts/checkpatch.pl" --no-tree --terse --show-types \
		--strict --ignore FILE_PATH_CHANGES,CONFIG_DESCRIPTION \
		-f "${files[@]}" 2>&1 |
		grep -v "^$compat:[0-9]*: WARNING:\(LINUX_VERSION_CODE\|CONSTANT_COMPARISON\):") || true
	if grep -n 'LINUX_VERSION_CODE\|KERNEL_VERSION(' "${files[@]}" | grep -v "^$compat:"; then
		echo "kernel version tests outside $compat" >&2
		exit 1
	fi
	echo "$out" >&2
	if grep -qE ': (ERROR|WARNING|CHECK):' <<< "$out"; then
		exit 1
	fi
	exit 0
	;;
kernel-doc)
	out=$("$src/scripts/kernel-doc" -none -Wall "${files[@]}" 2>&1)
	[ -z "$out" ] && exit 0
	echo "$out"
	exit 1
	;;
*)
	die "usage: $0 checkpatch|kernel-doc"
	;;
esac
