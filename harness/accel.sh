#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Choose the QEMU accelerator for a guest kernel: KVM only where it really
# boots that kernel (here /dev/kvm exists but a guest dies with "KVM
# internal error"), TCG otherwise.  IOG_ACCEL=tcg|kvm forces one.  The
# verdict is cached per host kernel, QEMU version and guest kernel.
#
# Usage: accel.sh KERNEL_IMAGE   -> prints "kvm" or "tcg"
set -euo pipefail
. "$(dirname "$0")/common.sh"

image=${1:?usage: accel.sh KERNEL_IMAGE}
case ${IOG_ACCEL:-auto} in
tcg | kvm) echo "$IOG_ACCEL"; exit 0 ;;
auto) ;;
*) die "IOG_ACCEL=$IOG_ACCEL: want tcg, kvm or auto" ;;
esac
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo tcg
	exit 0
fi

key=$({ uname -r; qemu-system-x86_64 --version | head -n1; sha "$image"; } | sha)
cache=$IOG_CACHE/accel/$key
if [ -f "$cache" ]; then
	cat "$cache"
	exit 0
fi

tmp=$(mktemp -d)
trap 'kill $qpid 2>/dev/null || true; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/bin" "$tmp/root/dev"
cp /bin/busybox "$tmp/root/bin/"
printf '#!/bin/busybox sh\n/bin/busybox echo iog-kvm-ok\n/bin/busybox poweroff -f\n' >"$tmp/root/init"
chmod 755 "$tmp/root/init"
(cd "$tmp/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp/probe.cpio.gz"

qemu-system-x86_64 -machine q35 -accel kvm -cpu max -m 256 -nodefaults \
	-display none -no-reboot -kernel "$image" -initrd "$tmp/probe.cpio.gz" \
	-append "console=ttyS0 panic=-1" -serial "file:$tmp/out" \
	>"$tmp/err" 2>&1 &
qpid=$!
verdict=tcg
for _ in $(seq 100); do
	if grep -q iog-kvm-ok "$tmp/out" 2>/dev/null; then
		verdict=kvm
		break
	fi
	kill -0 $qpid 2>/dev/null || break
	# A KVM failure leaves QEMU alive but stopped: give up at once.
	grep -qiE 'KVM internal error|failed to set MSR|emulation failure' "$tmp/err" && break
	sleep 0.2
done
cache_dir "$IOG_CACHE/accel"
echo "$verdict" >"$cache.$$"
mv -f "$cache.$$" "$cache"
echo "$verdict"
