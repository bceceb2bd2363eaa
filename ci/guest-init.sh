#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# PID 1 of the test VM (see ci/vm-run.sh). The root is the host's, read-only
# over 9p; /tmp and /run become tmpfs; the checkout (tag "src") is mounted at
# its host path so that it is there even when it lives under /tmp.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /var/tmp 2>/dev/null
mount -t tmpfs -o mode=0755 tmpfs /mnt

src=$(sed -n 's/.* drm_svm_src=\([^ ]*\).*/\1/p' /proc/cmdline)
opts=trans=virtio,version=9p2000.L,msize=262144
mkdir -p /run/vm-out "$src" 2>/dev/null
mount -t 9p -o "$opts,ro,cache=loose" src "$src"
mount -t 9p -o "$opts,cache=none" vmout /run/vm-out
# The host may have no /lib/modules to mount on: the module tree lives in
# /run/modroot, and a modprobe wrapper (also the kernel's) points there.
mkdir -p /run/modroot /run/bin
mount -t 9p -o "$opts,ro,cache=loose" modules /run/modroot
printf '#!/bin/sh\nexec /sbin/modprobe -d /run/modroot "$@"\n' > /run/bin/modprobe
chmod +x /run/bin/modprobe
echo /run/bin/modprobe > /proc/sys/kernel/modprobe
export PATH=/run/bin:$PATH

# Nothing else may open the serial console we report on.
exec 3>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo 2>/dev/null
ulimit -c 0

bash /run/vm-out/cmd.sh >&3 2>&3
status=$?

if grep -q ' drm_svm_kmemleak=1' /proc/cmdline && [ -w /sys/kernel/debug/kmemleak ]; then
	echo "kmemleak: scanning" >&3
	# kmemleak reports objects older than 5 s only
	sleep 5
	echo scan > /sys/kernel/debug/kmemleak
	sleep 1
	echo scan > /sys/kernel/debug/kmemleak
	# debugfs files have no size: read the report, do not test -s; one
	# line for the console (ci/check-kernel-log.sh), the report for us
	leaks=$(cat /sys/kernel/debug/kmemleak)
	if [ -n "$leaks" ]; then
		n=$(printf '%s\n' "$leaks" | grep -c '^unreferenced object')
		echo "<3>kmemleak: $n unreferenced objects (report in the output)" > /dev/kmsg
		printf '%s\n' "$leaks" >&3
	fi
fi

echo "$status" > /run/vm-out/status
echo "vm: command exited with status $status" >&3
sync
umount /run/vm-out 2>/dev/null
echo b > /proc/sysrq-trigger
sleep 10
