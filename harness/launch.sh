#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run one QEMU guest with a watchdog.
#   console (ttyS0)  -> RUNDIR/console.log
#   KTAP    (ttyS1)  -> RUNDIR/ktap.raw, echoed to stdout as it arrives (on
#                       a terminal: one progress line per suite instead)
#   QMP              -> RUNDIR/qmp.sock, or /tmp/iog-qmp.*/qmp.sock when that
#                       path is too long for a socket (RUNDIR/qmp.path names
#                       it), for suites that hot-plug; the
#                       requests relayed for the guest -> RUNDIR/qmp.log
# A guest that hangs past TIMEOUT seconds, panics, or is interrupted is
# stopped; RUNDIR/status then says why (completed, timeout, crashed,
# error, interrupted) and RUNDIR/status_detail gives the evidence.  The
# launcher never waits longer than TIMEOUT plus a few seconds.
#
# A guest cannot fill the disk through its serial ports: console.log keeps
# the first IOG_CONSOLE_MAX bytes (default 8 MiB) and the last
# IOG_CONSOLE_TAIL (default 1 MiB) of the console, ktap.raw the first
# IOG_KTAP_MAX bytes (default 32 MiB) of the KTAP channel; a line in the
# file says what was dropped.
#
# Usage: launch.sh RUNDIR TIMEOUT ACCEL QEMU-ARG...
set -uo pipefail
. "$(dirname "$0")/common.sh"

run=${1:?usage: launch.sh RUNDIR TIMEOUT ACCEL QEMU-ARG...}
timeout_s=$2
accel=$3
shift 3
console_max=${IOG_CONSOLE_MAX:-8388608}
console_tail=${IOG_CONSOLE_TAIL:-1048576}
ktap_max=${IOG_KTAP_MAX:-33554432}
for v in "$console_max" "$console_tail" "$ktap_max"; do
	[[ $v =~ ^[0-9]+$ ]] ||
		die "IOG_CONSOLE_MAX, IOG_CONSOLE_TAIL, IOG_KTAP_MAX want a number of bytes, got '$v'"
done

# QMP's socket: RUNDIR/qmp.sock, unless that path is longer than a UNIX
# socket's (107 bytes; a deep checkout's run directory passes it): then a
# directory of its own under /tmp, named in RUNDIR/qmp.path.
qmp=$run/qmp.sock
qmp_dir=
if [ ${#qmp} -gt 107 ]; then
	qmp_dir=$(mktemp -d /tmp/iog-qmp.XXXXXX) ||
		die "$qmp is too long for a UNIX socket, and no directory for one in /tmp"
	qmp=$qmp_dir/qmp.sock
	echo "$qmp" >"$run/qmp.path"
fi

# capture NAME FILE MAX KEEP NOTE: QEMU writes a serial port into the FIFO
# RUNDIR/.NAME.out (a "pipe" chardev; it also opens .NAME.in, which stays
# empty).  A reader in the background copies the first MAX bytes into FILE;
# of the rest it keeps the last KEEP bytes, after a line NOTE ... saying
# that bytes were dropped.  The reader ignores SIGINT and SIGTERM: on a
# Ctrl-C it drains the FIFO until QEMU is gone, so nothing QEMU wrote is
# lost.  Sets capture_pid.
capture()
{
	local name=$1 file=$2 max=$3 keep=$4 note=$5 fifo=$run/.$1
	rm -f "$fifo.in" "$fifo.out"
	mkfifo -m 600 "$fifo.in" "$fifo.out" || die "cannot make FIFOs $fifo.in and .out"
	(
		trap '' INT TERM
		rest=$fifo.rest
		# Unbuffered: each read goes out at once (head's stdio would
		# hold it back from the watchdog and the QMP relay).
		stdbuf -o0 head -c "$max"
		if [ "$keep" -gt 0 ]; then
			tail -c "$keep" >"$rest"
			n=$(wc -c <"$rest")
			[ "$n" -lt "$keep" ] ||
				printf '\n%s output beyond the first %s bytes dropped; the last %s follow\n' \
					"$note" "$max" "$n"
			cat "$rest"
			rm -f "$rest"
		else
			n=$(wc -c)
			[ "$n" -eq 0 ] ||
				printf '\n%s %s bytes beyond the first %s dropped\n' "$note" "$n" "$max"
		fi
	) <"$fifo.out" >"$file" &
	capture_pid=$!
}

# progress: one line per suite as its result arrives, for a person at a
# terminal:  [2/5] grouping ............ ok    14 passed, 1 skipped  (3.1 s)
# The time is from the previous suite's result (the first: from the plan
# line, once the guest is up).  Input: the KTAP stream; other lines are
# ignored.
now_us()
{
	local t=${EPOCHREALTIME//[.,]/}
	echo $((10#$t))
}
progress()
{
	local line total= n=0 pass=0 fail=0 skip=0 t0 t_last t dt verdict name pad counts
	local re_plan='^1\.\.([0-9]{1,9})([^0-9]|$)'
	local re_sub='^    (not )?ok [0-9]+'
	local re_top='^(not )?ok ([0-9]+)( +([^#]*[^#[:space:]]))?[[:space:]]*(#[[:space:]]*([A-Za-z]+))?'
	t0=$(now_us)
	t_last=$t0
	while IFS= read -r line; do
		if [ -z "$total" ] && [[ $line =~ $re_plan ]]; then
			total=${BASH_REMATCH[1]}
			t_last=$(now_us)
			dt=$(((t_last - t0) / 100000))
			printf 'guest up after %d.%d s, %s suite%s\n' $((dt / 10)) $((dt % 10)) \
				"$total" "$([ "$total" = 1 ] || echo s)"
		elif [[ $line =~ $re_sub ]]; then
			if [ -n "${BASH_REMATCH[1]}" ]; then
				fail=$((fail + 1))
			elif [[ ${line^^} == *'# SKIP'* ]]; then
				skip=$((skip + 1))
			else
				pass=$((pass + 1))
			fi
		elif [[ $line =~ $re_top ]]; then
			n=$((n + 1))
			name=${BASH_REMATCH[4]:-#${BASH_REMATCH[2]}}
			verdict=ok
			case ${BASH_REMATCH[1]}${BASH_REMATCH[6]^^} in
			*SKIP) verdict=SKIP ;;
			*TODO | *XFAIL) verdict=XFAIL ;;
			not*TIMEOUT) verdict=TIMEOUT ;;
			not*ERROR) verdict=ERROR ;;
			not*) verdict=FAIL ;;
			esac
			counts=
			[ $pass -eq 0 ] || counts="$pass passed"
			[ $fail -eq 0 ] || counts="${counts:+$counts, }$fail failed"
			[ $skip -eq 0 ] || counts="${counts:+$counts, }$skip skipped"
			t=$(now_us)
			dt=$(((t - t_last) / 100000))
			t_last=$t
			pad=
			[ ${#name} -ge 24 ] || printf -v pad '%*s' $((24 - ${#name})) ''
			printf '[%d/%s] %s %s %-7s %s  (%d.%d s)\n' "$n" "${total:-?}" \
				"$name" "${pad// /.}" "$verdict" "${counts:-no tests}" \
				$((dt / 10)) $((dt % 10))
			pass=0 fail=0 skip=0
		fi
	done
	if [ -z "$total" ]; then
		echo "no KTAP plan from the guest"
	elif [ "$n" -lt "$total" ]; then
		echo "the guest's output ended after $n of $total suites"
	fi
}

: >"$run/console.log"
: >"$run/ktap.raw"
capture console "$run/console.log" "$console_max" "$console_tail" '[launch.sh]'
con_pid=$capture_pid
capture ktap "$run/ktap.raw" "$ktap_max" 0 '# launch.sh:'
ktap_pid=$capture_pid
qemu-system-x86_64 -accel "$accel" -nodefaults -no-user-config \
	-display none -no-reboot \
	-chardev "pipe,id=con,path=$run/.console" -serial chardev:con \
	-chardev "pipe,id=ktap,path=$run/.ktap" -serial chardev:ktap \
	-qmp "unix:$qmp,server=on,wait=off" \
	"$@" </dev/null >"$run/qemu.stderr" 2>&1 &
qpid=$!
echo $qpid >"$run/qemu.pid"

# Echo KTAP lines as they arrive, without terminal control characters;
# tail exits by itself once the KTAP reader is done (after QEMU).
if [ -t 1 ]; then
	show=progress
else
	show=cat
fi
tail -n +1 -s 0.2 --pid=$ktap_pid -f "$run/ktap.raw" 2>/dev/null |
	stdbuf -oL tr -d '\000-\010\013-\037\177' | $show &
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
		args=(-w DEVICE_DELETED "$qmp" device_del "id=${BASH_REMATCH[1]}")
	elif [[ $req =~ $qmp_add_re ]]; then
		args=("$qmp" device_add "driver=${BASH_REMATCH[1]}"
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
	# A second signal changes nothing; the stop below is bounded.
	trap "" INT TERM
	status=interrupted
	detail="interrupted by signal $1"
	stop_qemu
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM

# Where a guest RIP is in the kernel: _text+OFFSET (guest-init.sh prints
# where KASLR put _text), which the System.map of the kernel's -dbg package
# names, and the symbol itself where a real System.map is beside the
# kernel (a kernel built from source; Debian's image ships a placeholder).
rip_symbol()
{
	local rip=$1 map=$2 text off

	text=$(grep -m1 -oE 'iog: kernel _text at [0-9a-f]{16}' "$run/console.log" 2>/dev/null | awk '{ print $NF }')
	[ -n "$text" ] && [[ $rip == ffff* ]] || return 0
	off=$((16#$rip - 16#$text))
	[ $off -ge 0 ] || return 0
	printf '(_text+0x%x)' $off
	[ -r "$map" ] && [ "$(wc -l <"$map")" -gt 1000 ] || return 0
	printf -v rip '%016x' $((off + 16#$(awk '$3 == "_text" { print $1; exit }' "$map")))
	awk -v rip="$rip" '$1 <= rip { s = $3 } END { if (s != "") print " in " s }' "$map"
}

# On a timeout, before QEMU is stopped: where the guest and QEMU are
# (RUNDIR/hang.txt).  A vCPU spinning in the guest kernel shows the same
# RIP three times (rip_symbol) and QMP still answers; QEMU stuck in itself
# does not answer, and its threads' kernel wait channels say where.  Each
# question waits 3 s at most.
hang_evidence()
{
	local t i out rip map= prev=

	for t in "$@"; do
		[ "$prev" = -kernel ] && map=$(dirname "$t")/System.map-$(basename "$t" | sed 's/^vmlinuz-//')
		prev=$t
	done
	{
		echo "# $(date -u +%FT%TZ): the guest did not finish within ${timeout_s}s"
		echo "# QMP kicks after ${kick_s} s of silence: $kicks"
		"$qmp_tool" -t 3 "$qmp" query-status 2>&1
		for i in 1 2 3; do
			out=$("$qmp_tool" -t 3 "$qmp" human-monitor-command \
				"command-line=info registers" 2>&1)
			rip=$(grep -oE 'RIP=[0-9a-f]{16}' <<<"$out" | head -1 | cut -d= -f2)
			if [ -z "$rip" ]; then
				echo "info registers: no answer: $(tail -1 <<<"$out")"
				continue
			fi
			echo "RIP=$rip $(grep -oE '(RSP|RFL|CR3|CPL|HLT)=[0-9a-f]+' <<<"$out" | tr '\n' ' ')$(rip_symbol "$rip" "$map")"
			sleep 0.5
		done
		echo "# QEMU's threads: name, state, kernel wait channel"
		for t in /proc/$qpid/task/*; do
			echo "$(cat "$t/comm" 2>/dev/null) $(awk '{ print $3 }' "$t/stat" 2>/dev/null) $(cat "$t/wchan" 2>/dev/null)"
		done
	} >"$run/hang.txt" 2>&1
}

# QEMU 7.2's TCG was seen leaving a halted guest asleep past its own timer
# until something woke QEMU's main loop (a QMP command did): the guest's
# clock jumped by the time lost, and 2 of 10 gate runs timed out
# (docs/spec-corrections.md).  So when the guest has said nothing for
# KICK_S seconds (IOG_KICK_S, default 2; 0 turns it off), a QMP query-status
# wakes the main loop; each is logged (RUNDIR/kicks; meta.txt qemu_kicks).
kick_s=${IOG_KICK_S:-2}
kicks=0
out_size=-1
kick_at=
quiet_since=$SECONDS
kick_if_silent()
{
	local size

	[ "$kick_s" != 0 ] || return 0
	# Once a second is enough.
	[ "$SECONDS" != "$kick_at" ] || return 0
	kick_at=$SECONDS
	size=$(($(stat -c %s "$run/console.log" 2>/dev/null || echo 0) +
		$(stat -c %s "$run/ktap.raw" 2>/dev/null || echo 0)))
	if [ "$size" != "$out_size" ]; then
		out_size=$size
		quiet_since=$SECONDS
	elif [ $((SECONDS - quiet_since)) -ge "$kick_s" ] && [ -z "$qmp_pid" ]; then
		"$qmp_tool" -t 2 "$qmp" query-status >/dev/null 2>&1 </dev/null
		kicks=$((kicks + 1))
		echo "$((SECONDS - start)) s: silent $((SECONDS - quiet_since)) s" >>"$run/kicks"
		quiet_since=$SECONDS
	fi
}


start=$SECONDS
while kill -0 $qpid 2>/dev/null; do
	[ -n "$status" ] && break
	if [ $((SECONDS - start)) -ge "$timeout_s" ]; then
		status=timeout
		detail="guest did not finish within ${timeout_s}s"
		hang_evidence "$@"
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
	kick_if_silent
	sleep 0.2
done
wait $qpid 2>/dev/null
qrc=$?
# The readers end at QEMU's end of file; one whose FIFO QEMU never opened
# (it failed first) is woken by a writer that closes at once.  Bounded.
for f in "$run/.console.out" "$run/.ktap.out"; do
	: 1<>"$f"
done
for _ in $(seq 50); do
	kill -0 $con_pid 2>/dev/null || kill -0 $ktap_pid 2>/dev/null || break
	sleep 0.1
done
kill $con_pid $ktap_pid 2>/dev/null
wait $con_pid $ktap_pid 2>/dev/null
wait $tpid 2>/dev/null
rm -f "$run"/.console.in "$run"/.console.out "$run"/.ktap.in "$run"/.ktap.out
if [ -n "$qmp_pid" ]; then
	kill "$qmp_pid" 2>/dev/null
	wait "$qmp_pid" 2>/dev/null
fi

if [ -z "$status" ]; then
	if grep -qE 'Kernel panic - not syncing' "$run/console.log" 2>/dev/null; then
		status=crashed
		detail=$(grep -m1 -E 'Kernel panic - not syncing' "$run/console.log" | tr -d '\r')
	elif grep -qE 'terminating on signal [0-9]+' "$run/qemu.stderr" 2>/dev/null; then
		# QEMU alone was signalled (kill, a terminal's Ctrl-C that
		# reached it first): it exits 0, and the guest's unfinished
		# suites are the signal's doing, not the kernel's.
		status=interrupted
		detail="QEMU $(grep -m1 -oE 'terminating on signal [0-9]+( from pid [0-9]+)?' "$run/qemu.stderr")"
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
rm -f "$qmp" "$run/qemu.pid"
[ -z "$qmp_dir" ] || rmdir "$qmp_dir"
echo "$status" >"$run/status"
echo "$detail" >"$run/status_detail"
[ "$status" = completed ]
