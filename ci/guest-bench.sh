#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Runs inside the VM for ci/bench.sh: the peers (bochs/TTM, virtio-gpu/shmem)
# and vsvm are loaded in the same boot, then the benchmarks run.
# Usage: ci/guest-bench.sh [userspace build dir, default build/meson]
set -e
cd "$VM_SRC"
B=${1:-build/meson}
modprobe bochs
modprobe virtio_gpu
modprobe vsvm vram_size_mb=512 visible_vram_mb=512
echo "== $(uname -r), $(nproc) CPUs, QEMU TCG"
"$B"/benchmarks/gem_bench
grep -h "faults\|migrat" /sys/kernel/debug/dri/vsvm.0/vsvm_info
modprobe test_hmm
echo
"$B"/benchmarks/svm_bench
# lib/test_hmm's own THP migration benchmark (hmm-tests of the kernel tree,
# 7.x only), in the same boot.
if [ -x "$B"/tests/kselftest/hmm-tests ]; then
	echo
	"$B"/tests/kselftest/hmm-tests -r hmm.hmm_device_private.benchmark_thp_migration
fi
