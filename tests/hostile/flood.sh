# SPDX-License-Identifier: GPL-2.0-only
# Hostile guest init: the console (ttyS0) flooded without end; nothing on
# the KTAP channel, no power off.  The launcher must cap console.log and
# stop the guest at the timeout.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
yes 'flood flood flood flood flood flood flood flood flood flood flood' >/dev/ttyS0
poweroff -f
