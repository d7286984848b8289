#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
# /init of the guest image: load the topology's modules, run the suites,
# send KTAP on the second serial port (ttyS1; the kernel's console is on
# ttyS0, so its messages never mix into the results), then power off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
# The kernel's boot time, up to here (run-suites.sh reports it).
read -r IOG_UPTIME_INIT _ </proc/uptime
export IOG_UPTIME_INIT
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# What udev makes on a distribution (kselftest's runner writes to
# /dev/stdout).
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# Where KASLR put the kernel: the host names a hung vCPU's RIP from the
# package's System.map with it (launch.sh, hang.txt).
echo "iog: kernel _text at $(grep -m1 ' _text$' /proc/kallsyms | cut -d' ' -f1)" >/dev/kmsg

ktap=/dev/ttyS1
stty -F $ktap raw -echo 2>/dev/null
exec 3>$ktap

[ -f /etc/iog/env ] && . /etc/iog/env

for m in $(cat /etc/iog/modules); do
	if ! insmod /lib/modules/$m 2>/tmp/insmod.err; then
		echo "iog: insmod $m failed: $(cat /tmp/insmod.err)" >/dev/kmsg
	fi
done
# The test module, with the fault parameters of a negative control if any.
for m in $(cat /etc/iog/testmods); do
	insmod /lib/modules/$m $IOG_TESTMOD_PARAMS 2>/tmp/insmod.err ||
		echo "iog: insmod $m $IOG_TESTMOD_PARAMS failed: $(cat /tmp/insmod.err)" >/dev/kmsg
done

# LAVA image (IOG_IMAGE_MODE=lava, harness/lava-job.sh): no suites here.
# A shell on the console with the prompt the job waits for; the test
# definition runs the suites.  Kernel messages stay off the console so
# they never split LAVA's signal lines (the suites read dmesg).
if [ "$(cat /etc/iog/mode 2>/dev/null)" = lava ]; then
	exec 3>&-
	dmesg -n 1
	export PS1='iog-lava-3f9c# ' HOME=/tmp
	while :; do setsid cttyhack /bin/sh; done
fi

# An installed kselftest collection (make check KSELFTEST_DIR=dir): the
# kernel's own runner, as a CI system that runs kselftest would call it;
# the host turns its output into KTAP (harness/ksft-ktap.sh).
if [ "$(cat /etc/iog/mode 2>/dev/null)" = kselftest ]; then
	{
		echo "# iog: kernel_release $(uname -r)"
		/kselftest/run_kselftest.sh -c iommu_groups 2>&1
		echo "# iog: done"
	} >&3
else
	/bin/run-suites /suites $(cat /etc/iog/suites) >&3
fi
exec 3>&-
sync
poweroff -f
