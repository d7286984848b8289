#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`: the measurements, one Markdown table each, from whole
# `make check` runs (never from timed tests):
#   throughput  the throughput suite (fio on NVMe per default-domain type,
#               alternating rounds inside each boot) on BENCH_THROUGHPUT
#               topologies: medians, spread, ratios to identity;
#   mapunmap    domain_attach's VFIO attach time and map/unmap rates on
#               BENCH_DMA topologies;
#   walltime    wall time of whole runs of BENCH_TOPOLOGY;
#   scale       `iogroups predict` on generated lspci -xxxx dumps
#               (harness/iog-gendump.c) of BENCH_SCALE_SIZES devices, no
#               boot: BENCH_SCALE_RUNS timed runs per size, IOMMU kind and
#               dump form, all alternating.
# The others are run BENCH_RUNS times per kernel in BENCH_KERNELS, the
# kernels alternating so that machine noise hits them alike.  BENCH_PARTS
# picks parts.  Runs and tables go to results/bench-<timestamp>/.
set -euo pipefail
. "$(dirname "$0")/common.sh"

runs=${BENCH_RUNS:-5}
kernels=${BENCH_KERNELS:-debian-6.12 debian-6.1}
parts=${BENCH_PARTS:-throughput mapunmap walltime scale}
tp_topos=${BENCH_THROUGHPUT:-q35-throughput-intel}
dma_topos=${BENCH_DMA:-q35-dma-intel}
wall_topo=${BENCH_TOPOLOGY:-q35-acs}
scale_sizes=${BENCH_SCALE_SIZES:-100 1000 10000}
scale_runs=${BENCH_SCALE_RUNS:-7}
scale_iommus=${BENCH_SCALE_IOMMU:-intel amd}
# full: 4096 bytes per PCIe function, as lspci -xxxx writes them; compact:
# extended space cut after its last non-zero row (what libpci parses less).
scale_forms=${BENCH_SCALE_FORMS:-full compact}
scale_seed=${BENCH_SCALE_SEED:-1}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS=$runs is not a positive number"
[[ $scale_runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_SCALE_RUNS=$scale_runs is not a positive number"
out=${RESULTS:-$IOG_TOP/results}/bench-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
metrics=$out/metrics.tsv
printf 'part\ttopology\tkernel\trun\tname\tvalue\tunit\n' >"$metrics"

# bench_run PART TOPOLOGY KERNEL I: one make check; its wall time and its
# "# metric:" lines into metrics.tsv.
bench_run()
{
	local part=$1 topo=$2 k=$3 i=$4 log t0 t1 dir
	log=$out/$part-$topo-$k-$i.log
	t0=$(date +%s.%N)
	if ! RESULTS=$out/runs TOPOLOGY=$topo KERNEL=$k \
		"$IOG_TOP/harness/check.sh" >"$log" 2>&1; then
		# A failed run measures nothing; the table counts it.
		note "run $i of $topo on $k failed: see $log (reproduce: make check TOPOLOGY=$topo KERNEL=$k)"
		printf '%s\t%s\t%s\t%s\tfailed\t1\trun\n' "$part" "$topo" "$k" "$i" >>"$metrics"
		return 0
	fi
	t1=$(date +%s.%N)
	dir=$(ls -td "$out"/runs/"$topo"-"$k"-*/ | head -n1)
	awk -v p="$part" -v t="$topo" -v k="$k" -v i="$i" -v a="$t0" -v b="$t1" '
		BEGIN { printf "%s\t%s\t%s\t%s\twall\t%.2f\ts\n", p, t, k, i, b - a }
		{ sub(/\r$/, "") }
		/^ *# metric: / {
			sub(/^ *# metric: /, "")
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p, t, k, i, $1, $2, $3
		}
		# Where the time went (harness/lib/timing.c): phases of the guest
		# from ktap.raw, of the host from meta.txt.
		/^# iog: time\.[A-Za-z0-9._-]+_s [0-9.]+$/ {
			sub(/_s$/, "", $3)
			printf "%s\t%s\t%s\t%s\t%s\t%s\ts\n", p, t, k, i, $3, $4
		}
		/^time_(prepare|qemu)_s=[0-9.]+$/ {
			split($0, kv, "=")
			sub(/^time_/, "time.", kv[1]); sub(/_s$/, "", kv[1])
			printf "%s\t%s\t%s\t%s\t%s\t%s\ts\n", p, t, k, i, kv[1], kv[2]
		}' "${dir%/}/ktap.raw" "${dir%/}/meta.txt" >>"$metrics"
	note "$part: run $i of $topo on $k: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
}

for i in $(seq "$runs"); do
	for k in $kernels; do
		if [[ " $parts " == *" throughput "* ]]; then
			for t in $tp_topos; do bench_run throughput "$t" "$k" "$i"; done
		fi
		if [[ " $parts " == *" mapunmap "* ]]; then
			for t in $dma_topos; do bench_run mapunmap "$t" "$k" "$i"; done
		fi
		if [[ " $parts " == *" walltime "* ]]; then
			bench_run walltime "$wall_topo" "$k" "$i"
		fi
	done
done

# stats PART NAME...: per topology and kernel, "topology kernel name median
# min max cov n" over the runs.
stats()
{
	local part=$1
	shift
	awk -F'\t' -v part="$part" -v names="$*" '
		BEGIN { n = split(names, w, " "); for (j = 1; j <= n; j++) want[w[j]] = j }
		NR > 1 && $1 == part && ($5 in want) {
			k = $2 SUBSEP $3 SUBSEP $5
			v[k, ++c[k]] = $6
			if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
		}
		END {
			for (o = 1; o <= nk; o++) {
				k = order[o]; m = c[k]
				for (x = 1; x <= m; x++) s[x] = v[k, x]
				# insertion sort: a handful of values
				for (x = 2; x <= m; x++) {
					y = s[x]
					for (z = x - 1; z >= 1 && s[z] > y; z--) s[z + 1] = s[z]
					s[z + 1] = y
				}
				med = (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
				sum = 0; sq = 0
				for (x = 1; x <= m; x++) sum += s[x]
				mean = sum / m
				for (x = 1; x <= m; x++) sq += (s[x] - mean) ^ 2
				cv = mean ? 100 * sqrt(sq / m) / mean : 0
				split(k, f, SUBSEP)
				printf "%s %s %s %.6g %.6g %.6g %.1f %d\n", f[1], f[2], f[3], med, s[1], s[m], cv, m
			}
		}' "$metrics"
}

# scale_run FORM N KIND I: one timed `iogroups predict`; wall and CPU time
# (bash's time) and its own split (--times) into metrics.tsv, with the form
# and size as topology and the IOMMU kind as kernel.
scale_run()
{
	local form=$1 n=$2 kind=$3 i=$4 t ph
	t=$scale_dir/time.txt
	ph=$scale_dir/phases.txt
	if ! { time "$IOG_BUILD/host/iogroups" predict --dump "$scale_dir/$form-$n.dump" \
		--iommu "$kind" --times >/dev/null 2>"$ph"; } 2>"$t"; then
		note "scale: predict failed on $form-$n ($kind): $(tail -n 1 "$ph")"
		printf 'scale\t%s-%s\t%s\t%s\tfailed\t1\trun\n' "$form" "$n" "$kind" "$i" >>"$metrics"
		return 0
	fi
	# "real user sys" in s; "iogroups: times: load X ms, boot Y ms, output Z ms"
	awk -v p="$form-$n" -v k="$kind" -v i="$i" '
		FNR == NR { wall = $1 * 1000; cpu = ($2 + $3) * 1000; next }
		/^iogroups: times: / { load = $4; boot = $7; outp = $10 }
		END {
			printf "scale\t%s\t%s\t%s\twall_ms\t%.1f\tms\n", p, k, i, wall
			printf "scale\t%s\t%s\t%s\tcpu_ms\t%.1f\tms\n", p, k, i, cpu
			printf "scale\t%s\t%s\t%s\tload_ms\t%.2f\tms\n", p, k, i, load
			printf "scale\t%s\t%s\t%s\tmodel_ms\t%.2f\tms\n", p, k, i, boot + outp
		}' "$t" "$ph" >>"$metrics"
}

if [[ " $parts " == *" scale "* ]]; then
	[ -x "$IOG_BUILD/host/iog-gendump" ] && [ -x "$IOG_BUILD/host/iogroups" ] ||
		die "scale: build/host/iog-gendump and iogroups are missing (make host-tools)"
	# The dumps are big (130 MB for 10 000 devices in full) and regenerated
	# from the seed in a second: outside the results.
	scale_dir=$(mktemp -d "${TMPDIR:-/tmp}/iog-scale.XXXXXX")
	trap 'rm -rf "$scale_dir"' EXIT
	TIMEFORMAT='%3R %3U %3S'
	for form in $scale_forms; do
		for n in $scale_sizes; do
			flag=
			[ "$form" = compact ] && flag=--compact
			[ "$form" = full ] || [ "$form" = compact ] ||
				die "BENCH_SCALE_FORMS: unknown form '$form' (full, compact)"
			"$IOG_BUILD/host/iog-gendump" --seed "$scale_seed" $flag "$n" >"$scale_dir/$form-$n.dump"
			"$IOG_BUILD/host/iog-gendump" --seed "$scale_seed" --expect "$n" >"$scale_dir/$n.expect"
			for kind in $scale_iommus; do
				# Untimed: the groups it predicts, for the table.
				"$IOG_BUILD/host/iogroups" predict --dump "$scale_dir/$form-$n.dump" \
					--iommu "$kind" 2>&1 | grep -c '^IOMMU group ' \
					>"$scale_dir/$form-$n-$kind.groups" || true
			done
			printf '%s\n' "$(stat -c %s "$scale_dir/$form-$n.dump")" >"$scale_dir/$form-$n.bytes"
		done
	done
	for i in $(seq "$scale_runs"); do
		for form in $scale_forms; do
			for n in $scale_sizes; do
				for kind in $scale_iommus; do
					scale_run "$form" "$n" "$kind" "$i"
				done
			done
		done
	done
	note "scale: $scale_runs runs of each of $(echo $scale_forms | wc -w) forms x $(echo $scale_sizes | wc -w) sizes x $(echo $scale_iommus | wc -w) IOMMU kinds"
fi

# The median of one metric over the runs of a topology and kernel.
med_of()
{
	awk -v t="$2" -v k="$3" -v n="$4" '$1 == t && $2 == k && $3 == n { print $4 }' "$1"
}

{
	echo "# make bench, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo
	first_run=$(ls -d "$out"/runs/*/ 2>/dev/null | head -n1 || true)
	if [ -n "$first_run" ]; then
		echo "Machine: $(nproc) cores, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)," \
			"QEMU $(qemu-system-x86_64 --version | head -n1 | awk '{ print $4 }')," \
			"accelerator $(sed -n 's/^accel=//p' "${first_run}meta.txt")."
		echo "$runs runs (boots) per topology and kernel, kernels alternating."
	else
		echo "Machine: $(nproc) cores, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
	fi
	if [[ " $parts " == *" throughput "* ]]; then
		st=$out/throughput.stats
		stats throughput throughput.identity.peak_kib_s throughput.dma_fq.peak_kib_s \
			throughput.dma.peak_kib_s throughput.identity.read_kib_s \
			throughput.dma_fq.read_kib_s throughput.dma.read_kib_s \
			throughput.ratio.dma_fq_identity throughput.ratio.dma_identity \
			throughput.ratio.dma_fq_identity.cov throughput.ratio.dma_identity.cov \
			throughput.mean_ratio.dma_fq_identity throughput.mean_ratio.dma_identity >"$st"
		echo
		echo "## Throughput per default-domain type (fio, 128 KiB random direct reads, depth 8)"
		echo
		echo "Each boot measures 5 alternating rounds; a type's value is the median over"
		echo "its rounds of the best 250 ms interval (peak; the mean in brackets), and a"
		echo "ratio the median of the ratios paired within a round. 'in-boot CoV' is the"
		echo "spread of those paired ratios over the rounds of one boot (median over the"
		echo "boots); 'boot-to-boot CoV' the spread of the boots' ratios."
		echo
		echo "| topology | kernel | identity MiB/s | DMA-FQ MiB/s | DMA MiB/s | DMA-FQ/identity | in-boot CoV | boot-to-boot CoV | DMA/identity | in-boot CoV | boot-to-boot CoV |"
		echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
		for t in $tp_topos; do
			for k in $kernels; do
				# A kernel without the IOMMU's driver skips every boot.
				if [ -z "$(med_of "$st" "$t" "$k" throughput.identity.peak_kib_s)" ]; then
					why=$(sed -n 's/^ok [0-9]* [^ ]* # SKIP //p' "$out"/runs/"$t"-"$k"-*/ktap.raw 2>/dev/null | head -n1)
					echo "| $t | $k | no measurement${why:+: $why} | | | | | | | | |"
					continue
				fi
				row="| $t | $k"
				for ty in identity dma_fq dma; do
					p=$(med_of "$st" "$t" "$k" "throughput.$ty.peak_kib_s")
					m=$(med_of "$st" "$t" "$k" "throughput.$ty.read_kib_s")
					row+=$(awk -v p="$p" -v m="$m" 'BEGIN { printf " | %.0f (%.0f)", p / 1024, m / 1024 }')
				done
				for r in dma_fq_identity dma_identity; do
					row+=$(awk -v t="$t" -v k="$k" -v n="throughput.ratio.$r" '
						$1 == t && $2 == k && $3 == n { printf " | %.3f (%.3f .. %.3f)", $4, $5, $6; cv = $7 }
						$1 == t && $2 == k && $3 == n ".cov" { inb = $4 }
						END { printf " | %.1f %% | %.1f %%", inb, cv }' "$st")
				done
				echo "$row |"
			done
		done
	fi
	if [[ " $parts " == *" mapunmap "* ]]; then
		st=$out/mapunmap.stats
		names=$(awk -F'\t' 'NR > 1 && $1 == "mapunmap" && $5 != "wall" { print $5 }' "$metrics" | sort -u | tr '\n' ' ')
		stats mapunmap $names >"$st"
		echo
		echo "## VFIO type1 attach, map and unmap (domain_attach, median of its repetitions per boot)"
		echo
		echo "| topology | metric | $(echo $kernels | sed 's/ / | /g') | CoV over boots |"
		echo "| --- | --- |$(for k in $kernels; do printf ' --- |'; done) --- |"
		for t in $dma_topos; do
			for n in $names; do
				row="| $t | $n"
				cvs=
				for k in $kernels; do
					row+=$(awk -v t="$t" -v k="$k" -v n="$n" '$1 == t && $2 == k && $3 == n { printf " | %.6g", $4 }' "$st")
					cvs+=$(awk -v t="$t" -v k="$k" -v n="$n" '$1 == t && $2 == k && $3 == n { printf "%s %.1f %%", sep, $7 }' sep="${cvs:+, }" "$st")
				done
				echo "$row | $cvs |"
			done
		done
		if [ "$(echo $kernels | wc -w)" -eq 2 ]; then
			set -- $kernels
			echo
			echo "Ratio $2 / $1 of the medians:"
			for t in $dma_topos; do
				for n in $names; do
					a=$(med_of "$st" "$t" "$1" "$n")
					b=$(med_of "$st" "$t" "$2" "$n")
					[ -n "$a" ] && [ -n "$b" ] && awk -v n="$n" -v a="$a" -v b="$b" 'BEGIN { if (a) printf "- %s: %.2f\n", n, b / a }'
				done
			done
		fi
	fi
	if [[ " $parts " == *" walltime "* ]]; then
		st=$out/walltime.stats
		stats walltime wall >"$st"
		echo
		echo "## make check wall time, $wall_topo (boot, suites, report)"
		echo
		echo "| kernel | median s | min s | max s | CoV |"
		echo "| --- | --- | --- | --- | --- |"
		for k in $kernels; do
			awk -v k="$k" '$2 == k { printf "| %s | %.1f | %.1f | %.1f | %.1f %% |\n", k, $4, $5, $6, $7 }' "$st"
		done
		# The same runs by phase (the "Time" section of report.md), medians.
		tnames=$(awk -F'\t' '$1 == "walltime" && $5 ~ /^time\./ && !s[$5]++ { print $5 }' "$metrics")
		if [ -n "$tnames" ]; then
			stats walltime $tnames >"$out/walltime-phases.stats"
			echo
			echo "Where the time goes (median s over the runs; time.qemu is QEMU's whole life, the guest phases inside it):"
			echo
			printf '| phase |'; printf ' %s |' $kernels; echo
			printf '| --- |'; printf ' ---: |' $kernels; echo
			for n in $tnames; do
				printf '| %s |' "$n"
				for k in $kernels; do
					awk -v k="$k" -v n="$n" '$2 == k && $3 == n { printf " %.2f", $4; f = 1 } END { if (!f) printf " -"; printf " |" }' "$out/walltime-phases.stats"
				done
				echo
			done
		fi
	fi
	if [[ " $parts " == *" scale "* ]]; then
		st=$out/scale.stats
		stats scale wall_ms cpu_ms load_ms model_ms >"$st"
		echo
		echo "## iogroups predict on generated dumps (harness/iog-gendump.c, seed $scale_seed)"
		echo
		echo "$scale_runs runs each, alternating. Wall time of the whole process (bash's"
		echo "\`time\`); load is libpci reading the dump and pci.ids, model is booting the"
		echo "model and printing its groups (\`iogroups predict --times\`), medians."
		echo
		echo "| IOMMU | dump | devices | groups | dump MiB | median ms | min-max ms | CoV | ms per 1000 devices | CPU ms | load ms | model ms |"
		echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
		for kind in $scale_iommus; do
			for form in $scale_forms; do
				for n in $scale_sizes; do
					want=$(awk '{ print $4 }' "$scale_dir/$n.expect")
					got=$(cat "$scale_dir/$form-$n-$kind.groups")
					[ "$got" = "$want" ] || got="$got (generator: $want)"
					awk -v t="$form-$n" -v k="$kind" -v n="$n" -v f="$form" -v g="$got" \
						-v b="$(cat "$scale_dir/$form-$n.bytes")" '
						$1 == t && $2 == k { v[$3] = $4; lo[$3] = $5; hi[$3] = $6; cv[$3] = $7 }
						END {
							if (!("wall_ms" in v)) {
								printf "| %s | %s | %d | %s | %.1f | failed | | | | | | |\n", k, f, n, g, b / 1048576
								exit
							}
							printf "| %s | %s | %d | %s | %.1f | %.1f | %.1f-%.1f | %.1f %% | %.1f | %.1f | %.1f | %.2f |\n",
								k, f, n, g, b / 1048576, v["wall_ms"], lo["wall_ms"], hi["wall_ms"],
								cv["wall_ms"], v["wall_ms"] * 1000 / n, v["cpu_ms"], v["load_ms"],
								v["model_ms"]
						}' "$st"
				done
			done
		done
		# Linear growth: the same cost per device added at every step.
		echo
		echo "Cost per 1000 devices added, from each size to the next (constant if growth is linear):"
		echo
		for kind in $scale_iommus; do
			for form in $scale_forms; do
				prev=
				line=
				for n in $scale_sizes; do
					if [ -n "$prev" ]; then
						line+=$(awk -v a="$form-$prev" -v b="$form-$n" -v k="$kind" -v na="$prev" -v nb="$n" '
							$2 == k && $1 == a { va[$3] = $4 }
							$2 == k && $1 == b { vb[$3] = $4 }
							END {
								if (!("wall_ms" in va) || !("wall_ms" in vb))
									exit
								d = (nb - na) / 1000
								printf "; %d -> %d: %.1f ms wall, %.1f ms CPU, %.2f ms model", na, nb,
									(vb["wall_ms"] - va["wall_ms"]) / d, (vb["cpu_ms"] - va["cpu_ms"]) / d,
									(vb["model_ms"] - va["model_ms"]) / d
							}' "$st")
					fi
					prev=$n
				done
				[ -n "$line" ] && echo "- $kind, $form dump${line#;}"
			done
		done
		true
	fi
	failed=$(awk -F'\t' 'NR > 1 && $5 == "failed"' "$metrics" | wc -l)
	if [ "$failed" -gt 0 ]; then
		echo
		echo "**$failed run(s) failed and are not in the tables:**"
		awk -F'\t' 'NR > 1 && $5 == "failed" && $1 != "scale" { printf "- %s run %s of %s on %s: %s/%s-%s-%s-%s.log\n", $1, $4, $2, $3, dir, $1, $2, $3, $4 }
			NR > 1 && $5 == "failed" && $1 == "scale" { printf "- scale run %s of %s (%s): iogroups predict failed, its message is on the bench'"'"'s stderr\n", $4, $2, $3 }' dir="$out" "$metrics"
	fi
} | tee "$out/bench.md"
note "bench: $out/bench.md"
