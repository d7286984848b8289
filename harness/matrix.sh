#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make matrix`: every topology in topologies/*.topo on Debian's 6.1 and
# 6.12 kernels (and on KERNEL= when that is neither, e.g. a bzImage), as
# many harness/check.sh runs at a time as there are CPUs, then one table of
# it all: results/matrix-<UTC timestamp>/ with
#   runs/<run>/     each run's directory (check.sh's own, never shared)
#   logs/           each run's check.sh output (NNN-TOPOLOGY@KERNEL.out/.err)
#   jobs.tsv        topology, kernel, exit status, run directory, log, reason
#   matrix.txt      facts about the matrix (start, wall time, parallelism)
#   matrix.md, matrix.html   the table (harness/lib/matrix.h)
#   ratios.tsv, ratios.gp, ratios.png, ratios.svg   when some run has
#                   ratio metrics (unit "ratio" or named ratio_*; plots need gnuplot-nox)
#
#   MATRIX_TOPOLOGIES="a b"   these topologies only (names or .topo files)
#   MATRIX_KERNELS="k1 k2"    instead of "debian-6.1 debian-6.12"
#   MATRIX_JOBS=N             runs at a time (default: nproc, fewer when
#                             memory would not hold that many guests)
#   IOG_THROUGHPUT_FORM=long  the throughput suite's long form (make bench's)
#                             in every cell; default short, the gate's:
#                             a matrix is a table of verdicts, not a benchmark
#
# Exit status 0 only when every run passed (a skip or an expected failure
# counts as passing), 1 when some did not, 2 when no table could be made,
# 130 when interrupted (the table is still written).  Compare two matrices
# with build/host/iog-compare OLD NEW.
set -euo pipefail
. "$(dirname "$0")/common.sh"

matrix_tool=$IOG_BUILD/host/iog-matrix
[ -x "$matrix_tool" ] || die "$matrix_tool is not built (make host-tools)"
[ -z "${IOMMU:-}${QEMU_DEVICES:-}" ] ||
	die "IOMMU= and QEMU_DEVICES= make an ad-hoc topology for make check; make matrix runs topologies/*.topo (choose with MATRIX_TOPOLOGIES=)"

# Topologies: names in topologies/, or files.
if [ -n "${MATRIX_TOPOLOGIES:-}" ]; then
	read -ra topologies <<<"$MATRIX_TOPOLOGIES"
else
	topologies=()
	for f in "$IOG_TOP"/topologies/*.topo; do
		[ -f "$f" ] && topologies+=("$(basename "$f" .topo)")
	done
fi
[ ${#topologies[@]} -gt 0 ] || die "no topologies (topologies/*.topo, MATRIX_TOPOLOGIES=)"
for t in "${topologies[@]}"; do
	[ "$t" != host ] || die "MATRIX_TOPOLOGIES: 'host' is not a QEMU topology"
	topology_file "$t" >/dev/null
done

# Kernels: the two packaged ones, plus KERNEL= when it is another.
read -ra kernels <<<"${MATRIX_KERNELS:-debian-6.1 debian-6.12}"
[ ${#kernels[@]} -gt 0 ] || die "MATRIX_KERNELS is empty"
if [ -n "${KERNEL:-}" ] && [ "$KERNEL" != debian-6.1 ] && [ "$KERNEL" != debian-6.12 ]; then
	have=
	for k in "${kernels[@]}"; do
		[ "$k" = "$KERNEL" ] && have=1
	done
	[ -n "$have" ] || kernels+=("$KERNEL")
fi

# The throughput suite in the gate's short form unless asked otherwise.
export IOG_THROUGHPUT_FORM=${IOG_THROUGHPUT_FORM:-short}

# Parallel runs: one per CPU (each guest is one QEMU, one vCPU by
# default), but no more than memory holds (a guest's 1 GiB and QEMU's own).
ncpu=$(nproc)
jobs=${MATRIX_JOBS:-$ncpu}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "MATRIX_JOBS=$jobs: want a number of runs, 1 or more"
if [ -z "${MATRIX_JOBS:-}" ]; then
	avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo 2>/dev/null || true)
	if [ -n "$avail" ] && [ "$avail" -gt 0 ]; then
		bymem=$((avail / 1536))
		[ "$bymem" -ge 1 ] || bymem=1
		if [ "$bymem" -lt "$jobs" ]; then
			note "$avail MiB of memory available: $bymem runs at a time, not $jobs"
			jobs=$bymem
		fi
	fi
fi

# The matrix directory, never reused.
results=${RESULTS:-$IOG_TOP/results}
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$results/matrix-$stamp
n=1
while ! mkdir "$out" 2>/dev/null; do
	n=$((n + 1))
	out=$results/matrix-$stamp-$n
done
out=$(realpath "$out")
mkdir -p "$out/runs" "$out/logs"

# A file name for a topology or kernel (which may be a path).
safe()
{
	printf '%s' "${1##*/}" | tr -c 'A-Za-z0-9._-' '_'
}

total=$((${#topologies[@]} * ${#kernels[@]}))
t0=$(date +%s.%N)
{
	echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "topologies=${topologies[*]}"
	echo "kernels=${kernels[*]}"
	echo "jobs=$jobs"
	echo "nproc=$ncpu"
	echo "host=$(hostname -s 2>/dev/null || hostname)"
} >"$out/matrix.txt"
note "${#topologies[@]} topologies x ${#kernels[@]} kernels = $total runs, $jobs at a time -> $out"

# Fetch each kernel, its headers and test module, and the accelerator
# verdict once, before the runs: parallel runs would otherwise race to fill
# the same cache entries.  A kernel that cannot be had is not fatal here:
# its runs fail and say why.
# kernel_image, kernel_label, kernel_release: set by kernel.sh's output.
# shellcheck disable=SC2154
prepare_kernel()
{
	local env tmp
	env=$("$IOG_TOP/harness/kernel.sh" "$1" "${MODULES:-}") || return 1
	eval "$env"
	"$IOG_TOP/harness/accel.sh" "$kernel_image" >/dev/null || return 1
	if [[ $kernel_label == debian-* ]]; then
		tmp=$(mktemp -d)
		"$IOG_TOP/harness/module.sh" "$kernel_release" "$tmp" >/dev/null ||
			echo "the test module did not build for $kernel_release: its suites will skip"
		rm -rf "$tmp"
	fi
}
for k in "${kernels[@]}"; do
	log=$out/logs/prepare-$(safe "$k").log
	(prepare_kernel "$k") >"$log" 2>&1 ||
		note "preparing $k failed (see $log); its runs will fail and say why"
done

interrupted=
job_topo=()
job_kernel=()
job_name=()

# One check.sh run; writes logs/NAME.job, its line of jobs.tsv.
run_job()
{
	set +e
	local topo=$1 kernel=$2 name=$3 idx=$4 rc run reason verdict
	local log=$out/logs/$name
	RESULTS=$out/runs TOPOLOGY=$topo KERNEL=$kernel \
		"$IOG_TOP/harness/check.sh" </dev/null >"$log.out" 2>"$log.err"
	rc=$?
	# The run directory: from iog-report's summary line, else from
	# check.sh's note when the guest was started.
	run=$(sed -n 's|.* -> \(/.*\)/report\.md$|\1|p' "$log.out" | tail -n1)
	[ -n "$run" ] || run=$(sed -n 's|^check\.sh: .* -> \(/.*\)$|\1|p' "$log.err" | tail -n1)
	case $run in
	"$out"/runs/*) [ -d "$run" ] || run= ;;
	*) run= ;;
	esac
	reason=
	if [ -z "$run" ] || [ ! -f "$run/report.json" ]; then
		reason=$(grep -v '^[[:space:]]*$' "$log.err" | tail -n1 | tr '\t\r' '  ' | cut -c1-300)
		[ -n "$reason" ] || reason="check.sh exited with status $rc and wrote nothing on stderr"
		verdict="FAIL (no report: $reason)"
	elif [ "$rc" = 0 ]; then
		verdict=PASS
	else
		verdict=FAIL
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$topo" "$kernel" "$rc" \
		"${run#"$out"/}" "logs/$name.err" "$reason" >"$log.job"
	note "[$idx/$total] $topo on $kernel: $verdict${run:+ -> ${run#"$out"/}}"
}

# Stop the runs: each check.sh and what it started gets SIGINT, as from a
# terminal, so that launch.sh stops its QEMU and the run is still reported.
signal_tree()
{
	local sig=$1 pid=$2 c
	for c in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
		signal_tree "$sig" "$c"
	done
	kill "-$sig" "$pid" 2>/dev/null || true
}

on_signal()
{
	[ -z "$interrupted" ] || return 0
	interrupted=1
	note "interrupted: stopping the runs (their reports are still written)"
	for p in $(jobs -rp); do
		signal_tree INT "$p"
	done
}
trap on_signal INT TERM

# The longest runs first, so that no long one starts last beside an idle
# CPU (the matrix's tail was one 92 s cell): a cell's length is its
# wall time in the newest earlier matrix under $results that ran it, else
# its topology's declared timeout (the throughput topologies declare twice
# the others'); equal lengths keep the order of the table.
# previous_elapsed: "TOPOLOGY KERNEL SECONDS" per run of the newest matrix.
previous_elapsed()
{
	local m meta
	for m in $(ls -dr "$results"/matrix-* 2>/dev/null); do
		[ "$m" != "$out" ] && [ -f "$m/jobs.tsv" ] || continue
		for meta in "$m"/runs/*/meta.txt; do
			[ -f "$meta" ] || continue
			awk -F= '$1 == "topology" { t = $2 } $1 == "kernel" { k = $2 }
				$1 == "elapsed_s" { e = $2 }
				END { if (t != "" && k != "" && e != "") print t, k, e }' "$meta"
		done
		return
	done
}
prev=$(previous_elapsed)
order=()
i=0
for t in "${topologies[@]}"; do
	for k in "${kernels[@]}"; do
		i=$((i + 1))
		len=$(awk -v t="$(basename "$t" .topo)" -v k="$k" \
			'$1 == t && $2 == k { print $3; exit }' <<<"$prev")
		[ -n "$len" ] ||
			len=$("$IOG_BUILD/host/iog-topo" show "$(topology_file "$t")" |
				awk '$1 == "timeout" { print $2 }')
		order+=("${len:-0} $i $t $k")
	done
done
running=0
started=0
while read -r _ i t k; do
	[ -n "$i" ] || continue
	[ -z "$interrupted" ] || break
	name=$(printf '%03d' "$i")-$(safe "$t")@$(safe "$k")
	job_topo+=("$t")
	job_kernel+=("$k")
	job_name+=("$name")
	while [ "$running" -ge "$jobs" ] && [ -z "$interrupted" ]; do
		wait -n 2>/dev/null || true
		running=$(jobs -rp | wc -l)
	done
	[ -z "$interrupted" ] || break
	started=$((started + 1))
	run_job "$t" "$k" "$name" "$started" &
	running=$((running + 1))
done < <(printf '%s\n' "${order[@]}" | sort -s -k1,1gr -k2,2n)
while [ -n "$(jobs -rp)" ]; do
	wait || true
done
trap - INT TERM

# jobs.tsv in the order of the jobs; a job that never ran says why.
{
	printf '# topology\tkernel\texit status\trun directory\tlog\treason\n'
	for t in "${topologies[@]}"; do
		for k in "${kernels[@]}"; do
			found=
			for j in "${!job_name[@]}"; do
				if [ "${job_topo[$j]}" = "$t" ] && [ "${job_kernel[$j]}" = "$k" ] &&
					[ -f "$out/logs/${job_name[$j]}.job" ]; then
					cat "$out/logs/${job_name[$j]}.job"
					found=1
				fi
			done
			[ -n "$found" ] ||
				printf '%s\t%s\t\t\t\tnot run: the matrix was interrupted\n' "$t" "$k"
		done
	done
} >"$out/jobs.tsv"
t1=$(date +%s.%N)
{
	echo "elapsed_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
	[ -z "$interrupted" ] || echo "interrupted=yes: runs not finished are failures"
} >>"$out/matrix.txt"

set +e
"$matrix_tool" "$out"
rc=$?
# Plots of ratio measurements (unit "ratio"), where gnuplot is installed.
if [ -s "$out/ratios.gp" ]; then
	if command -v gnuplot >/dev/null; then
		rm -f "$out/gnuplot.log"
		if (cd "$out" && gnuplot ratios.gp) >"$out/gnuplot.log" 2>&1 && [ -s "$out/ratios.png" ]; then
			rm -f "$out/gnuplot.log"
		else
			rm -f "$out/ratios.png"
			echo "gnuplot exited with an error or wrote no ratios.png" >>"$out/gnuplot.log"
			note "gnuplot could not plot the ratio measurements: see $out/gnuplot.log"
		fi
		"$matrix_tool" "$out" >/dev/null
		rc=$?
	else
		note "ratio measurements not plotted: gnuplot is not installed (Debian: gnuplot-nox)"
	fi
fi
[ -z "$interrupted" ] || exit 130
exit "$rc"
