#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run one QEMU guest with a watchdog.
#   console (ttyS0)  -> RUNDIR/console.log
#   KTAP    (ttyS1)  -> RUNDIR/ktap.raw, echoed to stdout as it arrives
#   QMP              -> RUNDIR/qmp.sock (for suites that hot-plug); the
#                       requests relayed for the guest -> RUNDIR/qmp.log
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

# QMP relay.  A guest suite that needs the host to hot-plug (teardown)
# writes a request line into its own output, which reaches ktap.raw
# indented:
#     # iog-qmp: device_del id=nic1
#     # iog-qmp: device_add driver=e1000e id=nic1 bus=rp2
# Each well-formed request is carried out once, in the order written, one
# at a time (a device_add must not overtake the device_del of the same id),
# by iog-qmp in the background, so the watchdog below keeps running.
# Anything else is ignored and logged.  The guest learns the outcome only
# from its own sysfs (it polls, with a bounded wait); the conversation is
# in qmp.log.
qmp_tool=$IOG_BUILD/host/iog-qmp
qmp_name='[A-Za-z][A-Za-z0-9_.-]{0,31}'
qmp_del_re="^device_del id=($qmp_name)\$"
qmp_add_re="^device_add driver=([a-z0-9][a-z0-9_-]{0,31}) id=($qmp_name) bus=($qmp_name)\$"
qmp_seen=0   # request lines taken so far
qmp_size=-1  # ktap.raw size at the last look
qmp_pid=
relay_qmp()
{
	local size complete req
	local -a reqs args
	if [ -n "$qmp_pid" ]; then
		kill -0 "$qmp_pid" 2>/dev/null && return
		wait "$qmp_pid"
		echo "# iog-qmp exit status $?" >>"$run/qmp.log"
		qmp_pid=
	fi
	size=$(stat -c %s "$run/ktap.raw" 2>/dev/null) || return
	[ "$size" != "$qmp_size" ] || return
	# Only complete lines: a request still being written is not one yet.
	complete=$(wc -l <"$run/ktap.raw")
	mapfile -t reqs < <(head -n "$complete" "$run/ktap.raw" | tr -d '\r' |
		sed -n 's/^[[:space:]]*# iog-qmp: //p')
	if [ ${#reqs[@]} -le $qmp_seen ]; then
		qmp_size=$size
		return
	fi
	req=${reqs[$qmp_seen]}
	qmp_seen=$((qmp_seen + 1))
	if [[ $req =~ $qmp_del_re ]]; then
		args=(-w DEVICE_DELETED "$run/qmp.sock" device_del "id=${BASH_REMATCH[1]}")
	elif [[ $req =~ $qmp_add_re ]]; then
		args=("$run/qmp.sock" device_add "driver=${BASH_REMATCH[1]}"
			"id=${BASH_REMATCH[2]}" "bus=${BASH_REMATCH[3]}")
	else
		printf '# ignored request: %q\n' "$req" >>"$run/qmp.log"
		return
	fi
	echo "# request: $req" >>"$run/qmp.log"
	"$qmp_tool" -t 20 "${args[@]}" >>"$run/qmp.log" 2>&1 </dev/null &
	qmp_pid=$!
}

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
	relay_qmp
	sleep 0.2
done
wait $qpid 2>/dev/null
qrc=$?
wait $tpid 2>/dev/null
if [ -n "$qmp_pid" ]; then
	kill "$qmp_pid" 2>/dev/null
	wait "$qmp_pid" 2>/dev/null
fi

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
