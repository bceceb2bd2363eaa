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
	out=$("$src/scripts/checkpatch.pl" --no-tree --terse --show-types \
		--strict --ignore FILE_PATH_CHANGES,CONFIG_DESCRIPTION \
		-f "${files[@]}" 2>&1) || true
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
