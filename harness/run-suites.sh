#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Run suite programs and print one KTAP version 1 document: a plan of
# suites, each suite's kselftest output nested four spaces deep, and a
# result line per suite.  POSIX sh: runs under busybox in the guest and
# under bash on a live machine (host mode).
#
# Usage: run-suites.sh SUITE_DIR SUITE...
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
	bad=$(dmesg 2>/dev/null | tail -n +$((log_before + 1)) |
		grep -E 'WARNING:|BUG:|Oops|KASAN:|general protection fault|Call Trace:' |
		head -n 20)
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
