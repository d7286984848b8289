#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
# /init of the guest image: load the topology's modules, run each suite,
# send KTAP on the second serial port (ttyS1; the kernel's console is on
# ttyS0, so its messages never mix into the results), then power off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

ktap=/dev/ttyS1
stty -F $ktap raw -echo 2>/dev/null
exec 3>$ktap

[ -f /etc/iog/env ] && . /etc/iog/env
suites=$(cat /etc/iog/suites)

echo "KTAP version 1" >&3
echo "# iog: kernel_release $(uname -r)" >&3
echo "# iog: plan $suites" >&3

for m in $(cat /etc/iog/modules); do
	if ! insmod /lib/modules/$m 2>/tmp/insmod.err; then
		# An already built-in or duplicate module is not an error.
		grep -q 'File exists' /tmp/insmod.err ||
			echo "# iog: insmod $m failed: $(cat /tmp/insmod.err)" >&3
	fi
done

n=0
for s in $suites; do n=$((n + 1)); done
echo "1..$n" >&3

i=0
for s in $suites; do
	i=$((i + 1))
	echo "iog: running suite $s" >/dev/kmsg
	{
		/suites/$s 2>&1
		echo $? >/tmp/rc
	} | awk -v s="$s" '
		NR == 1 && $0 == "TAP version 13" {
			print "    KTAP version 1"
			print "    # Subtest: " s
			fflush()
			next
		}
		{ print "    " $0; fflush() }' >&3
	rc=$(cat /tmp/rc)
	case $rc in
	0) echo "ok $i $s" >&3 ;;
	4) echo "ok $i $s # SKIP" >&3 ;;
	*) echo "not ok $i $s" >&3 ;;
	esac
done
echo "# iog: done" >&3
exec 3>&-
sync
poweroff -f
