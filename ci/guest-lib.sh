# SPDX-License-Identifier: GPL-2.0 OR MIT
# Shared by the scripts that run tests inside the VM (ci/guest-tests.sh,
# ci/guest-smoke.sh): raw results go to $R/{kunit,igt,kselftest,vm}/ for
# ci/summarize.py. Source it from the checkout with R (the results
# directory) and B (the userspace build directory) set.
# shellcheck shell=bash

mkdir -p "$R/kunit" "$R/igt" "$R/kselftest" "$R/vm"
export IGT_PLAIN_OUTPUT=1

vm_result() { echo "$2" > "$R/vm/$1.result"; echo "vm: $1: $2"; }

# step NAME COMMAND...: a VM step (load, unload) recorded as a test.
step() {
	local name=$1; shift
	if "$@" > "$R/vm/$name.log" 2>&1; then
		vm_result "$name" pass
	else
		vm_result "$name" fail
		cat "$R/vm/$name.log"
	fi
}

# run_kunit: the suites of ci/kunit-suites.txt. Each module runs all its
# suites when it loads (once per module); the KTAP of each suite is in
# debugfs until the module unloads.
run_kunit() {
	local mod suite f
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
}

# run_igt BINARY [SUBTEST...]: one process per subtest with a deadline, as
# igt_runner does; every subtest the binary lists when none is named.
run_igt() {
	local t=$1 name d sub limit
	shift
	name=$(basename "$t")
	d=$R/igt/$name
	mkdir -p "$d"
	if [ $# = 0 ]; then
		"$t" --list-subtests > "$d/list" 2> "$d/list.err"
		echo "$?" > "$d/list.rc"
	else
		printf '%s\n' "$@" > "$d/list"
		echo 0 > "$d/list.rc"
	fi
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
}

# run_kselftest [--as NAME] BINARY [harness options...]: a kselftest-harness
# binary (the options select or exclude cases; the TAP plan counts what
# runs), its results recorded as NAME (default: the binary's name).
run_kselftest() {
	local t name=
	if [ "$1" = --as ]; then
		name=$2
		shift 2
	fi
	t=$1
	shift
	[ -n "$name" ] || name=$(basename "$t")
	"$t" -l > "$R/kselftest/$name.list" 2>/dev/null
	timeout -s TERM -k 10 600 "$t" "$@" > "$R/kselftest/$name.tap" \
		2> "$R/kselftest/$name.err"
	echo "$?" > "$R/kselftest/$name.rc"
	grep -E '^(not )?ok ' "$R/kselftest/$name.tap" | sed "s|^|kselftest: $name: |"
}
