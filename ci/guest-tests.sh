#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Runs inside the test VM (see ci/vm-run.sh): loads the drivers, runs the
# KUnit suites, the IGT-API tests (one process per subtest, as igt_runner
# does) and the kselftest tests, and stores raw results in
# $VM_OUT/{kunit,igt,kselftest,vm}/ for ci/summarize.py.
set -u
cd "$VM_SRC"
# OpenCL (PoCL) keeps its kernel cache here; the guest's /tmp is a tmpfs.
export POCL_CACHE_DIR=/tmp/pocl-cache
R=$VM_OUT
B=$VM_SRC/build/meson
mkdir -p "$R/kunit" "$R/igt" "$R/kselftest" "$R/vm"
export IGT_PLAIN_OUTPUT=1

vm_result() { echo "$2" > "$R/vm/$1.result"; echo "vm: $1: $2"; }

step() {
	local name=$1; shift
	if "$@" > "$R/vm/$name.log" 2>&1; then
		vm_result "$name" pass
	else
		vm_result "$name" fail
		cat "$R/vm/$name.log"
	fi
}

step load-virtio-gpu modprobe virtio_gpu
step load-vkms modprobe vkms
step load-test-hmm modprobe test_hmm
step load-vsvm modprobe vsvm visible_vram_mb=64
udevadm settle >/dev/null 2>&1 || sleep 1
ls -l /dev/dri

# KUnit: each module runs all its suites when it loads (once per module);
# the KTAP of each suite is in debugfs until the module unloads.
for mod in $(awk '!/^#/ && NF == 2 { print $1 }' ci/kunit-suites.txt | sort -u); do
	echo "kunit: $mod"
	modprobe "$mod" || echo "kunit: modprobe $mod failed"
	for suite in $(awk -v m="$mod" '!/^#/ && $1 == m { print $2 }' ci/kunit-suites.txt); do
		f=/sys/kernel/debug/kunit/$suite/results
		if [ -r "$f" ]; then
			cat "$f" > "$R/kunit/$suite.ktap"
			cat "$f"
		fi
	done
	modprobe -r "$mod"
done

# IGT-API tests, one process per subtest with a deadline.
for t in "$B"/igt-tests/tests/*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	name=$(basename "$t")
	d=$R/igt/$name
	mkdir -p "$d"
	"$t" --list-subtests > "$d/list" 2> "$d/list.err"
	echo "$?" > "$d/list.rc"
	# PoCL compiles its kernel with LLVM on first use: minutes under TCG.
	case $name in
	svm_lib_opencl) limit=900 ;;
	*) limit=300 ;;
	esac
	while read -r sub; do
		[ -n "$sub" ] || continue
		timeout -s QUIT -k 10 "$limit" "$t" --run-subtest "$sub" \
			> "$d/$sub.out" 2> "$d/$sub.err"
		echo "$?" > "$d/$sub.rc"
		grep -h -E '^(Dynamic s|S)ubtest .*: ' "$d/$sub.out" |
			sed "s|^|igt: $name: |"
	done < "$d/list"
done

# Screendumps the IGT tests took (vsvm_prime_virtio), kept as artifacts.
ls "$R"/screendump/*.png 2>/dev/null | sed 's|^|artifact: |'

# kselftest-harness tests: kselftest BINARY [harness options...]
kselftest() {
	local t=$1 name
	shift
	name=$(basename "$t")
	"$t" -l > "$R/kselftest/$name.list" 2>/dev/null
	timeout -s TERM -k 10 600 "$t" "$@" > "$R/kselftest/$name.tap" \
		2> "$R/kselftest/$name.err"
	echo "$?" > "$R/kselftest/$name.rc"
	grep -E '^(not )?ok ' "$R/kselftest/$name.tap" | sed "s|^|kselftest: $name: |"
}
for t in "$B"/tests/kselftest/*_test; do
	[ -x "$t" ] || continue
	# needs two devices: run below
	[ "$(basename "$t")" = vsvm_multi_test ] && continue
	kselftest "$t"
done

# lib/test_hmm's own suite (hmm-tests, built unmodified from the kernel
# tree when it has one that builds here): the peer's baseline. Its THP
# migration benchmark runs in ci/bench.sh on the plain kernel instead.
[ -x "$B"/tests/kselftest/hmm-tests ] &&
	kselftest "$B"/tests/kselftest/hmm-tests -T benchmark_thp_migration

# Two vsvm devices (peer migration and mapping).
step reload-vsvm-two-devices sh -c 'modprobe -r vsvm &&
	modprobe vsvm num_devices=2 vram_size_mb=64 visible_vram_mb=32'
udevadm settle >/dev/null 2>&1 || sleep 1
kselftest "$B"/tests/kselftest/vsvm_multi_test

# The drivers must unload cleanly after all of it.
step unload-vsvm modprobe -r vsvm
step unload-drm-svm modprobe -r drm_svm
step unload-test-hmm modprobe -r test_hmm
exit 0
