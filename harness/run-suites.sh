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
		if (flags != "") {
			print "emu " first " (EFLAGS " flags ")"
		} else {
			for (i = 1; i <= n; i++) print "bad " keep[i]
		}
		inblk = 0; n = 0; flags = ""
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

echo "KTAP version 1"
echo "# iog: kernel_release $(uname -r)"
echo "# iog: plan $*"
t_start=$(uptime_s)
if [ -n "${IOG_UPTIME_INIT:-}" ] && [ -n "$t_start" ]; then
	echo "# iog: time.boot_to_init_s $IOG_UPTIME_INIT"
	echo "# iog: time.init_to_suites_s $(since "$IOG_UPTIME_INIT")"
fi
echo "1..$#"
i=0
for s in "$@"; do
	i=$((i + 1))
	[ -w /dev/kmsg ] && echo "iog: running suite $s" >/dev/kmsg
	# Kernel log lines so far: a WARN, BUG, oops or KASAN report that
	# appears while the suite runs fails it (quoted below).
	log_before=$(dmesg 2>/dev/null | wc -l)
	# SANITIZE=1 (harness/check.sh): ASan and UBSan write their reports
	# under IOG_SAN_LOG; any report fails the suite (quoted below), also
	# one from a forked test or from a program that carried on.
	if [ -n "${IOG_SAN_LOG:-}" ]; then
		rm -rf "$IOG_SAN_LOG"
		mkdir -p "$IOG_SAN_LOG"
	fi
	t_suite=$(uptime_s)
	rcfile=$(mktemp)
	{
		"$dir/$s" 2>&1
		echo $? >"$rcfile"
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
	rc=$(cat "$rcfile")
	rm -f "$rcfile"
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
	# kselftest exit codes: 0 pass, 4 skip, anything else a failure.
	case $rc in
	0) echo "ok $i $s" ;;
	4) echo "ok $i $s # SKIP" ;;
	*) echo "not ok $i $s" ;;
	esac
done
echo "# iog: done"
