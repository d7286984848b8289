# SPDX-License-Identifier: GPL-2.0-only
# Hostile guest init: binary noise on the KTAP channel (ttyS1), terminal
# escapes, NULs, a line far longer than the reader keeps, KTAP-looking
# fragments that are not KTAP, then power off without "# iog: done".
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
{
	head -c 32768 /dev/urandom
	printf '\n\033[2J\033]0;owned\007\000\000ok 1 grouping\000\n'
	printf 'not ok\r\r\n1..\n1..99999999999999999999\nok -5 \377\376\n'
	printf '    ok 1 \n        not ok 99999999999 \n# iog: don\n'
	yes garbage | head -c 100000 | tr -d '\n'
	echo
} >/dev/ttyS1
poweroff -f
