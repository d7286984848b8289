# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/run.sh: hostile guests, interrupts, parallel runs and
# what a person reads on a terminal.
#
# A hostile guest runs one of tests/hostile/*.sh as its init instead of
# the package's: the script travels on the kernel command line (comments
# dropped, base64), so the image and the harness stay as they are.  Each
# must end as a failed or TIMEOUT run within its timeout, with a report
# that says why, its console kept, and no QEMU left behind.

# hostile_topo NAME: a small topology (no IOMMU, no devices, one expected
# suite) whose init is tests/hostile/NAME.sh.  Prints its path.
hostile_topo()
{
	local f=$work/hostile-$1.topo script
	script=$(grep -v -E '^[[:space:]]*#' "tests/hostile/$1.sh" | base64 -w0)
	{
		echo "name hostile-$1"
		echo "machine q35"
		echo "iommu none"
		echo "memory 256"
		echo "suites grouping"
		echo "append rdinit=/bin/busybox -- sh -c \"echo $script |" \
			"/bin/busybox base64 -d >/hostile; . /hostile\""
	} >"$f"
	echo "$f"
}

# run_settled DIR: nothing runs any more with DIR on its command line (QEMU,
# the capture readers), no FIFO or temporary file is left in DIR, and its
# report.json is whole (iog-compare parses it strictly).
run_settled()
{
	local d=${1%/}
	if pgrep -f "$d" >/dev/null; then
		echo "# still running: $(pgrep -af "$d" | head -n 3)"
		return 1
	fi
	if [ -n "$(find "$d" -maxdepth 1 \( -type p -o -name '*.tmp' -o -name '.*.rest' \))" ]; then
		echo "# left behind: $(find "$d" -maxdepth 1 \( -type p -o -name '*.tmp' -o -name '.*.rest' \))"
		return 1
	fi
	if ! build/host/iog-compare "$d" "$d" >/dev/null 2>"$work/settled.err"; then
		echo "# report.json does not parse: $(head -n 1 "$work/settled.err")"
		return 1
	fi
	return 0
}

# hostile NAME TIMEOUT STATUS WHY [ENV...]: boot tests/hostile/NAME.sh;
# make check must fail within TIMEOUT + 30 s; report.json has STATUS and
# verdict fail; report.ktap has the text WHY; console.log is not empty.
# Sets hostile_dir.
hostile()
{
	local name=$1 tmo=$2 status=$3 why=$4 t0 d
	shift 4
	hostile_dir=
	t0=$SECONDS
	if ! check_run "hostile-$name" 1 TOPOLOGY="$(hostile_topo "$name")" \
		KERNEL=debian-6.12 TIMEOUT="$tmo" "$@"; then
		echo "# make check did not fail"
		return 1
	fi
	if [ $((SECONDS - t0)) -gt $((tmo + 30)) ]; then
		echo "# took $((SECONDS - t0)) s with TIMEOUT=$tmo"
		return 1
	fi
	d=$(last_report)
	hostile_dir=$d
	case $d in
	*/hostile-"$name"-*) ;;
	*) echo "# no run directory for hostile-$name (newest: $d)"; return 1 ;;
	esac
	if ! grep -q "\"status\": *\"$status\"" "$d/report.json" ||
		! grep -q '"verdict": *"fail"' "$d/report.json"; then
		echo "# report.json: $(grep -E '"(status|status_detail|verdict)"' "$d/report.json" | tr -d '\n')"
		return 1
	fi
	if ! grep -q -F -- "$why" "$d/report.ktap"; then
		echo "# report.ktap does not say '$why':"
		grep -a -E '^ *(not )?ok ' "$d/report.ktap" | head -n 10 | sed 's/^/#   /'
		return 1
	fi
	[ -s "$d/console.log" ] || { echo "# console.log is empty"; return 1; }
	# report.md: the failure with the command that reproduces it, and
	# for a run cut short the console's last lines.
	if ! grep -q '^Reproduce: `make check TOPOLOGY=' "$d/report.md" ||
		{ [ "$status" != completed ] &&
			! grep -q '^## Console, last lines' "$d/report.md"; }; then
		echo "# report.md lacks the reproduce line or the console"
		return 1
	fi
	run_settled "$d"
}

# About 135 KB of garbage against a 64 KiB cap on ktap.raw.
name="hostile guest: binary garbage on the KTAP channel is a failed run, ktap.raw capped"
hostile garbage 60 error 'guest powered off before finishing its suites' \
	IOG_KTAP_MAX=65536 &&
	grep -q '^not ok [0-9]* grouping # ERROR' "$hostile_dir/report.ktap" &&
	[ "$(stat -c %s "$hostile_dir/ktap.raw")" -le $((65536 + 100)) ] &&
	grep -a -q '^# launch.sh: [0-9]* bytes beyond the first 65536 dropped$' \
		"$hostile_dir/ktap.raw"
verdict $? "$name" "${hostile_dir:-no run}"

name="hostile guest: KTAP cut short (plans 5, reports 2) is a failed run"
hostile truncated 60 error 'the guest planned 5 suites, 2 reported' &&
	grep -q 'not ok 2 sysfs_layout # ERROR plan mismatch: planned 3, got 1' \
		"$hostile_dir/report.ktap"
verdict $? "$name" "${hostile_dir:-no run}"

# The launcher counts this run completed ("# iog: done" came): only the
# report's reading of the stream can fail it.
name="hostile guest: interleaved, garbled KTAP is a failed run"
hostile interleaved 60 completed 'out of sequence: numbered' &&
	grep -q '(unplanned suites) # ERROR the guest planned 2 suites' \
		"$hostile_dir/report.ktap"
verdict $? "$name" "${hostile_dir:-no run}"

# 128 KiB of head (a boot writes about 40 KB) and 16 KiB of tail: the
# flood passes that in a few seconds even on a loaded machine (it writes
# 50 to 250 KB/s under TCG).
name="hostile guest: a console flood is capped and ends as TIMEOUT"
cap=131072 keep=16384
hostile flood 20 timeout 'guest did not finish within 20s' \
	IOG_CONSOLE_MAX=$cap IOG_CONSOLE_TAIL=$keep &&
	[ "$(stat -c %s "$hostile_dir/console.log")" -le $((cap + keep + 200)) ] &&
	grep -q "^\[launch.sh\] output beyond the first $cap bytes dropped" \
		"$hostile_dir/console.log" &&
	tail -n 2 "$hostile_dir/console.log" | grep -q 'flood flood'
verdict $? "$name" "${hostile_dir:-no run}: console.log $(stat -c %s "$hostile_dir/console.log" 2>/dev/null) bytes"

# --- interrupts ------------------------------------------------------------
# A small real topology: q35-acs checked by the grouping suite only.
mkdir -p "$work/small"
for t in q35-acs q35-noacs; do
	suites_only "topologies/$t.topo" "$work/small/$t.topo" grouping
done

# A results directory deep enough that RUNDIR/qmp.sock passes a UNIX
# socket's 107 bytes (a checkout in a deep home directory): QEMU refused
# to start (seen in a make matrix from a clone under /tmp/mx/main).  The
# socket goes to a directory of its own under /tmp, named in qmp.path, and
# both are gone when the run ends.
deep=$work/results-in-a-deep-directory/of-a-user-with-a-long-home/and-more
name="a run directory too deep for a UNIX socket: QMP's socket in /tmp, the run passes"
mkdir -p "$deep"
dd=
if check_run deep 0 RESULTS="$deep" TOPOLOGY="$work/small/q35-acs.topo" KERNEL=debian-6.12; then
	dd=$(ls -d "$deep"/*/ | head -n 1)
	dd=${dd%/}
	qp=$(cat "$dd/qmp.path" 2>/dev/null)
	[ $((${#dd} + 9)) -gt 107 ] && [[ $qp == /tmp/iog-qmp.*/qmp.sock ]] &&
		[ ! -e "$qp" ] && [ ! -e "${qp%/*}" ] &&
		grep -q '"verdict": *"pass"' "$dd/report.json"
else
	false
fi
verdict $? "$name" "${dd:-no run}: qmp.path '${qp:-}'"

# has FILE ERE: a line of FILE matches ERE; else say so (the case's reason).
has()
{
	grep -qE -- "$2" "$1" && return 0
	echo "# ${1##*/} has no line matching '$2'"
	return 1
}

# iverdict STATUS NAME RUN: verdict of an interrupt case; a failure quotes
# what make check of RUN (interrupt's NAME) printed last.
iverdict()
{
	verdict "$1" "$2" "exit $irc, ${isecs}s, ${idir:-no run}" ||
		tail -n 3 "$work/$3.out" 2>/dev/null | sed 's/^/#   make: /'
}

# interrupt NAME SIGNAL WAIT-FOR [TOPOLOGY [TARGET]]: start make check of
# TOPOLOGY (default: the small q35-acs) in a process group of its own (job
# control on, so SIGINT is not ignored in the background, as it is on a
# terminal), wait until the run directory holds WAIT-FOR (a file that
# exists and is not empty; FILE:REGEX, until a line of FILE matches),
# send SIGNAL to the whole group, as a terminal's Ctrl-C does (TARGET
# "qemu": to the run's QEMU alone), and wait for make (at most 60 s).
# Sets irc (the exit status), idir (the run directory) and isecs (seconds
# from the signal to the end).
interrupt()
{
	local name=$1 sig=$2 want=$3 topo=${4:-$work/small/q35-acs.topo}
	local target=${5:-group} file=${3%%:*} re= pid i t0
	[[ $want == *:* ]] && re=${want#*:}
	irc= idir= isecs=
	ls -d "$RESULTS"/*/ 2>/dev/null | sort >"$work/$name.before"
	set -m
	env TOPOLOGY="$topo" KERNEL=debian-6.12 \
		make -s --no-print-directory check >"$work/$name.out" 2>&1 &
	pid=$!
	set +m
	for i in $(seq 1200); do
		idir=$(ls -d "$RESULTS"/*/ 2>/dev/null | sort | comm -13 "$work/$name.before" - | head -n 1)
		if [ -n "$idir" ] && [ -s "$idir/$file" ]; then
			[ -z "$re" ] && break
			grep -qE "$re" "$idir/$file" && break
		fi
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	t0=$SECONDS
	if [ "$target" = qemu ]; then
		kill "-$sig" "$(cat "$idir/qemu.pid" 2>/dev/null)" 2>/dev/null
	else
		kill "-$sig" -- "-$pid" 2>/dev/null
	fi
	for i in $(seq 600); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	kill -0 $pid 2>/dev/null && kill -KILL -- "-$pid"
	wait $pid
	irc=$?
	isecs=$((SECONDS - t0))
}

# interrupted_ok: the run was stopped, reported as interrupted (never as a
# guest or kernel error: what it cut short is SKIP, no "known deviation not
# seen" for suites that did not finish), nothing left.
interrupted_ok()
{
	local d=${idir%/}
	[ -n "$d" ] || { echo "# no run directory appeared"; return 1; }
	[ "$irc" != 0 ] || { echo "# make check exited 0"; return 1; }
	[ "$isecs" -le 20 ] || { echo "# took $isecs s to stop"; return 1; }
	grep -qx 'status=interrupted' "$d/meta.txt" ||
		{ echo "# meta.txt: $(grep '^status' "$d/meta.txt" | tr '\n' ' ')"; return 1; }
	grep -q '"status": *"interrupted"' "$d/report.json" &&
		grep -q '"verdict": *"fail"' "$d/report.json" ||
		{ echo "# report.json does not say interrupted"; return 1; }
	grep -q '"error": *0[,}]' "$d/report.json" && ! grep -q '# ERROR' "$d/report.ktap" ||
		{ echo "# the interrupt is counted as an error"; return 1; }
	! grep -q 'known deviation not seen' "$d/report.ktap" ||
		{ echo "# 'known deviation not seen' for a suite that did not finish"; return 1; }
	grep -q 'interrupted by signal\|QEMU terminating on signal' "$d/report.ktap" ||
		{ echo "# report.ktap does not say interrupted"; return 1; }
	head -n 1 "$d/report.md" | grep -q ': INTERRUPTED$' ||
		{ echo "# report.md: $(head -n 1 "$d/report.md")"; return 1; }
	[ -f "$d/ktap.raw" ] && [ -f "$d/console.log" ] ||
		{ echo "# ktap.raw or console.log missing"; return 1; }
	run_settled "$d"
}

name="Ctrl-C (SIGINT to make's group) mid-boot stops QEMU, keeps the console, reports interrupted"
interrupt sigint INT console.log
interrupted_ok && [ -s "$idir/console.log" ] &&
	grep -q 'Linux version' "$idir/console.log"
iverdict $? "$name" sigint

# Ctrl-C once the guest's KTAP has begun (it then stalls): the stream so
# far is kept in ktap.raw and its passed test in the report.
name="Ctrl-C after KTAP began keeps ktap.raw and the results so far"
interrupt sigint-ktap INT 'ktap.raw:stall.first' "$(hostile_topo stall)"
interrupted_ok && has "$idir/ktap.raw" '^    ok 1 stall.first' &&
	has "$idir/report.ktap" '^    ok 1 stall.first' &&
	has "$idir/report.ktap" '^ok 1 grouping # SKIP interrupted by signal INT'
iverdict $? "$name" sigint-ktap

# The whole default topology, Ctrl-C while its suites run (after grouping,
# before teardown, whose listed deviation must not be reported unseen).
name="Ctrl-C mid-suite on q35-acs: status interrupted, finished suites kept, the rest not run"
interrupt sigint-mid INT 'ktap.raw:^ok [0-9]+ grouping' q35-acs
interrupted_ok && has "$idir/report.ktap" '^ok [0-9]+ grouping$' &&
	has "$idir/report.ktap" '^ok [0-9]+ teardown # SKIP interrupted by signal INT'
iverdict $? "$name" sigint-mid

# A signal to QEMU alone (it exits 0 on SIGINT): the run is interrupted,
# not a guest that powered off early.
name="SIGINT to QEMU alone reports the run interrupted, not a guest error"
interrupt sigint-qemu INT ktap.raw "" qemu
interrupted_ok && grep -q 'QEMU terminating on signal 2' "$idir/meta.txt"
iverdict $? "$name" sigint-qemu

# SIGTERM as soon as the run directory exists: before QEMU or during its
# start, whichever comes first; the run is still reported.
name="SIGTERM to make's group early in a run reports it interrupted, no QEMU left"
interrupt sigterm TERM topology.topo
interrupted_ok
iverdict $? "$name" sigterm

# --- parallel runs ---------------------------------------------------------
# Three make check at once, two of one topology (started together, so they
# want the same run directory name in the same second) and one of
# another: three run directories, each with its own complete, passing
# report; each QEMU booted a whole image.  The third runs on a terminal
# (script(1)) and prints one progress line per suite, not the KTAP stream.
name="three make check at once: own run directories, complete reports"
tty_name="on a terminal make check prints a progress line per suite"
ls -d "$RESULTS"/*/ 2>/dev/null | sort >"$work/par.before"
pids=()
for i in 1 2; do
	env TOPOLOGY="$work/small/q35-acs.topo" KERNEL=debian-6.12 \
		make -s --no-print-directory check >"$work/par$i.out" 2>&1 &
	pids+=($!)
done
script -qefc "env TOPOLOGY='$work/small/q35-noacs.topo' KERNEL=debian-6.12 make -s --no-print-directory check" \
	/dev/null >"$work/par3.out" 2>&1 </dev/null &
pids+=($!)
prc=0
for p in "${pids[@]}"; do
	wait "$p" || prc=$?
done
mapfile -t new_dirs < <(ls -d "$RESULTS"/*/ 2>/dev/null | sort | comm -13 "$work/par.before" -)
why=
[ "$prc" = 0 ] || why="a make check exited $prc"
[ ${#new_dirs[@]} -eq 3 ] || why="${why:+$why; }${#new_dirs[@]} new run directories"
[ "$(ls -d "$RESULTS"/q35-acs-debian-6.12-*/ | wc -l)" -ge 2 ] || why="${why:+$why; }not two q35-acs runs"
for d in "${new_dirs[@]}"; do
	grep -q '"status": *"completed"' "$d/report.json" &&
		grep -q '"verdict": *"pass"' "$d/report.json" ||
		why="${why:+$why; }$d did not pass"
	run_settled "$d" >/dev/null || why="${why:+$why; }$d not settled"
	initrd=$(grep -o -- '-initrd [^ ]*' "$d/qemu.cmd" | cut -d' ' -f2)
	# LZ4 for make check, gzip for LAVA images (harness/image.sh).
	case $initrd in
	*.lz4) lz4 -tq "$initrd" 2>/dev/null ;;
	*) gzip -t "$initrd" 2>/dev/null ;;
	esac || why="${why:+$why; }$d: initrd $initrd is not whole"
done
for i in 1 2 3; do
	grep -q ' -> .*report.md' "$work/par$i.out" || why="${why:+$why; }run $i printed no summary"
done
[ -z "$why" ]
verdict $? "$name" "$why"
grep -qE '^\[1/1\] grouping \.+ ok +[0-9]+ passed.*\([0-9]+\.[0-9] s\)' "$work/par3.out" &&
	! grep -qE '^ +(not )?ok [0-9]' "$work/par3.out" &&
	grep -qE '^    ok [0-9]+ ' "$work/par1.out"
verdict $? "$tty_name" "$(tr -d '\r' <"$work/par3.out" | tail -n 4 | tr '\n' '|')"
