#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`: wall time of whole `make check` runs (topology parse, image
# from cache, QEMU boot, suites, report), BENCH_RUNS times each on
# BENCH_TOPOLOGY and each BENCH_KERNELS, alternating the kernels so that
# machine noise hits both alike.  Prints a Markdown table; the runs and the
# table go to results/bench-<timestamp>/.
set -euo pipefail
. "$(dirname "$0")/common.sh"

runs=${BENCH_RUNS:-5}
topology=${BENCH_TOPOLOGY:-q35-acs}
kernels=${BENCH_KERNELS:-debian-6.12 debian-6.1}
out=${RESULTS:-$IOG_TOP/results}/bench-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"

declare -A times=()
for i in $(seq "$runs"); do
	for k in $kernels; do
		t0=$(date +%s.%N)
		RESULTS=$out/runs TOPOLOGY=$topology KERNEL=$k \
			"$IOG_TOP/harness/check.sh" >"$out/run-$k-$i.log" 2>&1 ||
			die "run $i on $k failed: see $out/run-$k-$i.log"
		t1=$(date +%s.%N)
		times[$k]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') "
		note "run $i on $k: $(echo ${times[$k]} | awk '{ print $NF }') s"
	done
done

{
	echo "## make check wall time, $topology ($runs runs each, alternating)"
	echo
	echo "| kernel | median s | min s | max s | CoV | runs (s) |"
	echo "| --- | --- | --- | --- | --- | --- |"
	for k in $kernels; do
		echo ${times[$k]} | tr ' ' '\n' | sort -n | awk -v k="$k" '
			{ v[NR] = $1; s += $1; ss += $1 * $1; all = all " " $1 }
			END {
				med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
				mean = s / NR; var = ss / NR - mean * mean
				if (var < 0) var = 0
				printf "| %s | %.2f | %.2f | %.2f | %.1f%% |%s |\n",
					k, med, v[1], v[NR], 100 * sqrt(var) / mean, all
			}'
	done
	echo
	echo "Machine: $(nproc) cores, QEMU $(qemu-system-x86_64 --version | head -n1 | awk '{ print $4 }')," \
		"accelerator $(sed -n 's/^accel=//p' "$(ls -d "$out"/runs/*/ | head -n1)/meta.txt")."
} | tee "$out/bench.md"
