#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Runs inside the test VM for ci/test-lts.sh: the smoke run on the 6.12 LTS
# kernel. Loads and unloads the drivers, runs the KUnit suites, IGT
# vsvm_basic, a few GEM (vsvm_gem) and SVM (vsvm_svm_test) cases and the
# uAPI tests (capabilities: no 7.x-only bits on 6.12). Raw results go to
# $VM_OUT/{kunit,igt,kselftest,vm}/ for ci/summarize.py, as in
# ci/guest-tests.sh. Usage: ci/guest-smoke.sh [userspace build dir]
set -u
cd "$VM_SRC"
R=$VM_OUT
B=$VM_SRC/${1:-build/meson-6.12}
mkdir -p "$R/kunit" "$R/igt" "$R/kselftest" "$R/vm"
export IGT_PLAIN_OUTPUT=1

step() {
	local name=$1; shift
	if "$@" > "$R/vm/$name.log" 2>&1; then r=pass; else r=fail; fi
	echo "$r" > "$R/vm/$name.result"
	echo "vm: $name: $r"
	[ $r = pass ] || cat "$R/vm/$name.log"
}

echo "kernel: $(uname -r)"
step load-virtio-gpu modprobe virtio_gpu
step load-vsvm modprobe vsvm visible_vram_mb=64
udevadm settle >/dev/null 2>&1 || sleep 1

for mod in $(awk '!/^#/ && NF == 2 { print $1 }' ci/kunit-suites.txt | sort -u); do
	modprobe "$mod" || echo "kunit: modprobe $mod failed"
	for suite in $(awk -v m="$mod" '!/^#/ && $1 == m { print $2 }' ci/kunit-suites.txt); do
		f=/sys/kernel/debug/kunit/$suite/results
		[ -r "$f" ] && cat "$f" > "$R/kunit/$suite.ktap"
		grep -E '^    (not )?ok ' "$R/kunit/$suite.ktap" 2>/dev/null | sed "s|^ *|kunit: $suite: |"
	done
	modprobe -r "$mod"
done

# igt NAME SUBTEST...: the named subtests (all of them when none is named).
igt() {
	local t=$B/igt-tests/tests/$1 d=$R/igt/$1 sub
	shift
	mkdir -p "$d"
	if [ $# = 0 ]; then
		"$t" --list-subtests > "$d/list" 2> "$d/list.err"
	else
		printf '%s\n' "$@" > "$d/list"
	fi
	echo 0 > "$d/list.rc"
	while read -r sub; do
		timeout -s QUIT -k 10 300 "$t" --run-subtest "$sub" \
			> "$d/$sub.out" 2> "$d/$sub.err"
		echo "$?" > "$d/$sub.rc"
		grep -h -E '^(Dynamic s|S)ubtest .*: ' "$d/$sub.out" | sed "s|^|igt: $1: |"
	done < "$d/list"
}
igt vsvm_basic
igt vsvm_gem create bad-create migrate-partial invisible-vram-cpu-access \
	cpu-migrate-system fork

# kselftest NAME [TEST...]: the named fixture.test cases (all when none).
kselftest() {
	local name=$1 t=$B/tests/kselftest/$1 args=() c
	shift
	for c in "$@"; do args+=(-r "$c"); done
	[ $# = 0 ] && "$t" -l > "$R/kselftest/$name.list" 2>/dev/null
	timeout -s TERM -k 10 600 "$t" "${args[@]}" > "$R/kselftest/$name.tap" \
		2> "$R/kselftest/$name.err"
	echo "$?" > "$R/kselftest/$name.rc"
	grep -E '^(not )?ok ' "$R/kselftest/$name.tap" | sed "s|^|kselftest: $name: |"
}
kselftest vsvm_uapi_test
kselftest vsvm_svm_test svm.anon_read svm.anon_write svm.migrate \
	svm.migrate_fault svm.migrate_multiple svm.cow_in_device svm.gup

step unload-vsvm modprobe -r vsvm
step unload-drm-svm modprobe -r drm_svm
exit 0
