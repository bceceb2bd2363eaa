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
. ci/guest-lib.sh

echo "kernel: $(uname -r)"
step load-virtio-gpu modprobe virtio_gpu
step load-vsvm modprobe vsvm visible_vram_mb=64
udevadm settle >/dev/null 2>&1 || sleep 1

run_kunit
run_igt "$B"/igt-tests/tests/vsvm_basic
run_igt "$B"/igt-tests/tests/vsvm_gem create bad-create migrate-partial \
	invisible-vram-cpu-access cpu-migrate-system fork
run_kselftest "$B"/tests/kselftest/vsvm_uapi_test
run_kselftest "$B"/tests/kselftest/vsvm_svm_test -r svm.anon_read \
	-r svm.anon_write -r svm.migrate -r svm.migrate_fault \
	-r svm.migrate_multiple -r svm.cow_in_device -r svm.gup

step unload-vsvm modprobe -r vsvm
step unload-drm-svm modprobe -r drm_svm
exit 0
