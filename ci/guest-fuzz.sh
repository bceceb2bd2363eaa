#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Runs inside the test VM (ci/guest-tests.sh calls it once vsvm is loaded
# with two devices): tests/fuzz/vsvm_fuzz with fixed seeds and budgets.
# Each run is a VM step, vm/fuzz-seed-N.result for ci/summarize.py; it
# fails on a finding of the fuzzer (a surely invalid call that succeeded,
# tracked data that changed, a hang, a crash of the fuzzer) or on a kernel
# report logged while it ran (ci/check-kernel-log.sh). See docs/fuzzing.md.
#
# Usage: ci/guest-fuzz.sh [SEED:CALLS:PROCS:THREADS...]
#   default: the CI runs below. FUZZ_AVOID overrides the --avoid list (the
#   patterns of known open kernel issues; empty: avoid nothing).
set -u
cd "${VM_SRC:-$(dirname "$0")/..}"
R=${R:-${VM_OUT:-build/results}}
B=${B:-$PWD/build/meson}
. ci/guest-lib.sh

# Known open issues (docs/fuzzing.md, "Findings"): drop a name once fixed.
avoid=${FUZZ_AVOID-}
# Every op is fuzzed; FUZZ_ONLY=op,op,... narrows a run down by hand.
only=${FUZZ_ONLY-}
runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(1:30000:3:3 2:20000:2:2)

# fuzz_run SEED CALLS PROCS THREADS: one run, recorded as fuzz-seed-SEED.
fuzz_run() {
	local name=fuzz-seed-$1 log dmesg_before rc
	log=$R/vm/$name.log
	dmesg_before=$(dmesg | wc -l)
	echo "fuzz: seed $1, $2 calls, $3 processes x $4 threads, avoid=$avoid"
	timeout -s KILL 1200 "$B/tests/fuzz/vsvm_fuzz" --seed "$1" \
		--calls "$2" --procs "$3" --threads "$4" \
		${avoid:+--avoid="$avoid"} ${only:+--only="$only"} > "$log" 2>&1
	rc=$?
	dmesg | tail -n +"$((dmesg_before + 1))" > "$R/vm/$name.dmesg"
	if ! ci/check-kernel-log.sh "$R/vm/$name.dmesg" > "$R/vm/$name.kernel"; then
		echo "fuzz: kernel reports while $name ran:" >> "$log"
		cat "$R/vm/$name.kernel" >> "$log"
		rc=1
	fi
	grep -E '^fuzz: (calls|children|failure|[0-9.]+ s)' "$log"
	if [ "$rc" = 0 ]; then
		vm_result "$name" pass
	else
		vm_result "$name" fail
		grep -v '^\[' "$log" | tail -n 60
	fi
}

for r in "${runs[@]}"; do
	IFS=: read -r seed calls procs threads <<< "$r"
	fuzz_run "$seed" "${calls:-10000}" "${procs:-3}" "${threads:-3}"
done
exit 0
