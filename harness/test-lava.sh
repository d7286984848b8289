#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make test-lava`: write the LAVA job for TOPOLOGY (default q35-acs) on
# KERNEL with harness/lava-job.sh and run it end to end with Debian's
# lava-run on this machine (no server: the job's rendered device.yaml).
# lava-run logs on stderr, one mapping per line; its exit status stays 0
# when test cases fail, so the results are read from the log: exit 0 only
# when the job finished, some case was reported, and none failed.
#
# Writes into the job directory: lava.log (lava-run's log), results.tsv
# (case, result, measurement, units), lava-results.tsv (LAVA's own job
# result), lava-run/ (its scratch output).
# LAVA_JOB_ID=n picks the job id (default: unique per run; lava-run keeps
# a scratch folder per id, so parallel runs need different ones).
set -euo pipefail
. "$(dirname "$0")/common.sh"

# summarize DIR RC [TIMING]: the results in DIR/lava.log, a summary on
# stdout; 0 only when lava-run (exit status RC) finished the job, some
# test case was reported and none failed.
summarize()
{
	local dir=$1 rc=$2 timing=${3:-} job_result pass fail skip other total c
	local -a failed
	# The result lines: {"dt": ..., "lvl": "results", "msg": {"case": ...,
	# "definition": ..., "measurement": ! "1.5", "result": "pass", "units": ...}}.
	# LAVA's own cases have definition "lava" (its "job" case says whether the
	# job finished); the test definition's are ours -> results.tsv.
	: >"$dir/results.tsv"
	grep '"lvl": "results"' "$dir/lava.log" | awk -v tsv="$dir/results.tsv" '
		function field(k,    v) {
			if (!match($0, "\"" k "\": (! )?\"[^\"]*\"")) return ""
			v = substr($0, RSTART, RLENGTH)
			sub(/^[^:]*: (! )?"/, "", v)
			sub(/"$/, "", v)
			return v
		}
		{
			if (field("definition") == "lava") {
				if (field("case") == "job") print "job", field("result")
				next
			}
			print field("case"), field("result"), field("measurement"), field("units") > tsv
		}' OFS='\t' >"$dir/lava-results.tsv" || true
	job_result=$(awk -F'\t' '$1 == "job" { r = $2 } END { print r }' "$dir/lava-results.tsv")
	read -r pass fail skip other < <(awk -F'\t' '
		{ n[$2 == "pass" || $2 == "fail" || $2 == "skip" ? $2 : "other"]++ }
		END { print n["pass"] + 0, n["fail"] + 0, n["skip"] + 0, n["other"] + 0 }' "$dir/results.tsv")
	mapfile -t failed < <(awk -F'\t' '$2 != "pass" && $2 != "skip" { print $1 ($2 == "fail" ? "" : " (" $2 ")") }' "$dir/results.tsv")

	total=$((pass + fail + skip + other))
	echo "LAVA job $dir"
	[ -z "$timing" ] || echo "  $timing"
	echo "  lava-run exit status $rc, job result: ${job_result:-none}"
	awk -F'\t' '$3 != "" { printf "  metric %s = %s %s\n", $1, $3, $4 }' "$dir/results.tsv"
	grep -o '"msg": "# iog: XFAIL [^:]*' "$dir/lava.log" | sed 's/"msg": "# iog: /  /' || true
	for c in "${failed[@]}"; do echo "  FAIL $c"; done
	echo "  $total test cases: $pass pass, $fail fail, $skip skip$([ $other -eq 0 ] || echo ", $other other")"
	if [ $rc -ne 0 ] || [ "$job_result" != pass ]; then
		echo "  lava-run did not finish the job (exit $rc, job result ${job_result:-none}); see $dir/lava.log" >&2
		return 1
	fi
	[ $total -gt 0 ] || { echo "  no test case was reported; see $dir/lava.log" >&2; return 1; }
	[ $fail -eq 0 ] && [ $other -eq 0 ]
}

# test-lava.sh --summary DIR [RC]: summarize an earlier run again.
if [ "${1:-}" = --summary ]; then
	[ -f "${2:-}/lava.log" ] || die "usage: test-lava.sh --summary DIR [RC] (DIR/lava.log)"
	summarize "$2" "${3:-0}"
	exit
fi

export TOPOLOGY=${TOPOLOGY:-q35-acs}
[ "$(id -u)" -eq 0 ] || die "lava-run runs only as root (it refuses other users)"
command -v lava-run >/dev/null || die "lava-run not found: install lava-dispatcher (harness/deps.sh test)"

t0=$SECONDS
dir=$("$IOG_TOP/harness/lava-job.sh")
t_gen=$((SECONDS - t0))
job_id=${LAVA_JOB_ID:-$(date +%s)$$}
log=$dir/lava.log
# A loopback-only network namespace has no address for dispatcher_ip().
printf 'dispatcher_ip: 127.0.0.1\n' >"$dir/dispatcher.yaml"
job_min=$(sed -n '/^  job:/{n;s/^ *minutes: *//p}' "$dir/job.yaml")

note "lava-run job $job_id: $dir/job.yaml (log: $log)"
t1=$SECONDS
# The job's own timeouts bound it; this only guards against lava-run itself
# hanging.  Its top-level stage ends are shown as they happen.
timeout $(((${job_min:-60} + 5) * 60)) \
	lava-run --job-id "$job_id" --output-dir "$dir/lava-run" \
	--device "$dir/device.yaml" --dispatcher "$dir/dispatcher.yaml" \
	"$dir/job.yaml" 2>"$log" &
lpid=$!
trap 'kill -TERM $lpid 2>/dev/null' INT TERM
tail -n +1 -s 0.5 --pid=$lpid -f "$log" 2>/dev/null |
	sed -un 's/.*"msg": "end: \([0-9]\) \([a-z-]*\) (duration \([0-9:]*\)).*/  lava: \2 \3/p' >&2 &
tpid=$!
set +e
wait $lpid
rc=$?
set -e
wait $tpid 2>/dev/null || true
trap - INT TERM
t_run=$((SECONDS - t1))

summarize "$dir" $rc "job written in ${t_gen}s, lava-run ${t_run}s (job id $job_id)"
