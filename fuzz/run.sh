#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs the libFuzzer targets (fuzz/README.md).
#
#   fuzz/run.sh fuzz SECONDS [TARGET...]        each target SECONDS, corpus kept
#                                               in build/fuzz/corpus/TARGET
#   fuzz/run.sh short SECONDS DIR [TARGET...]   each target SECONDS on a fresh
#                                               corpus in DIR (make test)
#   fuzz/run.sh runs N [TARGET...]              each target for N executions
#                                               (at most FUZZ_MAX_S seconds)
#   fuzz/run.sh replay [TARGET...]              every saved input of
#                                               fuzz/crashes/TARGET, once
#   fuzz/run.sh seed TARGET DIR                 the seed corpus into DIR
#   fuzz/run.sh list                            the targets
#
# TARGET is the name after fuzz_ (topo, lspci, ...); none: every target.
# One line per target: "fuzz_T: N executions in S s: ok" or the failure
# and where its input was saved.  Exit status 1 if any target failed.
#
# FUZZ_BIN_DIR (default build/fuzz), FUZZ_CRASH_DIR (default fuzz/crashes)
# and FUZZ_ARTIFACT_DIR (default build/fuzz/artifacts: the failing inputs)
# point elsewhere for the harness's own negative control;
# FUZZ_EXTRA_SEEDS names a directory whose files join every seed corpus.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bin_dir=${FUZZ_BIN_DIR:-build/fuzz}
crash_dir=${FUZZ_CRASH_DIR:-fuzz/crashes}
# Inputs that fail are kept here, also after make test removes its corpus.
art_dir=${FUZZ_ARTIFACT_DIR:-build/fuzz/artifacts}
fixtures=tests/fixtures

all_targets()
{
	local f

	for f in fuzz/fuzz_*.c; do
		f=${f##*/fuzz_}
		echo "${f%.c}"
	done
}

# Drop all-zero rows of an `lspci -xxxx` dump but the last of each device
# (which keeps the config space size): the same topology in a tenth of
# the bytes, which the fuzzer mutates ten times faster.
compact_dump()
{
	awk '
	/^[0-9a-f]+:( 00)+$/ { held = $0; next }
	{ if (held != "" && $0 !~ /^[0-9a-f]+:/) print held; held = ""; print }
	END { if (held != "") print held }' "$1"
}

# Sections of an .observed file (tests/fixtures/lspci): the groups
# ("ID: BDF ..."), then "=== RESV" with "group N", regions, "type T".
observed_groups()
{
	sed -n '/^=== /q; /^[0-9][0-9]*: /p' "$1"
}

observed_resv()
{
	awk -v out="$2" '
	/^=== RESV/ { on = 1; next }
	/^=== / { on = 0 }
	!on { next }
	/^group / { n++; file = sprintf("%s/resv-%d", out, n); printf "" > file; next }
	/^type / { f = out "/type-" $2; print $2 > f; close(f); next }
	/^0x/ { print >> file }' "$1"
}

# A report.json per KTAP fixture, written by iog-report (make host-tools).
report_seeds()
{
	local dir=$1 tool=build/host/iog-report k n t

	[ -x "$tool" ] || return 0
	for k in "$fixtures"/ktap/*.ktap; do
		n=${k##*/}
		n=${n%.ktap}
		t=$(mktemp -d)
		for status in completed timeout; do
			printf 'topology=q35-acs\nkernel=debian-6.12\nkernel_release=6.12.117+deb12-amd64\nstatus=%s\nstatus_detail=fuzz seed\nelapsed_s=12.5\nsuites=sysfs_layout grouping\n' \
				"$status" >"$t/meta.txt"
			if "$tool" --raw "$k" --meta "$t/meta.txt" --out "$t" \
				>/dev/null 2>&1 || [ -s "$t/report.json" ]; then
				cp "$t/report.json" "$dir/$n-$status.json"
			fi
		done
		rm -rf "$t"
	done
}

seed()
{
	local t=$1 dir=$2 f n

	mkdir -p "$dir"
	case $t in
	topo)
		cp topologies/*.topo "$fixtures"/topo/*.topo "$dir"/
		;;
	lspci)
		for f in "$fixtures"/lspci/*.dump "$fixtures"/model/*.dump; do
			compact_dump "$f" >"$dir/${f##*/}"
		done
		;;
	sysfs_text)
		cp "$fixtures"/sysfs/*.expect "$dir"/
		for f in "$fixtures"/lspci/*.observed; do
			n=${f##*/}
			mkdir -p "$dir/.tmp"
			observed_resv "$f" "$dir/.tmp"
			for r in "$dir"/.tmp/*; do
				[ -f "$r" ] && mv "$r" "$dir/${n%.observed}-${r##*/}"
			done
			rmdir "$dir/.tmp"
			observed_groups "$f" | head -n 3 | awk -v d="$dir" -v n="${n%.observed}" \
				'{ sub(":", "", $1); print $1 > (d "/" n "-id" NR); print $2 > (d "/" n "-bdf" NR) }'
		done
		sed -n 's/^# iog: kernel_release //p' "$fixtures"/ktap/*.ktap |
			head -n 1 >"$dir/release"
		;;
	sysfs_links)
		# The groups of each .observed file, then the topology's
		# expectation (fuzz_sysfs_links.c describes the format).
		for f in "$fixtures"/lspci/*.observed; do
			n=${f##*/}
			{
				observed_groups "$f"
				echo ---
				cat "$fixtures"/sysfs/q35-acs.expect
			} >"$dir/${n%.observed}"
		done
		;;
	ktap)
		cp "$fixtures"/ktap/*.ktap "$dir"/
		;;
	json)
		report_seeds "$dir"
		;;
	report_json)
		report_seeds "$dir"
		# Pairs (BASE NUL NEW) for the comparison.
		for f in "$dir"/*-completed.json; do
			[ -f "$f" ] || continue
			{ cat "$f"; printf '\0'; cat "${f%-completed.json}-timeout.json"; } \
				>"${f%-completed.json}-pair" 2>/dev/null
		done
		;;
	deviations)
		cp suites/known-deviations "$dir"/
		;;
	baseline)
		cp results/baselines/*.baseline "$dir"/
		;;
	abidoc)
		# The made-up subsystem's documentation (tests/fixtures/abi).
		find tests/fixtures/abi -type f | while read -r f; do
			cp "$f" "$dir/$(echo "$f" | tr '/' '_')"
		done
		;;
	meta)
		# What check.sh's finish_run writes.
		printf 'topology=q35-acs\ntopology_file=topologies/q35-acs.topo\nkernel=debian-6.12\nkernel_release=6.12.117+deb12-amd64\nkernel_config_hash=0\nqemu_version=7.2\naccel=tcg\ncommand=make check\nreproduce=make check\nstatus=completed\nstatus_detail=\nelapsed_s=61.2\nconsole=console.log\nstarted=2026-11-25T15:30:07Z\nsuites=sysfs_layout grouping notifier\n' \
			>"$dir/meta.txt"
		;;
	esac
	if [ -n "${FUZZ_EXTRA_SEEDS:-}" ]; then
		cp "$FUZZ_EXTRA_SEEDS"/* "$dir"/ 2>/dev/null
	fi
	# libFuzzer needs at least one input to start from.
	[ -n "$(ls -A "$dir")" ] || printf '\n' >"$dir/empty"
}

# run_one TARGET CORPUS ARTIFACTS LOG LIBFUZZER-ARGS...
run_one()
{
	local t=$1 corpus=$2 art=$3 log=$4 b=$bin_dir/fuzz_$1 rc execs secs
	local dict=fuzz/dict/$1.dict args=()

	shift 4
	if [ ! -x "$b" ]; then
		echo "fuzz_$t: $b is not built (make fuzz-build)"
		return 1
	fi
	mkdir -p "$art" "$(dirname "$log")"
	[ -f "$dict" ] && args+=(-dict="$dict")
	# Lines are cut at 4096 bytes (KTAP, topologies): inputs may be longer.
	"$b" "$@" "${args[@]}" -max_len=16384 -timeout=25 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art/" "$corpus" \
		>"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
	if [ $rc -ne 0 ]; then
		echo "fuzz_$t: FAILED (exit $rc) after ${execs:-?} executions; input in" \
			"$(ls -t "$art"/* 2>/dev/null | head -n 1); log $log"
		grep -m 3 -E 'ERROR: |property broken|runtime error' "$log" | sed 's/^/# /'
		return 1
	fi
	echo "fuzz_$t: ${execs:-?} executions in ${secs:-?} s: ok"
}

mode=${1:-}
shift
rc=0
case $mode in
fuzz | short)
	secs=$1
	shift
	if [ "$mode" = short ]; then
		base=$1
		shift
	else
		base=build/fuzz
	fi
	for t in ${*:-$(all_targets)}; do
		corpus=$base/corpus/$t
		if [ "$mode" = short ]; then
			rm -rf "$corpus"
		fi
		seed "$t" "$corpus"
		run_one "$t" "$corpus" "$art_dir/$t" "$base/log/$t.log" \
			-max_total_time="$secs" || rc=1
	done
	;;
runs)
	n=$1
	shift
	for t in ${*:-$(all_targets)}; do
		corpus=build/fuzz/corpus/$t
		seed "$t" "$corpus"
		mkdir -p build/fuzz/log
		run_one "$t" "$corpus" "$art_dir/$t" \
			build/fuzz/log/$t-runs.log -runs="$n" ${FUZZ_MAX_S:+-max_total_time=$FUZZ_MAX_S} || rc=1
	done
	;;
replay)
	for t in ${*:-$(all_targets)}; do
		b=$bin_dir/fuzz_$t
		files=()
		for f in "$crash_dir/$t"/*; do
			[ -f "$f" ] && files+=("$f")
		done
		if [ ${#files[@]} -eq 0 ]; then
			echo "fuzz_$t: no saved inputs in $crash_dir/$t"
			continue
		fi
		if [ ! -x "$b" ]; then
			echo "fuzz_$t: $b is not built (make fuzz-build)"
			rc=1
			continue
		fi
		log=$(mktemp)
		if "$b" "${files[@]}" >"$log" 2>&1; then
			echo "fuzz_$t: ${#files[@]} saved inputs replayed: ok"
		else
			echo "fuzz_$t: FAILED replaying $(grep -o 'Running: .*' "$log" | tail -n 1 | cut -c10-)"
			grep -m 3 -E 'ERROR: |property broken|runtime error' "$log" | sed 's/^/# /'
			rc=1
		fi
		rm -f "$log"
	done
	;;
seed)
	seed "$1" "$2"
	;;
list)
	all_targets
	;;
*)
	sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
exit $rc
