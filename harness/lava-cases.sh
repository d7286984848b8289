#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Turn the KTAP document of harness/run-suites.sh into LAVA test cases.
# POSIX sh and awk: runs under busybox in the LAVA guest image and under
# any sh on a lab board (host mode).
#
# Usage: lava-cases.sh [-n] KTAP [DEVIATIONS TOPOLOGY]
#   -n          print the lava-test-case commands instead of running them
#               (also what happens where lava-test-case is not on PATH)
#   DEVIATIONS  suites/known-deviations; a failure listed there for the
#               kernel release (the KTAP's "# iog: kernel_release") and
#               TOPOLOGY is reported as pass, as KTAP's "ok # XFAIL" is,
#               and its reason is printed
#
# Cases, names reduced to [A-Za-z0-9._-]:
#   SUITE.TEST    pass, fail or skip: each test of a suite
#   SUITE.METRIC  pass, with --measurement VALUE --units UNIT: each
#                 "# metric: NAME VALUE UNIT" line of the suite
#   SUITE         the suite's own result line
#   ktap          pass when the document is complete ("# iog: done" and a
#                 result for every planned suite), else fail
# Always exits 0 once the cases are reported: LAVA's run.sh runs under
# set -e, and a failing step would drop the cases after it.
print=
if [ "${1:-}" = -n ]; then
	print=1
	shift
fi
ktap=${1:?usage: lava-cases.sh [-n] KTAP [DEVIATIONS TOPOLOGY]}
deviations=${2:-}
topology=${3:-}
command -v lava-test-case >/dev/null 2>&1 || print=1
[ -f "$ktap" ] || ktap=/dev/null
[ -n "$deviations" ] && [ -f "$deviations" ] || deviations=/dev/null

awk -v devfile="$deviations" -v topology="$topology" '
function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
function clean(s) { gsub(/[^A-Za-z0-9._-]/, "_", s); return s }
# Units may hold "/" or "%"; only what splits a LAVA signal goes.
function unit(s) { gsub(/[ \t=<>]/, "_", s); return s }
# A shell glob (*, ?, [...]) as an anchored awk regex.
function glob_re(g,    re, i, c, n) {
	re = "^"
	n = length(g)
	for (i = 1; i <= n; i++) {
		c = substr(g, i, 1)
		if (c == "*") re = re ".*"
		else if (c == "?") re = re "."
		else if (c == "[") {
			while (i <= n && substr(g, i, 1) != "]") { re = re substr(g, i, 1); i++ }
			re = re "]"
		} else if (index(".+()$|{}/", c)) re = re "[" c "]"
		else if (c == "^" || c == "\\") re = re "\\" c
		else re = re c
	}
	return re "$"
}
function load_deviations(    line, f, n) {
	while ((getline line < devfile) > 0) {
		if (line ~ /^[ \t]*(#|$)/) continue
		n = split(line, f, "|")
		if (n < 4) continue
		ndev++
		dev_rel[ndev] = glob_re(trim(f[1]))
		dev_topo[ndev] = glob_re(trim(f[2]))
		dev_test[ndev] = glob_re(trim(f[3]))
		dev_why[ndev] = trim(f[4])
	}
	close(devfile)
}
# The reason a failure of SUITE/TEST is a known deviation, or "".
function known(path,    i) {
	for (i = 1; i <= ndev; i++)
		if (release ~ dev_rel[i] && topology ~ dev_topo[i] && path ~ dev_test[i])
			return dev_why[i]
	return ""
}
# "ok 3 name # SKIP why" -> fills r_ok, r_name, r_dir (directive word).
function parse_result(s,    rest, h) {
	r_ok = (s ~ /^ok /)
	sub(/^(not )?ok [0-9]+ ?/, "", s)
	r_dir = ""
	h = index(s, " # ")
	if (h) {
		rest = substr(s, h + 3)
		s = substr(s, 1, h - 1)
		r_dir = toupper(rest)
		sub(/[ \t].*/, "", r_dir)
	} else if (s ~ /^# /) {
		r_dir = toupper(substr(s, 3))
		sub(/[ \t].*/, "", r_dir)
		s = ""
	}
	r_name = trim(s)
}
function emit(name, result, meas, units) {
	if (meas != "") print clean(name), result, meas, unit(units)
	else print clean(name), result
}
# The buffered tests and metrics of a suite, then the suite line.
function flush(suite, ok, dir, seen,    i, failed, listed, why, res) {
	failed = 0; listed = 0
	for (i = 1; i <= nt; i++) {
		res = t_res[i]
		if (res == "fail") {
			failed++
			why = known(suite "/" t_name[i])
			if (why != "") {
				listed++
				res = "pass"
				print "# iog: XFAIL " suite "/" t_name[i] ": " why
			}
		}
		emit(suite "." t_name[i], res)
	}
	for (i = 1; i <= nm; i++) emit(suite "." m_name[i], "pass", m_val[i], m_unit[i])
	if (!seen) { res = "fail"; print "# iog: suite " suite " gave no result line" }
	else if (dir == "SKIP") res = ok ? "skip" : "fail"
	else if (ok) res = "pass"
	else if (failed > 0 && listed == failed) res = "pass"
	else res = "fail"
	emit(suite, res)
	nt = 0; nm = 0
}
BEGIN { load_deviations(); nt = 0; nm = 0; nsuites = 0; planned = -1 }
{ sub(/\r$/, "") }
/^# iog: kernel_release / { release = $4; next }
/^# iog: plan/ { nplan = split(substr($0, 12), plan, " "); next }
/^# iog: done/ { done = 1; next }
/^1\.\.[0-9]+/ { planned = substr($1, 4) + 0; next }
/^(not )?ok [0-9]+/ {
	parse_result($0)
	nsuites++
	flush(r_name, r_ok, r_dir, 1)
	next
}
/^    (not )?ok [0-9]+/ {
	s = $0
	sub(/^    /, "", s)
	parse_result(s)
	nt++
	t_name[nt] = r_name
	if (!r_ok) t_res[nt] = (r_dir == "TODO") ? "pass" : "fail"
	else if (r_dir == "SKIP") t_res[nt] = "skip"
	else t_res[nt] = "pass"
	next
}
/^    # metric: / {
	if (NF >= 5 && $4 ~ /^-?[0-9]+([.][0-9]+)?$/) {
		nm++
		m_name[nm] = $3; m_val[nm] = $4; m_unit[nm] = $5
	}
	next
}
END {
	# A suite that never printed its result line (the guest died in it).
	if (nt > 0 || nm > 0 || (nplan > nsuites && planned > nsuites)) {
		nsuites++
		flush(nsuites <= nplan ? plan[nsuites] : "suite" nsuites, 0, "", 0)
	}
	# Planned suites that never started.
	for (i = nsuites + 1; i <= nplan; i++) {
		print "# iog: suite " plan[i] " never ran"
		emit(plan[i], "fail")
	}
	if (!done) print "# iog: the KTAP document ends before \"# iog: done\""
	if (planned >= 0 && nsuites != planned)
		print "# iog: " planned " suites planned, " nsuites " reported"
	emit("ktap", (done && planned >= 0 && nsuites == planned) ? "pass" : "fail")
}' "$ktap" | while read -r name result meas units; do
	if [ "$name" = "#" ]; then
		echo "$name $result $meas $units"
	elif [ -n "$print" ]; then
		echo "lava-test-case $name --result $result${meas:+ --measurement $meas --units $units}"
	elif [ -n "$meas" ]; then
		lava-test-case "$name" --result "$result" --measurement "$meas" --units "$units"
	else
		lava-test-case "$name" --result "$result"
	fi
done
exit 0
