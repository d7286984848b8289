# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/run.sh: run-suites.sh's second lane (IOG_SUITES_BESIDE,
# how q35-acs runs throughput beside the other suites), on the host with
# stand-in suites: they overlap, the others get the devices the lane's
# suites name in IOG_BUSY, the lane's output follows with its own numbers,
# a suite that names no device runs in its turn, and a sanitizer report of
# the lane fails the lane's suite only.  Negative control: without the
# lane the overlap check fails.

bs=$work/beside
mkdir -p "$bs/bin"
# A stand-in kselftest program: --devices as the real ones answer it.
# slow (beside, device 0000:aa:00.0): waits until a first-lane suite has
# seen its device busy.  fg: sees IOG_BUSY, waits for slow to be running.
# nodev: names no device.  leaky (beside): writes a sanitizer report.
# $BESIDE_WAIT MARK: whether $BESIDE_MARKS/MARK appears within 3 s.
cat >"$bs/wait-for" <<'EOF'
#!/bin/bash
for _ in $(seq 30); do
	[ -e "$BESIDE_MARKS/$1" ] && exit 0
	sleep 0.1
done
exit 1
EOF
chmod +x "$bs/wait-for"
cat >"$bs/bin/slow" <<'EOF'
#!/bin/bash
[ "${1:-}" = --devices ] && { echo 0000:aa:00.0; exit 0; }
m=${BESIDE_MARKS:?}
touch "$m/slow-running"
echo "TAP version 13"
echo "1..1"
"$BESIDE_WAIT" fg-saw-busy && { echo "ok 1 overlap"; exit 0; }
echo "not ok 1 overlap # no first-lane suite ran while this one did"
exit 1
EOF
cat >"$bs/bin/fg" <<'EOF'
#!/bin/bash
[ "${1:-}" = --devices ] && exit 1
m=${BESIDE_MARKS:?}
echo "TAP version 13"
echo "1..2"
case ",${IOG_BUSY:-}," in
*0000:aa:00.0*) echo "ok 1 busy"; touch "$m/fg-saw-busy" ;;
*) echo "not ok 1 busy # IOG_BUSY='${IOG_BUSY:-}'"; exit 1 ;;
esac
"$BESIDE_WAIT" slow-running && { echo "ok 2 overlap"; exit 0; }
echo "not ok 2 overlap # the second lane's suite never ran beside this one"
exit 1
EOF
cat >"$bs/bin/nodev" <<'EOF'
#!/bin/bash
[ "${1:-}" = --devices ] && exit 1
echo "TAP version 13"
echo "1..1"
echo "ok 1 nodev"
EOF
cat >"$bs/bin/leaky" <<'EOF'
#!/bin/bash
[ "${1:-}" = --devices ] && { echo 0000:bb:00.0; exit 0; }
p=${ASAN_OPTIONS#log_path=}
p=${p%%:*}
mkdir -p "${p%/*}"
echo "ERROR: LeakSanitizer: stand-in report" >"$p.$$"
echo "TAP version 13"
echo "1..1"
echo "ok 1 leaky"
EOF
chmod +x "$bs/bin/"*

# run_lanes NAME [VAR=VALUE...]: run-suites.sh over the stand-ins, its
# output in $bs/NAME.ktap.
run_lanes()
{
	local name=$1
	shift
	rm -rf "$bs/marks" "$bs/san" "$bs/san-beside"
	mkdir -p "$bs/marks"
	env BESIDE_MARKS="$bs/marks" BESIDE_WAIT="$bs/wait-for" IOG_SAN_LOG="$bs/san" \
		ASAN_OPTIONS="log_path=$bs/san/pid:exitcode=23" "$@" \
		timeout 60 harness/run-suites.sh "$bs/bin" fg nodev slow leaky \
		>"$bs/$name.ktap" 2>"$bs/$name.err"
}

run_lanes lanes IOG_SUITES_BESIDE=slow,nodev,leaky
k=$bs/lanes.ktap
# Results in order: the first lane's (nodev in its turn), then the lane's.
order=$(grep -E '^(not )?ok [0-9]+ ' "$k" | tr '\n' '|')
[ "$order" = "ok 1 fg|ok 2 nodev|ok 3 slow|not ok 4 leaky|" ] &&
	grep -q '^# iog: beside slow leaky (devices 0000:aa:00.0 0000:bb:00.0)$' "$k" &&
	grep -q '^    ok 2 overlap$' "$k" &&
	grep -q '^    # sanitizer: ERROR: LeakSanitizer: stand-in report' "$k" &&
	[ "$(grep -c 'sanitizer report' "$k")" = 1 ] &&
	[ "$(tail -n 1 "$k")" = "# iog: done" ]
verdict $? "run-suites.sh: a second lane runs beside the first, its devices busy for the others, its sanitizer report its own" \
	"results '$order'; see $k" || sed 's/^/# /' "$k" | head -n 40

# Negative control: the same suites without the lane run one after
# another, and the overlap checks fail.
run_lanes serial
order=$(grep -E '^(not )?ok [0-9]+ ' "$bs/serial.ktap" | tr '\n' '|')
[ "$order" = "not ok 1 fg|ok 2 nodev|not ok 3 slow|not ok 4 leaky|" ] &&
	grep -q "IOG_BUSY=''" "$bs/serial.ktap"
verdict $? "negative control: without IOG_SUITES_BESIDE the suites run in series and the overlap checks fail" \
	"results '$order'; see $bs/serial.ktap"
