#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make test`: the package's own tests.
#   unit tests of the C library and tools, built with ASan and UBSan;
#   integration runs (real QEMU boots of packaged kernels);
#   negative controls: each must make `make check` fail, and say why.
# The cases live in tests/cases/*.sh, one file per area.
# The last line is "N passed, N failed, N skipped"; exit status 1 on any
# failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. harness/common.sh

pass=0 fail=0 skip=0
work=$(mktemp -d /tmp/iog-test.XXXXXX)
# IOG_TEST_KEEP=1 keeps the work directory (results, logs) for a look after.
if [ -n "${IOG_TEST_KEEP:-}" ]; then
	trap 'echo "# work directory kept: $work" >&2' EXIT
else
	trap 'rm -rf "$work"' EXIT
fi
export RESULTS=$work/results

result()
{
	local verdict=$1 name=$2 why=${3:-}
	case $verdict in
	pass) pass=$((pass + 1)); echo "ok - $name" ;;
	skip) skip=$((skip + 1)); echo "ok - $name # SKIP $why" ;;
	*) fail=$((fail + 1)); echo "not ok - $name${why:+: $why}" ;;
	esac
}

# verdict STATUS NAME [WHY]: the case NAME from the exit status of its
# checks, passed as $? (expanded before WHY, whose command substitutions
# would reset it): pass if 0, else fail with WHY.  Returns STATUS, so that
# `|| ...` can print the evidence after a failure.
verdict()
{
	local status=$1

	shift
	if [ "$status" = 0 ]; then
		result pass "$1"
	else
		result fail "$@"
	fi
	return "$status"
}

# --- helpers for the case files -----------------------------------------
# check_run NAME EXPECTED_RC ARGS... : run `make check` with ARGS, keep its
# output in $work/NAME.out and its run directory in $work/NAME.dir.
check_run()
{
	local name=$1 want=$2 rc
	shift 2
	env "$@" make -s --no-print-directory check >"$work/$name.out" 2>&1
	rc=$?
	ls -d "$RESULTS"/*/ 2>/dev/null | sort >"$work/$name.dirs"
	if [ "$want" = 0 ] && [ $rc -ne 0 ]; then
		tail -n 30 "$work/$name.out" | sed 's/^/# /'
		return 1
	fi
	if [ "$want" != 0 ] && [ $rc -eq 0 ]; then
		tail -n 30 "$work/$name.out" | sed 's/^/# /'
		return 1
	fi
	return 0
}

# suites_only SRC OUT SUITE...: topology SRC running only SUITE..., written
# to OUT (whose name names the run and its known deviations).  Appending a
# second suites line would add to SRC's, not replace it.
suites_only()
{
	local src=$1 out=$2

	shift 2
	{
		grep -v '^suites ' "$src"
		echo "suites $*"
	} >"$out"
}

# acs_only NAME SUITE...: q35-acs as $work/NAME.topo running only SUITE...;
# prints the file's path.
acs_only()
{
	local f=$work/$1.topo

	shift
	suites_only topologies/q35-acs.topo "$f" "$@"
	echo "$f"
}

# The newest run directory with a report.json that the run produced.
last_report()
{
	ls -td "$RESULTS"/*/ 2>/dev/null | head -n1
}

integration()
{
	local topo=$1 kernel=$2 name="check $1 on $2" d
	if ! check_run "$topo-$kernel" 0 TOPOLOGY="$topo" KERNEL="$kernel"; then
		result fail "$name" "make check exited non-zero"
		return
	fi
	d=$(last_report)
	for f in report.ktap report.json report.md console.log; do
		if [ ! -s "$d/$f" ]; then
			result fail "$name" "no $f in $d"
			return
		fi
	done
	if ! grep -q '"verdict": *"pass"' "$d/report.json"; then
		result fail "$name" "report.json verdict is not pass"
		return
	fi
	# The grouping suite must have compared, not skipped.
	if grep -qE '^ *ok [0-9]+ .*partition.*# SKIP' "$d/report.ktap"; then
		result fail "$name" "grouping was skipped"
		return
	fi
	result pass "$name"
}

# --- further areas, one file each (tests/cases/*.sh), sourced in order ---
# Each uses result, verdict, check_run, last_report and $work from this file.
# IOG_TEST_CASES="unit hostile" runs only those files (names without the
# number prefix), for work on one area.
for c in tests/cases/*.sh; do
	[ -f "$c" ] || continue
	stem=${c##*/}
	stem=${stem#[0-9][0-9]-}
	stem=${stem%.sh}
	if [ -n "${IOG_TEST_CASES:-}" ] && [[ " $IOG_TEST_CASES " != *" $stem "* ]]; then
		continue
	fi
	. "$c"
done

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
