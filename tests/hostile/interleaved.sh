# SPDX-License-Identifier: GPL-2.0-only
# Hostile guest init: two writers on the KTAP channel at once (each its
# own document, lines mixed as the scheduler likes), then lines garbled
# mid-way, a second plan, and "# iog: done" before the end, so the run
# completes by the launcher's measure while its stream makes no sense.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
exec 3>/dev/ttyS1
writer()
{
	echo 'KTAP version 1' >&3
	echo '1..3' >&3
	for i in 1 2 3; do
		echo "    KTAP version 1" >&3
		echo "    1..1" >&3
		echo "    ok 1 $1.case$i" >&3
		usleep 30000
		echo "ok $i $1$i" >&3
		usleep 30000
	done
}
writer grouping &
writer sysfs_layout &
wait
printf 'ok 1 grouok 2 gro' >&3
printf 'uping\n    not o    ok 3 x\n' >&3
echo '1..2' >&3
echo '# iog: done' >&3
echo 'ok 7 grouping' >&3
exec 3>&-
poweroff -f
