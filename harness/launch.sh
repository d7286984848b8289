#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run one QEMU guest with a watchdog.
#   console (ttyS0)  -> RUNDIR/console.log
#   KTAP    (ttyS1)  -> RUNDIR/ktap.raw, echoed to stdout as it arrives
#   QMP              -> RUNDIR/qmp.sock (for suites that hot-plug)
# A guest that hangs past TIMEOUT seconds, panics, or is interrupted is
# stopped; RUNDIR/status then says why (completed, timeout, crashed,
# error, interrupted) and RUNDIR/status_detail gives the evidence.  The
# launcher never waits longer than TIMEOUT plus a few seconds.
#
# Usage: launch.sh RUNDIR TIMEOUT ACCEL QEMU-ARG...
set -uo pipefail
. "$(dirname "$0")/common.sh"

run=${1:?usage: launch.sh RUNDIR TIMEOUT ACCEL QEMU-ARG...}
timeout_s=$2
accel=$3
shift 3

: >"$run/console.log"
: >"$run/ktap.raw"
qemu-system-x86_64 -accel "$accel" -nodefaults -no-user-config \
	-display none -no-reboot \
	-chardev "file,id=con,path=$run/console.log" -serial chardev:con \
	-chardev "file,id=ktap,path=$run/ktap.raw" -serial chardev:ktap \
	-qmp "unix:$run/qmp.sock,server=on,wait=off" \
	"$@" </dev/null >"$run/qemu.stderr" 2>&1 &
qpid=$!
echo $qpid >"$run/qemu.pid"

# Echo KTAP lines as they arrive; tail exits by itself once QEMU is gone.
tail -n +1 -s 0.2 --pid=$qpid -f "$run/ktap.raw" 2>/dev/null | tr -d '\r' &
tpid=$!

status=
detail=
stop_qemu()
{
	kill -TERM $qpid 2>/dev/null
	for _ in $(seq 20); do
		kill -0 $qpid 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL $qpid 2>/dev/null
}
on_signal()
{
	status=interrupted
	detail="interrupted by signal $1"
	stop_qemu
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM

start=$SECONDS
while kill -0 $qpid 2>/dev/null; do
	[ -n "$status" ] && break
	if [ $((SECONDS - start)) -ge "$timeout_s" ]; then
		status=timeout
		detail="guest did not finish within ${timeout_s}s"
		stop_qemu
		break
	fi
	# A panicked guest normally reboots (panic=-1, -no-reboot) and QEMU
	# exits; stop it here too in case the panic path hangs.
	if grep -qE 'Kernel panic - not syncing' "$run/console.log" 2>/dev/null; then
		sleep 1
		status=crashed
		detail=$(grep -m1 -E 'Kernel panic - not syncing' "$run/console.log" | tr -d '\r')
		stop_qemu
		break
	fi
	sleep 0.2
done
wait $qpid 2>/dev/null
qrc=$?
wait $tpid 2>/dev/null

if [ -z "$status" ]; then
	if grep -qE 'Kernel panic - not syncing' "$run/console.log" 2>/dev/null; then
		status=crashed
		detail=$(grep -m1 -E 'Kernel panic - not syncing' "$run/console.log" | tr -d '\r')
	elif [ $qrc -ne 0 ]; then
		status=error
		detail="QEMU exited with status $qrc: $(head -c 400 "$run/qemu.stderr" | tr '\n' ' ')"
	elif ! grep -q '^# iog: done' "$run/ktap.raw"; then
		status=error
		detail="guest powered off before finishing its suites"
	else
		status=completed
	fi
fi
rm -f "$run/qmp.sock" "$run/qemu.pid"
echo "$status" >"$run/status"
echo "$detail" >"$run/status_detail"
[ "$status" = completed ]
