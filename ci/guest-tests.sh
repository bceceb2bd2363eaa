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
. ci/guest-lib.sh

step load-virtio-gpu modprobe virtio_gpu
step load-vkms modprobe vkms
step load-test-hmm modprobe test_hmm
step load-vsvm modprobe vsvm visible_vram_mb=64
udevadm settle >/dev/null 2>&1 || sleep 1
ls -l /dev/dri

run_kunit

# IGT-API tests, every subtest of every binary.
for t in "$B"/igt-tests/tests/*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	# wants two small devices: run below
	[ "$(basename "$t")" = vsvm_robust ] && continue
	run_igt "$t"
done

# Screendumps the IGT tests took (vsvm_prime_virtio), kept as artifacts.
ls "$R"/screendump/*.png 2>/dev/null | sed 's|^|artifact: |'

# kselftest-harness tests.
for t in "$B"/tests/kselftest/*_test; do
	[ -x "$t" ] || continue
	# needs two devices: run below
	[ "$(basename "$t")" = vsvm_multi_test ] && continue
	run_kselftest "$t"
done

# lib/test_hmm's own suite (hmm-tests, built unmodified from the kernel
# tree when it has one that builds here): the peer's baseline. Its THP
# migration benchmark runs in ci/bench.sh on the plain kernel instead.
[ -x "$B"/tests/kselftest/hmm-tests ] &&
	run_kselftest "$B"/tests/kselftest/hmm-tests -T benchmark_thp_migration

# The same suite against drm_svm_dmirror (docs/dmirror.md): lib/test_hmm's
# devices rebuilt on the drm_svm helpers, recorded as hmm-tests-dmirror. Both
# drivers create /dev/hmm_dmirror0..1, so test_hmm makes way meanwhile.
# Excluded, with the reason:
# - benchmark_thp_migration: runs in ci/bench.sh, as above;
# - migrate_anon_huge_fault: wants the migrated 2 MiB range reported as one
#   PMD-sized device page; the helper migrates 4 KiB device pages only
#   (DRM_SVM_PAGEMAP_FOLIO_ORDER in drm_svm_pagemap.c);
# - the device-coherent variants: dmirror has device-private devices only
#   (test_hmm's skip for want of special-purpose memory; dmirror never has
#   them).
if [ -x "$B"/tests/kselftest/hmm-tests ]; then
	step unload-test-hmm-for-dmirror modprobe -r test_hmm
	step load-dmirror modprobe drm_svm_dmirror
	run_kselftest --as hmm-tests-dmirror "$B"/tests/kselftest/hmm-tests \
		-T benchmark_thp_migration -T migrate_anon_huge_fault \
		-V hmm_device_coherent -V hmm2_device_coherent
	step unload-dmirror modprobe -r drm_svm_dmirror
	step reload-test-hmm modprobe test_hmm
fi

# Two vsvm devices (peer migration and mapping).
step reload-vsvm-two-devices sh -c 'modprobe -r vsvm &&
	modprobe vsvm num_devices=2 vram_size_mb=64 visible_vram_mb=32 system_mb=256'
udevadm settle >/dev/null 2>&1 || sleep 1
run_kselftest "$B"/tests/kselftest/vsvm_multi_test
# Hostile clients: fault injection, kill-anywhere (reloads vsvm), isolation.
run_igt "$B"/igt-tests/tests/vsvm_robust

# The fuzzer: fixed seeds and budgets, two devices, PRIME between them.
ci/guest-fuzz.sh

# The drivers must unload cleanly after all of it.
step unload-vsvm modprobe -r vsvm
step unload-drm-svm modprobe -r drm_svm
step unload-test-hmm modprobe -r test_hmm
exit 0
