#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Boot the test kernel under QEMU (TCG) with the host root over 9p read-only,
# our modules installed, a virtio-gpu device, and run one command inside.
#
# Usage: ci/vm-run.sh [options] [--] command [args...]
#   --flavour plain|debug  kernel flavour (default: plain)
#   --timeout SECS         kill the guest after SECS seconds (default: 600)
#   --out DIR              host directory the guest sees as $VM_OUT (rw)
#   --mem SIZE             guest memory (default: 2G)
#   --vga                  add a bochs VGA device (the TTM peer)
#   --kmemleak             scan for leaks after the command (debug kernel)
#   --no-build             do not (re)build modules, use what is there
#
# The command's output is streamed to stdout; the kernel log is kept in
# $OUT/console.log. The guest can take screendumps of the display through
# $VM_OUT/screendump (a host-side QMP service, ci/qmp-screendump.py).
# Exit status: the command's status; 1 if the kernel log
# shows a warning, oops, KASAN/lockdep/kmemleak report; 124 on timeout; 125
# if the guest died before reporting a status.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=plain timeout=600 out= mem=2G vga=0 kmemleak=0 build=1
while [ $# -gt 0 ]; do
	case $1 in
	--flavour) flavour=$2; shift 2;;
	--timeout) timeout=$2; shift 2;;
	--out) out=$2; shift 2;;
	--mem) mem=$2; shift 2;;
	--vga) vga=1; shift;;
	--kmemleak) kmemleak=1; shift;;
	--no-build) build=0; shift;;
	--) shift; break;;
	-*) die "unknown option $1";;
	*) break;;
	esac
done
[ $# -gt 0 ] || die "no command given"

kdir=$("$CI_DIR/build-kernel.sh" "$flavour")
release=$(cat "$kdir/release")
[ "$build" = 1 ] && "$CI_DIR/build-modules.sh" "$flavour" >&2
moddir="$(mod_build_dir "$flavour")/drm"
[ -f "$moddir/vsvm/vsvm.ko" ] || die "modules not built for $flavour"

[ -n "$out" ] || out="$TOP_DIR/build/vm/$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out/console.log" "$out/output.log" "$out/status"

# /lib/modules for the guest: the kernel's modules plus ours under extra/.
modroot="$(mod_build_dir "$flavour")/modroot"
rm -rf "$modroot"
mkdir -p "$modroot/lib/modules"
cp -al "$kdir/modroot/lib/modules/$release" "$modroot/lib/modules/" 2>/dev/null ||
	cp -a "$kdir/modroot/lib/modules/$release" "$modroot/lib/modules/"
rm -f "$modroot/lib/modules/$release/build" "$modroot/lib/modules/$release/source"
mkdir -p "$modroot/lib/modules/$release/extra"
find "$moddir" -name '*.ko' -exec cp {} "$modroot/lib/modules/$release/extra/" \;
depmod -b "$modroot" "$release"

{
	printf 'export VM_OUT=/run/vm-out\n'
	printf 'export VM_OUT_HOST=%q\n' "$out"
	printf 'export VM_SRC=%q\n' "$TOP_DIR"
	printf 'export VM_FLAVOUR=%q\n' "$flavour"
	printf 'export VM_KMEMLEAK=%q\n' "$kmemleak"
	printf 'cd %q\n' "$TOP_DIR"
	printf '%q ' "$@"
	printf '\n'
} > "$out/cmd.sh"

devices=(-device virtio-gpu-pci)
[ "$vga" = 1 ] && devices+=(-device VGA)

cmdline="console=ttyS0 root=hostroot rootfstype=9p"
cmdline+=" rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose"
cmdline+=" ro init=$CI_DIR/guest-init.sh panic=-1 oops=panic"
cmdline+=" drm_svm_src=$TOP_DIR loglevel=6 rcupdate.rcu_cpu_stall_timeout=300"
# TCG on a busy host: the soft-lockup detector fires at boot under KASAN.
cmdline+=" watchdog_thresh=60"
cmdline+=" kmemleak=on nokaslr drm_svm_kmemleak=$kmemleak"

log "booting $release ($flavour), output in $out"
: > "$out/output.log"
tail -n +1 -f "$out/output.log" &
tailpid=$!
# Screendumps of the QEMU display for the guest, which cannot reach QMP: it
# drops requests in $VM_OUT/screendump (see ci/qmp-screendump.py).
rm -rf "$out/screendump" "$out/qmp.sock"
python3 "$CI_DIR/qmp-screendump.py" "$out/qmp.sock" "$out/screendump" $$ \
	2>> "$out/screendump.log" &
sdpid=$!
set +e
timeout --kill-after=10 "$timeout" qemu-system-x86_64 \
	-accel tcg -cpu max -smp 2 -m "$mem" \
	-machine q35 -display none -vga none -no-reboot -nodefaults \
	-kernel "$kdir/bzImage" -append "$cmdline" \
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
	-fsdev local,id=mods,path="$modroot",security_model=none,readonly=on \
	-device virtio-9p-pci,fsdev=mods,mount_tag=modules \
	-fsdev local,id=src,path="$TOP_DIR",security_model=none,readonly=on \
	-device virtio-9p-pci,fsdev=src,mount_tag=src \
	-fsdev local,id=out,path="$out",security_model=none \
	-device virtio-9p-pci,fsdev=out,mount_tag=vmout \
	"${devices[@]}" \
	-chardev file,id=con,path="$out/console.log" -serial chardev:con \
	-chardev file,id=cmd,path="$out/output.log" -serial chardev:cmd \
	-qmp unix:"$out/qmp.sock",server=on,wait=off \
	</dev/null >"$out/qemu.log" 2>&1
qrc=$?
set -e
sleep 0.3
kill "$tailpid" "$sdpid" 2>/dev/null || true
wait "$tailpid" "$sdpid" 2>/dev/null || true

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	log "VM TIMEOUT after ${timeout}s"
	echo "VM TIMEOUT" >> "$out/console.log"
	tail -n 40 "$out/console.log" >&2
	exit 124
fi
if [ "$qrc" != 0 ]; then
	log "qemu failed ($qrc):"
	cat "$out/qemu.log" >&2
	exit 125
fi
if [ ! -s "$out/status" ]; then
	log "guest died without reporting a status; last kernel messages:"
	tail -n 60 "$out/console.log" >&2
	exit 125
fi
status=$(cat "$out/status")

# Kernel reports that fail the run, wherever they came from.
if "$CI_DIR/check-kernel-log.sh" "$out/console.log" >&2; then
	exit "$status"
fi
log "kernel log shows problems (see $out/console.log)"
exit 1
