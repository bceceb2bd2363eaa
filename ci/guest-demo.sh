#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Runs inside the VM for ci/demo.sh.
set -e
cd "$VM_SRC"
echo "== guest: $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB"
modprobe virtio_gpu
modprobe vkms
modprobe vsvm ${VSVM_PARAMS:-visible_vram_mb=64}
echo "== DRM devices"
for d in /sys/class/drm/card* /sys/class/drm/renderD*; do
	[ -e "$d/device/driver" ] || continue
	printf '%-10s %s\n' "$(basename "$d")" "$(basename "$(readlink "$d/device/driver")")"
done
echo "== svm_demo"
build/meson/examples/svm_demo
echo "== vector_add: c = a + b on the device over libdrm-svm memory"
build/meson/examples/vector_add managed malloc advise
echo "== picture path: vsvm writes into a virtio-gpu scanout buffer (dma-buf import), QEMU screendump"
IGT_PLAIN_OUTPUT=1 build/meson/igt-tests/tests/vsvm_prime_virtio \
	--run-subtest screendump |
	grep -E '^(mode|screendump|Subtest)'
if [ -f "$VM_OUT/screendump/screendump.png" ]; then
	echo "picture (on the host): ${VM_OUT_HOST:-$VM_OUT}/screendump/screendump.png"
fi
echo "== debugfs vsvm_info"
cat /sys/kernel/debug/dri/vsvm.0/vsvm_info 2>/dev/null || cat /sys/kernel/debug/dri/0/vsvm_info
modprobe -r vsvm
modprobe -r drm_svm
echo "== vsvm and drm_svm unloaded"
