#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Run suite programs and print one KTAP version 1 document: a plan of
# suites, each suite's kselftest output nested four spaces deep, and a
# result line per suite.  POSIX sh: runs under busybox in the guest and
# under bash on a live machine (host mode).
#
# Usage: run-suites.sh SUITE_DIR SUITE...
#        run-suites.sh --kernel-log <LOG   (how a suite's kernel log counts)

# kernel_faults: the kernel log on stdin, a line per fault it holds:
# "bad LINE" for a WARN, BUG, oops or KASAN report (the suite that was
# running fails), "emu LINE" for one the emulator made: a report whose
# saved EFLAGS has reserved bits (22-31 or above) set.  No CPU sets those
# bits and no kernel code writes them; QEMU's TCG did, under fio load, as
# a #DB taken in kernel mode (exc_debug_kernel) about once in 100 boots and
# as a double fault that panicked the guest once in some 40
# (docs/spec-corrections.md).  A report with possible EFLAGS counts as bad.
# Also the emulator's: an int3 oops whose code dump shows no int3 (cc)
# before the trapping address.  The kernel patches a jump with int3 while
# the other CPU runs it and serializes every CPU before it puts the jump
# back; TCG on 2 vCPUs once ran its stale translation of the int3 after
# that, at boot (enqueue_timer, as a static key flipped).  A CPU traps on
# an int3 only where one is in memory.
kernel_faults()
{
	awk '
	function hexval(c) { return index("0123456789abcdef", tolower(c)) - 1 }
	function reserved(h) {
		h = tolower(h)
		if (length(h) > 8) return 1
		while (length(h) < 8) h = "0" h
		return substr(h, 1, 2) != "00" || hexval(substr(h, 3, 1)) >= 4
	}
	function flush(    i) {
		if (stale != "") {
			print "emu " first " (no int3 at the trap: " stale ")"
		} else if (flags != "") {
			print "emu " first " (EFLAGS " flags ")"
		} else {
			for (i = 1; i <= n; i++) print "bad " keep[i]
		}
		inblk = 0; n = 0; flags = ""; stale = ""
	}
	/WARNING:|BUG:|Oops|KASAN:|general protection fault/ && !inblk {
		inblk = 1; first = $0
	}
	/WARNING:|BUG:|Oops|KASAN:|general protection fault|Call Trace:/ {
		if (!inblk) { print "bad " $0; next }
		keep[++n] = $0
	}
	inblk && match($0, /EFLAGS: [0-9a-fA-F]+/) {
		v = substr($0, RSTART + 8, RLENGTH - 8)
		if (reserved(v) && flags == "") flags = v
	}
	# The byte before <..> (the address after the trap) is the int3.
	inblk && first ~ /Oops: int3/ && match($0, /Code: .* [0-9a-f][0-9a-f] <[0-9a-f][0-9a-f]>/) {
		c = substr($0, RSTART, RLENGTH)
		b = substr(c, length(c) - 6, 2)
		if (b != "cc") stale = b " <" substr(c, length(c) - 2, 2) ">"
	}
	inblk && /---\[ end trace/ { flush() }
	END { if (inblk) flush() }'
}

if [ "${1:-}" = --kernel-log ]; then
	kernel_faults
	exit
fi

dir=$1
shift

# Where the time goes (report.json "timing"): facts "# iog: time.NAME_s S"
# from the guest's uptime; the kernel's boot to /init when /init says.
uptime_s()
{
	read -r u _ </proc/uptime 2>/dev/null && echo "$u"
}
since()
{
	awk -v a="$1" -v b="$(uptime_s)" 'BEGIN { printf "%.2f", b - a }'
}

# run_suite SUITE: the suite's kselftest output nested four spaces deep,
# the kernel log faults and sanitizer reports of its time quoted, its
# duration; its exit code (kselftest's, a fault made a failure) into the
# file $work/SUITE.rc, written last: once it is there the output is whole.
run_suite()
{
	local s=$1 log_before t_suite rc faults bad
	[ -w /dev/kmsg ] && echo "iog: running suite $s" >/dev/kmsg
	# Kernel log lines so far: a WARN, BUG, oops or KASAN report that
	# appears while the suite runs fails it (quoted below).  Beside
	# another suite (IOG_SUITES_BESIDE) a report fails both.
	log_before=$(dmesg 2>/dev/null | wc -l)
	# SANITIZE=1 (harness/check.sh): ASan and UBSan write their reports
	# under IOG_SAN_LOG; any report fails the suite (quoted below), also
	# one from a forked test or from a program that carried on.
	if [ -n "${IOG_SAN_LOG:-}" ]; then
		rm -rf "$IOG_SAN_LOG"
		mkdir -p "$IOG_SAN_LOG"
	fi
	t_suite=$(uptime_s)
	{
		"$dir/$s" 2>&1
		echo $? >"$work/$s.exit"
	} | awk -v s="$s" -v san="${IOG_SAN_LOG:-}" '
		NR == 1 && $0 == "TAP version 13" {
			print "    KTAP version 1"
			print "    # Subtest: " s
			fflush()
			next
		}
		# UBSan linked beside libasan ignores log_path and reports on
		# stderr: a diagnostic, and a mark that fails the suite.
		san != "" && (/: runtime error: / || (frames && /^ +#[0-9]+ 0x/)) {
			frames = 1
			print "    # sanitizer: " $0
			print $0 >>(san "/stream")
			fflush()
			next
		}
		{ frames = 0; print "    " $0; fflush() }'
	rc=$(cat "$work/$s.exit")
	faults=$(dmesg 2>/dev/null | tail -n +$((log_before + 1)) | kernel_faults)
	bad=$(echo "$faults" | sed -n 's/^bad //p' | head -n 20)
	echo "$faults" | sed -n 's/^emu /    # emulator fault, not the kernel'"'"'s: /p' | head -n 5
	if [ -n "$bad" ]; then
		echo "$bad" | sed 's/^/    # kernel log: /'
		case $rc in 0 | 4) rc=1 ;; esac
	fi
	if [ -n "${IOG_SAN_LOG:-}" ] && [ -n "$(ls "$IOG_SAN_LOG" 2>/dev/null)" ]; then
		for f in "$IOG_SAN_LOG"/*; do
			# Quoted where it appeared.
			[ "${f##*/}" != stream ] || continue
			echo "    # sanitizer report ${f##*/}:"
			head -n 40 "$f" | sed 's/^/    # sanitizer: /'
		done
		case $rc in 0 | 4) rc=1 ;; esac
	fi
	[ -z "$t_suite" ] || echo "# iog: time.suite.${s}_s $(since "$t_suite")"
	# Renamed into place: whoever sees the file sees its code.
	echo "$rc" >"$work/$s.rc.tmp" && mv "$work/$s.rc.tmp" "$work/$s.rc"
}

# The result line of suite number $i: kselftest exit codes 0 pass, 4 skip,
# anything else a failure.
result()
{
	case $(cat "$work/$2.rc") in
	0) echo "ok $1 $2" ;;
	4) echo "ok $1 $2 # SKIP" ;;
	*) echo "not ok $1 $2" ;;
	esac
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# IOG_SUITES_BESIDE (a topology's guest-env; commas between names): these
# suites run one after another in a second lane, beside the others; on an
# -smp 2 guest that takes the longest suite off the run's critical path
# (README "The gate").  Each names the devices it will use first (SUITE
# --devices); the others get them in IOG_BUSY and leave those devices and
# their groups alone (suites/teardown_util.h, td_busy).  A suite that
# names none runs in the first lane, in its turn.  The second lane's
# output follows the first's.
beside=
busy=
for b in $(echo "${IOG_SUITES_BESIDE:-}" | tr ',' ' '); do
	for s in "$@"; do
		[ "$s" = "$b" ] || continue
		if d=$("$dir/$s" --devices 2>/dev/null) && [ -n "$d" ]; then
			beside="$beside $s"
			busy="$busy $(echo $d)"
		fi
	done
done
beside=${beside# }
busy=${busy# }

echo "KTAP version 1"
echo "# iog: kernel_release $(uname -r)"
echo "# iog: plan $*"
t_start=$(uptime_s)
if [ -n "${IOG_UPTIME_INIT:-}" ] && [ -n "$t_start" ]; then
	echo "# iog: time.boot_to_init_s $IOG_UPTIME_INIT"
	echo "# iog: time.init_to_suites_s $(since "$IOG_UPTIME_INIT")"
fi
echo "1..$#"

lane=
if [ -n "$beside" ]; then
	echo "# iog: beside $beside (devices $busy)"
	(
		# Sanitizer reports of its own (check.sh's options name
		# IOG_SAN_LOG's directory).
		if [ -n "${IOG_SAN_LOG:-}" ]; then
			ASAN_OPTIONS=$(echo "${ASAN_OPTIONS:-}" | sed "s#$IOG_SAN_LOG/#$IOG_SAN_LOG-beside/#g")
			UBSAN_OPTIONS=$(echo "${UBSAN_OPTIONS:-}" | sed "s#$IOG_SAN_LOG/#$IOG_SAN_LOG-beside/#g")
			IOG_SAN_LOG=$IOG_SAN_LOG-beside
			export ASAN_OPTIONS UBSAN_OPTIONS IOG_SAN_LOG
		fi
		for s in $beside; do
			run_suite "$s" >"$work/$s.out"
		done
	) &
	lane=$!
	IOG_BUSY=$busy
	export IOG_BUSY
fi

i=0
for s in "$@"; do
	case " $beside " in *" $s "*) continue ;; esac
	i=$((i + 1))
	run_suite "$s"
	result $i "$s"
done

# The second lane's suites, each printed as its lines complete (a hang
# leaves what it printed in the stream), then their results.
for s in $beside; do
	i=$((i + 1))
	n=0
	while :; do
		# Finished before the count: the count takes in every line.
		[ -e "$work/$s.rc" ] && done_s=1 || done_s=
		[ -e "$work/$s.out" ] && m=$(wc -l <"$work/$s.out") || m=0
		if [ "$m" -gt "$n" ]; then
			sed -n "$((n + 1)),${m}p" "$work/$s.out"
			n=$m
		fi
		[ -z "$done_s" ] || break
		sleep 0.2
	done
	result $i "$s"
done
[ -z "$lane" ] || wait "$lane"
[ -z "$t_start" ] || echo "# iog: time.suites_s $(since "$t_start")"
echo "# iog: done"
