# SPDX-License-Identifier: GPL-2.0-only
# Hostile guest init: a KTAP document that starts (one suite planned, one
# test passed inside it) and then nothing more, never powering off.  The
# interrupt test stops the run here: what came must be kept.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
{
	echo 'KTAP version 1'
	echo '1..1'
	echo '    KTAP version 1'
	echo '    1..2'
	echo '    ok 1 stall.first'
} >/dev/ttyS1
exec sleep 100000
