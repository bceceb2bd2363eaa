#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Runs inside the VM for ci/bench.sh: the peers (bochs/TTM, virtio-gpu/shmem)
# and vsvm are loaded in the same boot, then the benchmarks run.
set -e
cd "$VM_SRC"
modprobe bochs
modprobe virtio_gpu
modprobe vsvm vram_size_mb=512 visible_vram_mb=512
echo "== $(uname -r), $(nproc) CPUs, QEMU TCG"
build/meson/benchmarks/gem_bench
grep -h "faults\|migrat" /sys/kernel/debug/dri/vsvm.0/vsvm_info
modprobe test_hmm
echo
build/meson/benchmarks/svm_bench
# lib/test_hmm's own THP migration benchmark (hmm-tests of the kernel tree),
# in the same boot.
if [ -x build/meson/tests/kselftest/hmm-tests ]; then
	echo
	build/meson/tests/kselftest/hmm-tests -r hmm.benchmark_thp_migration
fi
