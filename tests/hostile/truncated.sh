# SPDX-License-Identifier: GPL-2.0-only
# Hostile guest init: a KTAP document that plans 5 suites, reports 2 (the
# second cut inside its block), then powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
{
	echo 'KTAP version 1'
	echo '1..5'
	echo '    KTAP version 1'
	echo '    1..2'
	echo '    ok 1 first'
	echo '    ok 2 second'
	echo 'ok 1 grouping'
	echo '    KTAP version 1'
	echo '    1..3'
	echo '    ok 1 first'
	echo 'ok 2 sysfs_layout'
} >/dev/ttyS1
poweroff -f
